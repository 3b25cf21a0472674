import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  type TestPlatform,
} from '../../../../test/support/platform.ts';

/**
 * Issue 8 finding 2: the sign-in limits hold under concurrency on both databases — at most 5 codes
 * sent per number per rolling hour, at most 5 wrong guesses per number per rolling hour (across
 * codes: a new code does not give new tries).
 */
for (const dialect of DIALECTS) {
  describe(`sign-in limits under concurrency (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    /** SMS handed to the gateway, per number. */
    const sentCount = new Map<string, number>();
    before(async () => {
      t = await createTestPlatform(dialect);
      const memory = t.sms;
      Object.assign(t.platform, {
        sms: {
          async sendSignInCode(mobile: string, code: string) {
            sentCount.set(mobile, (sentCount.get(mobile) ?? 0) + 1);
            await memory.sendSignInCode(mobile, code);
          },
        },
      });
    });
    after(() => t.close());

    const send = (mobile: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/sign-in-codes', payload: { mobile } });
    const signIn = (mobile: string, code: string) =>
      t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { mobile, code } });
    const errorCode = (r: { json: <T>() => T }) => r.json<{ error?: { code: string } }>().error?.code;
    const codeOf = async (mobile: string) => {
      const r = await send(mobile);
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{ devCode: string }>().devCode;
    };
    const wrongFor = (code: string, i = 0) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
    const wrongGuessesStored = async (mobile: string) =>
      Number(
        (
          await t.platform.db
            .selectFrom('sign_in_guesses')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('mobile', '=', mobile)
            .executeTakeFirstOrThrow()
        ).n,
      );
    const tally = (codes: (string | undefined)[]) => {
      const counts: Record<string, number> = {};
      for (const c of codes) counts[c ?? 'ok'] = (counts[c ?? 'ok'] ?? 0) + 1;
      return counts;
    };

    test('30 concurrent code requests for one number send exactly 5', async () => {
      const responses = await Promise.all(Array.from({ length: 30 }, () => send('13700137001')));
      assert.equal(sentCount.get('+8613700137001'), 5);
      assert.deepEqual(tally(responses.map(errorCode)), { ok: 5, rate_limited: 25 });
      assert.equal(responses.filter((r) => r.statusCode === 429).length, 25);
    });

    test('50 concurrent wrong guesses: at most 5 compared; the right code after them does not sign in', async () => {
      const mobile = '13700137002';
      const code = await codeOf(mobile);
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => signIn(mobile, wrongFor(code, i))),
      );
      // 4 answers "wrong, n tries left", the 5th compared one says the budget is spent, like the 45 others.
      assert.deepEqual(tally(responses.map(errorCode)), {
        sign_in_code_invalid: 4,
        sign_in_code_attempts_exceeded: 46,
      });
      assert.equal(await wrongGuessesStored('+86' + mobile), 5);
      assert.equal(errorCode(await signIn(mobile, code)), 'sign_in_code_attempts_exceeded');
    });

    test('the right code among 40 concurrent wrong ones: still at most 5 compared', async () => {
      const mobile = '13700137003';
      const code = await codeOf(mobile);
      const guesses = [...Array.from({ length: 40 }, (_, i) => wrongFor(code, i)), code];
      const responses = await Promise.all(guesses.map((g) => signIn(mobile, g)));
      const outcome = tally(responses.map(errorCode));
      const stored = await wrongGuessesStored('+86' + mobile);
      assert.ok(stored <= 5, `${stored} wrong guesses were compared`);
      assert.ok((outcome['sign_in_code_invalid'] ?? 0) <= 4, JSON.stringify(outcome));
      // Signing in is possible only if the right code came while tries were left.
      assert.ok((outcome['ok'] ?? 0) === 0 || stored < 5, JSON.stringify(outcome));
    });

    test('a new code does not reset the wrong-guess budget; the budget is a rolling hour', async () => {
      const mobile = '13700137004';
      const first = await codeOf(mobile);
      for (let i = 0; i < 3; i++)
        assert.equal(errorCode(await signIn(mobile, wrongFor(first, i))), 'sign_in_code_invalid');
      t.clock.advance(30 * 60_000);
      const second = await codeOf(mobile);
      const wrong4 = await signIn(mobile, wrongFor(second));
      assert.equal(errorCode(wrong4), 'sign_in_code_invalid');
      assert.match(wrong4.json<{ error: { message: string } }>().error.message, /1 try left/);
      assert.equal(errorCode(await signIn(mobile, wrongFor(second, 1))), 'sign_in_code_attempts_exceeded');
      assert.equal(errorCode(await signIn(mobile, second)), 'sign_in_code_attempts_exceeded');
      // A third code would be of no use until tries come back, so none is sent.
      const third = await send(mobile);
      assert.equal(third.statusCode, 429);
      assert.equal(errorCode(third), 'sign_in_code_attempts_exceeded');
      assert.equal(sentCount.get('+86' + mobile), 2);
      // An hour after the first three wrong guesses, those three tries come back (the last two not yet).
      t.clock.advance(30 * 60_000);
      const fresh = await codeOf(mobile);
      const wrong = await signIn(mobile, wrongFor(fresh));
      assert.match(wrong.json<{ error: { message: string } }>().error.message, /2 tries left/);
      assert.equal((await signIn(mobile, fresh)).statusCode, 200);
    });
  });
}
