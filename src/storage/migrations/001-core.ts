import type { ColumnDefinitionBuilder, CreateTableBuilder, Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';
type Table = CreateTableBuilder<string, never>;

/** Auto-increment integer id: SQLite's rowid alias vs a PostgreSQL identity column. */
function withId(t: Table, dialect: Dialect): Table {
  return dialect === 'sqlite'
    ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    : t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
}

/** Epoch milliseconds need 64 bits; SQLite integers are 64-bit already. */
function time(dialect: Dialect): 'integer' | 'bigint' {
  return dialect === 'sqlite' ? 'integer' : 'bigint';
}

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = time(dialect);
  const ref = dialect === 'sqlite' ? 'integer' : 'bigint';

  await withId(db.schema.createTable('accounts'), dialect)
    .addColumn('mobile', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ms, notNull)
    .execute();

  await withId(db.schema.createTable('sign_in_codes'), dialect)
    .addColumn('mobile', 'text', notNull)
    .addColumn('code_hash', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .addColumn('expires_at', ms, notNull)
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', ms)
    .execute();
  await db.schema
    .createIndex('sign_in_codes_mobile')
    .on('sign_in_codes')
    .columns(['mobile', 'created_at'])
    .execute();

  await withId(db.schema.createTable('staff'), dialect)
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', notNull)
    .addColumn('password_hash', 'text', notNull)
    .addColumn('role', 'text', notNull)
    .addColumn('division_code', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .addColumn('disabled_at', ms)
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', notNull)
    .addColumn('account_id', ref, (c) => c.references('accounts.id').onDelete('cascade'))
    .addColumn('staff_id', ref, (c) => c.references('staff.id').onDelete('cascade'))
    .addColumn('created_at', ms, notNull)
    .addColumn('expires_at', ms, notNull)
    .addColumn('revoked_at', ms)
    .execute();
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();

  await withId(db.schema.createTable('residents'), dialect)
    .addColumn('account_id', ref, (c) => c.notNull().references('accounts.id'))
    .addColumn('document_key', 'text', (c) => c.notNull().unique())
    .addColumn('document_type', 'text', notNull)
    .addColumn('document_number', 'text', notNull)
    .addColumn('name', 'text', notNull)
    .addColumn('mobile', 'text', notNull)
    .addColumn('nationality', 'text', notNull)
    .addColumn('address_division', 'text', notNull)
    .addColumn('address_detail', 'text', notNull)
    .addColumn('contact_history', 'text', notNull)
    .addColumn('health_card_id', 'text', (c) => c.notNull().unique())
    .addColumn('pledged_at', ms, notNull)
    .addColumn('created_at', ms, notNull)
    .addColumn('updated_at', ms, notNull)
    .addColumn('codes_valid_after', ms, (c) => c.notNull().defaultTo(0))
    .addColumn('colour', 'text', notNull)
    .addColumn('colour_until', ms)
    .addColumn('colour_reasons', 'text', notNull)
    .addColumn('colour_policy_version', 'text', notNull)
    .addColumn('colour_assessed_at', ms, notNull)
    .execute();
  // One self-application per signed-in account (family members by proxy come later).
  await db.schema.createIndex('residents_account').on('residents').column('account_id').unique().execute();
  await db.schema.createIndex('residents_division').on('residents').column('address_division').execute();

  await db.schema
    .createTable('facts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', ref, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('kind', 'text', notNull)
    .addColumn('from_ms', ms, notNull)
    .addColumn('to_ms', ms)
    .addColumn('attributes', 'text', notNull)
    .addColumn('source', 'text', notNull)
    .addColumn('source_ref', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .execute();
  await db.schema.createIndex('facts_resident').on('facts').column('resident_id').execute();

  await db.schema
    .createTable('risk_areas')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('division_code', 'text', notNull)
    .addColumn('sub_area', 'text')
    .addColumn('level', 'text', notNull)
    .addColumn('from_ms', ms, notNull)
    .addColumn('to_ms', ms)
    .addColumn('note', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .addColumn('created_by', ref)
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('effective_from', ms, notNull)
    .addColumn('body', 'text', notNull)
    .addColumn('published_at', ms, notNull)
    .addColumn('published_by', ref)
    .execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('seed', 'text', notNull)
    .addColumn('secret', 'text', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .addColumn('activated_at', ms)
    .addColumn('retired_at', ms)
    .execute();

  await withId(db.schema.createTable('verifications'), dialect)
    .addColumn('at', ms, notNull)
    .addColumn('staff_id', ref, notNull)
    .addColumn('resident_id', ref)
    .addColumn('kid', 'text')
    .addColumn('valid', 'integer', notNull)
    .addColumn('reason', 'text')
    .addColumn('colour', 'text')
    .execute();
  await db.schema.createIndex('verifications_at').on('verifications').column('at').execute();

  await withId(db.schema.createTable('audit_log'), dialect)
    .addColumn('at', ms, notNull)
    .addColumn('actor_kind', 'text', notNull)
    .addColumn('actor_id', ref)
    .addColumn('action', 'text', notNull)
    .addColumn('resident_id', ref)
    .addColumn('detail', 'text', notNull)
    .execute();
  await db.schema.createIndex('audit_log_resident').on('audit_log').columns(['resident_id', 'at']).execute();

  await db.schema
    .createTable('platform_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .execute();
}
