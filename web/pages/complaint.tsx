import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import { COMPLAINT_KINDS } from '../../src/contracts/overrides-complaints.ts';
import {
  fetchAccessLog,
  fileVenueComplaint,
  isSessionLost,
  type ApiFailure,
  type ComplaintRequest,
} from '../api.ts';
import { placeIssues } from '../application-form.ts';
import { SelectField, TextAreaField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { FEEDBACK_ERROR_FIELD, checkedVenues, isBlank } from '../feedback-form.ts';
import { FormErrors } from '../components/load-status.tsx';
import { t } from '../i18n/index.ts';
import { shownTime } from '../time.ts';

type Kind = ComplaintRequest['kind'];
interface Venue {
  readonly id: number;
  readonly name: string;
}

/**
 * S16: a complaint about a venue that did not check codes, recorded personal health information or
 * turned a green code away (fileVenueComplaint); it goes to the venue's district. The venue comes
 * from the place-scan result (`#/complaint?venue=…`) or is one of those that checked my code.
 */
export function ComplaintPage(props: {
  token: string;
  /** The venue the link names (the place-scan result), or null to pick one. */
  venue: Venue | null;
  onSessionLost: (failure: ApiFailure) => void;
  onScan: () => void;
  onBack: () => void;
}) {
  const { token, onSessionLost } = props;
  const [venues, setVenues] = useState<readonly (Venue & { readonly at?: string })[]>(
    props.venue === null ? [] : [props.venue],
  );
  const [venueId, setVenueId] = useState(props.venue === null ? '' : String(props.venue.id));
  const [kind, setKind] = useState<Kind>('does_not_check');
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  // Besides the venue of the link: the venues that checked my code, newest first.
  useEffect(() => {
    let live = true;
    void fetchAccessLog(token, null).then((result) => {
      if (!live || !result.ok) return;
      const checked = checkedVenues(result.value);
      setVenues((old) => [...old, ...checked.filter((v) => !old.some((o) => o.id === v.id))]);
      setVenueId((id) => (id === '' && checked[0] !== undefined ? String(checked[0].id) : id));
    });
    return () => {
      live = false;
    };
  }, [token]);

  const submit = async (event: Event) => {
    event.preventDefault();
    const local: FieldIssue[] = [];
    if (venueId === '') local.push({ path: 'venueId', code: 'field_required', message: 'Choose the venue.' });
    if (isBlank(text)) local.push({ path: 'text', code: 'field_required', message: 'Say what happened.' });
    setIssues(local);
    setMessage(null);
    if (local.length > 0) return;
    setBusy(true);
    const result = await fileVenueComplaint(token, { venueId: Number(venueId), kind, text: text.trim() });
    setBusy(false);
    if (result.ok) {
      const name = venues.find((v) => v.id === Number(venueId))?.name ?? venueId;
      setText('');
      setDone(t('complaint.filed', { venue: name, at: shownTime(result.value.filedAt) }));
      return;
    }
    if (isSessionLost(result.failure)) return onSessionLost(result.failure);
    const described = describeFailure(result.failure, FEEDBACK_ERROR_FIELD);
    setIssues(described.issues);
    setMessage(described.message);
  };

  const { byPath, unplaced } = placeIssues(issues, new Set(['venueId', 'kind', 'text']));
  const venueLabel = (v: Venue & { readonly at?: string }) =>
    v.at === undefined
      ? v.name || t('complaint.venueNumber', { id: v.id })
      : t('complaint.venueChecked', { venue: v.name, at: shownTime(v.at) });

  return (
    <section class="page complaint-page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('complaint.heading')}
      </h1>
      <p>{t('complaint.intro')}</p>
      {done !== null && (
        <p id="complaint-filed" class="notice" role="status">
          {done}
        </p>
      )}
      <form id="complaint-form" onSubmit={(e) => void submit(e)} noValidate>
        {venues.length === 0 ? (
          <div class="field">
            <p id="complaint-no-venue" class="notice">
              {t('complaint.noVenue')}
            </p>
            <button class="button button--secondary" type="button" onClick={props.onScan}>
              {t('complaint.scan')}
            </button>
          </div>
        ) : (
          <SelectField
            path="venueId"
            label={t('complaint.venue')}
            value={venueId}
            options={venues.map((v) => ({ value: String(v.id), label: venueLabel(v) }))}
            onValue={setVenueId}
            issues={byPath.get('venueId')}
          />
        )}
        <fieldset>
          <legend>{t('complaint.kind')}</legend>
          {COMPLAINT_KINDS.map((k) => (
            <div key={k} class="field field--checkbox">
              <input
                id={`complaint-kind-${k}`}
                type="radio"
                name="kind"
                value={k}
                checked={kind === k}
                onChange={() => setKind(k)}
              />
              <label for={`complaint-kind-${k}`}>{t(`complaint.kinds.${k}`)}</label>
            </div>
          ))}
        </fieldset>
        <TextAreaField
          path="text"
          label={t('complaint.text')}
          hint={t('complaint.textHint')}
          value={text}
          onValue={setText}
          issues={byPath.get('text')}
          maxLength={1000}
          required
        />
        <FormErrors id="complaint-errors" message={message} unplaced={unplaced} />
        <button class="button button--primary" type="submit" disabled={busy || venues.length === 0}>
          {busy ? t('apply.submitting') : t('complaint.submit')}
        </button>
      </form>
      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onBack}>
          {t('family.back')}
        </button>
      </div>
    </section>
  );
}
