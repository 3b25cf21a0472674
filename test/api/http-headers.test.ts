import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createTestPlatform,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';

/** Issue 8 finding 9: security headers, no caching of personal data, request ids. */
describe('HTTP hygiene', () => {
  let t: TestPlatform;
  let token: string;

  before(async () => {
    t = await createTestPlatform('sqlite');
    token = await signInResident(t, '13800138000');
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/me/application',
      headers: { authorization: `Bearer ${token}` },
      payload: sampleApplication(),
    });
    assert.equal(put.statusCode, 200, put.body);
  });
  after(() => t.close());

  test('every answer carries the security headers, CSP with frame-ancestors included', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /object-src 'none'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.match(String(res.headers['strict-transport-security']), /max-age=\d+/);
  });

  test('getMyApplication (name and document) is never cached', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me/application',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
  });

  test('errors under /api/ are not cached either; public keys may be', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/me/application' });
    assert.equal(missing.statusCode, 401);
    assert.equal(missing.headers['cache-control'], 'no-store');
    const keys = await t.app.inject({ method: 'GET', url: '/api/v1/keys' });
    assert.equal(keys.statusCode, 200);
    assert.match(String(keys.headers['cache-control']), /public, max-age=\d+/);
  });

  test('a plain incoming X-Request-Id is kept and echoed, in the error body too', async () => {
    const id = 'proxy-abc-123456';
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me/application',
      headers: { 'x-request-id': id },
    });
    assert.equal(res.headers['x-request-id'], id);
    assert.equal(res.json<{ error: { requestId: string } }>().error.requestId, id);
  });

  test('an odd X-Request-Id is replaced by a fresh one', async () => {
    for (const bad of ['short', 'has space in it', 'x'.repeat(200), 'semi;colon;value']) {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
      const got = String(res.headers['x-request-id']);
      assert.notEqual(got, bad);
      assert.match(got, /^[0-9a-f-]{36}$/);
    }
  });

  test('the API docs page gets a policy that lets Swagger UI run, still not framable', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(res.statusCode, 200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
  });
});

describe('access table (finding 13)', () => {
  let t: TestPlatform;
  before(async () => {
    t = await createTestPlatform('sqlite');
  });
  after(() => t.close());

  test('every operation in /openapi.json publishes its callers as x-roles', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { operationId?: string; 'x-roles'?: string[] }>>;
    }>();
    const ops = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
    assert.ok(ops.length >= 40, `only ${ops.length} operations`);
    for (const op of ops) {
      assert.ok(Array.isArray(op['x-roles']) && op['x-roles'].length > 0, `${op.operationId} has no x-roles`);
    }
    const publish = ops.find((o) => o.operationId === 'publishPolicy');
    assert.deepEqual(publish?.['x-roles'], ['admin']);
  });

  test('a resident calling an admin operation is refused before the handler', async () => {
    const token = await signInResident(t, '13900139000');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/policies',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'forbidden');
  });
});
