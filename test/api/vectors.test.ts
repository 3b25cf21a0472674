import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import { insertStaff } from '../../src/storage/staff.ts';
import { verificationKeyFromJwk } from '../../src/domain/token/index.ts';

interface Vector {
  name: string;
  text: string;
  now: string;
  expected: { ok: true; kind: string } | { ok: false; reason: string };
}

const vectors = JSON.parse(fs.readFileSync('test/vectors/health-code/vectors.json', 'utf8')) as {
  cases: Vector[];
};
const list: Vector[] = vectors.cases;
const jwks = JSON.parse(fs.readFileSync('test/vectors/health-code/public-keys.json', 'utf8')) as {
  keys: (JsonWebKey & { kid: string })[];
};

describe('verifyCode rejects each published test vector with its distinct reason', () => {
  let t: TestPlatform;
  let guard: string;
  before(async () => {
    t = await createTestPlatform('sqlite');
    for (const jwk of jwks.keys) t.platform.keyring.trustPublicKey(verificationKeyFromJwk(jwk));
    await insertStaff(t.platform.db, {
      username: 'guard',
      displayName: 'g',
      passwordHash: await hashPassword('pw'),
      role: 'checkpoint',
      divisionCode: '370102',
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
  });
  after(() => t.close());

  test('there are vectors for every failure reason', () => {
    const reasons = new Set(list.flatMap((v) => (v.expected.ok ? [] : [v.expected.reason])));
    for (const r of [
      'malformed',
      'unknown_version',
      'unknown_key',
      'bad_signature',
      'expired',
      'not_yet_valid',
    ])
      assert.ok(reasons.has(r), r);
  });

  for (const v of list) {
    test(v.name, async () => {
      t.clock.set(Date.parse(v.now));
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/verifications',
        headers: { authorization: `Bearer ${guard}` },
        payload: { code: v.text },
      });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json() as { valid: boolean; reason?: string };
      if (v.expected.ok) {
        // Signature and times check out; a place code is not a personal code, and a personal
        // code's subject is sealed for another issuer, so it cannot be resolved here.
        assert.equal(body.valid, false);
        assert.equal(body.reason, v.expected.kind === 'place' ? 'wrong_kind' : 'revoked');
      } else {
        assert.equal(body.valid, false);
        assert.equal(body.reason, v.expected.reason);
      }
    });
  }
});
