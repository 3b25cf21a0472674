/**
 * The import kinds and their fields: one table from which the CSV header, the JSON Lines shape, the
 * validator (`validate-row.ts`) and docs/imports.md (checked by a test) all come. Add a field here and
 * everything else follows; nothing else lists field names.
 */

/** The epidemic records officers import in bulk (issue 3); names from the SPEC glossary. */
export type ImportKind =
  | 'confirmed'
  | 'suspected'
  | 'asymptomatic'
  | 'closeContact'
  | 'asymptomaticContact'
  | 'discharged'
  | 'feverClinic'
  | 'symptoms'
  | 'testResult'
  | 'vaccination'
  | 'quarantine'
  | 'overseasArrival'
  | 'stay'
  | 'riskManagement';

/**
 * How a cell (CSV) or a value (JSON Lines) is read. In CSV every cell is text and an empty cell is
 * absent; lists are joined with `|`. In JSON Lines text is a JSON string, `temperature` a number, lists
 * arrays of strings; an absent field may be left out or be `null`.
 */
export type FieldType =
  /** 1–128 printable characters, no leading or trailing space. */
  | 'sourceId'
  /** One of DOCUMENT_TYPES. */
  | 'documentType'
  /** Checked against documentType by validateDocument. */
  | 'documentNumber'
  /** 'YYYY-MM-DD' (midnight China time) or ISO 8601 date-time with offset. */
  | 'instant'
  /** centralised | home */
  | 'isolation'
  /** A GB/T 2260 division code (6 digits) in the division table. */
  | 'divisionCode'
  /** high | medium */
  | 'level'
  /** nucleicAcid | antibody | antigen */
  | 'testKind'
  /** positive | negative */
  | 'testResult'
  /** List of fever | dryCough | shortnessOfBreath | otherRespiratory. */
  | 'symptoms'
  /** Body temperature in °C, 30.0–45.0, at most one decimal. */
  | 'temperature'
  /** List of ISO 3166-1 alpha-2 codes. */
  | 'countries'
  /** Free text, at most 500 characters. */
  | 'text'
  /** Which dose of a vaccination course: a whole number 1–10. */
  | 'dose';

/** Where a field's value lands in an EpidemicRecord. */
export type FieldTarget =
  | 'sourceId'
  | 'documentType'
  | 'documentNumber'
  | 'from'
  | 'to'
  | 'isolation'
  | 'divisionCode'
  | 'subArea'
  | 'level'
  | 'note'
  | 'testKind'
  | 'testResult'
  | 'symptoms'
  | 'temperatureDeciC'
  | 'countries'
  | 'dose';

export interface ImportField {
  /** The CSV column and the JSON Lines property. */
  readonly name: string;
  readonly type: FieldType;
  readonly required: boolean;
  readonly target: FieldTarget;
  /** One line for the docs: what the value means for this kind. */
  readonly meaning: string;
}

export interface ImportKindSpec {
  readonly kind: ImportKind;
  readonly title: { readonly 'zh-CN': string; readonly en: string };
  /** Fields in CSV header order: the common ones first, `note`/`reason` last. */
  readonly fields: readonly ImportField[];
}

const COMMON: readonly ImportField[] = [
  {
    name: 'sourceId',
    type: 'sourceId',
    required: true,
    target: 'sourceId',
    meaning:
      'id of the record in the system it comes from; with the kind, the key that makes re-imports idempotent',
  },
  {
    name: 'documentType',
    type: 'documentType',
    required: true,
    target: 'documentType',
    meaning: 'ID document type of the person',
  },
  {
    name: 'documentNumber',
    type: 'documentNumber',
    required: true,
    target: 'documentNumber',
    meaning: 'ID document number of the person',
  },
];

const NOTE: ImportField = {
  name: 'note',
  type: 'text',
  required: false,
  target: 'note',
  meaning: 'free-text remark',
};

function field(
  name: string,
  type: FieldType,
  required: boolean,
  target: FieldTarget,
  meaning: string,
): ImportField {
  return { name, type, required, target, meaning };
}

const isolationPeriod = (what: string): readonly ImportField[] => [
  field('isolation', 'isolation', true, 'isolation', `type of ${what}`),
  field('start', 'instant', true, 'from', `when the ${what} started`),
  field('end', 'instant', false, 'to', `when the ${what} ended (or is planned to end)`),
];

