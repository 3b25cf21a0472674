import { sql } from 'kysely';
import type { Database, Db } from './database.ts';
import { dropDayPartitionsBefore, type DayPartitionedTable, type DroppedPartitions } from './partitions.ts';

/**
 * The deletions of the retention purge (P5); the use case (use-cases/retention.ts) decides the
 * cut-offs. Each deletion is idempotent, so a purge may run on several nodes at once.
 */

/** Tables whose rows go by age alone, and the column that dates them. */
const AGED = {
  colour_events: 'at',
  verifications: 'at',
  sessions: 'expires_at',
  sign_in_codes: 'expires_at',
  sign_in_guesses: 'at',
  sign_in_limits: 'touched_at',
  visits: 'at',
  checkpoint_checks: 'checked_at',
  report_outbox: 'created_at',
  reports: 'created_at',
  arrival_declarations: 'arrived_on',
  notice_outbox: 'created_at',
  notices: 'created_at',
  colour_overrides: 'ends_at',
  venue_complaints: 'filed_at',
} as const;

export type AgedTable = keyof typeof AGED;

const affected = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);
const deletedRows = (r: readonly { numDeletedRows: bigint }[]) =>
  r.reduce((n, x) => n + Number(x.numDeletedRows), 0);

/** Deletes the rows of `table` dated before `cut`; resolves to how many went. */
export async function deleteRowsBefore(db: Db, table: AgedTable, cut: number): Promise<number> {
  const r = await sql`delete from ${sql.table(table)} where ${sql.ref(AGED[table])} < ${cut}`.execute(db);
  return affected(r);
}

/**
 * Rows of a day-partitioned table (verifications, visits, checkpoint_checks) dated before `cut`:
 * on PostgreSQL whole day partitions are dropped and only the default partition's rows are
 * deleted one by one (storage/partitions.ts); on SQLite the rows are deleted.
 */
export async function purgeDays(
  database: Database,
  table: DayPartitionedTable,
  cut: number,
): Promise<DroppedPartitions> {
  if (database.dialect === 'postgres') return dropDayPartitionsBefore(database, table, cut);
  return { rows: await deleteRowsBefore(database.db, table, cut), partitions: [], busy: [] };
}

/** Facts that ended before `cut`, and open facts of fixed-window kinds that started before it. */
export async function deleteEndedFacts(
  db: Db,
  cut: number,
  fixedWindowKinds: readonly string[],
): Promise<number> {
  return deletedRows(
    await db
      .deleteFrom('facts')
      .where((eb) =>
        eb.or([
          eb('to_ms', '<', cut),
          eb.and([eb('to_ms', 'is', null), eb('kind', 'in', fixedWindowKinds), eb('from_ms', '<', cut)]),
        ]),
      )
      .execute(),
  );
}

/** The invalid-row reports of imports started before `cut`. */
export async function deleteOldImportErrors(db: Db, cut: number): Promise<number> {
  const oldImports = db.selectFrom('imports').select('id').where('started_at', '<', cut);
  return deletedRows(await db.deleteFrom('import_errors').where('import_id', 'in', oldImports).execute());
}

/** Records that end nothing else: of `byStart` kinds started before `cut`, of `byEnd` kinds ended before it. */
export async function deleteStandaloneRecords(
  db: Db,
  cut: number,
  byStart: readonly string[],
  byEnd: readonly string[],
): Promise<number> {
  return deletedRows(
    await db
      .deleteFrom('epidemic_records')
      .where((eb) =>
        eb.or([
          eb.and([eb('kind', 'in', byStart), eb('from_ms', '<', cut)]),
          eb.and([eb('kind', 'in', byEnd), eb('to_ms', '<', cut)]),
        ]),
      )
      .execute(),
  );
}

/** Document keys after `afterKey` (in order) holding a record that ended, or started open, before `cut`. */
export async function documentKeysWithOldRecords(
  db: Db,
  afterKey: string,
  cut: number,
  limit: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('epidemic_records')
    .select('document_key')
    .distinct()
    .where('document_key', '>', afterKey)
    .where((eb) => eb.or([eb('to_ms', '<', cut), eb.and([eb('to_ms', 'is', null), eb('from_ms', '<', cut)])]))
    .orderBy('document_key')
    .limit(limit)
    .execute();
  return rows.map((r) => r.document_key);
}

/** Every record imported under one document. */
export async function deleteRecordsOfDocument(db: Db, documentKey: string): Promise<number> {
  return deletedRows(
    await db.deleteFrom('epidemic_records').where('document_key', '=', documentKey).execute(),
  );
}

/** The purge's own record: when, by whom, with which cut-offs, and what went. */
export async function insertPurge(
  db: Db,
  purge: { at: number; actor: string; cutoffs: Record<string, number>; deleted: Record<string, number> },
): Promise<void> {
  await db
    .insertInto('purges')
    .values({
      at: purge.at,
      actor: purge.actor,
      cutoffs: JSON.stringify(purge.cutoffs),
      deleted: JSON.stringify(purge.deleted),
    })
    .execute();
}

/**
 * Feedback or appeals whose last change is before `cut`, with their attachments (issue 10): the
 * attachments first, so none is left without its owner.
 */
export async function deleteFeedbackBefore(
  db: Db,
  table: 'feedback' | 'appeals',
  cut: number,
): Promise<{ rows: number; attachments: number }> {
  const kind = table === 'feedback' ? 'feedback' : 'appeal';
  const old = db.selectFrom(table).select('id').where('updated_at', '<', cut);
  const attachments = deletedRows(
    await db.deleteFrom('attachments').where('owner_kind', '=', kind).where('owner_id', 'in', old).execute(),
  );
  const rows = deletedRows(await db.deleteFrom(table).where('updated_at', '<', cut).execute());
  return { rows, attachments };
}

/** Attachments whose feedback or appeal is gone (deleted with its resident, or by a purge that stopped). */
export async function deleteOrphanAttachments(db: Db): Promise<number> {
  return deletedRows(
    await db
      .deleteFrom('attachments')
      .where((eb) =>
        eb.or([
          eb.and([
            eb('owner_kind', '=', 'feedback'),
            eb('owner_id', 'not in', eb.selectFrom('feedback').select('id')),
          ]),
          eb.and([
            eb('owner_kind', '=', 'appeal'),
            eb('owner_id', 'not in', eb.selectFrom('appeals').select('id')),
          ]),
        ]),
      )
      .execute(),
  );
}
