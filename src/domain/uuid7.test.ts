import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { uuid7 } from './uuid7.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuid7: RFC 9562 layout, the time in the first 48 bits, sortable by time', () => {
  const t = Date.parse('2026-11-25T02:00:00Z');
  const id = uuid7(t, randomBytes(10));
  assert.match(id, UUID);
  assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), t);
  const ids = [0, 1, 1000, 86_400_000].map((d) => uuid7(t + d, randomBytes(10)));
  assert.deepEqual([...ids].sort(), ids);
  // All-ones random bytes keep the version and variant bits.
  assert.match(uuid7(t, new Uint8Array(10).fill(0xff)), UUID);
  assert.throws(() => uuid7(t, new Uint8Array(3)), RangeError);
});

test('uuid7: the RFC 9562 appendix A.6 example', () => {
  const random = Uint8Array.of(0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f);
  assert.equal(uuid7(0x017f22e279b0, random), '017f22e2-79b0-7cc3-98c4-dc0c0c07398f');
});
