import type { Db } from './database.ts';
import { coveredDivisionsPatterns, type Jurisdiction } from '../domain/jurisdiction.ts';

export type ReportKind = 'yellow_code' | 'red_code' | 'fever';
export type ReportState = 'new' | 'acknowledged' | 'handled';

export interface ReportRow {
  readonly id: number;
  readonly venueId: number;
  readonly venueName: string;
  readonly divisionCode: string;
  readonly kind: ReportKind;
  readonly state: ReportState;
  readonly residentId: number | null;
  readonly maskedName: string | null;
  readonly checkId: string;
  readonly createdAt: number;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: number | null;
  readonly handledAt: number | null;
  readonly handledBy: number | null;
  readonly note: string | null;
}

function baseQuery(db: Db) {
  return db
    .selectFrom('reports')
    .innerJoin('venues', 'venues.id', 'reports.venue_id')
    .select([
      'reports.id',
      'reports.venue_id',
      'venues.name as venue_name',
      'reports.division_code',
      'reports.kind',
      'reports.state',
      'reports.resident_id',
      'reports.masked_name',
      'reports.check_id',
      'reports.created_at',
      'reports.acknowledged_at',
      'reports.acknowledged_by',
      'reports.handled_at',
      'reports.handled_by',
      'reports.note',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof baseQuery>['executeTakeFirstOrThrow']>>;

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function toReport(r: Row): ReportRow {
  return {
    id: Number(r.id),
    venueId: Number(r.venue_id),
    venueName: r.venue_name,
    divisionCode: r.division_code,
    kind: r.kind,
    state: r.state,
    residentId: num(r.resident_id),
    maskedName: r.masked_name,
    checkId: r.check_id,
    createdAt: Number(r.created_at),
    acknowledgedAt: num(r.acknowledged_at),
    acknowledgedBy: num(r.acknowledged_by),
    handledAt: num(r.handled_at),
    handledBy: num(r.handled_by),
    note: r.note,
  };
}

/**
 * Stores the report of a check and, when a webhook is configured, its outbox entry, in one
 * transaction. Returns null when the check already has its report (a replay).
 */
export async function insertReport(
  db: Db,
  r: {
    venueId: number;
    divisionCode: string;
    kind: ReportKind;
    residentId: number | null;
    maskedName: string | null;
    checkId: string;
    createdAt: number;
  },
  outbox: boolean,
): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('reports')
      .values({
        venue_id: r.venueId,
        division_code: r.divisionCode,
        kind: r.kind,
        state: 'new',
        resident_id: r.residentId,
        masked_name: r.maskedName,
        check_id: r.checkId,
        created_at: r.createdAt,
        acknowledged_at: null,
        acknowledged_by: null,
        handled_at: null,
        handled_by: null,
        note: null,
      })
      .onConflict((oc) => oc.column('check_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) return null;
    const id = Number(row.id);
    if (outbox) await insertOutbox(trx, id, 'report.created', r.createdAt);
    return id;
  });
}

export async function insertOutbox(db: Db, reportId: number, event: string, now: number): Promise<void> {
  await db
    .insertInto('report_outbox')
    .values({
      report_id: reportId,
      event,
      next_attempt_at: now,
      delivered_at: null,
      last_error: null,
      created_at: now,
    })
    .execute();
}

export async function findReport(db: Db, id: number): Promise<ReportRow | null> {
  if (!Number.isSafeInteger(id) || id < 1) return null;
  const row = await baseQuery(db).where('reports.id', '=', id).executeTakeFirst();
  return row === undefined ? null : toReport(row);
}

export interface ReportFilter {
  /** The caller's jurisdiction ('000000' = all; several divisions: any of them). */
  readonly jurisdiction: Jurisdiction;
  readonly state?: ReportState;
  readonly from?: number;
  /** Only reports with a larger id (streams). */
  readonly afterId?: number;
  /** Only reports with a smaller id (paging back through a list, newest first). */
  readonly beforeId?: number;
  readonly limit: number;
  readonly order: 'asc' | 'desc';
}

export async function listReports(db: Db, f: ReportFilter): Promise<ReportRow[]> {
  let q = baseQuery(db);
  const patterns = coveredDivisionsPatterns(f.jurisdiction);
  if (patterns !== null) {
    q = q.where((eb) => eb.or(patterns.map((pattern) => eb('reports.division_code', 'like', pattern))));
  }
  if (f.state !== undefined) q = q.where('reports.state', '=', f.state);
  if (f.from !== undefined) q = q.where('reports.created_at', '>=', f.from);
  if (f.afterId !== undefined) q = q.where('reports.id', '>', f.afterId);
  if (f.beforeId !== undefined) q = q.where('reports.id', '<', f.beforeId);
  const rows = await q.orderBy('reports.id', f.order).limit(f.limit).execute();
  return rows.map(toReport);
}

export async function maxReportId(db: Db): Promise<number> {
  const row = await db
    .selectFrom('reports')
    .select((eb) => eb.fn.max('id').as('max'))
    .executeTakeFirst();
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max);
}

/**
 * Moves a report forward from `from` to `to` (the caller checked the move is forward); false when
 * another officer moved it first. Skipping `acknowledged` records the acknowledgement too.
 */
export async function moveReport(
  db: Db,
  id: number,
  m: { from: ReportState; to: 'acknowledged' | 'handled'; by: number; at: number; note: string | null },
  outbox: boolean,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const set =
      m.to === 'acknowledged'
        ? { state: m.to, acknowledged_at: m.at, acknowledged_by: m.by }
        : m.from === 'new'
          ? {
              state: m.to,
              acknowledged_at: m.at,
              acknowledged_by: m.by,
              handled_at: m.at,
              handled_by: m.by,
            }
          : { state: m.to, handled_at: m.at, handled_by: m.by };
    const r = await trx
      .updateTable('reports')
      .set(m.note === null ? set : { ...set, note: m.note })
      .where('id', '=', id)
      .where('state', '=', m.from)
      .executeTakeFirst();
    const moved = Number(r.numUpdatedRows) === 1;
    if (moved && outbox) await insertOutbox(trx, id, 'report.state', m.at);
    return moved;
  });
}

