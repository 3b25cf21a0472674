import { STAFF_ROLES } from '../domain/types.ts';
import { Type, type Static } from '@sinclair/typebox';
import { Colour, DateText, HealthBadge, Reason, StringEnum, type Reply } from './common.ts';

/** The resident's own endpoints: the application (S1) and the code (P1, P2). */

export const ContactHistory = Type.Object(
  {
    abroad: Type.Optional(
      Type.Array(
        Type.Object(
          { country: Type.String({ minLength: 2, maxLength: 2 }), from: DateText, to: DateText },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    epidemicAreaStays: Type.Optional(
      Type.Array(
        Type.Object(
          {
            divisionCode: Type.String({ pattern: '^\\d{6}$' }),
            subArea: Type.Optional(Type.String({ maxLength: 100 })),
            from: DateText,
            to: DateText,
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    caseContacts: Type.Optional(
      Type.Array(
        Type.Object(
          { kind: Type.Union([Type.Literal('confirmed'), Type.Literal('suspected')]), date: DateText },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
    symptoms: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('fever'),
          Type.Literal('dryCough'),
          Type.Literal('shortnessOfBreath'),
          Type.Literal('otherRespiratory'),
        ]),
        { maxItems: 4, uniqueItems: true },
      ),
    ),
    fever: Type.Optional(Type.Boolean()),
    temperature: Type.Optional(Type.Number({ description: '°C, one decimal' })),
  },
  { additionalProperties: false, description: '14-day contact history (S1)' },
);

export const ApplicationBody = Type.Object(
  {
    name: Type.String({ maxLength: 64 }),
    documentType: Type.String({
      maxLength: 40,
      description:
        'resident_id_card | passport | hk_macau_permit | taiwan_permit | foreign_permanent_residence_id',
    }),
    documentNumber: Type.String({ maxLength: 40 }),
    mobile: Type.String({ maxLength: 24 }),
    nationality: Type.String({ maxLength: 2, minLength: 2, description: 'ISO 3166-1 alpha-2' }),
    address: Type.Object(
      { divisionCode: Type.String({ pattern: '^\\d{6}$' }), detail: Type.String({ maxLength: 200 }) },
      { additionalProperties: false },
    ),
    contactHistory: ContactHistory,
    pledge: Type.Boolean({
      description: 'must be true: the applicant pledges the information is true (承诺)',
    }),
  },
  { additionalProperties: false },
);

/** The application as its owner sees it. */
export const ApplicationView = Type.Object({
  name: Type.String(),
  documentType: Type.String(),
  documentNumber: Type.String(),
  mobile: Type.String(),
  nationality: Type.String(),
  address: Type.Object({ divisionCode: Type.String(), detail: Type.String() }),
  contactHistory: ContactHistory,
  healthCardId: Type.String({ description: 'electronic health card id (S17)' }),
  pledgedAt: Type.String(),
  updatedAt: Type.String(),
  colour: Colour,
  maskedName: Type.String(),
  maskedDocumentNumber: Type.String(),
});

export const MyCode = Type.Object({
  code: Type.String({ description: 'the QR text (HPC1:…)' }),
  colour: Colour,
  issuedAt: Type.String(),
  expiresAt: Type.String(),
  refreshAt: Type.String({ description: 'fetch a new code at this time' }),
  serverTime: Type.String(),
  maskedName: Type.String(),
  healthCardId: Type.String(),
  policyVersion: Type.String(),
  until: Type.Union([Type.String(), Type.Null()], { description: 'when the colour is expected to change' }),
  reasons: Type.Array(Reason),
  health: HealthBadge,
});

export const CodeImageQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('svg')])) },
  { additionalProperties: false },
);

export type ApplicationRequest = Static<typeof ApplicationBody>;
export type ApplicationResponse = Reply<typeof ApplicationView>;
export type ContactHistoryRequest = Static<typeof ContactHistory>;
export type MyCodeResponse = Reply<typeof MyCode>;

/** One entry of the resident's access log: who did what with their record, and when (P3). */
export const DataAccessEntry = Type.Object({
  at: Type.String(),
  action: Type.String({
    description:
      'stable verb_noun: proxy_view_code, lookup_by_document, add_resident_fact, end_resident_fact, add_family_member, print_paper_code, …',
  }),
  actor: Type.Object({
    kind: StringEnum(['staff', 'resident', 'system'] as const),
    role: Type.Optional(StringEnum(STAFF_ROLES)),
    divisionCode: Type.Optional(Type.String()),
    maskedName: Type.Optional(Type.String({ description: 'a resident actor (a proxy): the masked name' })),
    self: Type.Boolean({ description: 'you did it yourself' }),
  }),
});

export const DataAccessList = Type.Object({ entries: Type.Array(DataAccessEntry) });
export type DataAccessListResponse = Reply<typeof DataAccessList>;

/** One read of the resident's personal data (issue 10 item 7): what, when, by whom, why. */
export const AccessLogEntry = Type.Object({
  at: Type.String(),
  kind: StringEnum([
    'checkpoint_check',
    'staff_lookup',
    'proxy_view',
    'export',
    'hospital_registration',
    'other',
  ] as const),
  action: Type.String({ description: 'the audit action, or checkpoint_check' }),
  venue: Type.Optional(
    Type.Object(
      { venueId: Type.Integer(), name: Type.String() },
      { description: 'a checkpoint check or a hospital registration: where' },
    ),
  ),
  outcome: Type.Optional(StringEnum(['pass', 'refuse'] as const)),
  actor: Type.Object({
    kind: StringEnum(['staff', 'resident', 'system'] as const),
    role: Type.Optional(StringEnum(STAFF_ROLES)),
    divisionCodes: Type.Optional(Type.Array(Type.String(), { description: 'the office: its divisions' })),
    maskedName: Type.Optional(Type.String({ description: 'a proxy: the masked name' })),
    self: Type.Boolean(),
  }),
  reason: Type.Optional(Type.String({ description: 'a staff lookup: the reason the officer gave' })),
});

export const AccessLogQuery = Type.Object(
  {
    memberId: Type.Optional(
      Type.String({ format: 'uuid', description: 'a family member you hold the code of (proxy): their log' }),
    ),
  },
  { additionalProperties: false },
);

export const AccessLog = Type.Object({ entries: Type.Array(AccessLogEntry) });
export type AccessLogResponse = Reply<typeof AccessLog>;
