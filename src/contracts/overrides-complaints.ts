import { Type, type Static } from '@sinclair/typebox';
import { OVERRIDE_MAX_DAYS } from '../domain/colour/overrides.ts';
import { Colour, Nullable, QueryInteger, Reason, StringEnum, Time, type Reply } from './common.ts';

/**
 * Colour overrides (issue 10 item 4, P4) and venue complaints (issue 10 item 5, S16).
 */

// --- colour overrides -----------------------------------------------------------------------

export const OverrideBody = Type.Object(
  {
    documentType: Type.String({ maxLength: 40 }),
    documentNumber: Type.String({ maxLength: 40 }),
    colour: Colour,
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'why; shown to the resident with the colour, and kept in the audit log',
    }),
    endsAt: Type.String({
      maxLength: 40,
      description: `when the override ends by itself: an ISO date-time with offset (or a date, its China midnight), after now and at most ${OVERRIDE_MAX_DAYS} days away`,
    }),
  },
  { additionalProperties: false },
);

export const OverrideParams = Type.Object({ overrideId: Type.String({ minLength: 1, maxLength: 64 }) });

export const OverrideStatus = StringEnum(['pending', 'in_force', 'ended'] as const, {
  description:
    'pending: waiting for a second officer’s approval, no effect; in_force: approved and not yet ended; ended: its end time passed (approved or not)',
});

export const ColourOverride = Type.Object({
  overrideId: Type.String(),
  colour: Colour,
  reason: Type.String(),
  endsAt: Time,
  status: OverrideStatus,
  divisionCode: Type.String({ description: 'where the resident lives' }),
  requestedBy: Type.Integer({ description: 'staff id of the requesting officer' }),
  requestedAt: Time,
  approvedBy: Nullable(Type.Integer({ description: 'staff id of the approving officer' })),
  approvedAt: Nullable(Time),
});

export const OverridesQuery = Type.Object(
  { status: Type.Optional(OverrideStatus) },
  { additionalProperties: false },
);

export const MAX_OVERRIDES_LIST = 200;

export const OverrideList = Type.Object({
  overrides: Type.Array(ColourOverride, {
    description: `of residents of your jurisdiction, newest request first, at most ${MAX_OVERRIDES_LIST}`,
  }),
});

export const OverrideApproved = Type.Object({
  override: ColourOverride,
  resident: Type.Object({
    colour: Colour,
    until: Nullable(Time),
    reasons: Type.Array(Reason),
  }),
});

// --- venue complaints -----------------------------------------------------------------------

export const COMPLAINT_KINDS = ['does_not_check', 'records_health_info', 'turns_green_away'] as const;

export const ComplaintBody = Type.Object(
  {
    venueId: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'the venue (venue.id of a place-code scan)',
    }),
    kind: StringEnum(COMPLAINT_KINDS, {
      description:
        'does_not_check: lets people in without checking codes; records_health_info: scans or records personal health information; turns_green_away: refuses a green code',
    }),
    text: Type.String({ minLength: 1, maxLength: 1000, description: 'what happened, when' }),
  },
  { additionalProperties: false },
);

export const MAX_COMPLAINTS_PAGE = 500;
export const COMPLAINTS_PAGE = 100;

export const ComplaintsQuery = Type.Object(
  {
    venueId: Type.Optional(QueryInteger('only complaints about this venue')),
    before: Type.Optional(Type.String({ maxLength: 80, description: 'the nextBefore of the previous page' })),
    limit: Type.Optional(QueryInteger(`1–${MAX_COMPLAINTS_PAGE}, default ${COMPLAINTS_PAGE}`)),
  },
  { additionalProperties: false },
);

const FlagFields = {
  complaints30Days: Type.Integer({ description: 'complaints about the venue in the last 30 days' }),
  flagged: Type.Boolean({
    description: 'more complaints in 30 days than the policy allows (services.venueComplaintsFlag)',
  }),
};

export const VenueComplaint = Type.Object({
  complaintId: Type.String(),
  venue: Type.Object({ id: Type.Integer(), name: Type.String(), divisionCode: Type.String(), ...FlagFields }),
  kind: StringEnum(COMPLAINT_KINDS),
  text: Type.String(),
  filedAt: Time,
});

export const ComplaintFiled = Type.Object({
  complaintId: Type.String(),
  venueId: Type.Integer(),
  kind: StringEnum(COMPLAINT_KINDS),
  filedAt: Time,
});

export const ComplaintPage = Type.Object({
  complaints: Type.Array(VenueComplaint),
  flagThreshold: Type.Integer({ description: 'services.venueComplaintsFlag of the policy in force' }),
  nextBefore: Nullable(Type.String({ description: 'pass as `before` for the next page; null on the last' })),
});

export type ColourOverrideResponse = Reply<typeof ColourOverride>;
export type OverrideApprovedResponse = Reply<typeof OverrideApproved>;
export type OverrideListResponse = Reply<typeof OverrideList>;
export type VenueComplaintResponse = Reply<typeof VenueComplaint>;
export type ComplaintRequest = Static<typeof ComplaintBody>;
export type ComplaintFiledResponse = Reply<typeof ComplaintFiled>;
export type ComplaintPageResponse = Reply<typeof ComplaintPage>;
