import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * P3 (issue 8, finding 3): an import belongs to a jurisdiction, the division of the officer who
 * ran it ('000000', the whole province, for admins and the CLI), and so does every record it
 * stored. A record applies only to residents of the jurisdiction it was imported for; imports
 * are listed only to officers whose jurisdiction covers theirs. Rows stored before this
 * migration came from admins or the CLI, so they keep the whole province.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('imports')
    .addColumn('jurisdiction', 'text', (c) => c.notNull().defaultTo('000000'))
    .execute();
  await db.schema
    .alterTable('epidemic_records')
    .addColumn('jurisdiction', 'text', (c) => c.notNull().defaultTo('000000'))
    .execute();
}
