import {
  FACT_KINDS,
  type Fact,
  type FactKind,
  type FactSource,
  type IsolationType,
  type RespiratorySymptom,
  type RiskLevel,
} from './colour/facts.ts';
import { parseInstant } from './china-time.ts';
import { isCountryCode } from './country-codes.ts';
import { findDivision } from './identity/index.ts';
import { importKindSpec, isImportKind, type FieldTarget } from './imports/kinds.ts';
import type { EpochMs, FieldIssue, Validation } from './types.ts';

/** A fact as an officer (or, later, an import row) states it. Times: 'YYYY-MM-DD' or ISO with offset. */
export interface FactInput {
  readonly kind: string;
  readonly from: string;
  readonly to?: string | null;
  readonly isolation?: string | null;
  readonly divisionCode?: string | null;
  readonly subArea?: string | null;
  readonly level?: string | null;
  /** °C, one decimal. */
  readonly temperature?: number | null;
  readonly symptoms?: readonly string[] | null;
  readonly countries?: readonly string[] | null;
  readonly note?: string | null;
}

/** Shared with the import validator (imports/validate-row.ts). */
export const ISOLATION: readonly IsolationType[] = ['centralised', 'home'];
export const LEVELS: readonly RiskLevel[] = ['high', 'medium'];
export const SYMPTOMS: readonly RespiratorySymptom[] = [
  'fever',
  'dryCough',
  'shortnessOfBreath',
  'otherRespiratory',
];

const TARGET_FIELD: Partial<Record<FieldTarget, keyof FactInput>> = {
  to: 'to',
  isolation: 'isolation',
  divisionCode: 'divisionCode',
  subArea: 'subArea',
  level: 'level',
  note: 'note',
  symptoms: 'symptoms',
  temperatureDeciC: 'temperature',
  countries: 'countries',
};

/**
 * Which attributes each kind must carry besides `from`: the same as the import of that kind
 * (imports/kinds.ts), so an officer's fact and an imported record of one kind need the same data.
 * provincialAbnormal has no import kind of its own and needs only `from`.
 */
export const FACT_REQUIRED_FIELDS: Readonly<Record<FactKind, readonly (keyof FactInput)[]>> =
  Object.fromEntries(
    FACT_KINDS.map((kind) => [
      kind,
      isImportKind(kind)
        ? importKindSpec(kind).fields.flatMap((f) => {
            const target = f.required ? TARGET_FIELD[f.target] : undefined;
            return target === undefined ? [] : [target];
          })
        : [],
    ]),
  ) as unknown as Record<FactKind, readonly (keyof FactInput)[]>;

/**
 * Validates one fact. `prefix` is prepended to issue paths ('fact.' for the API, 'row' fields for
 * imports). `now` refuses facts that start in the future.
 */
export function validateFactInput(
  input: FactInput,
  now: EpochMs,
  ids: { id: string; source: FactSource },
  prefix = '',
): Validation<Fact> {
  const issues: FieldIssue[] = [];
  const at = (p: string) => `${prefix}${p}`;
  const kind = input.kind as FactKind;
  if (!FACT_KINDS.includes(kind)) {
    issues.push({
      path: at('kind'),
      code: 'fact_kind_unknown',
      message: `Use one of: ${FACT_KINDS.join(', ')}.`,
    });
    return { ok: false, issues };
  }
  const from = parseInstant(input.from);
  if (from === null)
    issues.push({
      path: at('from'),
      code: 'date_invalid',
      message: 'Use YYYY-MM-DD or an ISO date-time with offset.',
    });
  else if (from > now)
    issues.push({ path: at('from'), code: 'date_in_future', message: 'A fact cannot start in the future.' });
  let to: EpochMs | null = null;
  if (input.to !== undefined && input.to !== null) {
    to = parseInstant(input.to);
    if (to === null)
      issues.push({
        path: at('to'),
        code: 'date_invalid',
        message: 'Use YYYY-MM-DD or an ISO date-time with offset.',
      });
    else if (from !== null && to < from)
      issues.push({ path: at('to'), code: 'date_order', message: 'The end is before the start.' });
  }
  for (const field of FACT_REQUIRED_FIELDS[kind]) {
    if (input[field] === undefined || input[field] === null) {
      issues.push({ path: at(field), code: 'field_required', message: `A ${kind} fact needs ${field}.` });
    }
  }
  if (kind === 'symptoms' && (input.symptoms ?? null) === null && (input.temperature ?? null) === null) {
    issues.push({
      path: at('symptoms'),
      code: 'symptoms_required',
      message: 'A symptoms fact needs symptoms, a temperature, or both.',
    });
  }
  const isolation = input.isolation ?? null;
  if (isolation !== null && !ISOLATION.includes(isolation as IsolationType)) {
    issues.push({ path: at('isolation'), code: 'isolation_invalid', message: 'Use centralised or home.' });
  }
  const level = input.level ?? null;
  if (level !== null && !LEVELS.includes(level as RiskLevel)) {
    issues.push({ path: at('level'), code: 'level_invalid', message: 'Use high or medium.' });
  }
  const divisionCode = input.divisionCode ?? null;
  if (divisionCode !== null && findDivision(divisionCode) === null) {
    issues.push({
      path: at('divisionCode'),
      code: 'division_unknown',
      message: 'Not a GB/T 2260 division code.',
    });
  }
  const temperature = input.temperature ?? null;
  if (temperature !== null && !(temperature >= 30 && temperature <= 45)) {
    issues.push({
      path: at('temperature'),
      code: 'temperature_invalid',
      message: 'Temperature must be 30.0–45.0 °C.',
    });
  }
  const symptoms = input.symptoms ?? null;
  symptoms?.forEach((s, i) => {
    if (!SYMPTOMS.includes(s as RespiratorySymptom)) {
      issues.push({
        path: at(`symptoms.${i}`),
        code: 'symptom_unknown',
        message: `Use one of: ${SYMPTOMS.join(', ')}.`,
      });
    }
  });
  const countries = input.countries ?? null;
  countries?.forEach((c, i) => {
    if (!isCountryCode(c))
      issues.push({
        path: at(`countries.${i}`),
        code: 'country_invalid',
        message: 'Use an ISO two-letter code.',
      });
  });
  const note = input.note ?? null;
  if (note !== null && note.length > 500)
    issues.push({ path: at('note'), code: 'note_too_long', message: 'At most 500 characters.' });
  if (issues.length > 0 || from === null) return { ok: false, issues };
  return {
    ok: true,
    value: {
      id: ids.id,
      kind,
      from,
      to,
      source: ids.source,
      ...(isolation !== null ? { isolation: isolation as IsolationType } : {}),
      ...(divisionCode !== null ? { divisionCode, subArea: input.subArea ?? null } : {}),
      ...(level !== null ? { level: level as RiskLevel } : {}),
      ...(temperature !== null ? { temperatureDeciC: Math.round(temperature * 10) } : {}),
      ...(symptoms !== null ? { symptoms: symptoms as RespiratorySymptom[] } : {}),
      ...(countries !== null ? { countries } : {}),
      ...(note !== null ? { note } : {}),
    },
  };
}
