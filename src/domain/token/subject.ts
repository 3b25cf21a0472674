/**
 * Sealed subjects: the 16 bytes a personal or paper code carries instead of an identity. One AES
 * block under a key only the platform holds, so the QR names no one, and the iat and nonce inside
 * make two codes of the same resident unlinkable.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { residentId as toResidentId } from '../types.ts';
import type { ResidentId } from '../types.ts';
import { SUBJECT_BYTES } from './claims.ts';
import type { SigningKey, VerificationKey } from './keys.ts';

const U32_MAX = 0xffff_ffff;

/**
 * One long-lived ECB cipher per subject key. ECB keeps no state between blocks and padding is off,
 * so `update(block)` of exactly one block returns that block's result at once and the object can be
 * reused; creating a cipher per scan costs more than the AES itself.
 */
const ciphers = new WeakMap<Buffer, Cipher>();
const deciphers = new WeakMap<Buffer, Decipher>();

function ecbCipher(subjectKey: Buffer): Cipher {
  let c = ciphers.get(subjectKey);
  if (c === undefined) {
    c = createCipheriv('aes-128-ecb', subjectKey, null).setAutoPadding(false);
    ciphers.set(subjectKey, c);
  }
  return c;
}

function ecbDecipher(subjectKey: Buffer): Decipher {
  let d = deciphers.get(subjectKey);
  if (d === undefined) {
    d = createDecipheriv('aes-128-ecb', subjectKey, null).setAutoPadding(false);
    deciphers.set(subjectKey, d);
  }
  return d;
}

/**
 * AES-128-ECB(subjectKey, u64 BE residentId ‖ u32 BE issuedAtSec ‖ u32 BE nonce). ECB is safe
 * here: the input is exactly one block and never repeats (iat and nonce change per code).
 * `issuedAtSec` must equal the token's iat claim (`toNumericDate(issuedAt)`); `nonce` is a random
 * u32 from the caller. Throws RangeError on out-of-range arguments.
 */
export function sealSubject(
  key: SigningKey,
  residentId: number,
  issuedAtSec: number,
  nonce: number,
): Uint8Array {
  if (!Number.isSafeInteger(residentId) || residentId < 0)
    throw new RangeError('residentId must be a safe integer ≥ 0');
  if (!isU32(issuedAtSec)) throw new RangeError('issuedAtSec must be a u32 (seconds up to 2106)');
  if (!isU32(nonce)) throw new RangeError('nonce must be a u32');
  const block = Buffer.alloc(SUBJECT_BYTES);
  block.writeBigUInt64BE(BigInt(residentId), 0);
  block.writeUInt32BE(issuedAtSec, 8);
  block.writeUInt32BE(nonce, 12);
  return new Uint8Array(ecbCipher(key.subjectKey).update(block));
}

/**
 * The resident id sealed in `sealed`, or null when the key has no subject key, the bytes are not
 * one block, or the iat inside differs from `issuedAtSec` (a subject moved from another code).
 */
export function unsealSubject(
  key: VerificationKey,
  sealed: Uint8Array,
  issuedAtSec: number,
): ResidentId | null {
  if (key.subjectKey === undefined || sealed.length !== SUBJECT_BYTES) return null;
  const block = ecbDecipher(key.subjectKey).update(sealed);
  if (block.length !== SUBJECT_BYTES) return null;
  if (block.readUInt32BE(8) !== issuedAtSec) return null;
  const id = block.readBigUInt64BE(0);
  return id <= BigInt(Number.MAX_SAFE_INTEGER) ? toResidentId(Number(id)) : null;
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}
