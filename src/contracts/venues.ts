import { Type, type Static } from '@sinclair/typebox';
import { VENUE_KINDS } from '../domain/venues/index.ts';
import { DivisionCode, Id, LocalizedText, QueryInteger, Time, TimeQuery, type Reply } from './common.ts';
import { MyCode } from './residents.ts';

/** Venues (S4, S5): registration and approval, their staff, place codes, scans and visits. */

/** Most venues one page of listVenues returns, and how many without `limit`. */
export const MAX_VENUES_PAGE = 1000;
export const VENUES_PAGE = 100;

export const VenueKind = Type.Union(VENUE_KINDS.map((k) => Type.Literal(k)));
export const VenueStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved')]);

export const VenueBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    kind: Type.String({ maxLength: 40, description: VENUE_KINDS.join(' | ') }),
    address: Type.Object(
      { divisionCode: Type.String({ maxLength: 6 }), detail: Type.String({ maxLength: 400 }) },
      { additionalProperties: false },
    ),
    contact: Type.Object(
      { name: Type.String({ maxLength: 128 }), mobile: Type.String({ maxLength: 24 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const Venue = Type.Object(
  {
    venueId: Type.Integer(),
    id: Type.Integer({ description: 'the same as venueId (the shape scanPlaceCode’s venue uses)' }),
    name: Type.String(),
    kind: VenueKind,
    kindLabel: LocalizedText,
    address: Type.Object({ divisionCode: Type.String(), detail: Type.String() }),
    contact: Type.Object({ name: Type.String(), mobile: Type.String() }),
    status: VenueStatus,
    createdAt: Time,
    approvedAt: Type.Union([Time, Type.Null()]),
    placeCodeVersion: Type.Integer({ description: '0 before approval' }),
    complaints30Days: Type.Optional(
      Type.Integer({ description: 'listVenues: complaints about the venue in the last 30 days (S16)' }),
    ),
    flagged: Type.Optional(
      Type.Boolean({
        description:
          'listVenues: more complaints in 30 days than the policy allows (services.venueComplaintsFlag)',
      }),
    ),
  },
  { $id: 'Venue' },
);

export const VenueParams = Type.Object({ venueId: Id });
export const StaffParams = Type.Object({ venueId: Id, staffId: Id });

export const VenuesQuery = Type.Object(
  {
    status: Type.Optional(VenueStatus),
    division: Type.Optional(DivisionCode),
    after: Type.Optional(QueryInteger('the nextAfter of the previous page')),
    limit: Type.Optional(QueryInteger(`1–${MAX_VENUES_PAGE}, default ${VENUES_PAGE}`)),
  },
  { additionalProperties: false },
);

export const VenuePage = Type.Object({
  venues: Type.Array(Type.Ref('Venue')),
  nextAfter: Type.Union([Type.Integer(), Type.Null()], {
    description: 'pass as `after` for the next page; null on the last page',
  }),
});

export const StaffBody = Type.Object(
  {
    username: Type.String({ maxLength: 64 }),
    displayName: Type.String({ maxLength: 128 }),
    password: Type.String({ minLength: 10, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const StaffAdded = Type.Object({
  staffId: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
});

export const PlaceCodeQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('png'), Type.Literal('svg')])) },
  { additionalProperties: false },
);

export const PlaceCode = Type.Object({
  venueId: Type.Integer(),
  version: Type.Integer(),
  code: Type.String({ description: 'the QR text (HPC1:…)' }),
  url: Type.String({ description: '<origin>/scan?c=<code>: the same code as a link' }),
});

export const PlaceCodeRevoked = Type.Object({ venueId: Type.Integer(), version: Type.Integer() });

export const ScanBody = Type.Object(
  {
    placeCode: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'the scanned QR text, or the link it holds (…/scan?c=…)',
    }),
  },
  { additionalProperties: false },
);

export const PlaceScan = Type.Object({
  venue: Type.Object({ id: Type.Integer(), name: Type.String(), kind: VenueKind, kindLabel: LocalizedText }),
  scannedAt: Time,
  myCode: MyCode,
});

export const VisitsQuery = Type.Object(
  { from: Type.Optional(TimeQuery), to: Type.Optional(TimeQuery) },
  { additionalProperties: false },
);

export const Visit = Type.Object({ residentId: Type.Integer(), maskedName: Type.String(), at: Time });
export const VisitList = Type.Object({ visits: Type.Array(Visit) });

export type VenueRequest = Static<typeof VenueBody>;
export type VenueResponse = Reply<typeof Venue>;
export type StaffAddedResponse = Reply<typeof StaffAdded>;
export type PlaceCodeResponse = Reply<typeof PlaceCode>;
export type PlaceScanResponse = Reply<typeof PlaceScan>;
export type VisitResponse = Reply<typeof Visit>;
