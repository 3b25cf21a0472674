import { sql } from 'kysely';
import type { Database, Db } from './database.ts';

/**
 * Day partitions on PostgreSQL (issue 12 item 4): the tables that grow by about 10⁸ rows a day are
 * partitioned by range of their time column, one partition per China calendar day
 * (`<table>_pYYYYMMDD`, [00:00, 24:00) UTC+8), plus a default partition (`<table>_default`) that
 * takes rows of any day without a partition of its own, so a write never fails. Migration 016
 * converts the tables; this module keeps partitions ahead of time and drops past ones. The
 * platform manages them itself (no pg_partman). On SQLite every function here does nothing.
 */
export const DAY_PARTITIONED = {
  verifications: 'at',
  visits: 'at',
  checkpoint_checks: 'checked_at',
} as const;

export type DayPartitionedTable = keyof typeof DAY_PARTITIONED;

export const DAY_PARTITIONED_TABLES = Object.keys(DAY_PARTITIONED) as DayPartitionedTable[];

/**
 * Columns unique within each partition. A unique index on a partitioned table must contain the
 * partition key, so these are created on each partition; storage/checkpoint-checks.ts keeps them
 * unique across partitions.
 */
const LOCAL_UNIQUE: Readonly<Record<DayPartitionedTable, readonly string[]>> = {
  verifications: [],
  visits: [],
  checkpoint_checks: ['client_check_id'],
};

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Partition DDL waits at most this long for a lock, so it never stalls the writers queued behind it. */
const LOCK_TIMEOUT = '3s';
/** Any number, the same on every node: one node at a time creates partitions. */
const PARTITION_LOCK = 7_300_316;

/** Start (epoch ms) of the China calendar day containing `ms`. */
export function chinaDayStart(ms: number): number {
  return Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
}

/** `<table>_pYYYYMMDD` for the China day starting at `dayStart`. */
export function dayPartitionName(table: DayPartitionedTable, dayStart: number): string {
  const ymd = new Date(dayStart + CHINA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
  return `${table}_p${ymd}`;
}

export const defaultPartitionName = (table: DayPartitionedTable): string => `${table}_default`;

export interface Partition {
  readonly name: string;
  /** [from, to) in epoch ms; null for the default partition. */
  readonly from: number | null;
  readonly to: number | null;
}

const BOUND_RE = /^FOR VALUES FROM \('(-?\d+)'\) TO \('(-?\d+)'\)$/;

/** The partitions of `table` (empty when it is not partitioned, as on SQLite). */
export async function listPartitions(database: Database, table: DayPartitionedTable): Promise<Partition[]> {
  if (database.dialect !== 'postgres') return [];
  return partitionsOf(database.db, table);
}

async function partitionsOf(db: Db, table: DayPartitionedTable): Promise<Partition[]> {
  const result = await sql<{ name: string; bound: string }>`
    select c.relname as name, pg_get_expr(c.relpartbound, c.oid) as bound
    from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = to_regclass(${table})
    order by c.relname`.execute(db);
  return result.rows.map((r) => {
    const m = BOUND_RE.exec(r.bound);
    return { name: r.name, from: m === null ? null : Number(m[1]), to: m === null ? null : Number(m[2]) };
  });
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad identifier ${name}`);
  return sql.id(name);
};

/**
 * Makes sure `table` has a partition for each of the `days` China days from the one containing
 * `fromMs` (skipping days an existing partition already covers in part). Rows of such a day that
 * went to the default partition meanwhile are moved into the new one. Each partition is made in a
 * transaction of its own, serialised across nodes; the new table is attached (a lock that lets
 * reads and writes of the other partitions go on), not created as a partition (which would lock
 * the whole table). Resolves to the names created.
 */
export async function ensureDayPartitions(
  database: Database,
  table: DayPartitionedTable,
  fromMs: number,
  days: number,
): Promise<string[]> {
  if (database.dialect !== 'postgres') return [];
  const created: string[] = [];
  const first = chinaDayStart(fromMs);
  const covered = (parts: readonly Partition[], from: number) =>
    parts.some((p) => p.from !== null && p.to !== null && p.from < from + DAY_MS && from < p.to);
  // Looked at once without a transaction first: at a restart every day exists already.
  const seen = await partitionsOf(database.db, table);
  for (let i = 0; i < days; i++) {
    const from = first + i * DAY_MS;
    if (covered(seen, from)) continue;
    const made = await database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(trx);
      await sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`).execute(trx);
      const existing = await partitionsOf(trx, table);
      if (existing.length === 0) throw new Error(`${table} is not partitioned (migration 016 has not run)`);
      if (covered(existing, from)) return null; // another node made it meanwhile
      await createDayPartition(trx, table, from, from + DAY_MS, existing);
      return dayPartitionName(table, from);
    });
    if (made !== null) created.push(made);
  }
  return created;
}

