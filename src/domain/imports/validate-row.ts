import { chinaDate, parseInstant } from '../china-time.ts';
import type { IsolationType, RespiratorySymptom, RiskLevel } from '../colour/facts.ts';
import { isCountryCode } from '../country-codes.ts';
import { ISOLATION, LEVELS, SYMPTOMS } from '../fact-input.ts';
import { findDivision, validateDocument, type DocumentType } from '../identity/index.ts';
import type { EpochMs, FieldIssue, Validation } from '../types.ts';
import {
  CSV_LIST_SEPARATOR,
  importKindSpec,
  type FieldType,
  type ImportField,
  type ImportKind,
} from './kinds.ts';

export type TestKind = 'nucleicAcid' | 'antibody' | 'antigen';
export const TEST_KINDS: readonly TestKind[] = ['nucleicAcid', 'antibody', 'antigen'];
export type TestResult = 'positive' | 'negative';
export const TEST_RESULTS: readonly TestResult[] = ['positive', 'negative'];

/** The kind-specific values of a record; which ones a kind carries is in IMPORT_KIND_SPECS. */
export interface RecordAttributes {
  readonly isolation?: IsolationType;
  readonly divisionCode?: string;
  readonly subArea?: string;
  readonly level?: RiskLevel;
  /** The `note` column, or the `reason` of a riskManagement record. */
  readonly note?: string;
  readonly testKind?: TestKind;
  readonly testResult?: TestResult;
  readonly symptoms?: readonly RespiratorySymptom[];
  /** Tenths of a degree Celsius (373 = 37.3 °C), as in Fact. */
  readonly temperatureDeciC?: number;
  /** ISO 3166-1 alpha-2. */
  readonly countries?: readonly string[];
  /** Which dose of a vaccination course. */
  readonly dose?: number;
}

/** One valid imported row. `(kind, sourceId)` identifies it across imports. */
export interface EpidemicRecord {
  readonly kind: ImportKind;
  readonly sourceId: string;
  readonly documentType: DocumentType;
  /** Normalised by normalizeDocumentNumber (upper-case X, no spaces): match people on this. */
  readonly documentNumber: string;
  /** The kind's start column (diagnosedAt, start, visitedAt, sampledAt, from…). */
  readonly from: EpochMs;
  /** The kind's end column (end, ruledOutAt, resolvedAt, to), when the kind has one and it is given. */
  readonly to: EpochMs | null;
  readonly attributes: RecordAttributes;
}

export type RowFormat = 'csv' | 'jsonl';

/** FieldIssue path for problems with the whole line rather than one field. */
export const ROW_PATH = '';

const TEXT_MAX = 500;
const SOURCE_ID_MAX = 128;
/** Printable, no leading or trailing white space (ids are compared exactly, so stray spaces would split them). */
const SOURCE_ID = /^[^\p{C}\s](?:[^\p{C}]*[^\p{C}\s])?$/u;
const CSV_TEMPERATURE = /^\d{2}(?:\.\d)?$/;
const DATE_MESSAGE =
  'Use YYYY-MM-DD (China date) or an ISO 8601 date-time with offset, e.g. 2020-02-10T08:30:00+08:00.';

/** The value a reader failed on, quoted and cut short, so a message shows what was found. */
function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function oneOf<T extends string>(
  allowed: readonly T[],
  value: string,
  path: string,
  code: string,
  issues: FieldIssue[],
): T | undefined {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  issues.push({ path, code, message: `Use one of ${allowed.join(', ')} (found ${shown(value)}).` });
  return undefined;
}

/** Splits a CSV list cell, or checks a JSON array holds only strings; undefined after an issue. */
function listOf(value: unknown, format: RowFormat, path: string, issues: FieldIssue[]): string[] | undefined {
  if (typeof value === 'string' && format === 'csv') return value.split(CSV_LIST_SEPARATOR);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  issues.push({ path, code: 'field_type', message: 'Give a JSON array of strings.' });
  return undefined;
}

