import { FACT_SOURCES } from '../domain/colour/facts.ts';
import { STAFF_ROLES } from '../domain/types.ts';
import { Type } from '@sinclair/typebox';
import { DivisionCode, Id, QueryInteger, Reason, StringEnum, Time, TimeQuery, type Reply } from './common.ts';

/** Staff accounts administered over the API, one-time links, and the audit log (issue 10). */

export const StaffRoleName = StringEnum(STAFF_ROLES);

const Divisions = Type.Array(DivisionCode, {
  minItems: 1,
  maxItems: 20,
  description: 'the jurisdiction: one or more GB/T 2260 codes (000000: the whole platform)',
});

export const CreateStaffAccountBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    role: StaffRoleName,
    divisionCodes: Type.Optional(Divisions),
    venueId: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'role hospital: the approved hospital venue the account works at (its district is the jurisdiction)',
      }),
    ),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const UpdateStaffAccountBody = Type.Object(
  {
    role: Type.Optional(StaffRoleName),
    divisionCodes: Type.Optional(Divisions),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    disabled: Type.Optional(
      Type.Boolean({ description: 'true: the account cannot sign in and its sessions end at once' }),
    ),
    newSetupLink: Type.Optional(
      Type.Boolean({
        description: 'true: a new one-time link to set the password (and enrol the second factor)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StaffParams = Type.Object({ staffId: Id }, { additionalProperties: false });

export const StaffAccount = Type.Object({
  staffId: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  role: StaffRoleName,
  divisionCodes: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  passwordSet: Type.Boolean(),
  secondFactorEnrolled: Type.Boolean(),
  venueId: Type.Union([Type.Integer(), Type.Null()]),
});
export type StaffAccountResponse = Reply<typeof StaffAccount>;

export const SetupLink = Type.Object({
  token: Type.String({ description: 'shown once; only its hash is stored' }),
  url: Type.String({ description: 'the link to hand to the staff member' }),
  expiresAt: Time,
});

export const StaffAccountCreated = Type.Object({ account: StaffAccount, setupLink: SetupLink });
export type StaffAccountCreatedResponse = Reply<typeof StaffAccountCreated>;

export const StaffAccountUpdated = Type.Object({
  account: StaffAccount,
  sessionsRevoked: Type.Integer(),
  setupLink: Type.Union([SetupLink, Type.Null()]),
});
export type StaffAccountUpdatedResponse = Reply<typeof StaffAccountUpdated>;

export const StaffAccountList = Type.Object({ accounts: Type.Array(StaffAccount) });

export const SetStaffPasswordBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    enrolSecondFactor: Type.Optional(
      Type.Boolean({
        description:
          'demo mode only: false skips the second factor (always enrolled in production for officers, admins, auditors)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const StaffPasswordSet = Type.Object({
  username: Type.String(),
  secondFactor: Type.Union([
    Type.Object({
      otpauthUri: Type.String({ description: 'otpauth://totp/… for an authenticator app (a QR of it)' }),
      secret: Type.String({ description: 'the same secret in base32, to type in' }),
    }),
    Type.Null(),
  ]),
});
export type StaffPasswordSetResponse = Reply<typeof StaffPasswordSet>;

export const AuditLogQuery = Type.Object(
  {
    from: Type.Optional(TimeQuery),
    to: Type.Optional(TimeQuery),
    action: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' })),
    after: Type.Optional(QueryInteger('entries with a larger id: the nextAfter of the previous page')),
    limit: Type.Optional(QueryInteger('entries per page, 1–500 (100)')),
  },
  { additionalProperties: false },
);

export const AuditLogEntry = Type.Object({
  id: Type.Integer(),
  at: Time,
  actorKind: StringEnum(['staff', 'resident', 'system'] as const),
  actorId: Type.Union([Type.Integer(), Type.Null()], {
    description: 'staff: the staff id; residents: an opaque record id; system: null',
  }),
  action: Type.String(),
  residentId: Type.Union([Type.Integer(), Type.Null()], { description: 'an opaque record id' }),
  detail: Type.Record(Type.String(), Type.Unknown(), {
    description: 'only ids, codes, counts and flags: names, documents, mobiles and free text are left out',
  }),
  hash: Type.Union([Type.String(), Type.Null()]),
});

export const AuditLogPage = Type.Object({
  entries: Type.Array(AuditLogEntry),
  nextAfter: Type.Union([Type.Integer(), Type.Null()]),
});
export type AuditLogPageResponse = Reply<typeof AuditLogPage>;

export const ResidentLookupBody = Type.Object(
  {
    documentType: Type.Optional(Type.String({ maxLength: 40 })),
    documentNumber: Type.Optional(Type.String({ maxLength: 40 })),
    mobile: Type.Optional(Type.String({ maxLength: 24 })),
    reason: Type.String({
      maxLength: 500,
      description: 'why you look this person up (shown to them in their access log); at least 4 characters',
    }),
  },
  { additionalProperties: false },
);

export const ResidentLookupFact = Type.Object({
  factId: Type.String(),
  kind: Type.String(),
  from: Time,
  to: Type.Union([Time, Type.Null()]),
  source: StringEnum(FACT_SOURCES),
  sourceRef: Type.String({ description: 'the import, the officer (staff id) or application' }),
  recordedAt: Time,
});

export const ResidentLookupResult = Type.Object({
  residentId: Type.Integer({ description: 'an opaque record id' }),
  maskedName: Type.String(),
  addressDivision: Type.String(),
  colour: StringEnum(['green', 'yellow', 'red'] as const),
  until: Type.Union([Time, Type.Null()]),
  reasons: Type.Array(Reason),
  facts: Type.Array(ResidentLookupFact),
});

export const ResidentLookupAnswer = Type.Object({ residents: Type.Array(ResidentLookupResult) });
export type ResidentLookupResponse = Reply<typeof ResidentLookupAnswer>;
