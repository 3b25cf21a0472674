import type { RefusalReason } from '../domain/venues/index.ts';
import type { Colour } from '../domain/types.ts';
import { sql } from 'kysely';
import type { Database, Db } from './database.ts';

export interface CheckRecord {
  readonly id: string;
  readonly clientCheckId: string;
  readonly venueId: number;
  readonly staffId: number;
  readonly residentId: number | null;
  readonly checkedAt: number;
  readonly recordedAt: number;
  readonly outcome: 'pass' | 'refuse';
  readonly reasons: readonly RefusalReason[];
  readonly colour: Colour | null;
  readonly maskedName: string | null;
  readonly temperatureDeciC: number | null;
  readonly maskWorn: boolean | null;
  readonly codeStatus: 'valid' | 'invalid' | 'none';
  readonly codeReason: string | null;
  /** What the page decided offline (as sent), or null for an online check. */
  readonly offline: unknown;
  readonly policyVersion: string;
}

const COLUMNS = [
  'id',
  'client_check_id',
  'venue_id',
  'staff_id',
  'resident_id',
  'checked_at',
  'recorded_at',
  'outcome',
  'reasons',
  'colour',
  'masked_name',
  'temperature_deci_c',
  'mask_worn',
  'code_status',
  'code_reason',
  'offline',
  'policy_version',
] as const;

/** A row to store; `inserted` is set by the inserter: false when its clientCheckId was already stored. */
export interface PendingCheck {
  readonly record: CheckRecord;
  inserted?: boolean;
}

export interface CheckInserterOptions {
  /**
   * PostgreSQL: an upload finds an earlier check with its clientCheckId among checks dated at most
   * this long before the earlier of its own checkedAt and its recording time (the 72 hours a
   * queued check may wait, plus the clock skew allowed). SQLite finds it whenever it was stored.
   */
  readonly dedupeWindowMs: number;
}

function values(r: CheckRecord): unknown[] {
  return [
    r.id,
    r.clientCheckId,
    r.venueId,
    r.staffId,
    r.residentId,
    r.checkedAt,
    r.recordedAt,
    r.outcome,
    JSON.stringify(r.reasons),
    r.colour,
    r.maskedName,
    r.temperatureDeciC,
    r.maskWorn === null ? null : r.maskWorn ? 1 : 0,
    r.codeStatus,
    r.codeReason,
    r.offline === null ? null : JSON.stringify(r.offline),
    r.policyVersion,
  ];
}

/**
 * The batch writer behind the group commit of checks: one multi-row insert per batch. A replayed
 * clientCheckId (an upload racing the first one, or a retry) is skipped and marked `inserted:
 * false`, so the common case — a new check — costs no read before the write.
 */
export function checkInserter(
  database: Database,
  options: CheckInserterOptions,
): (rows: readonly PendingCheck[]) => Promise<void> {
  return database.dialect === 'postgres'
    ? postgresCheckInserter(database, options)
    : sqliteCheckInserter(database);
}

/**
 * SQLite: the table-wide unique index on client_check_id skips duplicates (`on conflict do
 * nothing`); only when some row was skipped is the batch re-read to tell which.
 */
function sqliteCheckInserter(database: Database): (rows: readonly PendingCheck[]) => Promise<void> {
  const insert = database.prepareBatchInsertIgnore('checkpoint_checks', COLUMNS, ['client_check_id']);
  return async (rows) => {
    const inserted = await insert(rows.map(({ record }) => values(record)));
    if (inserted === rows.length) {
      for (const row of rows) row.inserted = true;
      return;
    }
    const stored = new Set(
      (
        await database.db
          .selectFrom('checkpoint_checks')
          .select('id')
          .where(
            'id',
            'in',
            rows.map((r) => r.record.id),
          )
          .execute()
      ).map((r) => r.id),
    );
    for (const row of rows) row.inserted = stored.has(row.record.id);
  };
}

