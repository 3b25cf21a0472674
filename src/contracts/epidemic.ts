import { Type, type Static } from '@sinclair/typebox';
import { IMPORT_KINDS } from '../domain/imports/index.ts';
import { FACT_KINDS } from '../domain/colour/facts.ts';
import { FACT_REQUIRED_FIELDS } from '../domain/fact-input.ts';
import {
  Colour,
  DateText,
  DivisionCode,
  Nullable,
  QueryInteger,
  Reason,
  StringEnum,
  type Reply,
} from './common.ts';

/**
 * The health authority's data: facts for one resident (S10), imports of records (S8–S10), risk
 * areas (S2), published colour policies (P2) and colour statistics.
 */

// --- facts ----------------------------------------------------------------------------------

const FACT_KIND_DESCRIPTION = `What happened (SPEC glossary). Required fields besides \`from\`, the same as the import of that kind: ${FACT_KINDS.map(
  (k) => `${k}: ${FACT_REQUIRED_FIELDS[k].length === 0 ? 'none' : FACT_REQUIRED_FIELDS[k].join(', ')}`,
).join('; ')}; symptoms: symptoms, temperature or both.`;

export const FactBody = Type.Object(
  {
    kind: StringEnum(FACT_KINDS, { description: FACT_KIND_DESCRIPTION }),
    from: Type.String({ maxLength: 40 }),
    to: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    isolation: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    divisionCode: Type.Optional(Type.Union([Type.String({ maxLength: 6 }), Type.Null()])),
    subArea: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    level: Type.Optional(Type.Union([Type.String({ maxLength: 10 }), Type.Null()])),
    temperature: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    symptoms: Type.Optional(
      Type.Union([Type.Array(Type.String({ maxLength: 40 }), { maxItems: 10 }), Type.Null()]),
    ),
    countries: Type.Optional(
      Type.Union([Type.Array(Type.String({ maxLength: 2 }), { maxItems: 50 }), Type.Null()]),
    ),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const AddFactBody = Type.Object(
  {
    documentType: Type.String({ maxLength: 40 }),
    documentNumber: Type.String({ maxLength: 40 }),
    fact: FactBody,
  },
  { additionalProperties: false },
);

export const FactAdded = Type.Object({
  factId: Type.String(),
  colour: Colour,
  until: Type.Union([Type.String(), Type.Null()]),
  reasons: Type.Array(Reason),
});

export const FactIdParams = Type.Object({
  factId: Type.String({
    minLength: 1,
    maxLength: 200,
    description:
      'as in `factId` of addResidentFact or of a reason on the code: a UUID, or import:<kind>:<sourceId>',
  }),
});

export const EndFactBody = Type.Object(
  {
    documentType: Type.String({ maxLength: 40 }),
    documentNumber: Type.String({ maxLength: 40 }),
    to: Type.Optional(
      Type.String({
        maxLength: 40,
        description:
          'When the fact ended (discharge, end of isolation or stay): YYYY-MM-DD or ISO with offset; default now. Not with recordedInError.',
      }),
    ),
    recordedInError: Type.Optional(
      Type.Boolean({
        description: 'true: the fact was recorded in error and counts for nothing from now on',
      }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 500, description: 'why; kept in the audit log' }),
  },
  { additionalProperties: false },
);

export const FactEnded = Type.Object({
  factId: Type.String(),
  action: StringEnum(['end', 'withdraw'] as const),
  to: Nullable(Type.String({ description: 'the end now recorded; null when withdrawn' })),
  colour: Colour,
  until: Nullable(Type.String()),
  reasons: Type.Array(Reason),
});

// --- imports --------------------------------------------------------------------------------

export const IMPORT_CONTENT_TYPES = [
  'text/csv',
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonlines',
];

export const ImportStatus = Type.Object({
  importId: Type.String(),
  kind: Type.Union(IMPORT_KINDS.map((k) => Type.Literal(k))),
  format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]),
  strict: Type.Boolean(),
  jurisdiction: Type.String({ description: "the division the import is for ('000000': the whole province)" }),
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
    Type.Literal('interrupted'),
  ]),
  fileName: Type.String(),
  bytesTotal: Type.Union([Type.Number(), Type.Null()]),
  bytesRead: Type.Number(),
  rowsRead: Type.Number(),
  rowsImported: Type.Number({ description: 'new or corrected records' }),
  rowsDuplicate: Type.Number({ description: 'records already stored with the same content' }),
  rowsInvalid: Type.Number(),
  residentsMatched: Type.Number({ description: 'registered residents reassessed' }),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

export const ImportRowError = Type.Object({
  line: Type.Number(),
  field: Type.String(),
  code: Type.String(),
  message: Type.String(),
});

export const ImportDetail = Type.Intersect([
  ImportStatus,
  Type.Object({ errors: Type.Array(ImportRowError) }),
]);

export const ImportList = Type.Object({ imports: Type.Array(ImportStatus) });

