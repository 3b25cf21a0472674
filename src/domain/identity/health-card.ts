import { createHmac } from 'node:crypto';
import { normalizeDocumentNumber } from './documents.ts';
import type { DocumentType } from './documents.ts';

/**
 * Identifiers derived from an ID document with a platform secret (HMAC-SHA256). Without the secret
 * they cannot be turned back into, or confirmed against, a document number; with it, the same
 * document always gives the same identifiers, whatever channel the resident came through (S1, S17).
 */

/** 128 bits: shorter keys would make the derived ids guessable by trying document numbers. */
export const MIN_SECRET_BYTES = 16;
/** Crockford's base32: upper case, no I, L, O or U, so an id read aloud or retyped is unambiguous. */
const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 20 characters × 5 bits = 100 bits: collisions stay negligible for a country's population. */
const HEALTH_CARD_ID_CHARS = 20;

export interface DocumentRef {
  readonly type: DocumentType;
  readonly number: string;
}

function documentMac(secret: Uint8Array, label: string, doc: DocumentRef): Buffer {
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new RangeError(
      `identity secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.byteLength}`,
    );
  }
  // NUL separates the parts so that no (type, number) pair can be written as another's.
  const message = `${label}\0${doc.type}\0${normalizeDocumentNumber(doc.type, doc.number)}`;
  return createHmac('sha256', secret).update(message, 'utf8').digest();
}

function crockfordBase32(bytes: Uint8Array, length: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      bits -= 5;
      out += CROCKFORD_BASE32.charAt((buffer >> bits) & 31);
    }
    if (out.length === length) break;
  }
  return out;
}

/**
 * Electronic health card id (S17): 'HC' + 20 Crockford base32 characters, stable per document.
 * The number is normalized first, so raw and normalized input give the same id.
 * @throws RangeError when the secret is shorter than `MIN_SECRET_BYTES` (a configuration bug).
 */
export function deriveHealthCardId(secret: Uint8Array, doc: DocumentRef): string {
  return `HC${crockfordBase32(documentMac(secret, 'healthcard', doc), HEALTH_CARD_ID_CHARS)}`;
}

/**
 * Unique lookup key of a document in storage ("one person, one record"): 43 base64url characters
 * (the full 256-bit HMAC), under a different label from the health card id so neither reveals the other.
 * @throws RangeError when the secret is shorter than `MIN_SECRET_BYTES` (a configuration bug).
 */
export function deriveDocumentKey(secret: Uint8Array, doc: DocumentRef): string {
  return documentMac(secret, 'documentkey', doc).toString('base64url');
}
