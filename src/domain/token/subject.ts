/**
 * Sealed subjects: the 16 bytes a personal or paper code carries instead of an identity. One AES
 * block under a key only the platform holds, so the QR names no one, and the iat and nonce inside
 * make two codes of the same resident unlinkable.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { residentId as toResidentId } from '../types.ts';
import type { ResidentId } from '../types.ts';
import { SUBJECT_BYTES } from './claims.ts';
import type { SigningKey, VerificationKey } from './keys.ts';

const U32_MAX = 0xffff_ffff;

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
  const cipher = createCipheriv('aes-128-ecb', key.subjectKey, null).setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
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
  const decipher = createDecipheriv('aes-128-ecb', key.subjectKey, null).setAutoPadding(false);
  const block = Buffer.concat([decipher.update(sealed), decipher.final()]);
  if (block.readUInt32BE(8) !== issuedAtSec) return null;
  const id = block.readBigUInt64BE(0);
  return id <= BigInt(Number.MAX_SAFE_INTEGER) ? toResidentId(Number(id)) : null;
}

function isU32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}
