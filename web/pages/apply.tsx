import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import { fetchMyApplication, isSessionLost, submitMyApplication, type ApiFailure } from '../api.ts';
import {
  CASE_KINDS,
  DOCUMENT_TYPE_OPTIONS,
  ERROR_FIELD,
  RESPIRATORY_SYMPTOMS,
  applicationRequest,
  checkFormLocally,
  emptyForm,
  fieldId,
  formFieldPaths,
  formFromView,
  placeIssues,
  type AbroadRow,
  type ApplicationForm,
  type ContactRow,
  type StayRow,
} from '../application-form.ts';
import { CheckboxField, FieldErrors, SelectField, TextField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { t, translateIssue } from '../i18n/index.ts';

type Load =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly existing: boolean }
  | { readonly kind: 'failed'; readonly message: string };

type RowKey = 'abroad' | 'stays' | 'contacts';
type RowOf<K extends RowKey> = ApplicationForm[K][number];

const NEW_ROW: { readonly [K in RowKey]: RowOf<K> } = {
  abroad: { country: '', from: '', to: '' } satisfies AbroadRow,
  stays: { divisionCode: '', subArea: '', from: '', to: '' } satisfies StayRow,
  contacts: { kind: 'confirmed', date: '' } satisfies ContactRow,
};