const PG_TYPES: Readonly<Record<(typeof COLUMNS)[number], string>> = {
  id: 'text',
  client_check_id: 'text',
  venue_id: 'bigint',
  staff_id: 'bigint',
  resident_id: 'bigint',
  checked_at: 'bigint',
  recorded_at: 'bigint',
  outcome: 'text',
  reasons: 'text',
  colour: 'text',
  masked_name: 'text',
  temperature_deci_c: 'integer',
  mask_worn: 'integer',
  code_status: 'text',
  code_reason: 'text',
  offline: 'text',
  policy_version: 'text',
};

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const chinaDayStart = (ms: number) => Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
/** Any number, the same on every node: the lock that keeps a clientCheckId once across day partitions. */
const CHECKS_LOCK = 7_300_317;
/**
 * Rows recorded this close to a China midnight are written under the exclusive lock: two nodes
 * whose clocks (and request latencies) differ by less than this never put the same clientCheckId
 * into two different days without one of them holding it.
 */
export const MIDNIGHT_MARGIN_MS = 10 * 60_000;
const UNIQUE_VIOLATION = '23505';
const DEADLOCK = '40P01';
const INSERT_ATTEMPTS = 5;

/**
 * A check of today, away from midnight: it lands in today's partition, whose unique index on
 * client_check_id catches any concurrent twin. Any other row (an offline check of an earlier day,
 * or near midnight) could meet its twin in another partition, which no index sees.
 */
function ordinary(r: CheckRecord): boolean {
  const day = chinaDayStart(r.recordedAt);
  return (
    chinaDayStart(r.checkedAt) === day &&
    r.recordedAt - day >= MIDNIGHT_MARGIN_MS &&
    day + DAY_MS - r.recordedAt >= MIDNIGHT_MARGIN_MS
  );
}

/**
 * PostgreSQL: checkpoint_checks is partitioned by China day of checked_at (migration 016), and a
 * unique index there can only be per partition. A clientCheckId is kept once across partitions
 * thus:
 *
 * - the batch goes as one `insert … select from unnest(…)` (one prepared statement whatever the
 *   batch size) that skips every row whose clientCheckId is already stored among checks dated
 *   from the day `dedupeWindowMs` before the batch's earliest time to the end of the day after its
 *   latest (literal days, so the planner reads only those few partitions and the default one);
 * - two uploads of one clientCheckId at once on two nodes: if both are ordinary (today's, away
 *   from midnight) they meet in today's partition, where the later one fails on the unique index
 *   once the first commits, and the batch is tried again — now skipping it. Every batch holds a
 *   transaction-scoped advisory lock: shared when all its rows are ordinary, exclusive otherwise,
 *   so a batch that could put a twin into another partition never runs beside any other batch,
 *   and sees what they stored.
 *
 * Duplicates within one batch keep the first. Rows are marked inserted from `returning id`.
 */
function postgresCheckInserter(
  database: Database,
  options: CheckInserterOptions,
): (rows: readonly PendingCheck[]) => Promise<void> {
  const columns = sql.raw(COLUMNS.join(', '));
  return async (rows) => {
    const first = new Map<string, PendingCheck>();
    for (const row of rows) {
      if (first.has(row.record.clientCheckId)) row.inserted = false;
      else first.set(row.record.clientCheckId, row);
    }
    // In clientCheckId order: two batches holding the same twins then wait for each other in one
    // order, never in a cycle (a deadlock, should it still happen, is retried as well).
    const batch = [...first.values()].sort((x, y) =>
      x.record.clientCheckId < y.record.clientCheckId
        ? -1
        : x.record.clientCheckId > y.record.clientCheckId
          ? 1
          : 0,
    );
    if (batch.length === 0) return;
    const exclusive = batch.some((r) => !ordinary(r.record));
    const earliest = Math.min(...batch.map((r) => Math.min(r.record.checkedAt, r.record.recordedAt)));
    const since = chinaDayStart(earliest - options.dedupeWindowMs);
    // A twin is never dated later than the day after the batch's latest time (check times run at
    // most minutes ahead of the clock): the partitions made ahead are not read.
    const latest = Math.max(...batch.map((r) => Math.max(r.record.checkedAt, r.record.recordedAt)));
    const until = chinaDayStart(latest) + 2 * DAY_MS;
    const table = batch.map((r) => values(r.record));
    const arrays = COLUMNS.map((c, i) => sql`${table.map((v) => v[i])}::${sql.raw(PG_TYPES[c])}[]`);
    const lock = exclusive
      ? sql`select pg_advisory_xact_lock(${CHECKS_LOCK})`
      : sql`select pg_advisory_xact_lock_shared(${CHECKS_LOCK})`;
    const insert = sql<{ id: string }>`insert into checkpoint_checks (${columns})
      select * from unnest(${sql.join(arrays)}) as v(${columns})
      where not exists (select 1 from checkpoint_checks c
        where c.client_check_id = v.client_check_id
          and c.checked_at >= ${sql.lit(since)} and c.checked_at < ${sql.lit(until)})
      returning id`;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await database.db.transaction().execute(async (trx) => {
          await lock.execute(trx);
          return (await insert.execute(trx)).rows;
        });
        const ids = new Set(stored.map((r) => r.id));
        for (const row of batch) row.inserted = ids.has(row.record.id);
        return;
      } catch (error) {
        // A twin committed by another node meanwhile; the next attempt skips it.
        const code = (error as { code?: string }).code;
        if ((code !== UNIQUE_VIOLATION && code !== DEADLOCK) || attempt >= INSERT_ATTEMPTS) throw error;
      }
    }
  };
}

