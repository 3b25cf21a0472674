import assert from 'node:assert/strict';
import { describe, test, before, after } from 'node:test';
import { sql } from 'kysely';
import { DIALECTS, dialectSuiteOptions, openTestDatabase } from '../../test/support/platform.ts';
import type { Database } from './database.ts';
import { visitInserter } from './venues.ts';
import { verificationInserter } from './audit.ts';

describe(
  'PostgreSQL introspection is scoped to the platform schema',
  await dialectSuiteOptions('postgres'),
  () => {
    let a: { database: Database; dispose: () => Promise<void> };
    let b: { database: Database; dispose: () => Promise<void> };
    before(async () => {
      a = await openTestDatabase('postgres');
      b = await openTestDatabase('postgres');
    });
    after(async () => {
      await a.dispose();
      await b.dispose();
    });

    test('getTables lists the tables of its own schema only, so a schema dropped elsewhere cannot break a migration', async () => {
      const tables = await a.database.db.introspection.getTables({ withInternalKyselyTables: true });
      const schemas = new Set(tables.map((t) => t.schema));
      assert.equal(schemas.size, 1, `tables from ${[...schemas].join(', ')}`);
      const names = tables.map((t) => t.name);
      assert.ok(names.includes('kysely_migration'));
      assert.ok(names.includes('residents'), names.join(', '));
      const other = await b.database.db.introspection.getTables({ withInternalKyselyTables: true });
      assert.notDeepEqual([...new Set(other.map((t) => t.schema))], [...schemas]);
    });

    test('opening while other schemas are created and dropped does not fail', async () => {
      const churn = Array.from({ length: 6 }, async () => {
        const x = await openTestDatabase('postgres');
        await x.dispose();
      });
      const opened = await openTestDatabase('postgres');
      await Promise.all(churn);
      const tables = await opened.database.db.introspection.getTables();
      assert.ok(tables.length > 10);
      await opened.dispose();
    });
  },
);

for (const dialect of DIALECTS) {
  describe(`batch inserts of the group-commit logs (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: { database: Database; dispose: () => Promise<void> };
    before(async () => {
      t = await openTestDatabase(dialect);
    });
    after(() => t.dispose());
    const count = async (table: string) =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.database.db))
          .rows[0]?.n,
      );
    const at = Date.parse('2026-11-25T02:00:00Z');

    test('a batch of visits and of verifications is stored whole, with every value', async () => {
      await visitInserter(t.database)(
        Array.from({ length: 300 }, (_, i) => ({ residentId: i + 1, venueId: 9, at: at + i })),
      );
      await verificationInserter(t.database)([
        { at, staffId: 1, residentId: 5, kid: 'k1', valid: true, reason: null, colour: 'green' },
        {
          at: at + 1,
          staffId: 2,
          residentId: null,
          kid: null,
          valid: false,
          reason: 'expired',
          colour: null,
        },
      ]);
      assert.equal(await count('visits'), 300);
      const v = await t.database.db.selectFrom('visits').selectAll().orderBy('at').execute();
      assert.deepEqual(
        [Number(v[299]?.resident_id), Number(v[299]?.venue_id), Number(v[299]?.at)],
        [300, 9, at + 299],
      );
      const rows = await t.database.db.selectFrom('verifications').selectAll().orderBy('at').execute();
      assert.deepEqual(
        rows.map((r) => [
          Number(r.at),
          Number(r.staff_id),
          r.resident_id === null ? null : Number(r.resident_id),
          r.kid,
          Number(r.valid),
          r.reason,
          r.colour,
        ]),
        [
          [at, 1, 5, 'k1', 1, null, 'green'],
          [at + 1, 2, null, null, 0, 'expired', null],
        ],
      );
    });

    test('a batch is one transaction: one bad row stores none of it', async () => {
      const before = await count('visits');
      const insert = t.database.prepareBatchInsert(
        'visits',
        ['resident_id', 'venue_id', 'at'],
        ['bigint', 'bigint', 'bigint'],
      );
      await assert.rejects(
        insert([
          [1, 1, at],
          [2, 1, null],
          [3, 1, at],
        ]),
      );
      assert.equal(await count('visits'), before);
    });

    test('without column types, more rows than one statement takes are stored in one transaction', async () => {
      const before = await count('visits');
      const insert = t.database.prepareBatchInsert('visits', ['resident_id', 'venue_id', 'at']);
      // 25,000 rows × 3 columns is over PostgreSQL's 65,535 parameters of a statement.
      const rows: (number | null)[][] = Array.from({ length: 25_000 }, (_, i) => [i + 1, 2, at + i]);
      await insert(rows);
      assert.equal(await count('visits'), before + 25_000);
      rows[24_999] = [1, 2, null];
      await assert.rejects(insert(rows));
      assert.equal(
        await count('visits'),
        before + 25_000,
        'the failing second statement took the first one back',
      );
    });
  });
}