/**
 * Reads one present value of a field; undefined after pushing an issue. CSV values are always strings
 * (the reader passes cells); JSON values are whatever the line held.
 */
function readValue(
  type: FieldType,
  value: unknown,
  format: RowFormat,
  path: string,
  issues: FieldIssue[],
): unknown {
  if (format === 'csv' && typeof value !== 'string') {
    issues.push({ path, code: 'field_type', message: 'A CSV cell is text; pass it as a string.' });
    return undefined;
  }
  if (type === 'temperature') return readTemperature(value, format, path, issues);
  if (type === 'dose') {
    const n = format === 'csv' ? (/^\d{1,2}$/.test(value as string) ? Number(value) : Number.NaN) : value;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 10) return n;
    issues.push({
      path,
      code: 'dose_invalid',
      message: `Give the dose as a whole number from 1 to 10 (found ${shown(String(value))}).`,
    });
    return undefined;
  }
  if (type === 'symptoms' || type === 'countries') {
    const list = listOf(value, format, path, issues);
    if (list === undefined) return undefined;
    const before = issues.length;
    list.forEach((item, i) => {
      if (type === 'symptoms') oneOf(SYMPTOMS, item, `${path}.${i}`, 'symptom_unknown', issues);
      else if (!isCountryCode(item))
        issues.push({
          path: `${path}.${i}`,
          code: 'country_invalid',
          message: `Use an ISO 3166-1 two-letter country code such as JP or US (found ${shown(item)}).`,
        });
    });
    return issues.length === before ? list : undefined;
  }
  if (typeof value !== 'string') {
    issues.push({ path, code: 'field_type', message: 'Give a JSON string.' });
    return undefined;
  }
  switch (type) {
    case 'sourceId':
      if (value.length <= SOURCE_ID_MAX && SOURCE_ID.test(value)) return value;
      issues.push({
        path,
        code: 'source_id_invalid',
        message: `A source id has 1 to ${SOURCE_ID_MAX} printable characters and no leading or trailing space.`,
      });
      return undefined;
    case 'documentType':
    case 'documentNumber':
      // Checked together by validateDocument once both are known.
      return value;
    case 'instant': {
      const at = parseInstant(value);
      if (at === null) {
        issues.push({ path, code: 'date_invalid', message: `${DATE_MESSAGE} Found ${shown(value)}.` });
        return undefined;
      }
      return at;
    }
    case 'isolation':
      return oneOf(ISOLATION, value, path, 'isolation_invalid', issues);
    case 'level':
      return oneOf(LEVELS, value, path, 'level_invalid', issues);
    case 'testKind':
      return oneOf(TEST_KINDS, value, path, 'test_kind_invalid', issues);
    case 'testResult':
      return oneOf(TEST_RESULTS, value, path, 'test_result_invalid', issues);
    case 'divisionCode':
      if (findDivision(value) !== null) return value;
      issues.push({
        path,
        code: 'division_unknown',
        message: `Not a GB/T 2260 division code in the division table (found ${shown(value)}); use 6 digits such as 370102.`,
      });
      return undefined;
    case 'text':
      if (value.length <= TEXT_MAX) return value;
      issues.push({ path, code: 'text_too_long', message: `At most ${TEXT_MAX} characters.` });
      return undefined;
  }
}

function readTemperature(
  value: unknown,
  format: RowFormat,
  path: string,
  issues: FieldIssue[],
): number | undefined {
  let celsius: number;
  if (format === 'csv') {
    celsius = CSV_TEMPERATURE.test(value as string) ? Number(value) : Number.NaN;
  } else if (typeof value === 'number') {
    // value * 10 is inexact for most decimals; accept numbers equal to their one-decimal rounding.
    celsius = Math.abs(Math.round(value * 10) / 10 - value) < 1e-9 ? value : Number.NaN;
  } else {
    issues.push({ path, code: 'field_type', message: 'Give the temperature as a JSON number, e.g. 37.5.' });
    return undefined;
  }
  if (celsius >= 30 && celsius <= 45) return Math.round(celsius * 10);
  issues.push({
    path,
    code: 'temperature_invalid',
    message: 'Give the body temperature in °C from 30.0 to 45.0 with at most one decimal, e.g. 37.5.',
  });
  return undefined;
}

