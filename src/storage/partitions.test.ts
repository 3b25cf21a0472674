import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { sql } from 'kysely';
import { dialectSuiteOptions, openTestDatabase, POSTGRES_URL } from '../../test/support/platform.ts';
import { openPostgres, type Database } from './database.ts';
import {
  chinaDayStart,
  dayPartitionName,
  DAY_PARTITIONED_TABLES,
  dropDayPartitionsBefore,
  ensureDayPartitions,
  listPartitions,
} from './partitions.ts';

const DAY = 86_400_000;
/** 2026-11-25T10:00 China time. */
const T0 = Date.parse('2026-11-25T02:00:00Z');

async function tableOf(database: Database, table: string, where: string): Promise<string[]> {
  const r = await sql<{ part: string }>`select tableoid::regclass::text as part from ${sql.table(table)}
    where ${sql.raw(where)} order by 1`.execute(database.db);
  return r.rows.map((x) => x.part);
}

async function count(database: Database, table: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(database.db);
  return Number(r.rows[0]?.n);
}

void describe('day partitions (sqlite)', () => {
  test('SQLite keeps plain tables: nothing is partitioned and making partitions does nothing', async () => {
    const { database, dispose } = await openTestDatabase('sqlite');
    try {
      for (const table of DAY_PARTITIONED_TABLES) {
        assert.deepEqual(await listPartitions(database, table), []);
        assert.deepEqual(await ensureDayPartitions(database, table, T0, 3), []);
      }
    } finally {
      await dispose();
    }
  });
});

void describe('day partitions (postgres)', await dialectSuiteOptions('postgres'), () => {
  let database: Database;
  let dispose: () => Promise<void>;
  before(async () => {
    ({ database, dispose } = await openTestDatabase('postgres'));
  });
  after(() => dispose());

  test('China days: a partition runs from 00:00 to 24:00 UTC+8 and is named by that date', () => {
    const start = chinaDayStart(T0);
    assert.equal(new Date(start).toISOString(), '2026-11-24T16:00:00.000Z');
    assert.equal(chinaDayStart(start), start);
    assert.equal(chinaDayStart(start - 1), start - DAY);
    assert.equal(dayPartitionName('visits', start), 'visits_p20261125');
  });

  test('after the migrations the three tables are partitioned, with a default partition', async () => {
    for (const table of DAY_PARTITIONED_TABLES) {
      const kind = await sql<{
        relkind: string;
      }>`select relkind from pg_class where oid = to_regclass(${table})`.execute(database.db);
      assert.equal(kind.rows[0]?.relkind, 'p', table);
      const parts = await listPartitions(database, table);
      assert.ok(
        parts.some((p) => p.name === `${table}_default` && p.from === null),
        parts.map((p) => p.name).join(),
      );
    }
  });

  test('partitions are made for the days asked, once; a write for a day without one goes to the default partition and moves into its day when that is made', async () => {
    const made = await ensureDayPartitions(database, 'verifications', T0, 3);
    assert.deepEqual(made, ['verifications_p20261125', 'verifications_p20261126', 'verifications_p20261127']);
    assert.deepEqual(await ensureDayPartitions(database, 'verifications', T0 + DAY, 2), []);
    const later = T0 + 10 * DAY;
    await database.db
      .insertInto('verifications')
      .values([
        { at: T0, staff_id: 1, valid: 1 },
        { at: later, staff_id: 1, valid: 1 },
        { at: later + 1, staff_id: 2, valid: 0 },
      ])
      .execute();
    assert.deepEqual(await tableOf(database, 'verifications', `at = ${T0}`), ['verifications_p20261125']);
    assert.deepEqual(await tableOf(database, 'verifications', `at >= ${later}`), [
      'verifications_default',
      'verifications_default',
    ]);
    assert.deepEqual(await ensureDayPartitions(database, 'verifications', later, 1), [
      'verifications_p20261205',
    ]);
    assert.deepEqual(await tableOf(database, 'verifications', `at >= ${later}`), [
      'verifications_p20261205',
      'verifications_p20261205',
    ]);
    assert.equal(await count(database, 'verifications_default'), 0);
  });

  test('past days are dropped whole and counted; the default partition loses only its rows before the cut', async () => {
    await ensureDayPartitions(database, 'visits', T0 - 3 * DAY, 4);
    const day = (n: number) => chinaDayStart(T0) + n * DAY;
    const rows = [
      { at: day(-3) + 5, n: 2 },
      { at: day(-2) + 1_000, n: 3 },
      { at: day(-1) + 7_200_000, n: 1 },
      { at: day(0) + 60_000, n: 4 },
      // No partitions for these: the default partition.
      { at: day(-40), n: 2 },
      { at: day(30), n: 1 },
    ];
    await database.db
      .insertInto('visits')
      .values(
        rows.flatMap((r) =>
          Array.from({ length: r.n }, (_, i) => ({ resident_id: i + 1, venue_id: 1, at: r.at })),
        ),
      )
      .execute();
    // The cut falls inside day -1: that day is kept whole; days -3 and -2 go.
    const result = await dropDayPartitionsBefore(database, 'visits', day(-1) + 3_600_000);
    assert.deepEqual(result.partitions, ['visits_p20261122', 'visits_p20261123']);
    assert.deepEqual(result.busy, []);
    assert.equal(result.rows, 2 + 3 + 2, 'two days dropped plus the default partition’s old rows');
    const left = (await listPartitions(database, 'visits')).map((p) => p.name);
    assert.ok(!left.includes('visits_p20261122') && !left.includes('visits_p20261123'), left.join());
    assert.ok(left.includes('visits_p20261124') && left.includes('visits_p20261125'), left.join());
    assert.equal(await count(database, 'visits'), 1 + 4 + 1);
    assert.equal(await count(database, 'visits_default'), 1, 'the future row stays');
    const again = await dropDayPartitionsBefore(database, 'visits', day(-1) + 3_600_000);
    assert.deepEqual(again, { rows: 0, partitions: [], busy: [] });
  });

  test('a partition whose table stays locked is left for the next purge, not waited for', async () => {
    await ensureDayPartitions(database, 'checkpoint_checks', T0 - 5 * DAY, 1);
    const name = dayPartitionName('checkpoint_checks', chinaDayStart(T0 - 5 * DAY));
    const client = new pg.Client({
      connectionString: POSTGRES_URL,
      options: `-c search_path=${await schemaOf(database)}`,
    });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`lock table ${name} in access share mode`);
      await client.query(`select 1 from ${name} limit 1`);
      // A reader holds the partition: the drop's lock is refused after the lock timeout.
      const result = await dropDayPartitionsBefore(database, 'checkpoint_checks', T0 - 3 * DAY);
      assert.deepEqual(result.busy, [name]);
      assert.ok(!result.partitions.includes(name));
      await client.query('rollback');
      const next = await dropDayPartitionsBefore(database, 'checkpoint_checks', T0 - 3 * DAY);
      assert.ok(next.partitions.includes(name));
    } finally {
      await client.end();
    }
  });
});

