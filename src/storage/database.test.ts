import assert from 'node:assert/strict';
import { describe, test, before, after } from 'node:test';
import { dialectSuiteOptions, openTestDatabase } from '../../test/support/platform.ts';
import type { Database } from './database.ts';

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
