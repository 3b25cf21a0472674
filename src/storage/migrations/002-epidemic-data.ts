import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

/**
 * Issue 3: bulk epidemic records, imports and their errors, colour events and daily counts, purge
 * records; lifting risk areas and withdrawing policies keep their history.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const ref = ms;
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity();

  // Records as imported, kept whether or not the person has registered yet; matched to residents
  // by the keyed document hash, so no document number is stored a second time.
  await db.schema
    .createTable('epidemic_records')
    .addColumn('id', ms, id)
    .addColumn('kind', 'text', notNull)
    .addColumn('source_id', 'text', notNull)
    .addColumn('document_key', 'text', notNull)
    .addColumn('from_ms', ms, notNull)
    .addColumn('to_ms', ms)
    .addColumn('division_code', 'text')
    .addColumn('attributes', 'text', notNull)
    .addColumn('import_id', 'text', notNull)
    .addColumn('created_at', ms, notNull)
    .addUniqueConstraint('epidemic_records_source', ['kind', 'source_id'])
    .execute();
  await db.schema
    .createIndex('epidemic_records_document')
    .on('epidemic_records')
    .column('document_key')
    .execute();
  // Partial: only stays are looked up by division, and most records are not stays.
  await db.schema
    .createIndex('epidemic_records_stay')
    .on('epidemic_records')
    .column('division_code')
    .where(sql.ref('kind'), '=', 'stay')
    .execute();

  await db.schema
    .createTable('imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', notNull)
    .addColumn('format', 'text', notNull)
    .addColumn('strict', 'integer', notNull)
    .addColumn('status', 'text', notNull)
    .addColumn('file_name', 'text', notNull)
    .addColumn('bytes_total', ms)
    .addColumn('bytes_read', ms, (c) => c.notNull().defaultTo(0))
    .addColumn('rows_read', ms, (c) => c.notNull().defaultTo(0))
    .addColumn('rows_imported', ms, (c) => c.notNull().defaultTo(0))
    .addColumn('rows_duplicate', ms, (c) => c.notNull().defaultTo(0))
    .addColumn('rows_invalid', ms, (c) => c.notNull().defaultTo(0))
    .addColumn('residents_matched', ms, (c) => c.notNull().defaultTo(0))
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_by', ref)
    .addColumn('started_at', ms, notNull)
    .addColumn('heartbeat_at', ms, notNull)
    .addColumn('finished_at', ms)
    .execute();
  await db.schema.createIndex('imports_started').on('imports').column('started_at').execute();

  await db.schema
    .createTable('import_errors')
    .addColumn('id', ms, id)
    .addColumn('import_id', 'text', notNull)
    .addColumn('line', ms, notNull)
    .addColumn('field', 'text', notNull)
    .addColumn('code', 'text', notNull)
    .addColumn('message', 'text', notNull)
    .execute();
  await db.schema
    .createIndex('import_errors_import')
    .on('import_errors')
    .columns(['import_id', 'line'])
    .execute();

  await db.schema
    .createTable('colour_events')
    .addColumn('id', ms, id)
    .addColumn('resident_id', ref, notNull)
    .addColumn('division_code', 'text', notNull)
    .addColumn('from_colour', 'text')
    .addColumn('to_colour', 'text', notNull)
    .addColumn('rule_id', 'text')
    .addColumn('policy_version', 'text', notNull)
    .addColumn('at', ms, notNull)
    .execute();
  await db.schema.createIndex('colour_events_at').on('colour_events').column('at').execute();
  await db.schema
    .createIndex('colour_events_resident')
    .on('colour_events')
    .columns(['resident_id', 'at'])
    .execute();

  await db.schema
    .createTable('colour_snapshots')
    .addColumn('day', 'text', notNull)
    .addColumn('division_code', 'text', notNull)
    .addColumn('colour', 'text', notNull)
    .addColumn('residents', ms, notNull)
    .addColumn('taken_at', ms, notNull)
    .addPrimaryKeyConstraint('colour_snapshots_pk', ['day', 'division_code', 'colour'])
    .execute();

  await db.schema
    .createTable('purges')
    .addColumn('id', ms, id)
    .addColumn('at', ms, notNull)
    .addColumn('actor', 'text', notNull)
    .addColumn('cutoffs', 'text', notNull)
    .addColumn('deleted', 'text', notNull)
    .execute();

  // Jobs that must run once per slot across all nodes (daily snapshot, purge): the node whose
  // insert of (job, slot) succeeds runs it.
  await db.schema
    .createTable('job_runs')
    .addColumn('job', 'text', notNull)
    .addColumn('slot', 'text', notNull)
    .addColumn('started_at', ms, notNull)
    .addColumn('finished_at', ms)
    .addPrimaryKeyConstraint('job_runs_pk', ['job', 'slot'])
    .execute();

  await db.schema.alterTable('risk_areas').addColumn('lifted_at', ms).execute();
  await db.schema.alterTable('risk_areas').addColumn('lifted_by', ref).execute();
  await db.schema.alterTable('policies').addColumn('withdrawn_at', ms).execute();
  await db.schema.alterTable('policies').addColumn('withdrawn_by', ref).execute();
  await db.schema.alterTable('policies').addColumn('note', 'text').execute();

  // Residents whose colour depends on risk areas (they have stays) are reassessed when an area
  // changes; the others are not touched.
  await db.schema
    .alterTable('residents')
    .addColumn('area_dependent', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // The scheduler looks every half minute for colours whose expected change time has passed.
  await db.schema
    .createIndex('residents_colour_until')
    .on('residents')
    .column('colour_until')
    .where(sql.ref('colour_until'), 'is not', null)
    .execute();

  await db.schema.alterTable('facts').addColumn('division_code', 'text').execute();
  await sql`update facts set division_code = ${
    dialect === 'sqlite'
      ? sql`json_extract(attributes, '$.divisionCode')`
      : sql`(attributes::json ->> 'divisionCode')`
  } where kind = 'stay'`.execute(db);
  await sql`update residents set area_dependent = 1 where id in (select resident_id from facts where kind = 'stay')`.execute(
    db,
  );
  await db.schema
    .createIndex('facts_stay')
    .on('facts')
    .column('division_code')
    .where(sql.ref('kind'), '=', 'stay')
    .execute();
}
