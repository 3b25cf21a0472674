import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import {
  createTestPlatform,
  DIALECTS,
  dialectSuiteOptions,
  TEST_EPOCH,
  type TestPlatform,
} from '../../test/support/platform.ts';
import { chinaDayStart, dayPartitionName, listPartitions } from '../storage/partitions.ts';
import type { CheckRecord } from '../storage/checkpoint-checks.ts';
import { PARTITION_DAYS_AHEAD } from './partitions.ts';
import { purge } from './retention.ts';
import { runScheduledWork } from './scheduler.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Midnight China time starting 2026-11-25, the test platform's first day. */
const DAY0 = chinaDayStart(TEST_EPOCH);

function check(checkedAt: number): CheckRecord {
  return {
    id: randomUUID(),
    clientCheckId: randomUUID(),
    venueId: 1,
    staffId: 1,
    residentId: null,
    checkedAt,
    recordedAt: checkedAt,
    outcome: 'pass',
    reasons: [],
    colour: null,
    maskedName: null,
    temperatureDeciC: null,
    maskWorn: null,
    codeStatus: 'none',
    codeReason: null,
    offline: null,
    policyVersion: 'v1',
  };
}

for (const dialect of DIALECTS) {
  describe(
    `retention of verifications, visits and checks (${dialect})`,
    await dialectSuiteOptions(dialect),
    () => {
      let t: TestPlatform;
      before(async () => {
        t = await createTestPlatform(dialect);
      });
      after(() => t.close());

      const count = async (table: 'verifications' | 'visits' | 'checkpoint_checks') =>
        Number(
          (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.platform.db))
            .rows[0]?.n,
        );

      /** Writes `n` rows of each table at `at` through the platform's group-commit writers. */
      async function write(at: number, n: number): Promise<void> {
        const p = t.platform;
        await Promise.all(
          Array.from({ length: n }, (_, i) => [
            p.verificationLog.write({
              at,
              staffId: 1,
              residentId: i + 1,
              kid: 'k',
              valid: true,
              reason: null,
              colour: 'green',
            }),
            p.visitLog.write({ residentId: i + 1, venueId: 1, at }),
            p.checkpoint.writer.write({ record: check(at) }),
          ]).flat(),
        );
      }

      test('rows written at once go in one batch of each group-commit writer (one multi-row insert)', async () => {
        const batches = async () => {
          const text = await t.platform.metrics.registry.metrics();
          const of = (writer: string, what: string) =>
            Number(
              new RegExp(`^healthcode_group_commit_rows_${what}\\{writer="${writer}"\\} (\\d+)$`, 'm').exec(
                text,
              )?.[1] ?? 0,
            );
          return ['verifications', 'visits', 'checkpoint_checks'].map((w) => [of(w, 'count'), of(w, 'sum')]);
        };
        const before = await batches();
        await write(DAY0 + 9 * HOUR, 25);
        const after = await batches();
        assert.deepEqual(
          after.map(([count, sum], i) => [
            (count ?? 0) - (before[i]?.[0] ?? 0),
            (sum ?? 0) - (before[i]?.[1] ?? 0),
          ]),
          [
            [1, 25],
            [1, 25],
            [1, 25],
          ],
        );
      });

      test('past China days go whole on PostgreSQL, past rows on SQLite; the current days stay, and the purge counts what went', async () => {
        if (dialect === 'postgres') {
          // Made at start: today and the week ahead.
          const names = (await listPartitions(t.platform.database, 'visits')).map((p) => p.name);
          for (let d = 0; d <= PARTITION_DAYS_AHEAD; d++)
            assert.ok(names.includes(dayPartitionName('visits', DAY0 + d * DAY)), names.join());
        }
        await write(DAY0 + 10 * HOUR, 3); // 11-25 10:00, past retention below
        await write(DAY0 + DAY + 8 * HOUR, 2); // 11-26 08:00: before the cut, but on the day the cut falls in
        await write(DAY0 + DAY + 12 * HOUR, 4); // 11-26 12:00: after the cut
        await write(DAY0 - 40 * DAY, 1); // a day with no partition (default partition on PostgreSQL), long past
        await write(DAY0 + 60 * DAY, 1); // a day with no partition, in the future
        assert.equal(await count('visits'), 25 + 11);

        // Visits and checks are kept 28 days by default (verifications as checks): the cut is 11-26 10:00.
        t.clock.set(TEST_EPOCH + 29 * DAY);
        const result = await purge(t.platform, 'test');
        assert.equal(result.cutoffs['checks'], DAY0 + DAY + 10 * HOUR);
        const keptWithItsDay = dialect === 'postgres' ? 2 : 0;
        for (const table of ['verifications', 'visits', 'checkpoint_checks'] as const) {
          assert.equal(result.deleted[table], 25 + 3 + 1 + (2 - keptWithItsDay), table);
          assert.equal(await count(table), 4 + 1 + keptWithItsDay, table);
        }
        if (dialect === 'postgres') {
          assert.deepEqual(result.droppedPartitions, [
            'verifications_p20261125',
            'visits_p20261125',
            'checkpoint_checks_p20261125',
          ]);
          assert.deepEqual(result.busyPartitions, []);
          for (const table of ['verifications', 'visits', 'checkpoint_checks'] as const) {
            const names = (await listPartitions(t.platform.database, table)).map((p) => p.name);
            assert.ok(!names.includes(dayPartitionName(table, DAY0)), names.join());
            assert.ok(names.includes(dayPartitionName(table, DAY0 + DAY)), 'the day the cut falls in stays');
            assert.ok(names.includes(`${table}_default`));
          }
          // The default partition lost its past row only, row by row.
          const left = await sql<{ n: number }>`select count(*) as n from visits_default`.execute(
            t.platform.db,
          );
          assert.equal(Number(left.rows[0]?.n), 1);
        } else {
          assert.deepEqual(result.droppedPartitions, []);
        }

        // The next day's purge takes 11-26 on PostgreSQL too.
        t.clock.advance(DAY);
        const next = await purge(t.platform, 'test');
        assert.equal(next.deleted['visits'], 4 + keptWithItsDay);
        assert.equal(await count('visits'), 1, 'the future row');
        assert.deepEqual(
          next.droppedPartitions,
          dialect === 'postgres'
            ? ['verifications_p20261126', 'visits_p20261126', 'checkpoint_checks_p20261126']
            : [],
        );
      });

      test('the scheduler makes the partitions of the week ahead as days pass (PostgreSQL; nothing on SQLite)', async () => {
        const today = chinaDayStart(t.clock.now());
        const ahead = dayPartitionName('checkpoint_checks', today + PARTITION_DAYS_AHEAD * DAY);
        const names = async () =>
          (await listPartitions(t.platform.database, 'checkpoint_checks')).map((p) => p.name);
        assert.ok(!(await names()).includes(ahead));
        await runScheduledWork(t.platform);
        const jobs = await t.platform.db
          .selectFrom('job_runs')
          .select('slot')
          .where('job', '=', 'partitions')
          .execute();
        if (dialect === 'sqlite') {
          assert.deepEqual(jobs, []);
          assert.deepEqual(await names(), []);
          return;
        }
        assert.equal(jobs.length, 1);
        assert.ok((await names()).includes(ahead), (await names()).join());
        assert.ok((await names()).includes(dayPartitionName('checkpoint_checks', today)));
      });
    },
  );
}
