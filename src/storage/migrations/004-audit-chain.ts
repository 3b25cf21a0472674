import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * P3: the audit log becomes a hash chain. Each row stores the hash of the row before it and its own
 * hash over both, so changing or deleting a row breaks every hash after it. Rows written before
 * this migration keep null hashes and are reported as unchained by the verifier.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('prev_hash', 'text').execute();
  await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
}
