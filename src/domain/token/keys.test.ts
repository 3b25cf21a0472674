import assert from 'node:assert/strict';
import { sign, webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  createKeyMaterial,
  keyLookup,
  kidToBytes,
  publicJwk,
  signingKeyFromMaterial,
  verificationKeyFromJwk,
  verificationKeysFromJwks,
} from './keys.ts';
import type { KeyMaterial } from './keys.ts';

// RFC 8032 §7.1, TEST 1: seed, public key, and the signature of the empty message.
const RFC8032 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

const material: KeyMaterial = {
  kid: 'AQIDBAUGBwg',
  seed: Buffer.from(RFC8032.seed, 'hex'),
  secret: new Uint8Array(32).fill(7),
};

void describe('signingKeyFromMaterial', () => {
  const key = signingKeyFromMaterial(material);

  void test('builds the RFC 8032 key pair from its seed', () => {
    assert.equal(Buffer.from(publicJwk(key).x, 'base64url').toString('hex'), RFC8032.publicKey);
    assert.equal(sign(null, new Uint8Array(0), key.privateKey).toString('hex'), RFC8032.signature);
  });

  void test('decodes the kid to its 8 bytes', () => {
    assert.deepEqual([...key.kidBytes], [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  void test('derives macKey and subjectKey by HKDF-SHA256 (empty salt), checked with WebCrypto', async () => {
    const base = await webcrypto.subtle.importKey('raw', material.secret, 'HKDF', false, ['deriveBits']);
    const derive = async (info: string, bits: number): Promise<string> =>
      Buffer.from(
        await webcrypto.subtle.deriveBits(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode(info) },
          base,
          bits,
        ),
      ).toString('hex');
    assert.equal(key.macKey.toString('hex'), await derive('hpc1 mac', 256));
    assert.equal(key.subjectKey.toString('hex'), await derive('hpc1 subject', 128));
  });

  const bad: [string, Partial<KeyMaterial>][] = [
    ['a kid of 7 bytes', { kid: 'AQIDBAUGBw' }],
    ['a kid of 9 bytes', { kid: 'AQIDBAUGBwgJ' }],
    ['a padded kid', { kid: 'AQIDBAUGBwg=' }],
    ['a base64 (not url) kid', { kid: 'AQIDBAUG+wg' }],
    ['a non-canonical kid (low bits set)', { kid: 'AQIDBAUGBwh' }],
    ['a seed of 31 bytes', { seed: new Uint8Array(31) }],
    ['a secret of 16 bytes', { secret: new Uint8Array(16) }],
  ];
  for (const [name, change] of bad) {
    void test(`refuses ${name}`, () => {
      assert.throws(() => signingKeyFromMaterial({ ...material, ...change }), RangeError);
    });
  }
});

void describe('createKeyMaterial', () => {
  void test('takes every byte from the given source', () => {
    let counter = 0;
    const m = createKeyMaterial((size) => Uint8Array.from({ length: size }, () => counter++));
    assert.equal(m.kid, Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]).toString('base64url'));
    assert.deepEqual(
      [...m.seed],
      Array.from({ length: 32 }, (_, i) => 8 + i),
    );
    assert.deepEqual(
      [...m.secret],
      Array.from({ length: 32 }, (_, i) => 40 + i),
    );
    assert.equal(signingKeyFromMaterial(m).kid, m.kid);
  });
});

void describe('publicJwk / verificationKeyFromJwk', () => {
  const key = signingKeyFromMaterial(material);
  const jwk = publicJwk(key);

  void test('publishes only the public part', () => {
    assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    assert.deepEqual(publicJwk(verificationKeyFromJwk(jwk)), jwk);
  });

  void test('the verification key has no secret keys', () => {
    const vk = verificationKeyFromJwk(jwk);
    assert.equal(vk.macKey, undefined);
    assert.equal(vk.subjectKey, undefined);
  });

  const bad: [string, Record<string, unknown>][] = [
    ['an EC key', { kty: 'EC' }],
    ['an X25519 key', { crv: 'X25519' }],
    ['alg ES256', { alg: 'ES256' }],
    ['use enc', { use: 'enc' }],
    ['a private part d', { d: Buffer.from(RFC8032.seed, 'hex').toString('base64url') }],
    ['x of 31 bytes', { x: Buffer.alloc(31).toString('base64url') }],
    ['no x', { x: undefined }],
    ['a kid of 4 bytes', { kid: 'AQIDBA' }],
  ];
  for (const [name, change] of bad) {
    void test(`refuses ${name}`, () => {
      const candidate = { ...jwk, ...change } as JsonWebKey & { kid: string };
      assert.throws(() => verificationKeyFromJwk(candidate));
    });
  }

  void test('reads a JWKS and looks keys up by kid', () => {
    const second = signingKeyFromMaterial({
      ...material,
      kid: 'CAcGBQQDAgE',
      seed: new Uint8Array(32).fill(3),
    });
    const lookup = keyLookup(verificationKeysFromJwks({ keys: [jwk, publicJwk(second)] }));
    for (const expected of [jwk, publicJwk(second)]) {
      const found = lookup(expected.kid);
      assert.ok(found, expected.kid);
      assert.deepEqual(publicJwk(found), expected);
    }
    assert.equal(lookup('AAAAAAAAAAA'), undefined);
  });

  void test('kidToBytes accepts exactly 8 bytes of canonical base64url', () => {
    assert.deepEqual([...kidToBytes('__________8')], [255, 255, 255, 255, 255, 255, 255, 255]);
  });
});
