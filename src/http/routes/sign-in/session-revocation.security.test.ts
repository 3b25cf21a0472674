import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  signInResident,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { buildApp } from '../../../http/app.ts';
import { createPlatform } from '../../../platform.ts';
import type { Platform } from '../../../use-cases/platform.ts';

/**
 * Issue 8 finding 8: removing a staff member and signing out end sessions at once on the node that
 * did it, and within 1 s on every other node sharing the database.
 */
/** The bound docs/decisions.md promises for other nodes. */
const BOUND_MS = 1_000;

for (const dialect of DIALECTS) {
  describe(`sessions end at once (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    /** A second API node over the same database, with its own session cache. */
    let other: { platform: Platform; app: FastifyInstance };
    let venueId = 0;
    let manager = '';
    let staffNo = 0;

    before(async () => {
      t = await createTestPlatform(dialect);
      const platform = await createPlatform(t.platform.config, {
        clock: t.clock,
        sms: t.sms,
        database: t.platform.database,
      });
      other = { platform, app: await buildApp(platform, { webRoot: null }) };
      manager = await signInResident(t, '13900139100');
      const venue = await t.app.inject({
        method: 'POST',
        url: '/api/v1/venues',
        headers: { authorization: `Bearer ${manager}` },
        payload: {
          name: '趵突泉公园',
          kind: 'scenicSpot',
          address: { divisionCode: '370102', detail: '趵突泉南路 1 号' },
          contact: { name: '李经理', mobile: '13900139101' },
        },
      });
      assert.equal(venue.statusCode, 201, venue.body);
      venueId = venue.json<{ venueId: number }>().venueId;
    });
    after(async () => {
      await other.app.close();
      await other.platform.close();
      await t.close();
    });

    /** Adds a checkpoint staff member to the venue and signs them in; returns their id and token. */
    async function staffMember(): Promise<{ staffId: number; token: string }> {
      const username = `gate-${++staffNo}`;
      const added = await t.app.inject({
        method: 'POST',
        url: `/api/v1/venues/${venueId}/staff`,
        headers: { authorization: `Bearer ${manager}` },
        payload: { username, displayName: username, password: 'long-enough-pw' },
      });
      assert.equal(added.statusCode, 201, added.body);
      const session = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username, password: 'long-enough-pw' },
      });
      assert.equal(session.statusCode, 200, session.body);
      return {
        staffId: added.json<{ staffId: number }>().staffId,
        token: session.json<{ token: string }>().token,
      };
    }
    const venues = (app: FastifyInstance, token: string) =>
      app.inject({ method: 'GET', url: '/api/v1/venues', headers: { authorization: `Bearer ${token}` } });
    const remove = (staffId: number) =>
      t.app.inject({
        method: 'DELETE',
        url: `/api/v1/venues/${venueId}/staff/${staffId}`,
        headers: { authorization: `Bearer ${manager}` },
      });
    const errorCode = (r: { json: <T>() => T }) => r.json<{ error?: { code: string } }>().error?.code;

    test('removed staff: the next request on the node that removed them is 401, at the same instant', async () => {
      const { staffId, token } = await staffMember();
      // The session is in this node's cache now.
      assert.equal((await venues(t.app, token)).statusCode, 200);
      assert.equal((await venues(t.app, token)).statusCode, 200);
      assert.equal((await remove(staffId)).statusCode, 204);
      const next = await venues(t.app, token);
      assert.equal(next.statusCode, 401, next.body);
      assert.equal(errorCode(next), 'unauthenticated');
      const rows = await t.platform.db
        .selectFrom('sessions')
        .select('revoked_at')
        .where('staff_id', '=', staffId)
        .execute();
      assert.ok(rows.length > 0 && rows.every((r) => r.revoked_at !== null));
    });

    test('removed staff: another node stops honouring the session within 1 s', async () => {
      const { staffId, token } = await staffMember();
      assert.equal((await venues(other.app, token)).statusCode, 200);
      assert.equal((await remove(staffId)).statusCode, 204);
      t.clock.advance(BOUND_MS);
      const next = await venues(other.app, token);
      assert.equal(next.statusCode, 401, next.body);
    });

    test('sign-out: at once on this node, within 1 s on another', async () => {
      const token = await signInResident(t, '13900139102');
      const me = (app: FastifyInstance) =>
        app.inject({
          method: 'GET',
          url: '/api/v1/me/application',
          headers: { authorization: `Bearer ${token}` },
        });
      assert.equal((await me(t.app)).statusCode, 404); // signed in, no application yet
      assert.equal((await me(other.app)).statusCode, 404);
      const out = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/sessions/current',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(out.statusCode, 204);
      assert.equal((await me(t.app)).statusCode, 401);
      t.clock.advance(BOUND_MS);
      assert.equal((await me(other.app)).statusCode, 401);
    });
  });
}
