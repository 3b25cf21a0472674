import type { ComponentChildren } from 'preact';
import type { StateUpdater } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import {
  CASE_KINDS,
  DOCUMENT_TYPE_OPTIONS,
  RESPIRATORY_SYMPTOMS,
  type AbroadRow,
  type ApplicationForm,
  type ContactRow,
  type StayRow,
} from '../application-form.ts';
import { t } from '../i18n/index.ts';
import { CheckboxField, FieldErrors, SelectField, TextField } from './field.tsx';

/**
 * The seven items of an application (S1) as fieldsets: the apply page uses them for oneself, the
 * family page for a member (with `prefix` 'member.', the API path of the member's items).
 */

type RowKey = 'abroad' | 'stays' | 'contacts';
type RowOf<K extends RowKey> = ApplicationForm[K][number];

const NEW_ROW: { readonly [K in RowKey]: RowOf<K> } = {
  abroad: { country: '', from: '', to: '' } satisfies AbroadRow,
  stays: { divisionCode: '', subArea: '', from: '', to: '' } satisfies StayRow,
  contacts: { kind: 'confirmed', date: '' } satisfies ContactRow,
};

type IssuesAt = (path: string) => readonly FieldIssue[] | undefined;

export function ApplicationFields(props: {
  form: ApplicationForm;
  setForm: (update: StateUpdater<ApplicationForm>) => void;
  /** The issues of an API path (prefix included). */
  at: IssuesAt;
  /** Called after a row is removed: issues are indexed by row and no longer point at the right one. */
  onRowRemoved: () => void;
  prefix?: string;
  personLegend?: string;
  nameHint?: string;
  mobileHint?: string;
}) {
  const { form, setForm, at } = props;
  const prefix = props.prefix ?? '';
  const update = (patch: Partial<ApplicationForm>) => setForm((f) => ({ ...f, ...patch }));
  function updateRow<K extends RowKey>(key: K, index: number, patch: Partial<RowOf<K>>) {
    setForm((f) => ({ ...f, [key]: f[key].map((row, i) => (i === index ? { ...row, ...patch } : row)) }));
  }
  function addRow<K extends RowKey>(key: K) {
    setForm((f) => ({ ...f, [key]: [...f[key], NEW_ROW[key]] }));
  }
  function removeRow(key: RowKey, index: number) {
    setForm((f) => ({ ...f, [key]: f[key].filter((_, i) => i !== index) }));
    props.onRowRemoved();
  }

  return (
    <>
      <fieldset>
        <legend>{props.personLegend ?? t('apply.sectionPerson')}</legend>
        <TextField
          path={`${prefix}name`}
          label={t('apply.name')}
          hint={props.nameHint ?? t('apply.nameHint')}
          autoComplete="name"
          maxLength={64}
          required
          value={form.name}
          onValue={(name) => update({ name })}
          issues={at(`${prefix}name`)}
        />
        <SelectField
          path={`${prefix}documentType`}
          label={t('apply.documentType')}
          value={form.documentType}
          options={DOCUMENT_TYPE_OPTIONS.map((value) => ({
            value,
            label: t(`apply.documentTypes.${value}`),
          }))}
          onValue={(documentType) => update({ documentType })}
          issues={at(`${prefix}documentType`)}
        />
        <TextField
          path={`${prefix}documentNumber`}
          label={t('apply.documentNumber')}
          maxLength={40}
          required
          value={form.documentNumber}
          onValue={(documentNumber) => update({ documentNumber })}
          issues={at(`${prefix}documentNumber`)}
        />
        <TextField
          path={`${prefix}mobile`}
          label={t('apply.mobile')}
          {...(props.mobileHint !== undefined ? { hint: props.mobileHint } : {})}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          maxLength={24}
          required
          value={form.mobile}
          onValue={(mobile) => update({ mobile })}
          issues={at(`${prefix}mobile`)}
        />
        <TextField
          path={`${prefix}nationality`}
          label={t('apply.nationality')}
          hint={t('apply.nationalityHint')}
          autoComplete="country"
          maxLength={2}
          required
          class="field--short"
          value={form.nationality}
          onValue={(nationality) => update({ nationality: nationality.toUpperCase() })}
          issues={at(`${prefix}nationality`)}
        />
      </fieldset>

      <fieldset>
        <legend>{t('apply.sectionAddress')}</legend>
        <TextField
          path={`${prefix}address.divisionCode`}
          label={t('apply.divisionCode')}
          hint={t('apply.divisionCodeHint')}
          inputMode="numeric"
          maxLength={6}
          required
          class="field--short"
          value={form.divisionCode}
          onValue={(divisionCode) => update({ divisionCode })}
          issues={at(`${prefix}address.divisionCode`)}
        />
        <TextField
          path={`${prefix}address.detail`}
          label={t('apply.addressDetail')}
          autoComplete="street-address"
          maxLength={200}
          required
          value={form.addressDetail}
          onValue={(addressDetail) => update({ addressDetail })}
          issues={at(`${prefix}address.detail`)}
        />
      </fieldset>

      <fieldset>
        <legend>{t('apply.sectionHistory')}</legend>
        <p class="hint">{t('apply.historyIntro')}</p>

        <RowsFieldset
          legend={t('apply.abroad')}
          rows={form.abroad}
          pathBase={`${prefix}contactHistory.abroad`}
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
          pathBase={`${prefix}contactHistory.epidemicAreaStays`}
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
          pathBase={`${prefix}contactHistory.caseContacts`}
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
            path={`${prefix}contactHistory.fever`}
            label={t('apply.fever')}
            checked={form.fever}
            onChecked={(fever) => update({ fever })}
            issues={at(`${prefix}contactHistory.fever`)}
          />
          {RESPIRATORY_SYMPTOMS.map((symptom) => (
            <CheckboxField
              key={symptom}
              path={`${prefix}contactHistory.symptoms`}
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
          <FieldErrors
            path={`${prefix}contactHistory.symptoms`}
            issues={at(`${prefix}contactHistory.symptoms`)}
          />
          <TextField
            path={`${prefix}contactHistory.temperature`}
            label={t('apply.temperature')}
            type="number"
            inputMode="decimal"
            step="0.1"
            class="field--short"
            value={form.temperature}
            onValue={(temperature) => update({ temperature })}
            issues={at(`${prefix}contactHistory.temperature`)}
          />
        </fieldset>
      </fieldset>
    </>
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
