/**
 * Offline verification of a health pass code in the browser (P1): the pure parser from the domain
 * plus WebCrypto Ed25519 against the cached public keys. The online tag is ignored: it needs the
 * platform's secret MAC key, which a checkpoint never holds.
 */
import type { Colour, EpochMs } from '../../src/domain/types.ts';
import { toBase64url } from '../../src/domain/token/base64url.ts';
import type { CodeKind } from '../../src/domain/token/claims.ts';
import { parseHealthCodeText, sigStructure } from '../../src/domain/token/cose.ts';

/**
 * ms; the same tolerance as the platform's verifier (src/domain/token/README.md §6), so a code
 * is judged alike online and offline. Not imported from health-code.ts: that file needs node:crypto.
 */
export const OFFLINE_CLOCK_SKEW_MS = 60_000;

/** One entry of GET /api/v1/keys. */
export interface PublishedJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg?: string;
  readonly use?: string;
  readonly status?: string;
}

export interface Jwks {
  readonly keys: readonly PublishedJwk[];
}

export type OfflineFailure =
  | 'malformed'
  | 'unknown_version'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_kind';

export type OfflineVerification =
  | {
      readonly valid: true;
      /** The colour when the code was issued: offline, nothing newer is known. */
      readonly colour: Colour;
      readonly kind: CodeKind;
      readonly kid: string;
      readonly issuedAt: EpochMs;
      readonly expiresAt: EpochMs;
      /** The badge carried in the code (issue 9): sampling time of the last negative test, doses. */
      readonly testSampledAt?: EpochMs;
      readonly vaccineDoses?: number;
    }
  | {
      readonly valid: false;
      readonly reason: OfflineFailure;
      readonly detail: string;
      /** For `expired` and `not_yet_valid`, whose signature did verify: the kind and its end. */
      readonly kind?: CodeKind;
      readonly expiresAt?: EpochMs;
    };

/** A JWKS as it came from the network or storage, or null when it is not one. */
export function readJwks(json: unknown): Jwks | null {
  if (typeof json !== 'object' || json === null || !('keys' in json) || !Array.isArray(json.keys))
    return null;
  const keys = (json.keys as unknown[]).filter(
    (k): k is PublishedJwk =>
      typeof k === 'object' &&
      k !== null &&
      (k as PublishedJwk).kty === 'OKP' &&
      (k as PublishedJwk).crv === 'Ed25519' &&
      typeof (k as PublishedJwk).x === 'string' &&
      typeof (k as PublishedJwk).kid === 'string',
  );
  return { keys };
}

/**
 * Verifies `text` as a checkpoint does without a network: version, structure, kid among the
 * published keys, Ed25519 over the COSE Sig_structure, time with {@link OFFLINE_CLOCK_SKEW_MS}, and
 * that it is a person's code (a place code is no entry ticket). `subtle` is WebCrypto's
 * (the browser's, or Node's in tests).
 */
export async function verifyOffline(
  text: string,
  jwks: Jwks,
  now: EpochMs,
  subtle: SubtleCrypto = globalThis.crypto.subtle,
): Promise<OfflineVerification> {
  const parsed = parseHealthCodeText(text);
  if (!parsed.ok) return { valid: false, reason: parsed.reason, detail: parsed.detail };
  const { cose, claims } = parsed.value;
  const kid = toBase64url(cose.kid);
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (jwk === undefined) {
    return { valid: false, reason: 'unknown_key', detail: `no cached key has kid ${kid}` };
  }
  let verified: boolean;
  try {
    const key = await subtle.importKey(
      'jwk',
      { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
      { name: 'Ed25519' },
      false,
      ['verify'],
    );
    verified = await subtle.verify(
      { name: 'Ed25519' },
      key,
      cose.signature as Uint8Array<ArrayBuffer>,
      sigStructure(cose.protectedBytes, cose.payloadBytes) as Uint8Array<ArrayBuffer>,
    );
  } catch (error) {
    // A key the browser cannot import cannot vouch for anything.
    return {
      valid: false,
      reason: 'unknown_key',
      detail: `key ${kid} unusable: ${(error as Error).message}`,
    };
  }
  if (!verified) {
    return { valid: false, reason: 'bad_signature', detail: `signature does not verify with key ${kid}` };
  }
  if (now < claims.issuedAt - OFFLINE_CLOCK_SKEW_MS) {
    return {
      valid: false,
      reason: 'not_yet_valid',
      detail: 'issued after this device’s time',
      kind: claims.kind,
      expiresAt: claims.expiresAt,
    };
  }
  if (now >= claims.expiresAt + OFFLINE_CLOCK_SKEW_MS) {
    return {
      valid: false,
      reason: 'expired',
      detail: 'the code has expired',
      kind: claims.kind,
      expiresAt: claims.expiresAt,
    };
  }
  if (claims.kind === 'place') {
    return { valid: false, reason: 'wrong_kind', detail: 'a place code is not a personal code' };
  }
  return {
    valid: true,
    colour: claims.colour,
    kind: claims.kind,
    kid,
    issuedAt: claims.issuedAt,
    expiresAt: claims.expiresAt,
    ...(claims.testSampledAt === undefined ? {} : { testSampledAt: claims.testSampledAt }),
    ...(claims.vaccineDoses === undefined ? {} : { vaccineDoses: claims.vaccineDoses }),
  };
}
