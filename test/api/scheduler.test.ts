import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';
import { DAY_MS } from '../../src/domain/types.ts';
import { claimJob, runScheduledWork } from '../../src/use-cases/scheduler.ts';

for (const dialect of DIALECTS) {
  describe(`scheduled work (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let token: string;
    const auth = () => ({ authorization: `Bearer ${token}` });
    before(async () => {
      t = await createTestPlatform(dialect);
      token = await signInResident(t, '13800138000');
      // A fever-clinic visit two days ago: yellow until 14 days after it.
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: auth(),
        payload: sampleApplication({ contactHistory: { fever: true } }),
      });
      assert.equal(res.statusCode, 200, res.body);
    });
    after(() => t.close());

    const count = async (table: 'colour_snapshots' | 'purges' | 'colour_events') =>
      Number(
        (
          await t.platform.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('a fresh install files no counts under the day before it existed; the next day is filed once', async () => {
      await runScheduledWork(t.platform);
      assert.equal(await count('colour_snapshots'), 0);
      assert.equal(await count('purges'), 1);
      await runScheduledWork(t.platform);
      assert.equal(await count('purges'), 1, 'one purge per day, however often the scheduler runs');

      t.clock.advance(DAY_MS);
      await runScheduledWork(t.platform);
      const days = await t.platform.db
        .selectFrom('colour_snapshots')
        .select(['day', 'colour', 'residents'])
        .execute();
      assert.deepEqual(
        days.filter((d) => Number(d.residents) > 0).map((d) => [d.day, d.colour]),
        [['2026-11-25', 'yellow']],
      );
      assert.equal(await count('purges'), 2);
      assert.equal(await claimJob(t.platform, 'purge', '2026-11-26'), false);
    });

    test('a colour whose until has passed is reassessed by the scheduler, with its event', async () => {
      const events = await count('colour_events');
      t.clock.advance(20 * DAY_MS);
      await runScheduledWork(t.platform);
      const row = await t.platform.db.selectFrom('residents').select('colour').executeTakeFirstOrThrow();
      assert.equal(row.colour, 'green');
      assert.equal(await count('colour_events'), events + 1);
    });
  });
}
