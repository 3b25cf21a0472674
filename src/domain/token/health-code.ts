/** Signing and verifying health pass code tokens (format in README.md). */
import { createHmac, sign, timingSafeEqual, verify } from 'node:crypto';
import type { EpochMs } from '../types.ts';
import { toBase64url } from './base64url.ts';
import type { CodeClaims, CodeKind } from './claims.ts';
import {
  ONLINE_TAG_BYTES,
  encodePayload,
  encodeProtectedHeader,
  formatHealthCodeText,
  parseHealthCodeText,
  sigStructure,
} from './cose.ts';
import type { CoseSign1 } from './cose.ts';
import type { SigningKey, VerificationKey } from './keys.ts';

export type VerifyFailure =
  'malformed' | 'unknown_version' | 'unknown_key' | 'bad_signature' | 'expired' | 'not_yet_valid';

export type VerifyResult =
  | {
      readonly ok: true;
      readonly kid: string;
      readonly claims: CodeClaims;
      /** 'online-tag': the platform's HMAC matched, so no Ed25519 verification was done. */
      readonly checkedBy: 'online-tag' | 'signature';
    }
  | {
      readonly ok: false;
      readonly reason: VerifyFailure;
      readonly detail: string;
      /** For `expired` and `not_yet_valid`, whose signature did verify: the kind of code it is. */
      readonly kind?: CodeKind;
    };

/**
 * Milliseconds a verifier's clock may differ from the issuer's. A code is accepted while
 * `iat − skew ≤ now < exp + skew`; without it a scanner a few seconds behind would refuse a code
 * issued a moment ago.
 */
export const DEFAULT_CLOCK_SKEW_MS = 60_000;

/**
 * Signs `claims` and returns the QR text. Times are truncated to whole seconds. With the online
 * tag (the default) the platform can later verify the token with one HMAC instead of Ed25519;
 * tokens for third parties or test vectors can leave it out. Throws RangeError for claims no
 * issuer may produce (empty issuer, exp not after iat, subject not 16 bytes).
 */
export function encodeHealthCode(
  claims: CodeClaims,
  key: SigningKey,
  opts: { readonly withOnlineTag?: boolean } = {},
): string {
  const protectedBytes = encodeProtectedHeader(key.kidBytes);
  const payloadBytes = encodePayload(claims);
  const signature = new Uint8Array(sign(null, sigStructure(protectedBytes, payloadBytes), key.privateKey));
  const signed = { protectedBytes, payloadBytes, signature };
  const onlineTag = (opts.withOnlineTag ?? true) ? computeOnlineTag(key.macKey, signed) : null;
  return formatHealthCodeText({ ...signed, onlineTag });
}

/**
 * Pure; `now` in ms; `keys` looks a kid up. Order of checks: version, structure, key,
 * tag-or-signature, time. When the key has a `macKey` and the token a valid online tag, the
 * Ed25519 verification is skipped (only the macKey holder can make a tag, and it covers the
 * signature bytes); otherwise the signature decides, so a wrong tag never hides the real reason.
 */
export function verifyHealthCode(
  text: string,
  keys: (kid: string) => VerificationKey | undefined,
  now: EpochMs,
  opts: { readonly clockSkewMs?: number } = {},
): VerifyResult {
  const parsed = parseHealthCodeText(text);
  if (!parsed.ok) return parsed;
  const { cose, claims } = parsed.value;

  const kid = kidText(cose.kid);
  const key = keys(kid);
  if (key === undefined)
    return { ok: false, reason: 'unknown_key', detail: `no published key has kid ${kid}` };

  let checkedBy: 'online-tag' | 'signature';
  if (key.macKey !== undefined && cose.onlineTag !== null && onlineTagMatches(key.macKey, cose)) {
    checkedBy = 'online-tag';
  } else if (
    verify(null, sigStructure(cose.protectedBytes, cose.payloadBytes), key.publicKey, cose.signature)
  ) {
    checkedBy = 'signature';
  } else {
    return { ok: false, reason: 'bad_signature', detail: `signature does not verify with key ${kid}` };
  }

  const skew = opts.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  if (now < claims.issuedAt - skew) {
    return {
      ok: false,
      reason: 'not_yet_valid',
      detail: `issued at ${iso(claims.issuedAt)}, after ${iso(now)}`,
      kind: claims.kind,
    };
  }
  if (now >= claims.expiresAt + skew) {
    return { ok: false, reason: 'expired', detail: `expired at ${iso(claims.expiresAt)}`, kind: claims.kind };
  }
  return { ok: true, kid, claims, checkedBy };
}

function computeOnlineTag(macKey: Buffer, cose: Omit<CoseSign1, 'kid' | 'onlineTag'>): Uint8Array {
  // Same bytes as onlineTagInput(cose), without copying them into one buffer first.
  const mac = createHmac('sha256', macKey)
    .update(cose.protectedBytes)
    .update(cose.payloadBytes)
    .update(cose.signature)
    .digest();
  return new Uint8Array(mac.subarray(0, ONLINE_TAG_BYTES));
}

function onlineTagMatches(macKey: Buffer, cose: CoseSign1): boolean {
  return cose.onlineTag !== null && timingSafeEqual(computeOnlineTag(macKey, cose), cose.onlineTag);
}

/**
 * The kid a code says it was signed with, read without verifying anything (null when the text is not
 * an HPC1 code): for finding the codes a key signed, never for trusting one.
 */
export function codeKid(text: string): string | null {
  const parsed = parseHealthCodeText(text);
  return parsed.ok ? toBase64url(parsed.value.cose.kid) : null;
}

/** The last kid seen and its text: nearly every scan carries the active key's kid. */
let lastKidBytes = new Uint8Array(0);
let lastKidText = '';

function kidText(kid: Uint8Array): string {
  if (kid.length === lastKidBytes.length) {
    let same = true;
    for (let i = 0; i < kid.length; i++) {
      if (kid[i] !== lastKidBytes[i]) {
        same = false;
        break;
      }
    }
    if (same) return lastKidText;
  }
  const text = toBase64url(kid);
  lastKidBytes = Uint8Array.from(kid);
  lastKidText = text;
  return text;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
