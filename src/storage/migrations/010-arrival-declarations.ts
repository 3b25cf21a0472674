import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 9 items 5–6: arrival declarations (S8, S9). One row per person declared for: a proxy who
 * declares a family member travelling along writes a row for the member too, with the same
 * `group_id`. The facts a domestic declaration establishes are in `facts` (source 'declaration',
 * source_ref the declaration id); the row keeps what was declared.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  await db.schema
    .createTable('arrival_declarations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('resident_id', ms, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    .addColumn('declared_by_resident_id', ms, (c) => c.notNull())
    /** 'domestic' | 'overseas' */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('origin_division', 'text')
    /** JSON array of ISO 3166-1 alpha-2 codes (overseas). */
    .addColumn('countries', 'text', (c) => c.notNull())
    .addColumn('departed_on', ms, (c) => c.notNull())
    .addColumn('arrived_on', ms, (c) => c.notNull())
    .addColumn('transport_mode', 'text', (c) => c.notNull())
    .addColumn('transport_number', 'text')
    /** JSON: { familyMemberIds, names } */
    .addColumn('companions', 'text', (c) => c.notNull())
    .addColumn('home_code_colour', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('arrival_declarations_resident')
    .on('arrival_declarations')
    .columns(['resident_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('arrival_declarations_declarer')
    .on('arrival_declarations')
    .columns(['declared_by_resident_id', 'created_at'])
    .execute();
}
