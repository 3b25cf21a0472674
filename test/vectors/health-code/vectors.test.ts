// Runs every committed HPC1 vector through verifyHealthCode with the committed public key.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { epochMs } from '../../../src/domain/types.ts';
import { keyLookup, verificationKeysFromJwks, verifyHealthCode } from '../../../src/domain/token/index.ts';

interface VectorCase {
  name: string;
  description: string;
  text: string;
  now: string;
  expected:
    | { ok: true; kind: string; colour: string; issuer: string; issuedAt: string; expiresAt: string }
    | { ok: false; reason: string };
}

const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8'));
const jwks = read('./public-keys.json') as { keys: (JsonWebKey & { kid: string })[] };
const vectors = read('./vectors.json') as { format: string; clockSkewMs: number; cases: VectorCase[] };
const keys = keyLookup(verificationKeysFromJwks(jwks));

void describe('HPC1 vectors', () => {
  void test('the key file publishes public Ed25519 keys only', () => {
    assert.ok(jwks.keys.length > 0);
    for (const jwk of jwks.keys) {
      assert.equal(jwk.d, undefined, `key ${jwk.kid} must not carry its private part`);
      assert.deepEqual([jwk.kty, jwk.crv, jwk.alg], ['OKP', 'Ed25519', 'EdDSA']);
    }
  });

  void test('every failure reason and every kind appears', () => {
    const reasons = new Set(vectors.cases.map((c) => (c.expected.ok ? 'ok' : c.expected.reason)));
    const wanted = [
      'ok',
      'malformed',
      'unknown_version',
      'unknown_key',
      'bad_signature',
      'expired',
      'not_yet_valid',
    ];
    assert.deepEqual([...reasons].sort(), wanted.sort());
    const kinds = new Set(vectors.cases.flatMap((c) => (c.expected.ok ? [c.expected.kind] : [])));
    assert.deepEqual([...kinds].sort(), ['paper', 'personal', 'place']);
  });

  for (const c of vectors.cases) {
    void test(c.name, () => {
      const result = verifyHealthCode(c.text, keys, epochMs(Date.parse(c.now)), {
        clockSkewMs: vectors.clockSkewMs,
      });
      if (!c.expected.ok) {
        assert.equal(result.ok ? 'ok' : result.reason, c.expected.reason, JSON.stringify(result));
        return;
      }
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.checkedBy, 'signature', 'vectors carry no online tag');
      const { kind, colour, issuer, issuedAt, expiresAt } = result.claims;
      assert.deepEqual(
        {
          ok: true,
          kind,
          colour,
          issuer,
          issuedAt: new Date(issuedAt).toISOString(),
          expiresAt: new Date(expiresAt).toISOString(),
        },
        c.expected,
      );
    });
  }
});
