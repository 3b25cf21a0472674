import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 8 finding 1: staff sign-in is limited per account and per client address. One row per
 * key (`account:<username>` or `address:<ip>`): the tries in the current window and, once the
 * limit is reached, when the lock-out ends. Rows are changed by single atomic upserts.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  await db.schema
    .createTable('sign_in_throttles')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_started_at', ms, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('locked_until', ms)
    .execute();
}
