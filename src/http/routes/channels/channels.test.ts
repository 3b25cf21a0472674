import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import {
  addStaff,
  bearer,
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  errorCode,
  sampleApplication,
  staffToken,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { buildApp } from '../../../http/app.ts';
import { createPlatform } from '../../../platform.ts';
import type { Platform } from '../../../use-cases/platform.ts';

/**
 * Issue 11 item 1 (S2): partner channels. Two channels bring the same person to one record and one
 * code; the per-channel limit holds over two API nodes on one database; scopes, rotation with an
 * overlap, disabling, and the bad input of the token endpoint and of acting for a resident.
 */
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const ALL = ['code:read', 'application:read', 'application:write'];

for (const dialect of DIALECTS) {
  describe(`partner channels (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let other: { platform: Platform; app: FastifyInstance };
    let admin = '';

    before(async () => {
      t = await createTestPlatform(dialect);
      const platform = await createPlatform(t.platform.config, {
        clock: t.clock,
        sms: t.sms,
        database: t.platform.database,
      });
      other = { platform, app: await buildApp(platform, { webRoot: null }) };
      await addStaff(t, [{ username: 'admin', role: 'admin', divisionCode: '000000' }]);
      admin = await staffToken(t, 'admin');
    });
    after(async () => {
      await other.app.close();
      await other.platform.close();
      await t.close();
    });

    async function register(scopes: string[], rateLimitPerMinute = 1000) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channels',
        headers: bearer(admin),
        payload: { name: `Partner ${scopes.join(',')}`, scopes, rateLimitPerMinute },
      });
      assert.equal(r.statusCode, 201, r.body);
      const body = r.json<{ channel: { clientId: string }; clientSecret: string }>();
      return { clientId: body.channel.clientId, secret: body.clientSecret };
    }

    const tokenRequest = (app: FastifyInstance, clientId: string, secret: string, extra = '') =>
      app.inject({
        method: 'POST',
        url: '/api/v1/oauth/token',
        headers: {
          ...FORM,
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        },
        payload: `grant_type=client_credentials${extra}`,
      });

    async function token(clientId: string, secret: string, app = t.app): Promise<string> {
      const r = await tokenRequest(app, clientId, secret);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.headers['cache-control'], 'no-store');
      const body = r.json<{ access_token: string; token_type: string; expires_in: number }>();
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 600);
      return body.access_token;
    }

    /** The channel has the platform send a code, the resident types it in, the channel passes it on. */
    async function actFor(accessToken: string, mobile: string, app = t.app) {
      const sent = await app.inject({ method: 'POST', url: '/api/v1/sign-in-codes', payload: { mobile } });
      assert.equal(sent.statusCode, 200, sent.body);
      const code = t.sms.sent.get(`+86${mobile}`);
      return app.inject({
        method: 'POST',
        url: '/api/v1/channel-sessions',
        headers: bearer(accessToken),
        payload: { mobile, code },
      });
    }

    async function residentSession(accessToken: string, mobile: string): Promise<string> {
      const r = await actFor(accessToken, mobile);
      assert.equal(r.statusCode, 201, r.body);
      return r.json<{ token: string }>().token;
    }

    test('two channels bring the same person: one account, one record, one code', async () => {
      const a = await register(ALL);
      const b = await register(ALL);
      const viaA = await residentSession(await token(a.clientId, a.secret), '13800138000');
      const applied = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: bearer(viaA),
        payload: sampleApplication(),
      });
      assert.ok(applied.statusCode < 300, applied.body);
      const viaB = await residentSession(await token(b.clientId, b.secret), '13800138000');
      const codeA = await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: bearer(viaA) });
      const codeB = await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: bearer(viaB) });
      assert.equal(codeA.statusCode, 200, codeA.body);
      assert.equal(codeB.statusCode, 200, codeB.body);
      const [ca, cb] = [
        codeA.json<{ code: string; healthCardId: string }>(),
        codeB.json<{ code: string; healthCardId: string }>(),
      ];
      assert.equal(ca.healthCardId, cb.healthCardId);
      assert.equal(ca.code, cb.code);
      const accounts = await t.platform.db
        .selectFrom('accounts')
        .select('id')
        .where('mobile', '=', '+8613800138000')
        .execute();
      assert.equal(accounts.length, 1);
      const residents = await t.platform.db.selectFrom('residents').select('id').execute();
      assert.equal(residents.length, 1);
    });

    test('a channel without the scope gets 403 channel_scope_missing; x-channel-scope is published', async () => {
      const c = await register(['code:read']);
      const session = await residentSession(await token(c.clientId, c.secret), '13800138001');
      const apply = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: bearer(session),
        payload: sampleApplication({ mobile: '13800138001' }),
      });
      assert.equal(apply.statusCode, 403, apply.body);
      assert.equal(errorCode(apply), 'channel_scope_missing');
      // An operation not open to channels at all (the access log).
      const log = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/access-log',
        headers: bearer(session),
      });
      assert.equal(log.statusCode, 403, log.body);
      assert.equal(errorCode(log), 'channel_scope_missing');
      // The code scope it holds works (404: no application yet, past the scope check).
      const code = await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: bearer(session) });
      assert.notEqual(errorCode(code), 'channel_scope_missing', code.body);
      // A token asking for a scope the channel was not granted.
      const wider = await tokenRequest(t.app, c.clientId, c.secret, '&scope=application%3Awrite');
      assert.equal(wider.statusCode, 400, wider.body);
      assert.equal(wider.json<{ error: string }>().error, 'invalid_scope');
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
        paths: Record<string, Record<string, Record<string, unknown>>>;
      }>();
      assert.equal(doc.paths['/api/v1/me/code']?.['get']?.['x-channel-scope'], 'code:read');
    });

    test('over its limit a channel gets 429 with Retry-After, also spread over two nodes', async () => {
      const c = await register(ALL, 4);
      const accessToken = await token(c.clientId, c.secret); // request 1 of this minute
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 5; i++) {
        const app = i % 2 === 0 ? other.app : t.app;
        const r = await app.inject({
          method: 'POST',
          url: '/api/v1/channel-sessions',
          headers: bearer(accessToken),
          payload: { mobile: '13800138002' },
        });
        statuses.push(r.statusCode);
        if (r.statusCode === 429) {
          assert.equal(errorCode(r), 'channel_rate_limited');
          retryAfter = r.headers['retry-after'] as string | undefined;
        }
      }
      // Requests 2–4 reach the operation (403: no proof of the number); 5 and 6 are refused.
      assert.deepEqual(statuses, [403, 403, 403, 429, 429]);
      assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, String(retryAfter));
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/channels', headers: bearer(admin) });
      const mine = list
        .json<{
          channels: { clientId: string; usage: { requestsLastHour: number; refusedLast24Hours: number } }[];
        }>()
        .channels.find((x) => x.clientId === c.clientId);
      assert.equal(mine?.usage.requestsLastHour, 6);
      assert.equal(mine?.usage.refusedLast24Hours, 2);
      // The next minute the channel may go on.
      t.clock.advance(60_000);
      const again = await other.app.inject({
        method: 'POST',
        url: '/api/v1/channel-sessions',
        headers: bearer(accessToken),
        payload: { mobile: '13800138002' },
      });
      assert.equal(errorCode(again), 'mobile_not_verified');
    });

    test('a rotated-out secret works until the overlap ends, then stops', async () => {
      const c = await register(ALL);
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/v1/channels/${c.clientId}/secret`,
        headers: bearer(admin),
        payload: { overlapMinutes: 60 },
      });
      assert.equal(r.statusCode, 200, r.body);
      const fresh = r.json<{ clientSecret: string }>().clientSecret;
      await token(c.clientId, c.secret);
      await token(c.clientId, fresh);
      t.clock.advance(60 * 60_000);
      const old = await tokenRequest(t.app, c.clientId, c.secret);
      assert.equal(old.statusCode, 401, old.body);
      assert.equal(old.json<{ error: string; code: string }>().error, 'invalid_client');
      assert.equal(old.json<{ code: string }>().code, 'channel_credentials_invalid');
      await token(c.clientId, fresh);
    });

    test('a disabled channel’s tokens and sessions stop at once, on the other node within the cache bound', async () => {
      const c = await register(ALL);
      const accessToken = await token(c.clientId, c.secret);
      const session = await residentSession(accessToken, '13800138003');
      const before = await other.app.inject({
        method: 'GET',
        url: '/api/v1/me/code',
        headers: bearer(session),
      });
      assert.notEqual(before.statusCode, 401, before.body);
      const off = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/channels/${c.clientId}`,
        headers: bearer(admin),
        payload: { status: 'disabled' },
      });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json<{ status: string }>().status, 'disabled');
      const here = await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: bearer(session) });
      assert.equal(here.statusCode, 401, here.body);
      assert.equal(errorCode(here), 'channel_disabled');
      const act = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channel-sessions',
        headers: bearer(accessToken),
        payload: { mobile: '13800138003' },
      });
      assert.equal(errorCode(act), 'channel_disabled');
      t.clock.advance(1_000);
      const there = await other.app.inject({
        method: 'GET',
        url: '/api/v1/me/code',
        headers: bearer(session),
      });
      assert.equal(errorCode(there), 'channel_disabled');
      const fresh = await tokenRequest(other.app, c.clientId, c.secret);
      assert.equal(fresh.statusCode, 401, fresh.body);
      assert.equal(fresh.json<{ code: string }>().code, 'channel_disabled');
    });

    test('bad input: wrong credentials (then the lock-out), unverified number, malformed and expired tokens', async () => {
      const c = await register(['code:read', 'mobile:attest']);
      const formAuth = await t.app.inject({
        method: 'POST',
        url: '/api/v1/oauth/token',
        headers: FORM,
        payload: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: c.clientId,
          client_secret: c.secret,
        }).toString(),
      });
      assert.equal(formAuth.statusCode, 200, formAuth.body);
      const accessToken = formAuth.json<{ access_token: string }>().access_token;
      for (let i = 1; i <= 5; i++) {
        const r = await tokenRequest(t.app, c.clientId, `${c.secret}x`);
        assert.equal(r.statusCode, 401, r.body);
        assert.equal(r.headers['www-authenticate'], 'Basic realm="channels"');
        assert.equal(r.json<{ error: string }>().error, 'invalid_client');
      }
      const locked = await tokenRequest(t.app, c.clientId, c.secret);
      assert.equal(locked.statusCode, 429, locked.body);
      assert.equal(locked.json<{ code: string }>().code, 'channel_credentials_locked');
      assert.ok(Number(locked.headers['retry-after']) > 0);
      assert.ok(locked.json<{ retryAt?: string }>().retryAt);
      const grant = await tokenRequest(t.app, c.clientId, c.secret, '&grant_type=password');
      assert.equal(grant.statusCode, 400, grant.body);
      const wrongGrant = await t.app.inject({
        method: 'POST',
        url: '/api/v1/oauth/token',
        headers: FORM,
        payload: 'grant_type=password',
      });
      assert.equal(wrongGrant.json<{ error: string }>().error, 'unsupported_grant_type');
      const nul = await t.app.inject({
        method: 'POST',
        url: '/api/v1/oauth/token',
        headers: FORM,
        payload: 'grant_type=client_credentials%00',
      });
      assert.equal(nul.statusCode, 400, nul.body);
      // The form is for the token endpoint only.
      const elsewhere = await t.app.inject({
        method: 'POST',
        url: '/api/v1/sign-in-codes',
        headers: FORM,
        payload: 'mobile=13800138000',
      });
      assert.equal(elsewhere.statusCode, 415, elsewhere.body);

      const unverified = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channel-sessions',
        headers: bearer(accessToken),
        payload: { mobile: '13800138004' },
      });
      assert.equal(unverified.statusCode, 403, unverified.body);
      assert.equal(errorCode(unverified), 'mobile_not_verified');
      const wrongCode = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channel-sessions',
        headers: bearer(accessToken),
        payload: { mobile: '13800138004', code: '000000' },
      });
      assert.equal(wrongCode.statusCode, 400, wrongCode.body);
      assert.equal(errorCode(wrongCode), 'sign_in_code_invalid');
      const attested = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channel-sessions',
        headers: bearer(accessToken),
        payload: { mobile: '13800138004', attested: true },
      });
      assert.equal(attested.statusCode, 201, attested.body);
      assert.deepEqual(attested.json<{ scopes: string[] }>().scopes, ['code:read']);

      const [h, p, s] = accessToken.split('.') as [string, string, string];
      const tampered = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const bad of [tampered, `${h}.${Buffer.from('{"cid":1}').toString('base64url')}.${s}`]) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/channel-sessions',
          headers: bearer(bad),
          payload: { mobile: '13800138004', attested: true },
        });
        assert.equal(r.statusCode, 401, r.body);
        assert.equal(errorCode(r), 'channel_token_invalid');
      }
      // A channel token is not a resident session.
      const asResident = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/code',
        headers: bearer(accessToken),
      });
      assert.equal(asResident.statusCode, 403, asResident.body);
      t.clock.advance(600_000);
      const expired = await t.app.inject({
        method: 'POST',
        url: '/api/v1/channel-sessions',
        headers: bearer(accessToken),
        payload: { mobile: '13800138004', attested: true },
      });
      assert.equal(expired.statusCode, 401, expired.body);
      assert.equal(errorCode(expired), 'channel_token_expired');
    });
  });
}
