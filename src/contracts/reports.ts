import { Type } from '@sinclair/typebox';
import { Id, QueryInteger, Time, TimeQuery, type Reply } from './common.ts';

/** Reports of yellow and red codes and fevers to the area's epidemic-control office (S7). */

export const ReportState = Type.Union([
  Type.Literal('new'),
  Type.Literal('acknowledged'),
  Type.Literal('handled'),
]);

export const ReportKind = Type.Union([
  Type.Literal('yellow_code'),
  Type.Literal('red_code'),
  Type.Literal('fever'),
]);

/** What officers and the webhook receive. Times in China time. */
export const Report = Type.Object(
  {
    reportId: Type.Integer(),
    venueId: Type.Integer(),
    venueName: Type.String(),
    divisionCode: Type.String(),
    kind: ReportKind,
    state: ReportState,
    maskedName: Type.Union([Type.String(), Type.Null()]),
    checkId: Type.String(),
    createdAt: Time,
    acknowledgedAt: Type.Union([Time, Type.Null()]),
    acknowledgedBy: Type.Union([Type.Integer(), Type.Null()], { description: 'staff id' }),
    handledAt: Type.Union([Time, Type.Null()]),
    handledBy: Type.Union([Type.Integer(), Type.Null()], { description: 'staff id' }),
    note: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Report' },
);

export const ReportParams = Type.Object({ reportId: Id });

export const ReportsQuery = Type.Object(
  {
    state: Type.Optional(ReportState),
    from: Type.Optional(TimeQuery),
    before: Type.Optional(QueryInteger('page back: the nextBefore of the previous page')),
    limit: Type.Optional(QueryInteger('1–1000, default 100')),
  },
  { additionalProperties: false },
);

export const ReportPage = Type.Object({
  reports: Type.Array(Type.Ref('Report')),
  nextBefore: Type.Union([Type.Integer(), Type.Null()], {
    description: 'pass as `before` for the next (older) page; null on the last page',
  }),
});

export const ReportStateBody = Type.Object(
  {
    state: Type.Union([Type.Literal('acknowledged'), Type.Literal('handled')]),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export type ReportResponse = Reply<typeof Report>;
