import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DAY_MS, MINUTE_MS, epochMs, type EpochMs } from '../../src/domain/types.ts';
import {
  DEFAULT_CLOCK_SKEW_MS,
  encodeHealthCode,
  keyLookup,
  publicJwk,
  sealSubject,
  signingKeyFromMaterial,
  toNumericDate,
  verificationKeyFromJwk,
  verifyHealthCode,
  type CodeClaims,
} from '../../src/domain/token/index.ts';
import { formatHealthCodeText, parseHealthCodeText } from '../../src/domain/token/cose.ts';
import { OFFLINE_CLOCK_SKEW_MS, readJwks, verifyOffline, type Jwks } from './offline-verify.ts';

/** The page's verifier (WebCrypto) against the platform's own (node:crypto), on real tokens. */

const keyFrom = (fill: number) =>
  signingKeyFromMaterial({
    kid: Buffer.alloc(8, fill).toString('base64url'),
    seed: new Uint8Array(32).fill(fill),
    secret: new Uint8Array(32).fill(fill + 100),
  });
const key = keyFrom(3);
const stranger = keyFrom(4);
const jwks: Jwks = { keys: [{ ...publicJwk(key), status: 'active' }] };
const offlineKeys = keyLookup([verificationKeyFromJwk(publicJwk(key))]);

const issuedAt = epochMs(Date.parse('2026-11-25T02:00:00Z'));
const expiresAt = epochMs(issuedAt + 5 * MINUTE_MS);
const during = epochMs(issuedAt + MINUTE_MS);

function code(overrides: Partial<CodeClaims> = {}, signer = key): string {
  return encodeHealthCode(
    {
      kind: 'personal',
      colour: 'green',
      issuer: 'CN-37',
      issuedAt,
      expiresAt,
      subject: sealSubject(key, 42, toNumericDate(issuedAt), 7),
      ...overrides,
    },
    signer,
  );
}

/** The same token with one bit of its signature flipped, as a forger would have it. */
function withBadSignature(text: string): string {
  const parsed = parseHealthCodeText(text);
  assert.ok(parsed.ok);
  const signature = Uint8Array.from(parsed.value.cose.signature);
  signature[10] = (signature[10] ?? 0) ^ 1;
  return formatHealthCodeText({ ...parsed.value.cose, signature });
}

describe('verifyOffline', () => {
  test('uses the platform verifier’s clock skew', () => {
    assert.equal(OFFLINE_CLOCK_SKEW_MS, DEFAULT_CLOCK_SKEW_MS);
  });

  const cases: { name: string; text: string; now: EpochMs; expected: string }[] = [
    { name: 'green personal code', text: code(), now: during, expected: 'valid green' },
    {
      name: 'red code: valid, colour at issue',
      text: code({ colour: 'red' }),
      now: during,
      expected: 'valid red',
    },
    {
      name: 'paper code',
      text: code({ kind: 'paper', colour: 'yellow' }),
      now: during,
      expected: 'valid yellow',
    },
    { name: 'signature altered', text: withBadSignature(code()), now: during, expected: 'bad_signature' },
    {
      name: 'one base45 character of the signature changed',
      text: code({ colour: 'green' }).replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      now: during,
      expected: 'bad_signature',
    },
    { name: 'signed by an unknown key', text: code({}, stranger), now: during, expected: 'unknown_key' },
    {
      name: 'last instant of the skew',
      text: code(),
      now: epochMs(expiresAt + 59_999),
      expected: 'valid green',
    },
    { name: 'expired beyond the skew', text: code(), now: epochMs(expiresAt + 60_000), expected: 'expired' },
    {
      name: 'issued in the future',
      text: code(),
      now: epochMs(issuedAt - 60_001),
      expected: 'not_yet_valid',
    },
    {
      name: 'a place code is no entry ticket',
      text: code({ kind: 'place', expiresAt: epochMs(issuedAt + 3650 * DAY_MS) }),
      now: during,
      expected: 'wrong_kind',
    },
    { name: 'not a code at all', text: 'hello', now: during, expected: 'malformed' },
    { name: 'a later format version', text: 'HPC2:ABC', now: during, expected: 'unknown_version' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const result = await verifyOffline(c.text, jwks, c.now);
      assert.equal(result.valid ? `valid ${result.colour}` : result.reason, c.expected);
      if (c.expected === 'wrong_kind') return;
      // Same verdict as the platform's own verifier holding only the public key.
      const platform = verifyHealthCode(c.text, offlineKeys, c.now);
      assert.equal(platform.ok ? `valid ${platform.claims.colour}` : platform.reason, c.expected);
    });
  }

  test('without cached keys nothing verifies', async () => {
    const result = await verifyOffline(code(), { keys: [] }, during);
    assert.deepEqual(result.valid ? 'valid' : result.reason, 'unknown_key');
  });
});

describe('readJwks', () => {
  test('keeps Ed25519 keys and drops anything else', () => {
    const good = publicJwk(key);
    assert.deepEqual(readJwks({ keys: [good, { kty: 'RSA', kid: 'x' }, null, 'x'] }), { keys: [good] });
  });
  for (const bad of [null, 'keys', { keys: 'x' }, {}]) {
    test(`refuses ${JSON.stringify(bad)}`, () => assert.equal(readJwks(bad), null));
  }
});
