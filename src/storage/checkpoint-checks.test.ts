import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  DIALECTS,
  dialectSuiteOptions,
  openTestDatabase,
  POSTGRES_URL,
} from '../../test/support/platform.ts';
import {
  checkInserter,
  findCheckByClientId,
  MIDNIGHT_MARGIN_MS,
  type CheckRecord,
  type PendingCheck,
} from './checkpoint-checks.ts';
import { openPostgres, type Database } from './database.ts';
import { ensureDayPartitions } from './partitions.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 72 hours plus two minutes, as the checkpoint use case passes. */
const WINDOW = 72 * HOUR + 2 * 60_000;
/** 2026-11-25T23:59 China time. */
const BEFORE_MIDNIGHT = Date.parse('2026-11-25T15:59:00Z');
/** 2026-11-25T10:00 China time. */
const MORNING = Date.parse('2026-11-25T02:00:00Z');

function check(clientCheckId: string, checkedAt: number, recordedAt = checkedAt): CheckRecord {
  return {
    id: randomUUID(),
    clientCheckId,
    venueId: 1,
    staffId: 1,
    residentId: null,
    checkedAt,
    recordedAt,
    outcome: 'pass',
    reasons: [],
    colour: null,
    maskedName: null,
    temperatureDeciC: 365,
    maskWorn: true,
    codeStatus: 'none',
    codeReason: null,
    offline: null,
    policyVersion: 'v1',
  };
}

async function stored(database: Database, clientCheckId: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from checkpoint_checks
    where client_check_id = ${clientCheckId}`.execute(database.db);
  return Number(r.rows[0]?.n);
}

for (const dialect of DIALECTS) {
  describe(
    `checks are stored once per clientCheckId (${dialect})`,
    await dialectSuiteOptions(dialect),
    () => {
      let database: Database;
      let dispose: () => Promise<void>;
      let insert: (rows: readonly PendingCheck[]) => Promise<void>;
      before(async () => {
        ({ database, dispose } = await openTestDatabase(dialect));
        await ensureDayPartitions(database, 'checkpoint_checks', MORNING - 4 * DAY, 6);
        insert = checkInserter(database, { dedupeWindowMs: WINDOW });
      });
      after(() => dispose());

      test('a batch is stored together: every new row is marked inserted, twins in the batch keep the first', async () => {
        const key = randomUUID();
        const rows: PendingCheck[] = [
          { record: check(key, MORNING) },
          { record: check(randomUUID(), MORNING + 1) },
          { record: check(key, MORNING + 2) },
        ];
        await insert(rows);
        assert.deepEqual(
          rows.map((r) => r.inserted),
          [true, true, false],
        );
        assert.equal(await stored(database, key), 1);
        assert.equal((await findCheckByClientId(database, key))?.id, rows[0]?.record.id);
      });

      test('a retry the next day, with another check time, finds the check stored before midnight', async () => {
        const key = randomUUID();
        const first: PendingCheck = { record: check(key, BEFORE_MIDNIGHT) };
        await insert([first]);
        assert.equal(first.inserted, true);
        // Uploaded again at 00:01, this time without checkedAt (the server's time is taken).
        const retry: PendingCheck = { record: check(key, BEFORE_MIDNIGHT + 2 * 60_000) };
        await insert([retry]);
        assert.equal(retry.inserted, false);
        // And an offline check queued the day before yesterday, uploaded twice, days apart.
        const queuedKey = randomUUID();
        const queued = (recordedAt: number): PendingCheck => ({
          record: check(queuedKey, MORNING - 2 * DAY, recordedAt),
        });
        const a = queued(MORNING - DAY);
        const b = queued(MORNING + 3 * HOUR);
        await insert([a]);
        await insert([b]);
        assert.deepEqual([a.inserted, b.inserted], [true, false]);
        assert.equal(await stored(database, key), 1);
        assert.equal(await stored(database, queuedKey), 1);
      });

      test('the dedupe window: SQLite finds a clientCheckId whenever it was stored, PostgreSQL within 72 hours', async () => {
        const key = randomUUID();
        const old: PendingCheck = { record: check(key, MORNING - 4 * DAY) };
        await insert([old]);
        const late: PendingCheck = { record: check(key, MORNING) };
        await insert([late]);
        // PostgreSQL looks back from the day 72 h before the upload: a check four days older is
        // not seen (no upload of it can still be accepted; the use case refuses checkedAt that old).
        assert.equal(late.inserted, dialect === 'sqlite' ? false : true);
        assert.equal(
          (await findCheckByClientId(database, key))?.id,
          late.inserted ? late.record.id : old.record.id,
        );
      });

      test('a check dated on a day without its partition is stored (default partition)', async () => {
        const far: PendingCheck = { record: check(randomUUID(), MORNING + 40 * DAY) };
        await insert([far]);
        assert.equal(far.inserted, true);
      });
    },
  );
}

void describe(
  'two nodes racing one clientCheckId across days (postgres)',
  await dialectSuiteOptions('postgres'),
  () => {
    let a: { database: Database; dispose: () => Promise<void> };
    let b: Database;
    before(async () => {
      a = await openTestDatabase('postgres');
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(a.database.db)).rows[0]
        ?.s;
      assert.ok(schema !== undefined);
      // A second node: its own pool on the same schema.
      b = await openPostgres({ url: POSTGRES_URL, schema, poolSize: 4 });
      await ensureDayPartitions(a.database, 'checkpoint_checks', MORNING - 4 * DAY, 6);
    });
    after(async () => {
      await b.close();
      await a.dispose();
    });

    test('each race stores the check once, whether both uploads are of today or one is of another day', async () => {
      const onA = checkInserter(a.database, { dedupeWindowMs: WINDOW });
      const onB = checkInserter(b, { dedupeWindowMs: WINDOW });
      const cases: [number, number, number, number][] = [
        // [checkedAt on A, recordedAt on A, checkedAt on B, recordedAt on B]
        [MORNING, MORNING, MORNING + 5, MORNING + 5], // both of today: the partition's unique index
        [MORNING - DAY, MORNING, MORNING, MORNING], // an offline check of yesterday against one of today
        [BEFORE_MIDNIGHT, BEFORE_MIDNIGHT, BEFORE_MIDNIGHT + 120_000, BEFORE_MIDNIGHT + 120_000], // across midnight
        [MORNING - 2 * DAY, MORNING, MORNING - DAY, MORNING], // two other days
      ];
      assert.ok(BEFORE_MIDNIGHT + MIDNIGHT_MARGIN_MS > BEFORE_MIDNIGHT + 120_000);
      for (const [ca, ra, cb, rb] of cases) {
        for (let round = 0; round < 15; round++) {
          const key = randomUUID();
          const x: PendingCheck = { record: check(key, ca, ra) };
          const y: PendingCheck = { record: check(key, cb, rb) };
          // Other rows in the same batches, as under load.
          const fillers = () => Array.from({ length: 20 }, () => ({ record: check(randomUUID(), MORNING) }));
          await Promise.all([onA([...fillers(), x]), onB([y, ...fillers()])]);
          assert.equal(await stored(a.database, key), 1, `case ${ca}/${cb} round ${round}`);
          assert.equal(
            Number(x.inserted) + Number(y.inserted),
            1,
            'exactly one of the two uploads stored it',
          );
        }
      }
    });
  },
);
