import { sql } from 'kysely';
import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

const DAY_MS = 86_400_000;
/** China time (UTC+8, no daylight saving): partitions hold China calendar days. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/**
 * The tables that grow by about 10⁸ rows a day (issue 12 item 4) become, on PostgreSQL,
 * partitioned by China day on their time column, so the retention purge drops whole days instead
 * of deleting rows. SQLite keeps its plain tables.
 *
 * Each table is converted in place, inside the migration's transaction: its indexes, identity
 * sequence and name are moved aside, a partitioned table of the same columns takes the name, gets
 * a default partition (rows of a day without a partition of its own go there; a write never
 * fails) and one partition per China day present in the old rows, the rows are copied, the
 * identity continues after the largest id, and the old table is dropped.
 *
 * Primary keys of a partitioned table must contain the partition key: they become (id, time).
 * `checkpoint_checks.client_check_id` was unique over the whole table; that cannot be declared on
 * a partitioned table without the time in it, so each partition carries its own unique index on
 * it and the writer (storage/checkpoint-checks.ts) keeps a clientCheckId stored once across
 * partitions (docs/decisions.md, issue 12).
 *
 * Frozen in time: the naming and bounds here are those storage/partitions.ts uses.
 */
interface Conversion {
  readonly table: string;
  readonly key: string;
  readonly identity: boolean;
  readonly indexes: readonly { readonly name: string; readonly columns: readonly string[] }[];
  /** Unique within each partition (not declarable on the parent: it lacks the partition key). */
  readonly localUnique: readonly string[];
}

const CONVERSIONS: readonly Conversion[] = [
  {
    table: 'verifications',
    key: 'at',
    identity: true,
    indexes: [{ name: 'verifications_at', columns: ['at'] }],
    localUnique: [],
  },
  {
    table: 'visits',
    key: 'at',
    identity: true,
    indexes: [
      { name: 'visits_venue', columns: ['venue_id', 'at'] },
      { name: 'visits_at', columns: ['at'] },
    ],
    localUnique: [],
  },
  {
    table: 'checkpoint_checks',
    key: 'checked_at',
    identity: false,
    indexes: [
      { name: 'checkpoint_checks_venue', columns: ['venue_id', 'checked_at'] },
      { name: 'checkpoint_checks_at', columns: ['checked_at'] },
    ],
    localUnique: ['client_check_id'],
  },
];

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad identifier ${name}`);
  return sql.id(name);
};

function dayName(table: string, dayStart: number): string {
  return `${table}_p${new Date(dayStart + CHINA_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

async function localUniqueIndexes(db: Kysely<unknown>, c: Conversion, partition: string): Promise<void> {
  for (const column of c.localUnique) {
    await sql`create unique index ${ident(`${partition}_${column}`)} on ${ident(partition)} (${ident(column)})`.execute(
      db,
    );
  }
}

async function convert(db: Kysely<unknown>, c: Conversion): Promise<void> {
  const old = `${c.table}_unpartitioned`;
  // Move the old table's names aside: index names are per schema, and the new table takes them.
  const indexes = await sql<{ indexname: string }>`
    select indexname from pg_indexes where schemaname = current_schema() and tablename = ${c.table}`.execute(
    db,
  );
  for (const { indexname } of indexes.rows) {
    await sql`alter index ${ident(indexname)} rename to ${ident(`${indexname}_old`)}`.execute(db);
  }
  if (c.identity) {
    const seq = await sql<{
      seq: string | null;
    }>`select pg_get_serial_sequence(${c.table}, 'id') as seq`.execute(db);
    const name = seq.rows[0]?.seq?.split('.').pop()?.replace(/"/g, '');
    if (name !== undefined)
      await sql`alter sequence ${ident(name)} rename to ${ident(`${name}_old`)}`.execute(db);
  }
  await sql`alter table ${ident(c.table)} rename to ${ident(old)}`.execute(db);

  await sql`create table ${ident(c.table)} (like ${ident(old)} including defaults including identity)
    partition by range (${ident(c.key)})`.execute(db);
  await sql`alter table ${ident(c.table)} add constraint ${ident(`${c.table}_pkey`)}
    primary key (id, ${ident(c.key)})`.execute(db);
  for (const index of c.indexes) {
    await sql`create index ${ident(index.name)} on ${ident(c.table)} (${sql.join(index.columns.map(ident))})`.execute(
      db,
    );
  }
  const defaultPartition = `${c.table}_default`;
  await sql`create table ${ident(defaultPartition)} partition of ${ident(c.table)} default`.execute(db);
  await localUniqueIndexes(db, c, defaultPartition);

  const days = await sql<{ day: number }>`
    select distinct floor((${ident(c.key)} + ${CHINA_OFFSET_MS}) / ${DAY_MS}::numeric) as day from ${ident(old)}`.execute(
    db,
  );
  for (const { day } of days.rows) {
    const from = Number(day) * DAY_MS - CHINA_OFFSET_MS;
    const to = from + DAY_MS;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) continue; // stays in the default partition
    const name = dayName(c.table, from);
    await sql`create table ${ident(name)} partition of ${ident(c.table)}
      for values from (${sql.lit(from)}) to (${sql.lit(to)})`.execute(db);
    await localUniqueIndexes(db, c, name);
  }

  await sql`insert into ${ident(c.table)} select * from ${ident(old)}`.execute(db);
  if (c.identity) {
    await sql`select setval(pg_get_serial_sequence(${c.table}, 'id'), coalesce(max(id), 0) + 1, false)
      from ${ident(c.table)}`.execute(db);
  }
  await sql`drop table ${ident(old)}`.execute(db);
}

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const c of CONVERSIONS) await convert(db, c);
}
