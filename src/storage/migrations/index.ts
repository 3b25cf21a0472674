import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { Dialect } from '../database.ts';
import * as m001 from './001-core.ts';
import * as m002 from './002-epidemic-data.ts';
import * as m003 from './003-venues.ts';
import * as m004 from './004-audit-chain.ts';
import * as m005 from './005-import-jurisdiction.ts';
import * as m006 from './006-sign-in-limits.ts';
import * as m007 from './007-sign-in-throttles.ts';
import * as m008 from './008-fact-corrections.ts';
import * as m009 from './009-family-members.ts';
import * as m010 from './010-arrival-declarations.ts';
import * as m011 from './011-staff-accounts.ts';
import * as m012 from './012-feedback-appeals.ts';
import * as m013 from './013-overrides-complaints.ts';
import * as m014 from './014-totp-sealing.ts';
import * as m015 from './015-channels.ts';
import * as m016 from './016-day-partitions.ts';

/**
 * Migrations are frozen in time: each file imports nothing from src/ and receives the dialect,
 * since a few column types differ between SQLite and PostgreSQL.
 */
interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

const MIGRATIONS: Record<string, DialectMigration> = {
  '001-core': m001,
  '002-epidemic-data': m002,
  '003-venues': m003,
  '004-audit-chain': m004,
  '005-import-jurisdiction': m005,
  '006-sign-in-limits': m006,
  '007-sign-in-throttles': m007,
  '008-fact-corrections': m008,
  '009-family-members': m009,
  '010-arrival-declarations': m010,
  '011-staff-accounts': m011,
  '012-feedback-appeals': m012,
  '013-overrides-complaints': m013,
  '014-totp-sealing': m014,
  '015-channels': m015,
  '016-day-partitions': m016,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, dialect: Dialect, schema?: string): Promise<void> {
  await migrateTo(db, dialect, null, schema);
}

/**
 * Runs the migrations up to and including `target` (all of them when null). Tests use a target to
 * build a database as an older release left it, then migrate it further.
 */
export async function migrateTo(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
  db: Kysely<any>,
  dialect: Dialect,
  target: string | null,
  schema?: string,
): Promise<void> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(MIGRATIONS).map(([name, m]): [string, Migration] => [
          name,
          { up: (d: Kysely<unknown>) => m.up(d, dialect) },
        ]),
      ),
  };
  const migrator = new Migrator({
    db,
    provider,
    ...(schema !== undefined ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await (target === null
    ? migrator.migrateToLatest()
    : migrator.migrateTo(target));
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${cause}`);
  }
}
