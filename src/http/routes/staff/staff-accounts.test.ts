import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addStaff,
  bearer,
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  errorCode,
  staffToken,
  staffTotpSecret,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { totpAt } from '../../../use-cases/second-factor.ts';
import { SETUP_LINK_MS } from '../../../use-cases/staff-accounts.ts';
import { STAFF_SIGN_IN_FAILURES, STAFF_SIGN_IN_LOCK_MS } from '../../../use-cases/sign-in.ts';

for (const dialect of DIALECTS) {
  describe(`staff accounts over the API (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let admin: string;
    before(async () => {
      t = await createTestPlatform(dialect, { mode: 'production' });
      await addStaff(t, [{ username: 'root-admin', role: 'admin', divisionCode: '000000' }]);
      admin = await staffToken(t, 'root-admin');
    });
    after(() => t.close());

    const create = async (username: string, role = 'officer', divisionCodes = ['370102', '370202']) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff',
        headers: bearer(admin),
        payload: { username, role, divisionCodes, displayName: `Officer ${username}` },
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json<{
        account: { staffId: number; divisionCodes: string[]; passwordSet: boolean };
        setupLink: { token: string; url: string };
      }>();
    };
    const setPassword = (token: string, password = 'a-good-password-1') =>
      t.app.inject({ method: 'POST', url: '/api/v1/staff-password-setups', payload: { token, password } });
    const signIn = (username: string, password: string, totp?: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username, password, ...(totp === undefined ? {} : { totp }) },
      });

    test('an admin creates an officer of two counties; the officer sets the password and enrols TOTP through the link, once', async () => {
      const created = await create('officer.two');
      assert.deepEqual(created.account.divisionCodes, ['370102', '370202']);
      assert.equal(created.account.passwordSet, false);
      assert.ok(created.setupLink.url.endsWith(created.setupLink.token));
      // No password yet: nothing signs in.
      assert.equal((await signIn('officer.two', '')).statusCode, 400);
      const set = await setPassword(created.setupLink.token);
      assert.equal(set.statusCode, 200, set.body);
      const { secondFactor } = set.json<{ secondFactor: { otpauthUri: string; secret: string } | null }>();
      assert.ok(secondFactor);
      assert.match(secondFactor.otpauthUri, /^otpauth:\/\/totp\//);
      // Single use.
      const again = await setPassword(created.setupLink.token, 'another-password-2');
      assert.equal(again.statusCode, 400);
      assert.equal(errorCode(again), 'setup_link_invalid');
      // The second factor: missing, wrong, right.
      const missing = await signIn('officer.two', 'a-good-password-1');
      assert.equal(missing.statusCode, 401);
      assert.equal(errorCode(missing), 'second_factor_required');
      const right = totpAt(secondFactor.secret, t.clock.now());
      const wrong = right === '000000' ? '111111' : '000000';
      const bad = await signIn('officer.two', 'a-good-password-1', wrong);
      assert.equal(errorCode(bad), 'second_factor_invalid');
      const ok = await signIn('officer.two', 'a-good-password-1', right);
      assert.equal(ok.statusCode, 200, ok.body);
      // Each code once (RFC 6238 §5.2): the same code again, still inside its window, is refused.
      const replayed = await signIn('officer.two', 'a-good-password-1', right);
      assert.equal(replayed.statusCode, 401);
      assert.equal(errorCode(replayed), 'second_factor_invalid');
      assert.match(replayed.body, /used already/);
      // Nor is the code of the step before, though it is inside the window.
      const earlier = totpAt(secondFactor.secret, t.clock.now() - 30_000);
      if (earlier !== right)
        assert.equal(
          errorCode(await signIn('officer.two', 'a-good-password-1', earlier)),
          'second_factor_invalid',
        );
      // The next step's code signs in.
      t.clock.advance(30_000);
      const next = await signIn(
        'officer.two',
        'a-good-password-1',
        totpAt(secondFactor.secret, t.clock.now()),
      );
      assert.equal(next.statusCode, 200, next.body);
      // The secret is not in the database as it was shown: stored through the sealer (base64 here,
      // sealed under the key-encryption key when one is configured — test/api/sealing.test.ts).
      const stored = await t.platform.db
        .selectFrom('staff')
        .select('totp_secret')
        .where('username', '=', 'officer.two')
        .executeTakeFirstOrThrow();
      assert.notEqual(stored.totp_secret, secondFactor.secret);
      assert.equal(await staffTotpSecret(t, 'officer.two'), secondFactor.secret);
    });

    test('a link past its expiry is refused (410 setup_link_expired) and stores nothing', async () => {
      const created = await create('officer.late');
      t.clock.advance(SETUP_LINK_MS);
      const r = await setPassword(created.setupLink.token);
      assert.equal(r.statusCode, 410);
      assert.equal(errorCode(r), 'setup_link_expired');
      // Three days on, the admin's 12-hour session has ended too.
      admin = await staffToken(t, 'root-admin');
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/staff', headers: bearer(admin) });
      const account = list
        .json<{ accounts: { username: string; passwordSet: boolean }[] }>()
        .accounts.find((a) => a.username === 'officer.late');
      assert.equal(account?.passwordSet, false);
    });

    test('disabling an account ends its sessions at once; re-scoping ends them too', async () => {
      await addStaff(t, [{ username: 'auditor.one', role: 'auditor', divisionCode: '000000' }]);
      // An account from storage with a password and no TOTP (like the CLI's) signs in with the password.
      const token = await staffToken(t, 'auditor.one');
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/audit-log', headers: bearer(token) });
      assert.equal(list.statusCode, 200, list.body);
      const accounts = await t.app.inject({ method: 'GET', url: '/api/v1/staff', headers: bearer(admin) });
      const id = accounts
        .json<{ accounts: { username: string; staffId: number }[] }>()
        .accounts.find((a) => a.username === 'auditor.one')?.staffId;
      const disabled = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/staff/${id}`,
        headers: bearer(admin),
        payload: { disabled: true },
      });
      assert.equal(disabled.statusCode, 200, disabled.body);
      assert.equal(disabled.json<{ sessionsRevoked: number }>().sessionsRevoked, 1);
      // No clock advance: the very next request is refused.
      const after = await t.app.inject({ method: 'GET', url: '/api/v1/audit-log', headers: bearer(token) });
      assert.equal(after.statusCode, 401);
      assert.equal((await signIn('auditor.one', 'pw')).statusCode, 401);
      // An admin cannot disable themself.
      const me = accounts
        .json<{ accounts: { username: string; staffId: number }[] }>()
        .accounts.find((a) => a.username === 'root-admin')?.staffId;
      const self = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/staff/${me}`,
        headers: bearer(admin),
        payload: { disabled: true },
      });
      assert.equal(self.statusCode, 403);
    });

    test('bad input: a 4xx with a stable code, and no account stored', async () => {
      const before = await t.app.inject({ method: 'GET', url: '/api/v1/staff', headers: bearer(admin) });
      const n = before.json<{ accounts: unknown[] }>().accounts.length;
      for (const [payload, code] of [
        [
          { username: 'x', role: 'officer', divisionCodes: ['370102'], displayName: 'X' },
          'validation_failed',
        ],
        [
          { username: 'okname', role: 'officer', divisionCodes: ['999999'], displayName: 'X' },
          'validation_failed',
        ],
        [
          { username: 'okname', role: 'officer', divisionCodes: ['370102', '370102'], displayName: 'X' },
          'validation_failed',
        ],
        [
          { username: 'okname', role: 'checkpoint', divisionCodes: ['370102'], displayName: 'X' },
          'validation_failed',
        ],
        [
          { username: 'root-admin', role: 'officer', divisionCodes: ['370102'], displayName: 'X' },
          'staff_username_taken',
        ],
      ] as const) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/staff',
          headers: bearer(admin),
          payload,
        });
        assert.ok(r.statusCode >= 400 && r.statusCode < 500, r.body);
        assert.equal(errorCode(r), code, r.body);
      }
      const afterList = await t.app.inject({ method: 'GET', url: '/api/v1/staff', headers: bearer(admin) });
      assert.equal(afterList.json<{ accounts: unknown[] }>().accounts.length, n);
    });

    test('a locked-out account unlocks when the lock-out ends, not before; the end is in the answer', async () => {
      await addStaff(t, [{ username: 'officer.locked', role: 'officer', divisionCode: '370102' }]);
      for (let i = 0; i < STAFF_SIGN_IN_FAILURES; i++) await signIn('officer.locked', 'wrong');
      const locked = await signIn('officer.locked', 'pw');
      assert.equal(locked.statusCode, 429);
      assert.equal(errorCode(locked), 'sign_in_locked');
      const retryAfter = Number(locked.headers['retry-after']);
      assert.equal(retryAfter, STAFF_SIGN_IN_LOCK_MS / 1000);
      const retryAt = locked.json<{ error: { retryAt?: string } }>().error.retryAt;
      assert.ok(
        retryAt !== undefined &&
          locked.json<{ error: { message: string } }>().error.message.includes(retryAt),
      );
      t.clock.advance(STAFF_SIGN_IN_LOCK_MS - 1);
      assert.equal(
        (await signIn('officer.locked', 'pw')).statusCode,
        429,
        'still locked 1 ms before the end',
      );
      t.clock.advance(1);
      const secret = await staffTotpSecret(t, 'officer.locked');
      assert.ok(secret, 'production: the officer has a second factor');
      const open = await signIn('officer.locked', 'pw', totpAt(secret, t.clock.now()));
      assert.equal(open.statusCode, 200, open.body);
    });
  });
}
