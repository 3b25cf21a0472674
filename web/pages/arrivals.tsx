import { useEffect, useRef, useState } from 'preact/hooks';
import { chinaDate } from '../../src/domain/china-time.ts';
import type { EpochMs, FieldIssue } from '../../src/domain/types.ts';
import {
  fetchFamily,
  fetchMyArrivalDeclarations,
  isSessionLost,
  submitArrivalDeclaration,
  type ApiFailure,
  type ArrivalDeclarationListResponse,
  type ArrivalDeclarationResultResponse,
  type FamilyMemberView,
} from '../api.ts';
import {
  ARRIVAL_FIELD_PATHS,
  ARRIVAL_KIND_OPTIONS,
  HOME_COLOUR_OPTIONS,
  TRANSPORT_MODE_OPTIONS,
  arrivalFieldOf,
  arrivalRequest,
  availableFrom,
  checkArrivalLocally,
  emptyArrivalForm,
  type ArrivalForm,
} from '../arrival-form.ts';
import { fieldId, placeIssues } from '../application-form.ts';
import { DivisionPicker } from '../components/division-picker.tsx';
import { CheckboxField, FieldErrors, SelectField, TextField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { currentLocale, t, translateIssue } from '../i18n/index.ts';
import { formatChinaClock, parseApiTime } from '../time.ts';

type Past = ArrivalDeclarationListResponse['declarations'];
type Declared = ArrivalDeclarationResultResponse['declarations'];

const timeText = (text: string | null): string => {
  const ms = text === null ? null : parseApiTime(text);
  return ms === null ? '' : formatChinaClock(ms, false);
};

/**
 * S8/S9: a person arriving from another province (or, after quarantine, from abroad) declares it;
 * the answer is the colour now for them and each family member travelling along, with its reasons.
 */
export function ArrivalsPage(props: {
  token: string;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onBack: () => void;
}) {
  const [form, setForm] = useState<ArrivalForm>(() => emptyArrivalForm(chinaDate(Date.now() as EpochMs)));
  const [members, setMembers] = useState<readonly FamilyMemberView[]>([]);
  const [past, setPast] = useState<Past | null>(null);
  const [declared, setDeclared] = useState<Declared | null>(null);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [notYet, setNotYet] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const result = useRef<HTMLDivElement>(null);
  const { token, onSessionLost, onApplicationRequired } = props;

  useEffect(() => {
    let live = true;
    void Promise.all([fetchMyArrivalDeclarations(token), fetchFamily(token)]).then(([list, family]) => {
      if (!live) return;
      if (!list.ok) {
        if (isSessionLost(list.failure)) return onSessionLost(list.failure);
        if (list.failure.kind === 'api' && list.failure.error.code === 'application_required')
          return onApplicationRequired();
        setMessage(describeFailure(list.failure).message);
        return setPast([]);
      }
      setPast(list.value.declarations);
      if (family.ok) setMembers(family.value.members);
    });
    return () => {
      live = false;
    };
  }, [token, attempt, onSessionLost, onApplicationRequired]);

  useEffect(() => heading.current?.focus(), []);

  const update = (patch: Partial<ArrivalForm>) => setForm((f) => ({ ...f, ...patch }));

  const showIssues = (found: readonly FieldIssue[], text: string | null) => {
    setIssues(found);
    setMessage(text);
    window.setTimeout(() => {
      const first = found.map((i) => document.getElementById(fieldId(i.path))).find((el) => el !== null);
      if (first) first.focus();
      else summary.current?.focus();
    }, 0);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setDeclared(null);
    setNotYet(null);
    const local = checkArrivalLocally(form);
    if (local.length > 0) return showIssues(local, null);
    setBusy(true);
    const sent = await submitArrivalDeclaration(token, arrivalRequest(form));
    setBusy(false);
    if (sent.ok) {
      setIssues([]);
      setMessage(null);
      setDeclared(sent.value.declarations);
      setAttempt((n) => n + 1);
      window.setTimeout(() => result.current?.focus(), 0);
      return;
    }
    const failure = sent.failure;
    if (isSessionLost(failure)) return onSessionLost(failure);
    if (failure.kind === 'api' && failure.error.code === 'arrival_not_yet_allowed') {
      const from = availableFrom(failure.error);
      setNotYet(from === null ? t('arrivals.notYet') : t('arrivals.notYetFrom', { date: from }));
      // The issues name who is not cleared yet and why, under the form.
      return showIssues(
        (failure.error.issues ?? []).map((i) => ({ ...i, path: `refusal.${i.path}` })),
        null,
      );
    }
    const described = describeFailure(failure);
    showIssues(
      described.issues.map((i) => ({ ...i, path: arrivalFieldOf(i.path, form) })),
      described.message,
    );
  };

  /** A refusal issue names who is not cleared (me, or the i-th companion) and, if known, from when. */
  const refusalLine = (issue: FieldIssue): string => {
    const text = translateIssue(issue);
    const refusal = /^refusal\.(?:companions\.(\d+)|.*)$/.exec(issue.path);
    if (refusal === null) return text;
    const index = refusal[1];
    const member =
      index === undefined
        ? undefined
        : members.find((m) => m.memberId === form.familyCompanions[Number(index)]);
    const who = index === undefined ? t('arrivals.self') : (member?.maskedName ?? t('arrivals.companion'));
    const from = availableFrom({ message: issue.message });
    return `${who}: ${text}${from === null ? '' : ` ${t('arrivals.fromDate', { date: from })}`}`;
  };

  const { byPath, unplaced } = placeIssues(issues, ARRIVAL_FIELD_PATHS);
  const at = (path: string) => byPath.get(path);
  const locale = currentLocale();

  return (
    <section class="page arrivals-page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('arrivals.heading')}
      </h1>
      <p>{t('arrivals.intro')}</p>

      {declared !== null && (
        <div id="arrival-result" class="arrival-result" tabIndex={-1} ref={result} role="status">
          <h2>{t('arrivals.resultHeading')}</h2>
          <ul>
            {declared.map((d) => (
              <li key={d.declarationId} class={`arrival-result__item arrival-result__item--${d.colour}`}>
                <p>
                  <strong class="arrival-result__who">
                    {d.subject === 'self' ? t('arrivals.self') : d.subject.maskedName}
                  </strong>{' '}
                  <span class={`dot dot--${d.colour}`} aria-hidden="true" />
                  <span class="arrival-result__colour" data-colour={d.colour}>
                    {t(`code.colour.${d.colour}`)}
                  </span>
                  {d.until !== null && ` · ${t('arrivals.until', { time: timeText(d.until) })}`}
                </p>
                {d.reasons.length > 0 && (
                  <ul class="arrival-result__reasons">
                    {d.reasons.map((r) => (
                      <li key={`${r.ruleId}:${r.factId}`}>{r.text[locale]}</li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}

      <form id="arrival-form" onSubmit={(e) => void submit(e)} noValidate>
        <div class="field">
          <span class="field__label" id="arrival-kind-label">
            {t('arrivals.kind')}
          </span>
          <div class="segmented segmented--wide" role="group" aria-labelledby="arrival-kind-label">
            {ARRIVAL_KIND_OPTIONS.map((kind) => (
              <button
                key={kind}
                id={`arrival-kind-${kind}`}
                type="button"
                class="segmented__option"
                aria-pressed={form.kind === kind}
                onClick={() => {
                  update({ kind });
                  setIssues([]);
                }}
              >
                {t(`arrivals.kinds.${kind}`)}
              </button>
            ))}
          </div>
        </div>

        {form.kind === 'domestic' ? (
          <>
            <DivisionPicker
              path="originDivisionCode"
              label={t('arrivals.origin')}
              hint={t('arrivals.originHint')}
              value={form.originDivisionCode}
              onValue={(originDivisionCode) => update({ originDivisionCode })}
              issues={at('originDivisionCode')}
            />
            <SelectField
              path="homeCodeColour"
              label={t('arrivals.homeCodeColour')}
              value={form.homeCodeColour}
              options={[
                { value: '', label: t('arrivals.chooseColour') },
                ...HOME_COLOUR_OPTIONS.map((c) => ({ value: c, label: t(`code.colour.${c}`) })),
              ]}
              onValue={(value) => {
                const colour = HOME_COLOUR_OPTIONS.find((c) => c === value);
                update({ homeCodeColour: colour ?? '' });
              }}
              issues={at('homeCodeColour')}
            />
          </>
        ) : (
          <TextField
            path="countries"
            label={t('arrivals.countries')}
            hint={t('arrivals.countriesHint')}
            maxLength={80}
            value={form.countries}
            onValue={(countries) => update({ countries: countries.toUpperCase() })}
            issues={at('countries')}
          />
        )}

        <div class="row">
          <TextField
            type="date"
            class="field--date"
            path="departedOn"
            label={t('arrivals.departedOn')}
            value={form.departedOn}
            onValue={(departedOn) => update({ departedOn })}
            issues={at('departedOn')}
          />
          <TextField
            type="date"
            class="field--date"
            path="arrivedOn"
            label={form.kind === 'domestic' ? t('arrivals.arrivedOn') : t('arrivals.enteredOn')}
            value={form.arrivedOn}
            onValue={(arrivedOn) => update({ arrivedOn })}
            issues={at('arrivedOn')}
          />
        </div>
        <div class="row">
          <SelectField
            path="transport.mode"
            label={t('arrivals.transportMode')}
            value={form.transportMode}
            options={TRANSPORT_MODE_OPTIONS.map((m) => ({ value: m, label: t(`arrivals.modes.${m}`) }))}
            onValue={(value) => {
              const mode = TRANSPORT_MODE_OPTIONS.find((m) => m === value);
              if (mode !== undefined) update({ transportMode: mode });
            }}
            issues={at('transport.mode')}
          />
          <TextField
            path="transport.number"
            label={t('arrivals.transportNumber')}
            hint={t('arrivals.transportNumberHint')}
            maxLength={20}
            class="field--short"
            value={form.transportNumber}
            onValue={(transportNumber) => update({ transportNumber })}
            issues={at('transport.number')}
          />
        </div>

        <fieldset class="rows">
          <legend>{t('arrivals.companions')}</legend>
          {members.map((m) => (
            <CheckboxField
              key={m.memberId}
              path="familyCompanions"
              idSuffix={m.memberId}
              label={`${m.maskedName} (${t(`family.relationships.${m.relationship}`)})`}
              checked={form.familyCompanions.includes(m.memberId)}
              onChecked={(on) =>
                update({
                  familyCompanions: members
                    .map((x) => x.memberId)
                    .filter((id) => (id === m.memberId ? on : form.familyCompanions.includes(id))),
                })
              }
              issues={undefined}
            />
          ))}
          <FieldErrors path="familyCompanions" issues={at('familyCompanions')} />
          <TextField
            path="otherCompanions"
            label={t('arrivals.otherCompanions')}
            hint={t('arrivals.otherCompanionsHint')}
            maxLength={400}
            value={form.otherCompanions}
            onValue={(otherCompanions) => update({ otherCompanions })}
            issues={at('otherCompanions')}
          />
        </fieldset>

        <div ref={summary} tabIndex={-1} aria-live="assertive">
          {(issues.length > 0 || message !== null || notYet !== null) && (
            <div id="arrival-errors" class="notice notice--error" role="alert">
              {notYet !== null && (
                <p id="arrival-not-yet" data-code="arrival_not_yet_allowed">
                  {notYet}
                </p>
              )}
              {message !== null && <p>{message}</p>}
              {notYet === null && issues.length > 0 && (
                <p>{t('apply.fixErrors', { count: issues.length })}</p>
              )}
              {unplaced.length > 0 && (
                <ul>
                  {unplaced.map((issue) => (
                    <li key={`${issue.path}:${issue.code}`}>{refusalLine(issue)}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>

        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? t('apply.submitting') : t('arrivals.submit')}
        </button>
      </form>

      <h2>{t('arrivals.pastHeading')}</h2>
      {past === null ? (
        <p class="loading">{t('app.loading')}</p>
      ) : past.length === 0 ? (
        <p id="arrival-list-empty">{t('arrivals.none')}</p>
      ) : (
        <ul id="arrival-list" class="family-list">
          {past.map((d) => (
            <li key={d.declarationId} class="family-list__item" data-declaration-id={d.declarationId}>
              <span class="family-list__name">
                {d.kind === 'domestic'
                  ? (d.originName ?? d.originDivisionCode ?? '')
                  : d.countries.join(', ')}
              </span>{' '}
              <span class="family-list__meta">
                {t('arrivals.pastMeta', {
                  who: d.subject === 'self' ? t('arrivals.self') : d.subject.maskedName,
                  departed: d.departedOn,
                  arrived: d.arrivedOn,
                  transport: `${t(`arrivals.modes.${d.transport.mode}`)}${d.transport.number === null ? '' : ` ${d.transport.number}`}`,
                })}
                {d.companionNames.length > 0 &&
                  ` · ${t('arrivals.with', { names: d.companionNames.join('、') })}`}
              </span>
            </li>
          ))}
        </ul>
      )}

      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onBack}>
          {t('family.back')}
        </button>
      </div>
    </section>
  );
}
