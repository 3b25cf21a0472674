import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 9 item 7: an officer ends or withdraws a fact that an officer or an import recorded. One
 * row per (resident, fact): the latest correction counts. Import facts are re-derived from records
 * on every assessment, so the correction lives beside them rather than in `facts`.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const ref = ms;
  await db.schema
    .createTable('fact_corrections')
    .addColumn('resident_id', ref, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('fact_id', 'text', (c) => c.notNull())
    /** 'end': the fact ended at `to_ms`; 'withdraw': it was recorded in error and counts for nothing. */
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('to_ms', ms)
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('staff_id', ref, (c) => c.notNull())
    .addColumn('corrected_at', ms, (c) => c.notNull())
    .addPrimaryKeyConstraint('fact_corrections_pk', ['resident_id', 'fact_id'])
    .execute();
}
