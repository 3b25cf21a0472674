import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/**
 * Issue 4: venues with their place code, checkpoint staff tied to a venue, door checks, visits
 * (place-code scans), reports to the district office and their webhook outbox, and the versioned
 * checkpoint policy (S12).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const ref = ms;
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();

  await db.schema
    .createTable('venues')
    .addColumn('id', ms, id)
    .addColumn('name', 'text', notNull)
    .addColumn('kind', 'text', notNull)
    .addColumn('division_code', 'text', notNull)
    .addColumn('address_detail', 'text', notNull)
    .addColumn('contact_name', 'text', notNull)
    .addColumn('contact_mobile', 'text', notNull)
    .addColumn('manager_account_id', ref, (c) => c.notNull().references('accounts.id'))
    .addColumn('status', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .addColumn('approved_at', ms)
    .addColumn('approved_by', ref)
    // 0 until approval; each revocation moves it on, and codes of older versions stop working.
    .addColumn('place_code_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('place_code_issued_at', ms)
    .addColumn('place_code', 'text')
    .execute();
  await db.schema.createIndex('venues_division').on('venues').columns(['division_code', 'status']).execute();
  await db.schema.createIndex('venues_manager').on('venues').column('manager_account_id').execute();

  await db.schema.alterTable('staff').addColumn('venue_id', ref).execute();
  await db.schema.createIndex('staff_venue').on('staff').column('venue_id').execute();

  // The id is a UUID made by the server before the group-committed insert, so the response can
  // name the check without waiting for an identity value.
  await db.schema
    .createTable('checkpoint_checks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_check_id', 'text', (c) => c.notNull().unique())
    .addColumn('venue_id', ref, notNull)
    .addColumn('staff_id', ref, notNull)
    .addColumn('resident_id', ref)
    .addColumn('checked_at', ms, notNull)
    .addColumn('recorded_at', ms, notNull)
    .addColumn('outcome', 'text', notNull)
    .addColumn('reasons', 'text', notNull)
    .addColumn('colour', 'text')
    .addColumn('masked_name', 'text')
    .addColumn('temperature_deci_c', 'integer')
    .addColumn('mask_worn', 'integer')
    .addColumn('code_status', 'text', notNull)
    .addColumn('code_reason', 'text')
    .addColumn('offline', 'text')
    .addColumn('policy_version', 'text', notNull)
    .execute();
  await db.schema
    .createIndex('checkpoint_checks_venue')
    .on('checkpoint_checks')
    .columns(['venue_id', 'checked_at'])
    .execute();
  await db.schema.createIndex('checkpoint_checks_at').on('checkpoint_checks').column('checked_at').execute();

  await db.schema
    .createTable('visits')
    .addColumn('id', ms, id)
    .addColumn('resident_id', ref, notNull)
    .addColumn('venue_id', ref, notNull)
    .addColumn('at', ms, notNull)
    .execute();
  await db.schema.createIndex('visits_venue').on('visits').columns(['venue_id', 'at']).execute();
  await db.schema.createIndex('visits_at').on('visits').column('at').execute();

  await db.schema
    .createTable('reports')
    .addColumn('id', ms, id)
    .addColumn('venue_id', ref, notNull)
    .addColumn('division_code', 'text', notNull)
    .addColumn('kind', 'text', notNull)
    .addColumn('state', 'text', notNull)
    .addColumn('resident_id', ref)
    .addColumn('masked_name', 'text')
    // One report per check: a replayed upload or a retry after a crash never reports twice.
    .addColumn('check_id', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ms, notNull)
    .addColumn('acknowledged_at', ms)
    .addColumn('acknowledged_by', ref)
    .addColumn('handled_at', ms)
    .addColumn('handled_by', ref)
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('reports_division').on('reports').columns(['division_code', 'id']).execute();
  await db.schema.createIndex('reports_created').on('reports').column('created_at').execute();

  await db.schema
    .createTable('report_outbox')
    .addColumn('id', ms, id)
    .addColumn('report_id', ref, notNull)
    .addColumn('event', 'text', notNull)
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', ms)
    .addColumn('delivered_at', ms)
    .addColumn('last_error', 'text')
    .addColumn('created_at', ms, notNull)
    .execute();
  await db.schema
    .createIndex('report_outbox_due')
    .on('report_outbox')
    .columns(['delivered_at', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('checkpoint_policies')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('effective_from', ms, notNull)
    .addColumn('body', 'text', notNull)
    .addColumn('published_at', ms, notNull)
    .addColumn('published_by', ref)
    .execute();
}