async function createDayPartition(
  trx: Db,
  table: DayPartitionedTable,
  from: number,
  to: number,
  existing: readonly Partition[],
): Promise<void> {
  const name = dayPartitionName(table, from);
  const key = ident(DAY_PARTITIONED[table]);
  const bounds = `${name}_bounds`;
  await sql`create table ${ident(name)} (like ${ident(table)} including defaults)`.execute(trx);
  // The constraint proves the rows fit, so attaching does not scan the new table for it.
  await sql`alter table ${ident(name)} add constraint ${ident(bounds)}
    check (${key} >= ${sql.lit(from)} and ${key} < ${sql.lit(to)})`.execute(trx);
  for (const column of LOCAL_UNIQUE[table]) {
    await sql`create unique index ${ident(`${name}_${column}`)} on ${ident(name)} (${ident(column)})`.execute(
      trx,
    );
  }
  const fallback = existing.find((p) => p.from === null);
  if (fallback !== undefined) {
    const def = ident(fallback.name);
    const strays = await sql<{ n: number }>`
      select count(*) as n from ${def} where ${key} >= ${from} and ${key} < ${to}`.execute(trx);
    if (Number(strays.rows[0]?.n ?? 0) > 0) {
      // No write may slip into the default partition between the move and the attach.
      await sql`lock table ${def} in exclusive mode`.execute(trx);
      await sql`insert into ${ident(name)} select * from ${def} where ${key} >= ${from} and ${key} < ${to}`.execute(
        trx,
      );
      await sql`delete from ${def} where ${key} >= ${from} and ${key} < ${to}`.execute(trx);
    }
  }
  await sql`alter table ${ident(table)} attach partition ${ident(name)}
    for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(trx);
  await sql`alter table ${ident(name)} drop constraint ${ident(bounds)}`.execute(trx);
}

export interface DroppedPartitions {
  /** Rows that went: those of the dropped partitions and those deleted from the default partition. */
  readonly rows: number;
  /** Names of the partitions dropped. */
  readonly partitions: readonly string[];
  /** Partitions due but left for the next purge because their table stayed busy (lock timeout). */
  readonly busy: readonly string[];
}

const LOCK_NOT_AVAILABLE = '55P03';
const UNDEFINED_TABLE = '42P01';

/**
 * Retention by day (PostgreSQL): every partition of `table` whose whole day lies before `cut` is
 * dropped (its rows counted first), and rows of the default partition dated before `cut` are
 * deleted one by one. A row in a day partition thus goes with its whole day: at most one day after
 * its own retention. A partition whose lock is not granted within the lock timeout is left for
 * the next purge, so the purge never stalls the writers.
 */
export async function dropDayPartitionsBefore(
  database: Database,
  table: DayPartitionedTable,
  cut: number,
): Promise<DroppedPartitions> {
  if (database.dialect !== 'postgres') throw new Error('day partitions exist on PostgreSQL only');
  const key = ident(DAY_PARTITIONED[table]);
  let rows = 0;
  const partitions: string[] = [];
  const busy: string[] = [];
  for (const p of await partitionsOf(database.db, table)) {
    if (p.to === null || p.to > cut) continue;
    try {
      const n = await database.db.transaction().execute(async (trx) => {
        await sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`).execute(trx);
        // Writes to this day stop (readers go on) so the count is what is dropped. Under the
        // default retention none can come: the time columns are "now", or for a queued check at
        // most 72 hours back. The drop then locks the table for a moment, waiting at most the
        // lock timeout.
        await sql`lock table ${ident(p.name)} in share mode`.execute(trx);
        const count = await sql<{ n: number }>`select count(*) as n from ${ident(p.name)}`.execute(trx);
        await sql`drop table ${ident(p.name)}`.execute(trx);
        return Number(count.rows[0]?.n ?? 0);
      });
      rows += n;
      partitions.push(p.name);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === LOCK_NOT_AVAILABLE) busy.push(p.name);
      // Dropped by another node's purge meanwhile: its rows are counted there.
      else if (code !== UNDEFINED_TABLE) throw error;
    }
  }
  const fallback = defaultPartitionName(table);
  const deleted = await sql`delete from ${ident(fallback)} where ${key} < ${cut}`.execute(database.db);
  rows += Number(deleted.numAffectedRows ?? 0n);
  return { rows, partitions, busy };
}
