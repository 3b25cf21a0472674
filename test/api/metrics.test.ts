import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { insertStaff } from '../../src/storage/staff.ts';
import { createPlatform } from '../../src/platform.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import {
  createTestPlatform,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** The value of one sample line of the Prometheus text, or null when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf('}'));
    const have = inside.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.indexOf('}') + 1).trim());
  }
  return null;
}

describe('GET /metrics (P9)', () => {
  let t: TestPlatform;
  let guard: string;
  let resident: string;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    t = await createTestPlatform('sqlite');
    await insertStaff(t.platform.db, {
      username: 'guard',
      role: 'checkpoint',
      divisionCode: '370102',
      displayName: 'guard',
      passwordHash: await hashPassword('pw'),
      createdAt: t.clock.now(),
    });
    guard = (
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/staff-sessions',
          payload: { username: 'guard', password: 'pw' },
        })
      ).json() as { token: string }
    ).token;
    resident = await signInResident(t, '13800138000');
    const applied = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/me/application',
      headers: auth(resident),
      payload: sampleApplication(),
    });
    assert.equal(applied.statusCode, 200, applied.body);
  });
  after(() => t.close());

  test('counts requests by route pattern and verifications by result, and names nobody', async () => {
    const code = (
      (await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: auth(resident) })).json() as {
        code: string;
      }
    ).code;
    for (const text of [code, code, 'HPC1:not-a-code']) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/verifications',
        headers: auth(guard),
        payload: { code: text },
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const text = res.body;
    assert.equal(sample(text, 'healthcode_verifications_total', { result: 'valid' }), 2);
    assert.equal(sample(text, 'healthcode_verifications_total', { result: 'malformed' }), 1);
    assert.equal(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/v1/verifications',
        status_code: '200',
      }),
      3,
    );
    assert.ok((sample(text, 'healthcode_group_commit_rows_count', { writer: 'verifications' }) ?? 0) >= 1);
    const application = sampleApplication();
    for (const secret of [application.name, application.documentNumber, application.mobile, code, guard]) {
      assert.ok(!text.includes(secret), `metrics must not contain ${secret}`);
    }
  });

  test('an unknown URL is counted under one label, not by its path', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/residents/370102199003071234' });
    assert.equal(r.statusCode, 404);
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.ok(!text.includes('370102199003071234'));
    assert.ok(
      (sample(text, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }) ??
        0) >= 1,
    );
  });

  test('with METRICS_TOKEN set, /metrics asks for it', async () => {
    const config = loadConfig(
      { METRICS_TOKEN: 'scrape-token-0123456789' },
      { dataDir: t.platform.config.dataDir },
    );
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
    const node = await createPlatform(config, {
      database: t.platform.database,
      clock: t.clock,
      sms: t.sms,
      logger: quiet,
    });
    const app = await buildApp(node);
    try {
      const open = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(open.statusCode, 401);
      assert.equal((open.json() as { error: { code: string } }).error.code, 'unauthenticated');
      const wrong = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-token-0123456780' },
      });
      assert.equal(wrong.statusCode, 401);
      const right = await app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-token-0123456789' },
      });
      assert.equal(right.statusCode, 200);
      assert.match(right.body, /http_request_duration_seconds/);
    } finally {
      await app.close();
      await node.close();
    }
  });
});
