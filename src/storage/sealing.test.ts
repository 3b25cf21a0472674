import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { SealingError, ValueSealer } from './sealing.ts';

void describe('ValueSealer', () => {
  const kek = randomBytes(32);
  const value = randomBytes(32);

  void test('sealed with a key-encryption key: opens to the same bytes, never stores them in clear', () => {
    const sealer = new ValueSealer(kek);
    const stored = sealer.seal(value, 'signing_keys:k1:seed');
    assert.ok(ValueSealer.isSealed(stored));
    assert.ok(!stored.includes(value.toString('base64')));
    assert.notEqual(sealer.seal(value, 'signing_keys:k1:seed'), stored, 'a fresh IV each time');
    assert.deepEqual(sealer.open(stored, 'signing_keys:k1:seed'), value);
  });

  void test('bound to its row: another context, another key or altered bytes do not open', () => {
    const stored = new ValueSealer(kek).seal(value, 'signing_keys:k1:seed');
    assert.throws(() => new ValueSealer(kek).open(stored, 'signing_keys:k2:seed'), SealingError);
    assert.throws(() => new ValueSealer(randomBytes(32)).open(stored, 'signing_keys:k1:seed'), /wrong key/);
    const bytes = Buffer.from(stored.slice('kek1:'.length), 'base64');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    const altered = 'kek1:' + bytes.toString('base64');
    assert.throws(() => new ValueSealer(kek).open(altered, 'signing_keys:k1:seed'), /altered/);
    assert.throws(() => new ValueSealer(kek).open('kek1:AAAA', 'x'), /truncated/);
  });

  void test('without a key-encryption key: plain base64, and sealed values say what is missing', () => {
    const plain = new ValueSealer(null);
    const stored = plain.seal(value, 'platform_secrets:p');
    assert.equal(stored, value.toString('base64'));
    assert.deepEqual(plain.open(stored, 'platform_secrets:p'), value);
    assert.deepEqual(
      new ValueSealer(kek).open(stored, 'platform_secrets:p'),
      value,
      'older plain values still read',
    );
    const sealed = new ValueSealer(kek).seal(value, 'platform_secrets:p');
    assert.throws(() => plain.open(sealed, 'platform_secrets:p'), /KEY_ENCRYPTION_KEY_FILE/);
  });

  void test('a key-encryption key is 32 bytes', () => {
    assert.throws(() => new ValueSealer(randomBytes(16)), RangeError);
  });
});
