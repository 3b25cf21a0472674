import { epochMs } from '../types.ts';
import type { Colour, EpochMs } from '../types.ts';

/** personal: a resident's own code; paper: a printed code for a family member; place: a venue's code. */
export type CodeKind = 'personal' | 'paper' | 'place';
export const CODE_KINDS: readonly CodeKind[] = ['personal', 'paper', 'place'];

/** What a health pass code token asserts, once its signature has been checked. */
export interface CodeClaims {
  readonly kind: CodeKind;
  readonly colour: Colour;
  /** Issuing authority, e.g. `CN-37` (ISO 3166-2 for Shandong). */
  readonly issuer: string;
  /** Whole seconds: CWT times are seconds, so milliseconds are dropped when encoding. */
  readonly issuedAt: EpochMs;
  /** The token is expired from this instant on (exclusive end). Whole seconds. */
  readonly expiresAt: EpochMs;
  /**
   * 16 bytes. Personal and paper codes: the sealed resident pseudonym (see `sealSubject`).
   * Place codes: the venue id in clear.
   */
  readonly subject: Uint8Array;
  /**
   * The test and vaccination badge carried for offline checkpoints (personal and paper codes, issue 9
   * item 4). Sampling time of the latest negative nucleic-acid test, whole seconds; absent: none.
   */
  readonly testSampledAt?: EpochMs;
  /** Vaccine doses on record, 1–255; absent: none. */
  readonly vaccineDoses?: number;
}

/** Integer labels and text keys of the CWT payload (README.md, "Payload"). */
export const CLAIM = { iss: 1, exp: 4, iat: 6, healthCode: -70001 } as const;
export const HEALTH_CODE_CLAIM_VERSION = 1;
export const SUBJECT_BYTES = 16;

const KIND_CODE: Readonly<Record<CodeKind, string>> = { personal: 'p', paper: 'f', place: 'l' };
const COLOUR_CODE: Readonly<Record<Colour, string>> = { green: 'g', yellow: 'y', red: 'r' };
const KIND_BY_CODE = invert(KIND_CODE);
const COLOUR_BY_CODE = invert(COLOUR_CODE);

function invert<K extends string>(record: Readonly<Record<K, string>>): ReadonlyMap<string, K> {
  return new Map(Object.entries(record).map(([k, v]) => [v as string, k as K]));
}

/** Milliseconds → CWT NumericDate (whole seconds, rounded down). */
export function toNumericDate(ms: EpochMs): number {
  return Math.floor(ms / 1000);
}

/**
 * The CWT claims map as a JS Map, in the key order the platform emits. Throws RangeError for
 * claims no issuer may produce (a programming error, not an expected outcome).
 */
export function claimsToCbor(claims: CodeClaims): Map<number, unknown> {
  const iat = toNumericDate(claims.issuedAt);
  const exp = toNumericDate(claims.expiresAt);
  if (claims.issuer.length === 0) throw new RangeError('issuer must not be empty');
  if (!Number.isSafeInteger(iat) || iat < 0) throw new RangeError('issuedAt must be after 1970');
  if (!Number.isSafeInteger(exp) || exp <= iat) throw new RangeError('expiresAt must be after issuedAt');
  if (claims.subject.length !== SUBJECT_BYTES) throw new RangeError(`subject must be ${SUBJECT_BYTES} bytes`);
  const code = new Map<string, unknown>([
    ['v', HEALTH_CODE_CLAIM_VERSION],
    ['k', KIND_CODE[claims.kind]],
    ['c', COLOUR_CODE[claims.colour]],
    ['s', claims.subject],
  ]);
  if (claims.testSampledAt !== undefined) {
    const t = toNumericDate(claims.testSampledAt);
    if (!Number.isSafeInteger(t) || t < 0) throw new RangeError('testSampledAt must be after 1970');
    code.set('t', t);
  }
  if (claims.vaccineDoses !== undefined) {
    const n = claims.vaccineDoses;
    if (!Number.isInteger(n) || n < 1 || n > 255) throw new RangeError('vaccineDoses must be 1–255');
    code.set('n', n);
  }
  return new Map<number, unknown>([
    [CLAIM.iss, claims.issuer],
    [CLAIM.iat, iat],
    [CLAIM.exp, exp],
    [CLAIM.healthCode, code],
  ]);
}

export type ClaimsParse =
  | { readonly ok: true; readonly claims: CodeClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknown_version'; readonly detail: string };

/** Reads a decoded CBOR payload (maps decoded as `Map`). Unknown extra claims are ignored. */
function malformed(detail: string): ClaimsParse {
  return { ok: false, reason: 'malformed', detail };
}

export function claimsFromCbor(decoded: unknown): ClaimsParse {
  if (!(decoded instanceof Map)) return malformed('payload is not a CBOR map');
  const iss: unknown = decoded.get(CLAIM.iss);
  const iat: unknown = decoded.get(CLAIM.iat);
  const exp: unknown = decoded.get(CLAIM.exp);
  const code: unknown = decoded.get(CLAIM.healthCode);
  if (typeof iss !== 'string' || iss.length === 0) return malformed('claim 1 (iss) must be non-empty text');
  if (!isSeconds(iat)) return malformed('claim 6 (iat) must be a non-negative integer');
  if (!isSeconds(exp)) return malformed('claim 4 (exp) must be a non-negative integer');
  if (exp <= iat) return malformed('claim 4 (exp) must be after claim 6 (iat)');
  if (!(code instanceof Map)) return malformed('claim -70001 (health code) must be a map');
  const v: unknown = code.get('v');
  if (v !== HEALTH_CODE_CLAIM_VERSION) {
    return {
      ok: false,
      reason: 'unknown_version',
      detail: `health code claim version ${String(v)} is not 1`,
    };
  }
  const k: unknown = code.get('k');
  const c: unknown = code.get('c');
  const s: unknown = code.get('s');
  const kind = typeof k === 'string' ? KIND_BY_CODE.get(k) : undefined;
  const colour = typeof c === 'string' ? COLOUR_BY_CODE.get(c) : undefined;
  if (kind === undefined) return malformed("health code 'k' must be 'p', 'f' or 'l'");
  if (colour === undefined) return malformed("health code 'c' must be 'g', 'y' or 'r'");
  if (!(s instanceof Uint8Array) || s.length !== SUBJECT_BYTES) {
    return malformed(`health code 's' must be a ${SUBJECT_BYTES}-byte string`);
  }
  const t: unknown = code.get('t');
  const n: unknown = code.get('n');
  if (t !== undefined && !isSeconds(t)) return malformed("health code 't' must be a non-negative integer");
  if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 255)) {
    return malformed("health code 'n' must be an integer from 1 to 255");
  }
  return {
    ok: true,
    claims: {
      kind,
      colour,
      issuer: iss,
      issuedAt: epochMs(iat * 1000),
      expiresAt: epochMs(exp * 1000),
      subject: Uint8Array.from(s),
      ...(t === undefined ? {} : { testSampledAt: epochMs(t * 1000) }),
      ...(n === undefined ? {} : { vaccineDoses: n }),
    },
  };
}

function isSeconds(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}