export interface OutboxRow {
  readonly id: number;
  readonly reportId: number;
  readonly event: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

export async function dueOutbox(db: Db, now: number, limit: number): Promise<OutboxRow[]> {
  const rows = await db
    .selectFrom('report_outbox')
    .select(['id', 'report_id', 'event', 'attempts', 'next_attempt_at'])
    .where('delivered_at', 'is', null)
    .where('next_attempt_at', '<=', now)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    reportId: Number(r.report_id),
    event: r.event,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
  }));
}

/**
 * Takes a due delivery for this node until `leaseUntil`: the update succeeds on one node only, so
 * two nodes never post the same attempt.
 */
export async function claimOutbox(db: Db, row: OutboxRow, leaseUntil: number): Promise<boolean> {
  const r = await db
    .updateTable('report_outbox')
    .set({ next_attempt_at: leaseUntil, attempts: row.attempts + 1 })
    .where('id', '=', row.id)
    .where('attempts', '=', row.attempts)
    .where('next_attempt_at', '=', row.nextAttemptAt)
    .where('delivered_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function settleOutbox(
  db: Db,
  id: number,
  s: { deliveredAt: number | null; nextAttemptAt: number | null; error: string | null },
): Promise<void> {
  await db
    .updateTable('report_outbox')
    .set({ delivered_at: s.deliveredAt, next_attempt_at: s.nextAttemptAt, last_error: s.error })
    .where('id', '=', id)
    .execute();
}

export async function findOutbox(db: Db, reportId: number) {
  return db.selectFrom('report_outbox').selectAll().where('report_id', '=', reportId).orderBy('id').execute();
}
