import { Type, type Static } from '@sinclair/typebox';
import { CODE_CHECKS, REFUSAL_REASONS } from '../domain/venues/index.ts';
import {
  Colour,
  HealthBadge,
  LocalizedText,
  Nullable,
  StringEnum,
  Time,
  TimeQuery,
  type Reply,
} from './common.ts';

/** The checkpoint: verifying a code (S11, S18), the check at the door (S6, S12), the policy. */

export const VerifyBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 1024, description: 'the scanned QR text' }) },
  { additionalProperties: false },
);

/** Why a scanned personal code does not verify: the token's own checks, then the platform's. */
export const VERIFICATION_FAILURES = [
  'malformed',
  'unknown_version',
  'unknown_key',
  'bad_signature',
  'expired',
  'not_yet_valid',
  'revoked',
  'wrong_kind',
  'paper_expired',
  'paper_replaced',
] as const;

/**
 * One object schema rather than a union of the two outcomes: the response serializer then needs no
 * schema matching per reply, which matters on the busiest endpoint.
 */
export const Verification = Type.Object({
  valid: Type.Boolean(),
  reason: Type.Optional(
    StringEnum(VERIFICATION_FAILURES, { description: 'when valid is false: exactly why' }),
  ),
  message: Type.Optional(
    Type.String({ description: 'when valid is false: a sentence for the checkpoint staff' }),
  ),
  kind: Type.Optional(Type.String({ description: 'when valid: personal | paper' })),
  colour: Type.Optional(Colour),
  colourAtIssue: Type.Optional(Colour),
  maskedName: Type.Optional(Type.String()),
  issuedAt: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String()),
  health: Type.Optional(HealthBadge),
  checkedAt: Type.String(),
});

export const RefusalReason = StringEnum(REFUSAL_REASONS);

/** The no-code lane: staff type the document of a person with neither phone nor paper code. */
export const LookupBody = Type.Object(
  {
    documentType: Type.String({ maxLength: 40, description: 'as in submitApplication' }),
    documentNumber: Type.String({
      maxLength: 40,
      description: 'typed, or typed by a keyboard-wedge ID-card reader',
    }),
  },
  { additionalProperties: false },
);

export const LookupResult = Type.Object({
  colour: Colour,
  maskedName: Type.String(),
  code: Type.String({
    description:
      'a personal code for this person, valid 5 minutes: send it as `code` to recordCheckpointCheck to record the check like any other',
  }),
  expiresAt: Time,
  lookupsLeft: Type.Integer({ description: 'lookups this staff account has left in the current hour' }),
});

export const CheckBody = Type.Object(
  {
    clientCheckId: Type.String({
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'a UUID made by the page for this check; uploading it again stores nothing new',
    }),
    code: Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()], {
      description: 'the scanned QR text; null when the person has no code',
    }),
    temperature: Type.Union([Type.Number(), Type.Null()], {
      description: '°C with one decimal, 30.0–45.0; null when not taken',
    }),
    maskWorn: Type.Union([Type.Boolean(), Type.Null()], { description: 'null when not looked at' }),
    checkedAt: Type.Optional(
      Type.String({ maxLength: 40, description: 'when a check queued offline happened (at most 72 h ago)' }),
    ),
    offline: Type.Optional(
      Type.Object(
        {
          valid: Type.Boolean(),
          colour: Type.Optional(Colour),
          reason: Type.Optional(Type.String({ maxLength: 64 })),
        },
        { additionalProperties: false, description: 'what the page decided offline' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CheckResult = Type.Object({
  checkId: Type.String(),
  clientCheckId: Type.String(),
  outcome: StringEnum(['pass', 'refuse']),
  reasons: Type.Array(RefusalReason),
  reasonText: Type.Array(LocalizedText),
  colour: Nullable(Colour),
  maskedName: Nullable(Type.String()),
  checkedAt: Time,
  duplicate: Type.Boolean({
    description: 'true when this clientCheckId was already stored: the stored result, nothing new recorded',
  }),
  health: Type.Optional(
    Type.Composite([HealthBadge], {
      description:
        "the holder's test and vaccination badge: only where the venue kind's rule requires a test or vaccination, the code was valid, and not on a replay",
    }),
  ),
});

export const ChecksQuery = Type.Object(
  {
    from: Type.Optional(TimeQuery),
    to: Type.Optional(TimeQuery),
    limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$', description: '1–1000' })),
  },
  { additionalProperties: false },
);

export const CheckView = Type.Object({
  checkId: Type.String(),
  clientCheckId: Type.String(),
  staffId: Type.Integer(),
  outcome: Type.Union([Type.Literal('pass'), Type.Literal('refuse')]),
  reasons: Type.Array(RefusalReason),
  colour: Type.Union([Colour, Type.Null()]),
  maskedName: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Time,
  recordedAt: Time,
  offline: Type.Boolean({ description: 'made offline and uploaded later' }),
});

export const CheckList = Type.Object({ checks: Type.Array(CheckView) });

export const CheckpointRule = Type.Object(
  {
    code: Type.Union(CODE_CHECKS.map((c) => Type.Literal(c))),
    temperature: Type.Boolean(),
    mask: Type.Boolean(),
    greenVisualOnly: Type.Boolean(),
    negativeTestWithinHours: Type.Optional(
      Type.Integer({
        description: 'besides the colour: a negative nucleic-acid test sampled within N hours',
      }),
    ),
    minVaccineDoses: Type.Optional(
      Type.Integer({ description: 'besides the colour: at least N vaccine doses on record' }),
    ),
  },
  { additionalProperties: false },
);

export const CheckpointPolicy = Type.Object(
  {
    version: Type.String(),
    effectiveFrom: Type.String(),
    kinds: Type.Record(Type.String(), CheckpointRule),
    description: Type.Optional(LocalizedText),
  },
  { $id: 'CheckpointPolicy' },
);

export type VerificationFailure = (typeof VERIFICATION_FAILURES)[number];
export type VerificationResponse = Reply<typeof Verification>;
export type CheckRequest = Static<typeof CheckBody>;
export type LookupResponse = Reply<typeof LookupResult>;
export type CheckResponse = Reply<typeof CheckResult>;
export type CheckViewResponse = Reply<typeof CheckView>;
