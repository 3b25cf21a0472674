import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, test } from 'node:test';
import { publicJwk, signingKeyFromMaterial, verificationKeyFromJwk } from './keys.ts';
import type { SigningKey } from './keys.ts';
import { sealSubject, unsealSubject } from './subject.ts';

function keyFrom(fill: number): SigningKey {
  return signingKeyFromMaterial({
    kid: Buffer.alloc(8, fill).toString('base64url'),
    seed: new Uint8Array(32).fill(fill),
    secret: new Uint8Array(32).fill(fill + 100),
  });
}

const key = keyFrom(1);
const otherKey = keyFrom(2);
const iat = 1_582_185_600; // 2020-02-20T08:00:00Z in seconds

void describe('sealSubject / unsealSubject', () => {
  const ids = [0, 1, 42, 2 ** 32, Number.MAX_SAFE_INTEGER];
  for (const id of ids) {
    void test(`resident ${id} round-trips with the right key and iat`, () => {
      const sealed = sealSubject(key, id, iat, 123);
      assert.equal(sealed.length, 16);
      assert.equal(unsealSubject(key, sealed, iat), id);
    });
  }

  void test('the reused per-key cipher gives each block its own answer, in any order, matching a fresh AES', () => {
    const blocks = [7, 8, 9].map((id) => ({ id, sealed: sealSubject(key, id, iat + id, id) }));
    for (const b of [...blocks].reverse()) assert.equal(unsealSubject(key, b.sealed, iat + b.id), b.id);
    // Interleaving keys must not mix their states.
    const other = sealSubject(otherKey, 7, iat + 7, 7);
    assert.notDeepEqual(other, blocks[0]?.sealed);
    assert.equal(unsealSubject(otherKey, other, iat + 7), 7);
    assert.equal(unsealSubject(key, blocks[0]?.sealed ?? new Uint8Array(), iat + 7), 7);
    const fresh = createCipheriv('aes-128-ecb', key.subjectKey, null).setAutoPadding(false);
    const plain = Buffer.alloc(16);
    plain.writeBigUInt64BE(7n, 0);
    plain.writeUInt32BE(iat + 7, 8);
    plain.writeUInt32BE(7, 12);
    assert.deepEqual(
      Buffer.from(blocks[0]?.sealed ?? []),
      Buffer.concat([fresh.update(plain), fresh.final()]),
    );
  });

  const sealed = sealSubject(key, 42, iat, 123);
  const refusals: [string, () => number | null][] = [
    ['another key', () => unsealSubject(otherKey, sealed, iat)],
    ['iat one second later', () => unsealSubject(key, sealed, iat + 1)],
    ['iat one second earlier', () => unsealSubject(key, sealed, iat - 1)],
    ['a public-only key', () => unsealSubject(verificationKeyFromJwk(publicJwk(key)), sealed, iat)],
    ['15 bytes', () => unsealSubject(key, sealed.subarray(0, 15), iat)],
    [
      'one flipped bit',
      () =>
        unsealSubject(
          key,
          Uint8Array.from(sealed, (b, i) => (i === 15 ? b ^ 1 : b)),
          iat,
        ),
    ],
  ];
  for (const [name, attempt] of refusals) {
    void test(`does not unseal with ${name}`, () => {
      assert.equal(attempt(), null);
    });
  }

  void test('two codes of the same resident have unrelated subject bytes', () => {
    const variants = [
      sealSubject(key, 42, iat, 123),
      sealSubject(key, 42, iat, 124),
      sealSubject(key, 42, iat + 60, 123),
      sealSubject(otherKey, 42, iat, 123),
    ];
    const hex = variants.map((v) => Buffer.from(v).toString('hex'));
    assert.equal(new Set(hex).size, variants.length, hex.join(' '));
    // A single-bit change of input flips about half of the 128 output bits (AES diffusion).
    const differing = bitsDiffering(variants[0] ?? new Uint8Array(), variants[1] ?? new Uint8Array());
    assert.ok(differing > 32, `only ${differing} bits differ`);
  });

  void test('the sealed bytes do not contain the resident id or iat in clear', () => {
    const id = 0x0102_0304_0506;
    const hex = Buffer.from(sealSubject(key, id, iat, 0)).toString('hex');
    assert.ok(!hex.includes('010203040506'));
    assert.ok(!hex.includes(iat.toString(16)));
  });

  void test('is deterministic: same key, id, iat and nonce give the same bytes', () => {
    assert.deepEqual(sealSubject(key, 7, iat, 9), sealSubject(keyFrom(1), 7, iat, 9));
  });

  const badArgs: [string, number, number, number][] = [
    ['negative id', -1, iat, 0],
    ['fractional id', 1.5, iat, 0],
    ['id above 2^53', 2 ** 53, iat, 0],
    ['negative iat', 1, -1, 0],
    ['iat above u32', 1, 2 ** 32, 0],
    ['nonce above u32', 1, iat, 2 ** 32],
    ['fractional nonce', 1, iat, 0.5],
  ];
  for (const [name, id, at, nonce] of badArgs) {
    void test(`refuses ${name}`, () => {
      assert.throws(() => sealSubject(key, id, at, nonce), RangeError);
    });
  }
});

function bitsDiffering(a: Uint8Array, b: Uint8Array): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    let x = (a[i] ?? 0) ^ (b[i] ?? 0);
    for (; x !== 0; x &= x - 1) count++;
  }
  return count;
}
