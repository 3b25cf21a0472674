import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { createPlatform } from '../../src/platform.ts';
import { openPostgres } from '../../src/storage/database.ts';
import { ManualClock } from '../../src/use-cases/clock.ts';
import { DEMO_STAFF, seedDemoData } from '../../src/use-cases/demo.ts';
import type { Platform } from '../../src/use-cases/platform.ts';
import { MemorySmsSender } from '../../src/use-cases/sms.ts';
import { dialectSuiteOptions, POSTGRES_URL, TEST_EPOCH } from '../support/platform.ts';
import { FaultProxy } from '../support/tcp-proxy.ts';

/**
 * Issue 12, item 3: what an API node does when PostgreSQL goes away under it, as in a failover.
 * The platform reaches the real server through a loopback proxy that cuts connections, refuses
 * them, or loses the answer to a COMMIT. Every such request answers 503 with Retry-After (never
 * 500, never a success it cannot vouch for), the pool drops the broken connections and reconnects,
 * and a check retried with its clientCheckId is stored once.
 */
describe('an API node when PostgreSQL goes away', await dialectSuiteOptions('postgres'), () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const applicationName = `hc_faults_${randomBytes(4).toString('hex')}`;
  let proxy: FaultProxy;
  let platform: Platform;
  let app: FastifyInstance;
  let direct: pg.Client;
  let token: string;
  let venueId: number;

  const check = (clientCheckId: string) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/venues/${venueId}/checks`,
      headers: { authorization: `Bearer ${token}` },
      payload: { clientCheckId, code: null, temperature: 36.5, maskWorn: true },
    });
  const storedCount = async (clientCheckId: string) =>
    Number(
      (
        await direct.query<{ n: string }>(
          `select count(*) as n from "${schema}".checkpoint_checks where client_check_id = $1`,
          [clientCheckId],
        )
      ).rows[0]?.n,
    );

  before(async () => {
    const target = new URL(POSTGRES_URL);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(POSTGRES_URL);
    url.host = proxy.url;
    url.searchParams.set('application_name', applicationName);
    const database = await openPostgres({ url: url.toString(), schema, poolSize: 4 });
    platform = await createPlatform(loadConfig({}, { mode: 'demo', dataDir: os.tmpdir() }), {
      clock: new ManualClock(TEST_EPOCH),
      sms: new MemorySmsSender(),
      database,
    });
    await seedDemoData(platform);
    app = await buildApp(platform);
    direct = new pg.Client({ connectionString: POSTGRES_URL });
    await direct.connect();
    const gate = DEMO_STAFF.find((s) => s.venueStaff === true);
    assert.ok(gate);
    const signedIn = await app.inject({
      method: 'POST',
      url: '/api/v1/staff-sessions',
      payload: { username: gate.username, password: gate.password },
    });
    assert.equal(signedIn.statusCode, 200, signedIn.body);
    const session = signedIn.json<{ token: string; venueId: number }>();
    token = session.token;
    venueId = session.venueId;
  });

  after(async () => {
    await proxy.resume();
    await app.close();
    await platform.close();
    await direct.query(`drop schema if exists "${schema}" cascade`);
    await direct.end();
    await proxy.close();
  });

  test('connections ended by the server or cut: the node stays up and the next request reconnects', async () => {
    assert.equal((await check(randomUUID())).statusCode, 201);
    // 57P01 on the idle pooled connections, as a primary's fast shutdown sends.
    const terminated = await direct.query<{ ok: boolean }>(
      'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1',
      [applicationName],
    );
    assert.ok(terminated.rows.length > 0, 'no pooled connection to end');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await check(randomUUID())).statusCode, 201);
    // Reset sockets, as a killed primary's machine gives.
    proxy.cutAll();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await check(randomUUID());
    assert.equal(after.statusCode, 201, after.body);
  });

  test('unreachable: 503 service_unavailable with Retry-After, never 500; reachable again, the retried check is stored once', async () => {
    const clientCheckId = randomUUID();
    await proxy.refuse();
    try {
      const refused = await check(clientCheckId);
      assert.equal(refused.statusCode, 503, refused.body);
      assert.equal(refused.headers['retry-after'], '2');
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'service_unavailable');
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 503);
    } finally {
      await proxy.resume();
    }
    assert.equal(await storedCount(clientCheckId), 0);
    const stored = await check(clientCheckId);
    assert.equal(stored.statusCode, 201, stored.body);
    const again = await check(clientCheckId);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ duplicate: boolean }>().duplicate, true);
    assert.equal(await storedCount(clientCheckId), 1);
  });

  test('a COMMIT whose answer is lost: 503, not success; the retry finds the check stored, once', async () => {
    const clientCheckId = randomUUID();
    proxy.cutAfterNextCommit();
    const lost = await check(clientCheckId);
    assert.equal(proxy.commitsCut, 1, 'the proxy cut no COMMIT');
    assert.equal(lost.statusCode, 503, lost.body);
    assert.equal(lost.headers['retry-after'], '2');
    // It did commit: the answer that was lost would have been a success.
    await proxy.cutCommitsAnswered();
    assert.equal(await storedCount(clientCheckId), 1);
    const retried = await check(clientCheckId);
    assert.equal(retried.statusCode, 200, retried.body);
    const body = retried.json<{ duplicate: boolean; clientCheckId: string }>();
    assert.equal(body.duplicate, true);
    assert.equal(body.clientCheckId, clientCheckId);
    assert.equal(await storedCount(clientCheckId), 1);
  });
});
