import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { hashPassword } from '../../../use-cases/passwords.ts';
import { insertStaff } from '../../../storage/staff.ts';

for (const dialect of DIALECTS) {
  describe(`sign-in (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    before(async () => {
      t = await createTestPlatform(dialect);
      await insertStaff(t.platform.db, {
        username: 'guard',
        displayName: 'Guard',
        passwordHash: await hashPassword('correct horse'),
        role: 'checkpoint',
        divisionCode: '370102',
        createdAt: t.clock.now(),
      });
    });
    after(() => t.close());

    const send = (mobile: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/sign-in-codes', payload: { mobile } });
    const signIn = (mobile: string, code: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { mobile, code } });

    test('a code signs in once; the session works until sign-out', async () => {
      const sent = await send('138 0013 8001');
      assert.equal(sent.statusCode, 200);
      const devCode = sent.json<{ devCode: string }>().devCode;
      assert.match(devCode, /^\d{6}$/);
      assert.equal(t.sms.sent.get('+8613800138001'), devCode);
      const ok = await signIn('13800138001', devCode);
      assert.equal(ok.statusCode, 200);
      const token = ok.json<{ token: string }>().token;
      const again = await signIn('13800138001', devCode);
      assert.equal(again.statusCode, 400);
      assert.equal(again.json<{ error: { code: string } }>().error.code, 'sign_in_code_invalid');
      const me = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/application',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(me.statusCode, 404);
      assert.equal(me.json<{ error: { code: string } }>().error.code, 'application_required');
      const out = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/sessions/current',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(out.statusCode, 204);
      const after = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/application',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(after.statusCode, 401);
    });

    test('a code expires after 5 minutes', async () => {
      const code = (await send('13800138002').then((r) => r.json())) as { devCode: string };
      t.clock.advance(5 * 60_000);
      const r = await signIn('13800138002', code.devCode);
      assert.equal(r.json<{ error: { code: string } }>().error.code, 'sign_in_code_expired');
    });

    test('five wrong tries burn the code', async () => {
      const { devCode } = (await send('13800138003').then((r) => r.json())) as { devCode: string };
      const wrong = devCode === '000000' ? '111111' : '000000';
      const codes: string[] = [];
      for (let i = 0; i < 5; i++)
        codes.push(((await signIn('13800138003', wrong)).json() as { error: { code: string } }).error.code);
      assert.deepEqual(codes, [
        'sign_in_code_invalid',
        'sign_in_code_invalid',
        'sign_in_code_invalid',
        'sign_in_code_invalid',
        'sign_in_code_attempts_exceeded',
      ]);
      const right = await signIn('13800138003', devCode);
      assert.equal(right.json<{ error: { code: string } }>().error.code, 'sign_in_code_attempts_exceeded');
    });

    test('at most 5 codes per number per hour', async () => {
      for (let i = 0; i < 5; i++) assert.equal((await send('13800138004')).statusCode, 200);
      const sixth = await send('13800138004');
      assert.equal(sixth.statusCode, 429);
      assert.equal(sixth.json<{ error: { code: string } }>().error.code, 'rate_limited');
      t.clock.advance(60 * 60_000);
      assert.equal((await send('13800138004')).statusCode, 200);
    });

    test('production mode never returns devCode', async () => {
      const prod = await createTestPlatform(dialect, { mode: 'production' });
      try {
        const r = await prod.app.inject({
          method: 'POST',
          url: '/api/v1/sign-in-codes',
          payload: { mobile: '13800138005' },
        });
        assert.equal(r.statusCode, 200);
        assert.equal('devCode' in r.json<object>(), false);
      } finally {
        await prod.close();
      }
    });

    test('staff sign in with a password; wrong password and unknown user look the same', async () => {
      const ok = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username: 'guard', password: 'correct horse' },
      });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json<{ role: string }>().role, 'checkpoint');
      for (const payload of [
        { username: 'guard', password: 'wrong' },
        { username: 'nobody', password: 'correct horse' },
      ]) {
        const r = await t.app.inject({ method: 'POST', url: '/api/v1/staff-sessions', payload });
        assert.equal(r.statusCode, 401);
        assert.equal(r.json<{ error: { code: string } }>().error.code, 'invalid_credentials');
      }
    });

    test('a staff session expires after 12 hours', async () => {
      const ok = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username: 'guard', password: 'correct horse' },
      });
      const token = ok.json<{ token: string }>().token;
      t.clock.advance(12 * 60 * 60_000);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/verifications',
        payload: { code: 'x' },
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json<{ error: { code: string } }>().error.code, 'session_expired');
    });
  });
}

describe('sign-in when the SMS gateway fails', () => {
  test('answers sms_delivery_failed and leaves no usable or counted code', async () => {
    const t = await createTestPlatform('sqlite', { mode: 'production' });
    try {
      const failing = {
        sendSignInCode: async () => {
          throw new Error('gateway down');
        },
      };
      Object.assign(t.platform, { sms: failing });
      for (let i = 0; i < 6; i++) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/v1/sign-in-codes',
          payload: { mobile: '13800138009' },
        });
        assert.equal(r.statusCode, 502);
        assert.equal(r.json<{ error: { code: string } }>().error.code, 'sms_delivery_failed');
      }
      const rows = await t.platform.db.selectFrom('sign_in_codes').selectAll().execute();
      assert.equal(rows.length, 0);
    } finally {
      await t.close();
    }
  });
});