async function schemaOf(database: Database): Promise<string> {
  const r = await sql<{ s: string }>`select current_schema() as s`.execute(database.db);
  return r.rows[0]?.s ?? 'public';
}

void describe(
  'migration 016 converts existing tables (postgres)',
  await dialectSuiteOptions('postgres'),
  () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    let client: pg.Client;
    before(async () => {
      client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
      await client.connect();
    });
    after(async () => {
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    });

    test('rows keep their values and ids, land in their day partitions, and identities continue after them', async () => {
      const old = await openPostgres({ url: POSTGRES_URL, schema, poolSize: 2, migrateUpTo: '015-channels' });
      const kind = await client.query<{ relkind: string }>(
        `select relkind from pg_class where oid = to_regclass('visits')`,
      );
      assert.equal(kind.rows[0]?.relkind, 'r', 'a plain table before 016');
      await client.query(
        `insert into verifications (at, staff_id, resident_id, kid, valid, reason, colour) values
      ($1, 7, 70, 'k1', 1, null, 'green'), ($2, 7, null, null, 0, 'expired', null), ($3, 8, 71, 'k1', 1, null, 'red')`,
        [T0, T0 - DAY, T0 - 20 * DAY],
      );
      await client.query(`insert into visits (resident_id, venue_id, at) values (70, 3, $1), (71, 3, $2)`, [
        T0,
        T0 + DAY,
      ]);
      await client.query(
        `insert into checkpoint_checks (id, client_check_id, venue_id, staff_id, resident_id, checked_at, recorded_at,
        outcome, reasons, colour, masked_name, temperature_deci_c, mask_worn, code_status, code_reason, offline, policy_version)
       values ('c1', 'k-1', 3, 7, 70, $1, $1, 'pass', '[]', 'green', '张*', 365, 1, 'valid', null, null, 'v1'),
              ('c2', 'k-2', 3, 7, null, $2, $1, 'refuse', '["no_code"]', null, null, null, null, 'none', null, '{"a":1}', 'v1')`,
        [T0, T0 - 2 * DAY],
      );
      const before = await snapshot(client);
      await old.close();

      const migrated = await openPostgres({ url: POSTGRES_URL, schema, poolSize: 2 });
      try {
        assert.deepEqual(await snapshot(client), before, 'every row and value as it was');
        const parts = async (table: string) =>
          (
            await client.query<{ p: string }>(`select tableoid::regclass::text as p from ${table} order by 1`)
          ).rows.map((r) => r.p);
        assert.deepEqual(await parts('verifications'), [
          'verifications_p20261105',
          'verifications_p20261124',
          'verifications_p20261125',
        ]);
        assert.deepEqual(await parts('visits'), ['visits_p20261125', 'visits_p20261126']);
        assert.deepEqual(await parts('checkpoint_checks'), [
          'checkpoint_checks_p20261123',
          'checkpoint_checks_p20261125',
        ]);
        // The identity goes on after the copied ids.
        const next = await client.query<{ id: string }>(
          `insert into verifications (at, staff_id, valid) values ($1, 1, 1) returning id`,
          [T0],
        );
        assert.equal(Number(next.rows[0]?.id), 4);
        const visit = await client.query<{ id: string }>(
          `insert into visits (resident_id, venue_id, at) values (1, 1, $1) returning id`,
          [T0],
        );
        assert.equal(Number(visit.rows[0]?.id), 3);
        // client_check_id stays unique within its day partition.
        await assert.rejects(
          client.query(
            `insert into checkpoint_checks (id, client_check_id, venue_id, staff_id, checked_at, recorded_at, outcome,
            reasons, code_status, policy_version) values ('c3', 'k-1', 3, 7, $1, $1, 'pass', '[]', 'none', 'v1')`,
            [T0 + 1],
          ),
          /checkpoint_checks_p20261125_client_check_id/,
        );
        const old = await client.query(
          `select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and (c.relname like '%_unpartitioned' or c.relname like '%_old')`,
        );
        assert.equal(old.rowCount, 0, 'nothing of the old tables is left');
      } finally {
        await migrated.close();
      }
    });
  },
);

async function snapshot(client: pg.Client): Promise<unknown> {
  const all = async (q: string): Promise<unknown[]> => (await client.query<Record<string, unknown>>(q)).rows;
  return {
    verifications: await all('select * from verifications order by id'),
    visits: await all('select * from visits order by id'),
    checks: await all('select * from checkpoint_checks order by id'),
  };
}