/** The table. Order is the order of IMPORT_KINDS and of docs/imports.md. */
export const IMPORT_KIND_SPECS: readonly ImportKindSpec[] = [
  {
    kind: 'confirmed',
    title: { 'zh-CN': '确诊病例', en: 'Confirmed case' },
    fields: [...COMMON, field('diagnosedAt', 'instant', true, 'from', 'date of diagnosis'), NOTE],
  },
  {
    kind: 'suspected',
    title: { 'zh-CN': '疑似病例', en: 'Suspected case' },
    fields: [
      ...COMMON,
      field('reportedAt', 'instant', true, 'from', 'when the person became a suspected case'),
      field('ruledOutAt', 'instant', false, 'to', 'when the suspicion was ruled out'),
      NOTE,
    ],
  },
  {
    kind: 'asymptomatic',
    title: { 'zh-CN': '无症状感染者', en: 'Asymptomatic infection' },
    fields: [...COMMON, ...isolationPeriod('isolation'), NOTE],
  },
  {
    kind: 'closeContact',
    title: { 'zh-CN': '密切接触者', en: 'Close contact' },
    fields: [...COMMON, ...isolationPeriod('isolation'), NOTE],
  },
  {
    kind: 'asymptomaticContact',
    title: { 'zh-CN': '无症状感染者的密切接触者', en: 'Contact of an asymptomatic infection' },
    fields: [...COMMON, ...isolationPeriod('isolation'), NOTE],
  },
  {
    kind: 'discharged',
    title: { 'zh-CN': '治愈出院', en: 'Cured and discharged' },
    fields: [...COMMON, field('dischargedAt', 'instant', true, 'from', 'date of discharge'), NOTE],
  },
  {
    kind: 'feverClinic',
    title: { 'zh-CN': '发热门诊就诊', en: 'Fever-clinic visit' },
    fields: [
      ...COMMON,
      field('visitedAt', 'instant', true, 'from', 'time of the visit'),
      field('temperature', 'temperature', false, 'temperatureDeciC', 'body temperature measured, °C'),
      NOTE,
    ],
  },
  {
    kind: 'symptoms',
    title: { 'zh-CN': '症状报告', en: 'Symptom report' },
    fields: [
      ...COMMON,
      field('onsetAt', 'instant', true, 'from', 'when the symptoms began'),
      field('resolvedAt', 'instant', false, 'to', 'when they ended'),
      field(
        'symptoms',
        'symptoms',
        false,
        'symptoms',
        'respiratory symptoms (give symptoms, temperature or both)',
      ),
      field(
        'temperature',
        'temperature',
        false,
        'temperatureDeciC',
        'body temperature, °C; 37.3 or more is fever',
      ),
      NOTE,
    ],
  },
  {
    kind: 'testResult',
    title: { 'zh-CN': '检测结果', en: 'Test result' },
    fields: [
      ...COMMON,
      field('testKind', 'testKind', true, 'testKind', 'kind of test'),
      field('sampledAt', 'instant', true, 'from', 'when the sample was taken'),
      field('result', 'testResult', true, 'testResult', 'positive or negative'),
      NOTE,
    ],
  },
  {
    kind: 'vaccination',
    title: { 'zh-CN': '疫苗接种', en: 'Vaccination' },
    fields: [
      ...COMMON,
      field('vaccinatedAt', 'instant', true, 'from', 'when the dose was given'),
      field('dose', 'dose', true, 'dose', 'which dose of the course (1, 2, 3…)'),
      field('vaccine', 'text', false, 'note', 'vaccine product'),
    ],
  },
  {
    kind: 'quarantine',
    title: { 'zh-CN': '隔离记录', en: 'Quarantine record' },
    fields: [...COMMON, ...isolationPeriod('quarantine'), NOTE],
  },
  {
    kind: 'overseasArrival',
    title: { 'zh-CN': '境外入鲁人员', en: 'Overseas arrival' },
    fields: [
      ...COMMON,
      field('arrivedAt', 'instant', true, 'from', 'time of entry'),
      field('countries', 'countries', false, 'countries', 'countries stayed in before arrival'),
      field('isolation', 'isolation', false, 'isolation', 'type of quarantine assigned on arrival'),
      NOTE,
    ],
  },
  {
    kind: 'stay',
    title: { 'zh-CN': '行程停留', en: 'Itinerary stay' },
    fields: [
      ...COMMON,
      field('divisionCode', 'divisionCode', true, 'divisionCode', 'division stayed in (GB/T 2260)'),
      field('subArea', 'text', false, 'subArea', 'street, compound or venue within the division'),
      field('from', 'instant', true, 'from', 'start of the stay'),
      field('to', 'instant', false, 'to', 'end of the stay (empty: still there)'),
      NOTE,
    ],
  },
  {
    kind: 'riskManagement',
    title: { 'zh-CN': '纳入高/中风险管理', en: 'Placed under high- or medium-risk management' },
    fields: [
      ...COMMON,
      field('level', 'level', true, 'level', 'high or medium'),
      field('from', 'instant', true, 'from', 'when the management began'),
      field('to', 'instant', false, 'to', 'when it ended'),
      field('reason', 'text', true, 'note', 'why the person is under this management'),
    ],
  },
];

export const IMPORT_KINDS: readonly ImportKind[] = IMPORT_KIND_SPECS.map((s) => s.kind);

const SPEC_BY_KIND: ReadonlyMap<string, ImportKindSpec> = new Map(IMPORT_KIND_SPECS.map((s) => [s.kind, s]));

/** Narrows untrusted input (a CLI argument, a form field) to an ImportKind. */
export function isImportKind(value: string): value is ImportKind {
  return SPEC_BY_KIND.has(value);
}

export function importKindSpec(kind: ImportKind): ImportKindSpec {
  const spec = SPEC_BY_KIND.get(kind);
  if (spec === undefined) throw new RangeError(`unknown import kind '${kind}'`);
  return spec;
}

/** The documented CSV header line of a kind, e.g. `sourceId,documentType,documentNumber,isolation,start,end,note`. */
export function csvHeader(kind: ImportKind): string {
  return importKindSpec(kind)
    .fields.map((f) => f.name)
    .join(',');
}

/** Separator of list values (symptoms, countries) inside one CSV cell. */
export const CSV_LIST_SEPARATOR = '|';
