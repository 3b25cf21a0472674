import { sql, type Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 9 items 1–2: family members by proxy and paper codes.
 *
 * - A member's record is a resident like any other; it belongs to a stand-in account
 *   (`accounts.kind = 'stand_in'`, mobile `stand-in:<uuid>`, which can never sign in), so every
 *   index and lookup keyed by account stays one-record-per-account. When the member later signs in
 *   with their own number and the same document, the record moves to that account.
 * - `family_bindings`: who holds whose code. Removal keeps the row (removed_at, removed_by), so the
 *   member's history of who held their code stays readable.
 * - `paper_codes`: one printed code per row; a resident has at most one in force (reprinting ends
 *   the old one, revoking ends it without a new one).
 * - Test and vaccination status on `residents` (item 4), kept up to date with the colour, so a scan
 *   reads it with the same one-row lookup.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const ref = ms;
  await db.schema
    .alterTable('accounts')
    .addColumn('kind', 'text', (c) => c.notNull().defaultTo('mobile'))
    .execute();

  await db.schema.alterTable('residents').addColumn('last_negative_test_at', ms).execute();
  await db.schema
    .alterTable('residents')
    .addColumn('vaccine_doses', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('residents').addColumn('last_vaccine_at', ms).execute();

  await db.schema
    .createTable('family_bindings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('proxy_resident_id', ref, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('member_resident_id', ref, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('relationship', 'text', (c) => c.notNull())
    .addColumn('pledged_at', ms, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('removed_at', ms)
    .addColumn('removed_by', 'text')
    .execute();
  await db.schema
    .createIndex('family_bindings_proxy')
    .on('family_bindings')
    .column('proxy_resident_id')
    .where(sql.ref('removed_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('family_bindings_member')
    .on('family_bindings')
    .column('member_resident_id')
    .where(sql.ref('removed_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('family_bindings_active_pair')
    .on('family_bindings')
    .columns(['proxy_resident_id', 'member_resident_id'])
    .unique()
    .where(sql.ref('removed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('paper_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', ref, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    /** The token's iat in whole seconds: the paper token carries it, so a scan finds its row. */
    .addColumn('issued_at_s', ms, (c) => c.notNull())
    .addColumn('expires_at', ms, (c) => c.notNull())
    .addColumn('colour', 'text', (c) => c.notNull())
    .addColumn('printed_by_resident_id', ref)
    .addColumn('printed_by_staff_id', ref)
    .addColumn('ended_at', ms)
    /** 'reprinted' | 'revoked' */
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema
    .createIndex('paper_codes_resident')
    .on('paper_codes')
    .columns(['resident_id', 'issued_at_s'])
    .unique()
    .execute();
}
