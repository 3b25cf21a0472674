import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { loadConfig } from '../../../config.ts';
import { codeKid } from '../../../domain/token/index.ts';
import { buildApp } from '../../../http/app.ts';
import { authenticator } from 'otplib';
import { totpAt } from '../../../use-cases/second-factor.ts';
import { hashPassword } from '../../../use-cases/passwords.ts';
import { enrolTotpSecret, insertStaff } from '../../../storage/staff.ts';
import { ManualClock } from '../../../use-cases/clock.ts';
import { createPlatform } from '../../../platform.ts';
import { MemorySmsSender } from '../../../use-cases/sms.ts';
import {
  dialectSuiteOptions,
  DIALECTS,
  openCliDatabase,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../../../../test/support/platform.ts';

/**
 * Finding 5: `healthcode keys revoke` leaves no dead place code in circulation. The operator's real
 * commands (`keys rotate`, `keys revoke`) run in their own process on the platform's database; the
 * API of a platform on that database then hands out and scans the reissued codes.
 */
async function healthcode(env: Record<string, string>, args: string[]) {
  const child = spawn(process.execPath, ['bin/healthcode.js', ...args], {
    env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: undefined, ...env },
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end();
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { status, stdout, stderr };
}

type Json = Record<string, unknown>;

const venueInput = (name: string, divisionCode: string) => ({
  name,
  kind: 'mallOrSupermarket',
  address: { divisionCode, detail: `${name} 1 号` },
  contact: { name: '王经理', mobile: '13900139001' },
});

const OFFICER_TOTP = authenticator.generateSecret();

for (const dialect of DIALECTS) {
  describe(
    `keys revoke reissues the place codes the key signed (${dialect})`,
    await dialectSuiteOptions(dialect),
    () => {
      let t: TestPlatform;
      let env: Record<string, string>;
      const tokens: Record<string, string> = {};
      const venue: Record<string, number> = {};
      const call = (method: 'GET' | 'POST' | 'PUT', url: string, who: string, payload?: unknown) =>
        t.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${tokens[who] ?? ''}` },
          ...(payload === undefined ? {} : { payload: payload as Json }),
        });
      const placeCode = async (name: string) => {
        const r = await call('GET', `/api/v1/venues/${venue[name]}/place-code`, 'manager');
        assert.equal(r.statusCode, 200, r.body);
        return r.json<{ version: number; code: string }>();
      };
      const scan = (code: string) => call('POST', '/api/v1/place-scans', 'visitor', { placeCode: code });
      const register = async (name: string, divisionCode: string, approve: boolean) => {
        const r = await call('POST', '/api/v1/venues', 'manager', venueInput(name, divisionCode));
        assert.equal(r.statusCode, 201, r.body);
        venue[name] = r.json<{ venueId: number }>().venueId;
        if (approve) {
          const a = await call('POST', `/api/v1/venues/${venue[name]}/approval`, 'officer', {});
          assert.equal(a.statusCode, 200, a.body);
        }
      };
      /** Other nodes (this platform) see a key change made by the CLI within seconds. */
      const secondsPass = () => t.clock.advance(10_000);

      before(async () => {
        const clock = new ManualClock(Date.now());
        const sms = new MemorySmsSender();
        const config = loadConfig({}, { mode: 'production', dataDir: os.tmpdir() });
        const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
        const opened = await openCliDatabase(dialect);
        const { database, dispose } = opened;
        env = opened.env;
        const platform = await createPlatform(config, { clock, sms, database, logger: silent });
        const app = await buildApp(platform, { webRoot: null });
        t = {
          platform,
          clock,
          sms,
          app,
          async close() {
            await app.close();
            await platform.close();
            await platform.database.close();
            await dispose();
          },
        };
        const officerId = await insertStaff(platform.db, {
          username: 'officer',
          role: 'officer',
          divisionCode: '370000',
          displayName: 'officer',
          passwordHash: await hashPassword('officer-password'),
          createdAt: clock.now(),
        });
        // Production: an officer signs in with a second factor.
        await enrolTotpSecret(platform.db, platform.sealer, officerId, OFFICER_TOTP);
        const s = await app.inject({
          method: 'POST',
          url: '/api/v1/staff-sessions',
          payload: {
            username: 'officer',
            password: 'officer-password',
            totp: totpAt(OFFICER_TOTP, clock.now()),
          },
        });
        tokens['officer'] = s.json<{ token: string }>().token;
        tokens['manager'] = await signInResident(t, '13900139000');
        tokens['visitor'] = await signInResident(t, '13800138000');
        const applied = await call('PUT', '/api/v1/me/application', 'visitor', sampleApplication());
        assert.equal(applied.statusCode, 200, applied.body);
      });
      after(() => t.close());

      test('revoking a retired key reissues its place codes, lists the posters to reprint, and the new codes scan', async () => {
        await register('历下商城', '370102', true);
        await register('青岛书店', '370202', true);
        await register('未批准小店', '370102', false);
        const oldA = await placeCode('历下商城');
        const oldB = await placeCode('青岛书店');
        const leaked = codeKid(oldA.code);
        assert.ok(leaked);
        assert.equal(codeKid(oldB.code), leaked);
        assert.equal((await scan(oldA.code)).statusCode, 201);

        const rotated = await healthcode(env, ['keys', 'rotate']);
        assert.equal(rotated.status, 0, rotated.stderr);
        const current = /active key: (\S+);/.exec(rotated.stdout)?.[1];
        assert.ok(current && current !== leaked);
        secondsPass();
        await register('济南新店', '370102', true);
        const fresh = await placeCode('济南新店');
        assert.equal(
          codeKid(fresh.code),
          current,
          'a venue approved after the rotation is signed by the new key',
        );

        const revoked = await healthcode(env, ['keys', 'revoke', leaked]);
        assert.equal(revoked.status, 0, revoked.stderr);
        assert.match(revoked.stdout, new RegExp(`revoked key ${leaked.replace(/[-]/g, '\\-')}`));
        assert.match(revoked.stdout, /reissued 2 place code\(s\).*must print their new poster/);
        const rows = revoked.stdout
          .split('\n')
          .filter((l) => /^\d+\t/.test(l))
          .map((l) => l.split('\t'));
        assert.deepEqual(
          rows.map((r) => [Number(r[0]), r[1], r[2]]),
          [
            [venue['历下商城'], '370102', '2'],
            [venue['青岛书店'], '370202', '2'],
          ],
          'both venues whose codes it signed, with their division and new version; not the others',
        );
        assert.match(rows[0]?.[3] ?? '', /^历下商城 \(历下商城 1 号\)$/);
        secondsPass();

        // The posters on the wall are dead, as before …
        const dead = await scan(oldA.code);
        assert.equal(dead.statusCode, 410, dead.body);
        assert.equal(dead.json<{ error: { code: string } }>().error.code, 'place_code_revoked');
        // … but getPlaceCode now hands out a live code, signed with the active key.
        for (const name of ['历下商城', '青岛书店']) {
          const now = await placeCode(name);
          assert.equal(now.version, 2);
          assert.equal(codeKid(now.code), current);
          const ok = await scan(now.code);
          assert.equal(ok.statusCode, 201, ok.body);
          assert.equal(ok.json<{ venue: { name: string } }>().venue.name, name);
        }
        const poster = await call(
          'GET',
          `/api/v1/venues/${venue['青岛书店']}/place-code?format=svg`,
          'manager',
        );
        assert.equal(poster.statusCode, 200);
        const untouched = await placeCode('济南新店');
        assert.deepEqual(untouched, fresh, 'a code another key signed is left alone');
        assert.equal((await scan(untouched.code)).statusCode, 201);

        const audit = await t.platform.db
          .selectFrom('audit_log')
          .select(['detail'])
          .where('action', '=', 'reissue_place_code')
          .orderBy('id')
          .execute();
        assert.deepEqual(
          audit.map((a) => JSON.parse(a.detail) as Json),
          [
            { venueId: venue['历下商城'], version: 2, revokedKid: leaked },
            { venueId: venue['青岛书店'], version: 2, revokedKid: leaked },
          ],
        );

        // Run again (as after a run cut short): nothing left to reissue, versions unchanged.
        const again = await healthcode(env, ['keys', 'revoke', leaked, '--json']);
        assert.equal(again.status, 0, again.stderr);
        assert.deepEqual(JSON.parse(again.stdout), { kid: leaked, reissued: [] });
        assert.equal((await placeCode('历下商城')).version, 2);
      });

      test('the active key is still refused, and nothing is reissued', async () => {
        const before = await placeCode('济南新店');
        const active = codeKid(before.code);
        assert.ok(active);
        const r = await healthcode(env, ['keys', 'revoke', active]);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /is the active key: run "healthcode keys rotate" first/);
        assert.deepEqual(await placeCode('济南新店'), before);
      });
    },
  );
}
