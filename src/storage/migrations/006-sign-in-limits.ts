import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/**
 * Issue 8 finding 2: sign-in limits that hold under concurrency on both databases.
 * - `sign_in_limits`: one row per number, upserted first in every code request and guess, so on
 *   PostgreSQL the requests of one number take its row lock and run one after another (SQLite
 *   transactions are serial already).
 * - `sign_in_guesses`: one row per wrong guess, so the wrong-guess budget is per number and rolling
 *   hour, across codes (a new code does not give new tries).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();

  await db.schema
    .createTable('sign_in_limits')
    .addColumn('mobile', 'text', (c) => c.primaryKey())
    .addColumn('touched_at', ms, notNull)
    .execute();
  await db.schema.createIndex('sign_in_limits_touched').on('sign_in_limits').column('touched_at').execute();

  await db.schema
    .createTable('sign_in_guesses')
    .addColumn('id', ms, id)
    .addColumn('mobile', 'text', notNull)
    .addColumn('code_id', ms, notNull)
    .addColumn('at', ms, notNull)
    .execute();
  await db.schema
    .createIndex('sign_in_guesses_mobile')
    .on('sign_in_guesses')
    .columns(['mobile', 'at'])
    .execute();
  await db.schema.createIndex('sign_in_guesses_at').on('sign_in_guesses').column('at').execute();
}
