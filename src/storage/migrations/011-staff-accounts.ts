import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 10, staff accounts over the API:
 *
 * - `staff_divisions`: further divisions of a staff member's jurisdiction, beside `staff.division_code`
 *   (an officer serving several counties); the jurisdiction is the union.
 * - `staff.totp_secret`: the second factor's secret once enrolled; `staff.password_set_at`: when the
 *   staff member chose the password (null while an account waits for its one-time link).
 * - `staff_setup_tokens`: one-time links to set the password, stored as SHA-256, single use, with
 *   an expiry.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const ref = dialect === 'sqlite' ? 'integer' : 'bigint';
  await db.schema
    .createTable('staff_divisions')
    .addColumn('staff_id', ref, (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('division_code', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('staff_divisions_pk', ['staff_id', 'division_code'])
    .execute();
  await db.schema.alterTable('staff').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('staff').addColumn('password_set_at', ms).execute();
  await db.schema
    .createTable('staff_setup_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', ref, (c) => c.notNull().references('staff.id').onDelete('cascade'))
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('used_at', ms)
    .execute();
  await db.schema
    .createIndex('staff_setup_tokens_staff')
    .on('staff_setup_tokens')
    .column('staff_id')
    .execute();
}