let todayFor: { now: number; today: string } = { now: Number.NaN, today: '' };

/** validateDocument wants the China date of `now`; an import passes the same `now` for every row. */
function chinaToday(now: EpochMs): string {
  if (todayFor.now !== now) todayFor = { now, today: chinaDate(now) };
  return todayFor.today;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * Validates one row of an import of `kind` and returns the record, or every problem of the row at once.
 * `row` maps field names to values: the cells of a CSV line (strings, '' for an empty cell) or the
 * object of a JSON Lines line. In JSON Lines a field not in the kind's table is refused
 * (`field_unknown`), so that nothing is silently dropped; CSV columns are checked once, in the header. `now` refuses records that start in the future and dates document-number
 * birth dates; ends may lie in the future (a planned end of quarantine).
 */
export function validateImportRow(
  kind: ImportKind,
  row: Readonly<Record<string, unknown>>,
  now: EpochMs,
  format: RowFormat,
): Validation<EpidemicRecord> {
  const spec = importKindSpec(kind);
  const issues: FieldIssue[] = [];
  const values: Partial<Record<ImportField['target'], unknown>> = {};
  for (const field of spec.fields) {
    const raw = row[field.name];
    if (isAbsent(raw)) {
      if (field.required)
        issues.push({
          path: field.name,
          code: 'field_required',
          message: `A ${kind} record needs ${field.name}.`,
        });
      continue;
    }
    const value = readValue(field.type, raw, format, field.name, issues);
    if (value !== undefined) values[field.target] = value;
  }
  if (format === 'jsonl') {
    for (const name of Object.keys(row)) {
      if (!spec.fields.some((f) => f.name === name))
        issues.push({
          path: name,
          code: 'field_unknown',
          message: `A ${kind} record has no field ${shown(name)}; its fields are ${spec.fields.map((f) => f.name).join(', ')}.`,
        });
    }
  }

  const from = values.from as EpochMs | undefined;
  const to = values.to as EpochMs | undefined;
  const fromField = spec.fields.find((f) => f.target === 'from')?.name ?? 'from';
  const toField = spec.fields.find((f) => f.target === 'to')?.name ?? 'to';
  if (from !== undefined && from > now)
    issues.push({
      path: fromField,
      code: 'date_in_future',
      message: `The time in ${fromField} is in the future; a record can only state what has happened.`,
    });
  if (from !== undefined && to !== undefined && to < from)
    issues.push({
      path: toField,
      code: 'date_order',
      message: `The time in ${toField} is before the time in ${fromField}.`,
    });
  if (kind === 'symptoms' && isAbsent(row['symptoms']) && isAbsent(row['temperature']))
    issues.push({
      path: 'symptoms',
      code: 'symptoms_required',
      message: 'A symptoms record needs symptoms, a temperature, or both.',
    });

  let document: { type: DocumentType; number: string } | undefined;
  if (typeof values.documentType === 'string' && typeof values.documentNumber === 'string') {
    const checked = validateDocument(values.documentType, values.documentNumber, chinaToday(now));
    if (checked.ok) document = checked.value;
    else issues.push(...checked.issues);
  }

  if (issues.length > 0 || document === undefined || from === undefined || values.sourceId === undefined)
    return { ok: false, issues };
  const { sourceId, documentType: _t, documentNumber: _n, from: _f, to: _to, ...attributes } = values;
  return {
    ok: true,
    value: {
      kind,
      sourceId: sourceId as string,
      documentType: document.type,
      documentNumber: document.number,
      from,
      to: to ?? null,
      attributes: attributes as RecordAttributes,
    },
  };
}
