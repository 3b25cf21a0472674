import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 10 items 4–5: colour overrides (P4) and venue complaints (S16).
 *
 * An override is requested by one officer and takes effect only once a second officer approves it
 * (`approved_at`); it ends by itself at `ends_at`. `division_code` is the resident's address
 * division when requested, for the approver's jurisdiction check and the officers' lists.
 *
 * A complaint names a venue and goes to the venue's district (`division_code`, copied from the venue
 * when filed, so the district's list is one index range).
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  await db.schema
    .createTable('colour_overrides')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', ms, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('division_code', 'text', (c) => c.notNull())
    /** 'green' | 'yellow' | 'red' */
    .addColumn('colour', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('ends_at', ms, (c) => c.notNull())
    .addColumn('requested_by', ms, (c) => c.notNull())
    .addColumn('requested_at', ms, (c) => c.notNull())
    .addColumn('approved_by', ms)
    .addColumn('approved_at', ms)
    .execute();
  await db.schema
    .createIndex('colour_overrides_resident')
    .on('colour_overrides')
    .columns(['resident_id', 'ends_at'])
    .execute();
  await db.schema.createIndex('colour_overrides_ends').on('colour_overrides').column('ends_at').execute();

  await db.schema
    .createTable('venue_complaints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('venue_id', ms, (c) => c.notNull().references('venues.id').onDelete('cascade'))
    .addColumn('division_code', 'text', (c) => c.notNull())
    .addColumn('resident_id', ms, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    /** 'does_not_check' | 'records_health_info' | 'turns_green_away' */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('filed_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('venue_complaints_venue')
    .on('venue_complaints')
    .columns(['venue_id', 'filed_at'])
    .execute();
  await db.schema
    .createIndex('venue_complaints_division')
    .on('venue_complaints')
    .columns(['division_code', 'filed_at'])
    .execute();
  await db.schema.createIndex('venue_complaints_filed').on('venue_complaints').column('filed_at').execute();
}