export function ApplyPage(props: {
  token: string;
  signedInMobile: string | null;
  onApplied: () => void;
  onSessionLost: (failure: ApiFailure) => void;
  onBack: () => void;
}) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [form, setForm] = useState<ApplicationForm>(() => emptyForm(props.signedInMobile ?? ''));
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const { token, onSessionLost } = props;

  useEffect(() => {
    let live = true;
    void (async () => {
      const result = await fetchMyApplication(token);
      if (!live) return;
      if (result.ok) {
        setForm(formFromView(result.value));
        setLoad({ kind: 'ready', existing: true });
      } else if (result.failure.kind === 'api' && result.failure.error.code === 'application_required') {
        setLoad({ kind: 'ready', existing: false });
      } else if (isSessionLost(result.failure)) {
        onSessionLost(result.failure);
      } else {
        setLoad({ kind: 'failed', message: describeFailure(result.failure).message ?? t('errors.unknown') });
      }
      window.setTimeout(() => heading.current?.focus(), 0);
    })();
    return () => {
      live = false;
    };
  }, [attempt, token, onSessionLost]);

  const update = (patch: Partial<ApplicationForm>) => setForm((f) => ({ ...f, ...patch }));
  function updateRow<K extends RowKey>(key: K, index: number, patch: Partial<RowOf<K>>) {
    setForm((f) => ({ ...f, [key]: f[key].map((row, i) => (i === index ? { ...row, ...patch } : row)) }));
  }
  function addRow<K extends RowKey>(key: K) {
    setForm((f) => ({ ...f, [key]: [...f[key], NEW_ROW[key]] }));
  }
  function removeRow(key: RowKey, index: number) {
    setForm((f) => ({ ...f, [key]: f[key].filter((_, i) => i !== index) }));
    // Issues are indexed by row; after a removal they no longer point at the right row.
    setIssues([]);
  }

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
    const localIssues = checkFormLocally(form);
    if (localIssues.length > 0) return showIssues(localIssues, null);
    setBusy(true);
    const result = await submitMyApplication(token, applicationRequest(form));
    setBusy(false);
    if (result.ok) return props.onApplied();
    if (isSessionLost(result.failure)) return props.onSessionLost(result.failure);
    const described = describeFailure(result.failure, ERROR_FIELD);
    showIssues(described.issues, described.message);
  };

  if (load.kind === 'loading') return <p class="page loading">{t('app.loading')}</p>;
  if (load.kind === 'failed') {
    return (
      <section class="page">
        <p class="notice notice--error" role="alert">
          {load.message}
        </p>
        <button class="button" type="button" onClick={() => setAttempt((n) => n + 1)}>
          {t('app.retry')}
        </button>
      </section>
    );
  }

  const { byPath, unplaced } = placeIssues(issues, formFieldPaths(form));
  const at = (path: string) => byPath.get(path);

  return (
    <section class="page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {load.existing ? t('apply.headingUpdate') : t('apply.heading')}
      </h1>
      <p>{t('apply.intro')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset>
          <legend>{t('apply.sectionPerson')}</legend>
          <TextField
            path="name"
            label={t('apply.name')}
            hint={t('apply.nameHint')}
            autoComplete="name"
            maxLength={64}
            required
            value={form.name}
            onValue={(name) => update({ name })}
            issues={at('name')}
          />
          <SelectField
            path="documentType"
            label={t('apply.documentType')}
            value={form.documentType}
            options={DOCUMENT_TYPE_OPTIONS.map((value) => ({
              value,
              label: t(`apply.documentTypes.${value}`),
            }))}
            onValue={(documentType) => update({ documentType })}
            issues={at('documentType')}
          />
          <TextField
            path="documentNumber"
            label={t('apply.documentNumber')}
            maxLength={40}
            required
            value={form.documentNumber}
            onValue={(documentNumber) => update({ documentNumber })}
            issues={at('documentNumber')}
          />
          <TextField
            path="mobile"
            label={t('apply.mobile')}
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            maxLength={24}
            required
            value={form.mobile}
            onValue={(mobile) => update({ mobile })}
            issues={at('mobile')}
          />
          <TextField
            path="nationality"
            label={t('apply.nationality')}
            hint={t('apply.nationalityHint')}
            autoComplete="country"
            maxLength={2}
            required
            class="field--short"
            value={form.nationality}
            onValue={(nationality) => update({ nationality: nationality.toUpperCase() })}
            issues={at('nationality')}
          />
        </fieldset>

        <fieldset>
          <legend>{t('apply.sectionAddress')}</legend>
          <TextField
            path="address.divisionCode"
            label={t('apply.divisionCode')}
            hint={t('apply.divisionCodeHint')}
            inputMode="numeric"
            maxLength={6}
            required
            class="field--short"
            value={form.divisionCode}
            onValue={(divisionCode) => update({ divisionCode })}
            issues={at('address.divisionCode')}
          />
          <TextField
            path="address.detail"
            label={t('apply.addressDetail')}
            autoComplete="street-address"
            maxLength={200}
            required
            value={form.addressDetail}
            onValue={(addressDetail) => update({ addressDetail })}
            issues={at('address.detail')}
          />
        </fieldset>

        <fieldset>
          <legend>{t('apply.sectionHistory')}</legend>
          <p class="hint">{t('apply.historyIntro')}</p>

          <RowsFieldset
            legend={t('apply.abroad')}
            rows={form.abroad}
            pathBase="contactHistory.abroad"
            addLabel={t('apply.addAbroad')}
            onAdd={() => addRow('abroad')}
            onRemove={(i) => removeRow('abroad', i)}
            fields={(row, i, base) => (
              <>
                <TextField
                  path={`${base}.country`}
                  label={t('apply.abroadCountry')}
                  maxLength={2}
                  class="field--short"
                  value={row.country}
                  onValue={(country) => updateRow('abroad', i, { country: country.toUpperCase() })}
                  issues={at(`${base}.country`)}
                />
                <DateRange base={base} row={row} at={at} onValue={(patch) => updateRow('abroad', i, patch)} />
              </>
            )}
          />

          <RowsFieldset
            legend={t('apply.epidemicAreaStays')}
            rows={form.stays}
            pathBase="contactHistory.epidemicAreaStays"
            addLabel={t('apply.addStay')}
            onAdd={() => addRow('stays')}
            onRemove={(i) => removeRow('stays', i)}
            fields={(row, i, base) => (
              <>
                <TextField
                  path={`${base}.divisionCode`}
                  label={t('apply.stayDivisionCode')}
                  inputMode="numeric"
                  maxLength={6}
                  class="field--short"
                  value={row.divisionCode}
                  onValue={(divisionCode) => updateRow('stays', i, { divisionCode })}
                  issues={at(`${base}.divisionCode`)}
                />
                <TextField
                  path={`${base}.subArea`}
                  label={t('apply.staySubArea')}
                  maxLength={100}
                  value={row.subArea}
                  onValue={(subArea) => updateRow('stays', i, { subArea })}
                  issues={at(`${base}.subArea`)}
                />
                <DateRange base={base} row={row} at={at} onValue={(patch) => updateRow('stays', i, patch)} />
              </>
            )}
          />

          <RowsFieldset
            legend={t('apply.caseContacts')}
            rows={form.contacts}
            pathBase="contactHistory.caseContacts"
            addLabel={t('apply.addContact')}
            onAdd={() => addRow('contacts')}
            onRemove={(i) => removeRow('contacts', i)}
            fields={(row, i, base) => (
              <>
                <SelectField
                  path={`${base}.kind`}
                  label={t('apply.caseKind')}
                  value={row.kind}
                  options={CASE_KINDS.map((value) => ({ value, label: t(`apply.caseKinds.${value}`) }))}
                  onValue={(kind) =>
                    updateRow('contacts', i, { kind: kind === 'suspected' ? 'suspected' : 'confirmed' })
                  }
                  issues={at(`${base}.kind`)}
                />
                <TextField
                  type="date"
                  class="field--date"
                  path={`${base}.date`}
                  label={t('apply.contactDate')}
                  value={row.date}
                  onValue={(date) => updateRow('contacts', i, { date })}
                  issues={at(`${base}.date`)}
                />
              </>
            )}
          />

          <fieldset class="rows">
            <legend>{t('apply.symptoms')}</legend>
            <CheckboxField
              path="contactHistory.fever"
              label={t('apply.fever')}
              checked={form.fever}
              onChecked={(fever) => update({ fever })}
              issues={at('contactHistory.fever')}
            />
            {RESPIRATORY_SYMPTOMS.map((symptom) => (
              <CheckboxField
                key={symptom}
                path="contactHistory.symptoms"
                idSuffix={symptom}
                label={t(`apply.symptomList.${symptom}`)}
                checked={form.symptoms.includes(symptom)}
                onChecked={(on) =>
                  update({
                    symptoms: RESPIRATORY_SYMPTOMS.filter((s) =>
                      s === symptom ? on : form.symptoms.includes(s),
                    ),
                  })
                }
                issues={undefined}
              />
            ))}
            <FieldErrors path="contactHistory.symptoms" issues={at('contactHistory.symptoms')} />
            <TextField
              path="contactHistory.temperature"
              label={t('apply.temperature')}
              type="number"
              inputMode="decimal"
              step="0.1"
              class="field--short"
              value={form.temperature}
              onValue={(temperature) => update({ temperature })}
              issues={at('contactHistory.temperature')}
            />
          </fieldset>
        </fieldset>

        <fieldset>
          <legend>{t('apply.sectionPledge')}</legend>
          <CheckboxField
            path="pledge"
            label={t('apply.pledge')}
            checked={form.pledge}
            onChecked={(pledge) => update({ pledge })}
            issues={at('pledge')}
          />
        </fieldset>

        <div ref={summary} tabIndex={-1} aria-live="assertive">
          {(issues.length > 0 || message !== null) && (
            <div class="notice notice--error" role="alert">
              {message !== null && <p>{message}</p>}
              {issues.length > 0 && <p>{t('apply.fixErrors', { count: issues.length })}</p>}
              {unplaced.length > 0 && (
                <ul>
                  {unplaced.map((issue) => (
                    <li key={`${issue.path}:${issue.code}`}>
                      <code>{issue.path}</code> {translateIssue(issue)}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>

        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? t('apply.submitting') : load.existing ? t('apply.submitUpdate') : t('apply.submit')}
        </button>
        {load.existing && (
          <button class="button button--link" type="button" onClick={props.onBack}>
            {t('apply.back')}
          </button>
        )}
      </form>
    </section>
  );
}

function RemoveButton(props: { onClick: () => void; n: number }) {
  return (
    <button class="button button--link button--remove" type="button" onClick={props.onClick}>
      {t('apply.remove')}
      <span class="visually-hidden"> {t('apply.rowLabel', { n: props.n })}</span>
    </button>
  );
}

type IssuesAt = (path: string) => readonly FieldIssue[] | undefined;

/** One repeatable list of the contact history (abroad, stays, case contacts): rows, remove, add. */
function RowsFieldset<R>(props: {
  legend: string;
  rows: readonly R[];
  pathBase: string;
  addLabel: string;
  onAdd: () => void;
  onRemove: (index: number) => void;
  fields: (row: R, index: number, base: string) => ComponentChildren;
}) {
  return (
    <fieldset class="rows">
      <legend>{props.legend}</legend>
      {props.rows.map((row, i) => (
        <div
          class="row"
          key={i}
          role="group"
          aria-label={`${props.legend} ${t('apply.rowLabel', { n: i + 1 })}`}
        >
          {props.fields(row, i, `${props.pathBase}.${i}`)}
          <RemoveButton onClick={() => props.onRemove(i)} n={i + 1} />
        </div>
      ))}
      <button class="button button--secondary" type="button" onClick={props.onAdd}>
        + {props.addLabel}
      </button>
    </fieldset>
  );
}

/** The from/to dates of a row. */
function DateRange(props: {
  base: string;
  row: { readonly from: string; readonly to: string };
  at: IssuesAt;
  onValue: (patch: { from?: string; to?: string }) => void;
}) {
  const { base, row, at } = props;
  return (
    <>
      <TextField
        type="date"
        class="field--date"
        path={`${base}.from`}
        label={t('apply.from')}
        value={row.from}
        onValue={(from) => props.onValue({ from })}
        issues={at(`${base}.from`)}
      />
      <TextField
        type="date"
        class="field--date"
        path={`${base}.to`}
        label={t('apply.to')}
        value={row.to}
        onValue={(to) => props.onValue({ to })}
        issues={at(`${base}.to`)}
      />
    </>
  );
}