export const ImportQuery = Type.Object(
  {
    kind: Type.Union(IMPORT_KINDS.map((k) => Type.Literal(k))),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')])),
    strict: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    fileName: Type.Optional(Type.String({ maxLength: 300 })),
    division: Type.Optional(
      Type.String({
        pattern: '^\\d{6}$',
        description:
          'the division the import is for, within your jurisdiction (default: your whole jurisdiction); rows naming residents who live elsewhere are refused',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ImportParams = Type.Object({ importId: Type.String({ format: 'uuid' }) });

export const ImportStatusQuery = Type.Object(
  { errors: Type.Optional(QueryInteger('invalid rows to return, 0–1000, default 100')) },
  { additionalProperties: false },
);

export const ImportListQuery = Type.Object(
  { limit: Type.Optional(QueryInteger('1–500, default 50')) },
  { additionalProperties: false },
);

// --- risk areas -----------------------------------------------------------------------------

export const RiskLevel = Type.Union([Type.Literal('high'), Type.Literal('medium')]);

export const RiskArea = Type.Object({
  riskAreaId: Type.String(),
  divisionCode: Type.String(),
  divisionName: Type.String(),
  subArea: Type.Union([Type.String(), Type.Null()]),
  level: RiskLevel,
  from: Type.String(),
  to: Type.Union([Type.String(), Type.Null()]),
  inForce: Type.Boolean(),
  note: Type.String(),
  declaredAt: Type.String(),
  liftedAt: Type.Union([Type.String(), Type.Null()]),
});

export const RiskAreaChange = Type.Object({
  riskArea: RiskArea,
  residentsToReassess: Type.Number({
    description: 'residents with stays there; reassessed in the background, their codes are right at once',
  }),
});

export const DeclareRiskAreaBody = Type.Object(
  {
    divisionCode: DivisionCode,
    subArea: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    level: RiskLevel,
    from: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const LiftRiskAreaBody = Type.Object(
  {
    at: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
  },
  { additionalProperties: false },
);

export const RiskAreaParams = Type.Object({ riskAreaId: Type.String({ maxLength: 64 }) });

export const RiskAreasQuery = Type.Object(
  {
    inForce: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    divisionCode: Type.Optional(DivisionCode),
  },
  { additionalProperties: false },
);

export const RiskAreaList = Type.Object({ riskAreas: Type.Array(RiskArea) });

// --- policies -------------------------------------------------------------------------------

export const PolicyView = Type.Object({
  version: Type.String(),
  effectiveFrom: Type.String(),
  publishedAt: Type.String(),
  status: Type.Union([
    Type.Literal('in_force'),
    Type.Literal('scheduled'),
    Type.Literal('superseded'),
    Type.Literal('withdrawn'),
  ]),
  withdrawnAt: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  rules: Type.Number(),
  policy: Type.Unknown(),
});

export const PolicyList = Type.Object({ policies: Type.Array(PolicyView) });

export const PolicyBody = Type.Object(
  {
    policy: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'the policy document (version, effectiveFrom, rules, retention, services), checked in full on arrival',
      },
    ),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const PolicyParams = Type.Object({ version: Type.String({ maxLength: 64 }) });

export const RollbackBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);

const ChangeCounts = {
  total: Type.Number(),
  byDirection: Type.Record(Type.String(), Type.Number(), { description: 'e.g. "green→yellow": 12' }),
};

export const PolicyPreview = Type.Object({
  version: Type.String(),
  at: Type.String({ description: 'the time the candidate was evaluated at: its effectiveFrom, or now' }),
  residents: Type.Number(),
  changes: Type.Object(ChangeCounts),
  byCounty: Type.Array(
    Type.Object({ divisionCode: Type.String(), divisionName: Type.String(), ...ChangeCounts }),
  ),
});

// --- statistics -----------------------------------------------------------------------------

export const CountyColours = Type.Object({
  divisionCode: Type.String(),
  divisionName: Type.String(),
  green: Type.Number(),
  yellow: Type.Number(),
  red: Type.Number(),
});

export const ColourStatistics = Type.Object({
  at: Type.String(),
  now: Type.Array(CountyColours, { description: 'residents by colour per county now' }),
  days: Type.Array(Type.Object({ day: Type.String(), counties: Type.Array(CountyColours) }), {
    description: 'per China day, counts at the end of the day, from the daily snapshots',
  }),
});

export const StatisticsQuery = Type.Object(
  {
    divisionCode: Type.Optional(DivisionCode),
    from: Type.Optional(DateText),
    to: Type.Optional(DateText),
  },
  { additionalProperties: false },
);

export type FactRequest = Static<typeof FactBody>;
export type FactAddedResponse = Reply<typeof FactAdded>;
export type FactEndedResponse = Reply<typeof FactEnded>;
export type ImportStatusResponse = Reply<typeof ImportStatus>;
export type ImportRowErrorResponse = Reply<typeof ImportRowError>;
export type RiskAreaResponse = Reply<typeof RiskArea>;
export type PolicyResponse = Reply<typeof PolicyView>;
export type PolicyPreviewResponse = Reply<typeof PolicyPreview>;
export type CountyColoursResponse = Reply<typeof CountyColours>;
export type ColourStatisticsResponse = Reply<typeof ColourStatistics>;