type Row = {
  id: string;
  client_check_id: string;
  venue_id: number;
  staff_id: number;
  resident_id: number | null;
  checked_at: number;
  recorded_at: number;
  outcome: 'pass' | 'refuse';
  reasons: string;
  colour: Colour | null;
  masked_name: string | null;
  temperature_deci_c: number | null;
  mask_worn: number | null;
  code_status: 'valid' | 'invalid' | 'none';
  code_reason: string | null;
  offline: string | null;
  policy_version: string;
};

function toRecord(r: Row): CheckRecord {
  return {
    id: r.id,
    clientCheckId: r.client_check_id,
    venueId: Number(r.venue_id),
    staffId: Number(r.staff_id),
    residentId: r.resident_id === null ? null : Number(r.resident_id),
    checkedAt: Number(r.checked_at),
    recordedAt: Number(r.recorded_at),
    outcome: r.outcome,
    reasons: JSON.parse(r.reasons) as RefusalReason[],
    colour: r.colour,
    maskedName: r.masked_name,
    temperatureDeciC: r.temperature_deci_c === null ? null : Number(r.temperature_deci_c),
    maskWorn: r.mask_worn === null ? null : Number(r.mask_worn) === 1,
    codeStatus: r.code_status,
    codeReason: r.code_reason,
    offline: r.offline === null ? null : (JSON.parse(r.offline) as unknown),
    policyVersion: r.policy_version,
  };
}

/** The newest: on PostgreSQL a clientCheckId may be stored again once its first check is past the dedupe window. */
const BY_CLIENT_ID_SQL = `select ${COLUMNS.join(', ')} from checkpoint_checks where client_check_id = ? order by checked_at desc limit 1`;
const byClientIdLookups = new WeakMap<Database, (params: readonly unknown[]) => Promise<Row | undefined>>();

/** The stored check with this clientCheckId; every check looks once, so the statement is prepared. */
export async function findCheckByClientId(
  database: Database,
  clientCheckId: string,
): Promise<CheckRecord | null> {
  let lookup = byClientIdLookups.get(database);
  if (lookup === undefined) {
    lookup = database.prepareFirst<Row>(BY_CLIENT_ID_SQL);
    byClientIdLookups.set(database, lookup);
  }
  const row = await lookup([clientCheckId]);
  return row === undefined ? null : toRecord(row);
}

/** Checks of a venue in [from, to), newest first. */
export async function listChecks(
  db: Db,
  venueId: number,
  from: number,
  to: number,
  limit: number,
): Promise<CheckRecord[]> {
  const rows = await db
    .selectFrom('checkpoint_checks')
    .select(COLUMNS)
    .where('venue_id', '=', venueId)
    .where('checked_at', '>=', from)
    .where('checked_at', '<', to)
    .orderBy('checked_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRecord);
}
