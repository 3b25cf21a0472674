/**
 * Byte layout of a health pass code: QR text ⇄ base45 ⇄ COSE_Sign1 ⇄ CWT claims. No cryptography
 * here, so that an offline verifier can pair this parser with WebCrypto (README.md has the format).
 */
import { encode as base45Encode } from 'base45';
import { Decoder, Encoder, Tag } from 'cbor-x';
import { SUBJECT_BYTES, claimsFromCbor, claimsToCbor } from './claims.ts';
import type { CodeClaims, CodeKind } from './claims.ts';
import { epochMs, type Colour } from '../types.ts';

/** `HPC1` is the format version; any other `HPC<n>:` prefix is a version this code cannot read. */
export const QR_PREFIX = 'HPC1:';
/** COSE header labels and values used by HPC1 (RFC 9052 §3.1, RFC 9053 §2.2). */
export const COSE = { alg: 1, kid: 4, onlineTag: -70002, eddsa: -8, sign1Tag: 18 } as const;
export const KID_BYTES = 8;
export const SIGNATURE_BYTES = 64;
export const ONLINE_TAG_BYTES = 16;
/** Characters. A real token is about 260; longer text is refused before any decoding work. */
export const MAX_QR_TEXT_LENGTH = 1024;

const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

// Plain CBOR only: no record extension, no tag 259 on maps, no tag 64 on byte strings, so that any
// RFC 8949 decoder reads what we write. Maps decode as `Map` because the claim labels are integers.
const cborOptions = {
  useRecords: false,
  mapsAsObjects: false,
  useTag259ForMaps: false,
  tagUint8Array: false,
  variableMapSize: true,
};
const encoder = new Encoder(cborOptions);
const decoder = new Decoder(cborOptions);

/** CBOR encoding copied out of the encoder's shared buffer, which later calls may overwrite. */
export function encodeCbor(value: unknown): Uint8Array {
  return Uint8Array.from(encoder.encode(value));
}

/** The parts of a COSE_Sign1 that verification needs, as the exact bytes that were signed. */
export interface CoseSign1 {
  /** Contents of the protected-header bstr (the signature covers these bytes, not a re-encoding). */
  readonly protectedBytes: Uint8Array;
  readonly kid: Uint8Array;
  /** Contents of the payload bstr. */
  readonly payloadBytes: Uint8Array;
  readonly signature: Uint8Array;
  /** Null when absent or not a 16-byte string; offline verifiers ignore it either way. */
  readonly onlineTag: Uint8Array | null;
}

export interface ParsedHealthCode {
  readonly cose: CoseSign1;
  /** Not yet authenticated: trust them only after the tag or signature has been checked. */
  readonly claims: CodeClaims;
}

export type ParseResult =
  | { readonly ok: true; readonly value: ParsedHealthCode }
  | { readonly ok: false; readonly reason: 'malformed' | 'unknown_version'; readonly detail: string };

/** Protected header bstr contents: `{1: -8, 4: kid}`. */
export function encodeProtectedHeader(kid: Uint8Array): Uint8Array {
  if (kid.length !== KID_BYTES) throw new RangeError(`kid must be ${KID_BYTES} bytes`);
  return encodeCbor(
    new Map<number, unknown>([
      [COSE.alg, COSE.eddsa],
      [COSE.kid, kid],
    ]),
  );
}

/** Payload bstr contents: the CWT claims map. Throws RangeError for impossible claims. */
export function encodePayload(claims: CodeClaims): Uint8Array {
  return encodeCbor(claimsToCbor(claims));
}

/** The bytes Ed25519 signs (RFC 9052 §4.4): `["Signature1", protected, h'', payload]`. */
export function sigStructure(protectedBytes: Uint8Array, payloadBytes: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payloadBytes]);
}

/** The bytes the online tag covers: protected ‖ payload ‖ signature (bstr contents, no CBOR heads). */
export function onlineTagInput(cose: Omit<CoseSign1, 'kid' | 'onlineTag'>): Uint8Array {
  const { protectedBytes, payloadBytes, signature } = cose;
  const out = new Uint8Array(protectedBytes.length + payloadBytes.length + signature.length);
  out.set(protectedBytes, 0);
  out.set(payloadBytes, protectedBytes.length);
  out.set(signature, protectedBytes.length + payloadBytes.length);
  return out;
}

/** `HPC1:` + base45(tag 18 [protected, {-70002: tag}?, payload, signature]). */
export function formatHealthCodeText(
  cose: Omit<CoseSign1, 'kid' | 'onlineTag'> & { readonly onlineTag: Uint8Array | null },
): string {
  const unprotected = new Map<number, unknown>(
    cose.onlineTag === null ? [] : [[COSE.onlineTag, cose.onlineTag]],
  );
  const message = new Tag(
    [cose.protectedBytes, unprotected, cose.payloadBytes, cose.signature],
    COSE.sign1Tag,
  );
  return QR_PREFIX + base45Encode(encodeCbor(message));
}

/**
 * Reads QR text into its COSE parts and (unauthenticated) claims. Checks the version prefix, then
 * the structure; never throws.
 */
function malformed(detail: string): ParseResult {
  return { ok: false, reason: 'malformed', detail };
}

export function parseHealthCodeText(text: string): ParseResult {
  if (!text.startsWith(QR_PREFIX)) {
    const version = /^HPC[0-9]+:/.exec(text);
    if (version !== null) {
      return { ok: false, reason: 'unknown_version', detail: `prefix ${version[0]} is not ${QR_PREFIX}` };
    }
    return malformed(`text does not start with ${QR_PREFIX}`);
  }
  if (text.length > MAX_QR_TEXT_LENGTH)
    return malformed(`text is longer than ${MAX_QR_TEXT_LENGTH} characters`);
  const bytes = decodeBase45Strict(text.slice(QR_PREFIX.length), QR_PREFIX.length);
  if (typeof bytes === 'string') return malformed(bytes);
  const canonical = readCanonicalCose(bytes);
  return canonical === null ? readCose(bytes) : { ok: true, value: canonical };
}

/**
 * The general reader: any RFC 8949 encoding of an HPC1 COSE_Sign1, decoded with cbor-x, with a
 * sentence for whatever is wrong. Exported for the test that compares it with the fast reader.
 */
export function readCose(bytes: Uint8Array): ParseResult {
  let message: unknown;
  try {
    message = decoder.decode(bytes);
  } catch (error) {
    return malformed(`not CBOR: ${(error as Error).message}`);
  }
  if (message instanceof Tag) {
    if (message.tag !== COSE.sign1Tag) return malformed(`CBOR tag ${message.tag} is not 18 (COSE_Sign1)`);
    message = message.value;
  }
  if (!Array.isArray(message) || message.length !== 4)
    return malformed('COSE_Sign1 must be an array of 4 items');
  const [protectedBytes, unprotected, payloadBytes, signature] = message as unknown[];
  if (!(protectedBytes instanceof Uint8Array)) return malformed('protected header must be a byte string');
  if (!(unprotected instanceof Map)) return malformed('unprotected header must be a map');
  if (!(payloadBytes instanceof Uint8Array)) return malformed('payload must be a byte string');
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_BYTES) {
    return malformed(`signature must be a ${SIGNATURE_BYTES}-byte string`);
  }

  const kid = protectedKid(protectedBytes);
  if (typeof kid === 'string') return malformed(kid);

  let payload: unknown;
  try {
    payload = decoder.decode(payloadBytes);
  } catch (error) {
    return malformed(`payload is not CBOR: ${(error as Error).message}`);
  }
  const claims = claimsFromCbor(payload);
  if (!claims.ok) return claims;

  const tag: unknown = unprotected.get(COSE.onlineTag);
  const onlineTag = tag instanceof Uint8Array && tag.length === ONLINE_TAG_BYTES ? tag : null;
  return {
    ok: true,
    value: { cose: { protectedBytes, kid, payloadBytes, signature, onlineTag }, claims: claims.claims },
  };
}

/**
 * The fast reader: the exact bytes this platform's encoder writes, read by position — tag 18,
 * array(4), the canonical protected header, an empty unprotected map or one holding only the
 * online tag, the payload map {1: iss, 6: iat, 4: exp, -70001: {v: 1, k, c, s}} in that order
 * with shortest-form heads, and a 64-byte signature ending the buffer. Anything else — another
 * valid encoding, extra claims, an unknown version, an error — returns null and goes to `readCose`,
 * which therefore decides every failure. What this accepts, `readCose` reads the same way (a test
 * checks it on generated tokens). Written by hand because it runs on every online scan and the
 * general decoder, building Maps for two nested documents, costs several times more.
 */
export function readCanonicalCose(b: Uint8Array): ParsedHealthCode | null {
  const n = b.length;
  if (n < 100 || b[0] !== 0xd2 || b[1] !== 0x84 || b[2] !== 0x40 + 13) return null;
  for (let i = 0; i < CANONICAL_PROTECTED_PREFIX.length; i++) {
    if (b[3 + i] !== CANONICAL_PROTECTED_PREFIX[i]) return null;
  }
  const protectedBytes = b.subarray(3, 16);
  let at = 16;
  let onlineTag: Uint8Array | null = null;
  if (b[at] === 0xa0) {
    at += 1;
  } else {
    // map(1), -70002 (major 1, argument 70001 = 0x011171), bytes(16)
    if (
      b[at] !== 0xa1 ||
      b[at + 1] !== 0x3a ||
      b[at + 2] !== 0x00 ||
      b[at + 3] !== 0x01 ||
      b[at + 4] !== 0x11 ||
      b[at + 5] !== 0x71 ||
      b[at + 6] !== 0x40 + ONLINE_TAG_BYTES
    )
      return null;
    onlineTag = b.subarray(at + 7, at + 7 + ONLINE_TAG_BYTES);
    at += 7 + ONLINE_TAG_BYTES;
  }
  const payloadHead = b[at] ?? 0;
  let payloadLength: number;
  if (payloadHead >= 0x40 && payloadHead < 0x58) {
    payloadLength = payloadHead - 0x40;
    at += 1;
  } else if (payloadHead === 0x58 && (b[at + 1] ?? 0) >= 24) {
    payloadLength = b[at + 1] ?? 0;
    at += 2;
  } else {
    return null;
  }
  const payloadBytes = b.subarray(at, at + payloadLength);
  at += payloadLength;
  if (at + 2 + SIGNATURE_BYTES !== n || b[at] !== 0x58 || b[at + 1] !== SIGNATURE_BYTES) return null;
  const signature = b.subarray(at + 2);
  const claims = readCanonicalClaims(payloadBytes);
  if (claims === null) return null;
  return {
    cose: { protectedBytes, kid: protectedBytes.subarray(5), payloadBytes, signature, onlineTag },
    claims,
  };
}

const CANONICAL_KIND: Readonly<Record<number, CodeKind>> = { 0x70: 'personal', 0x66: 'paper', 0x6c: 'place' };
const CANONICAL_COLOUR: Readonly<Record<number, Colour>> = { 0x67: 'green', 0x79: 'yellow', 0x72: 'red' };
/**
 * -70001 (major 1, argument 0x011170), then (after the map head: map(4), or map(5)/map(6) with the
 * badge keys) "v", 1, "k", text(1) — the bytes before the kind letter.
 */
const CANONICAL_CLAIM_LABEL = Uint8Array.of(0x3a, 0x00, 0x01, 0x11, 0x70);
const CANONICAL_CODE_HEAD = Uint8Array.of(0x61, 0x76, 0x01, 0x61, 0x6b, 0x61);

function readCanonicalClaims(p: Uint8Array): CodeClaims | null {
  if (p[0] !== 0xa4 || p[1] !== 0x01) return null;
  // iss: ASCII text, shortest-form length
  let at = 2;
  const head = p[at] ?? 0;
  let issLength: number;
  if (head > 0x60 && head < 0x78) {
    issLength = head - 0x60;
    at += 1;
  } else if (head === 0x78 && (p[at + 1] ?? 0) >= 24) {
    issLength = p[at + 1] ?? 0;
    at += 2;
  } else {
    return null;
  }
  let issuer = '';
  for (let i = at; i < at + issLength; i++) {
    const c = p[i] ?? 0x80;
    if (c >= 0x80) return null;
    issuer += String.fromCharCode(c);
  }
  at += issLength;
  if (p[at] !== 0x06) return null;
  const iat = readCanonicalUint(p, at + 1);
  if (iat === null) return null;
  at = iat.next;
  if (p[at] !== 0x04) return null;
  const exp = readCanonicalUint(p, at + 1);
  if (exp === null || exp.value <= iat.value) return null;
  at = exp.next;
  for (let i = 0; i < CANONICAL_CLAIM_LABEL.length; i++) {
    if (p[at + i] !== CANONICAL_CLAIM_LABEL[i]) return null;
  }
  at += CANONICAL_CLAIM_LABEL.length;
  const entries = (p[at] ?? 0) - 0xa0;
  if (entries < 4 || entries > 6) return null;
  at += 1;
  for (let i = 0; i < CANONICAL_CODE_HEAD.length; i++) {
    if (p[at + i] !== CANONICAL_CODE_HEAD[i]) return null;
  }
  at += CANONICAL_CODE_HEAD.length;
  const kind = CANONICAL_KIND[p[at] ?? 0];
  // "c", text(1), colour letter, "s", bytes(16), end
  if (
    kind === undefined ||
    p[at + 1] !== 0x61 ||
    p[at + 2] !== 0x63 ||
    p[at + 3] !== 0x61 ||
    p[at + 5] !== 0x61 ||
    p[at + 6] !== 0x73 ||
    p[at + 7] !== 0x40 + SUBJECT_BYTES
  )
    return null;
  const colour = CANONICAL_COLOUR[p[at + 4] ?? 0];
  if (colour === undefined) return null;
  const subject = p.slice(at + 8, at + 8 + SUBJECT_BYTES);
  at += 8 + SUBJECT_BYTES;
  // The badge, in the order the encoder writes it: "t" NumericDate, then "n" doses (1–255).
  let testSampledAt: number | undefined;
  let vaccineDoses: number | undefined;
  let extra = entries - 4;
  if (extra > 0 && p[at] === 0x61 && p[at + 1] === 0x74) {
    const t = readCanonicalUint(p, at + 2);
    if (t === null) return null;
    testSampledAt = t.value;
    at = t.next;
    extra -= 1;
  }
  if (extra > 0 && p[at] === 0x61 && p[at + 1] === 0x6e) {
    const n = readCanonicalUint(p, at + 2);
    if (n === null || n.value < 1 || n.value > 255) return null;
    vaccineDoses = n.value;
    at = n.next;
    extra -= 1;
  }
  if (extra !== 0 || at !== p.length) return null;
  return {
    kind,
    colour,
    issuer,
    issuedAt: epochMs(iat.value * 1000),
    expiresAt: epochMs(exp.value * 1000),
    subject,
    ...(testSampledAt === undefined ? {} : { testSampledAt: epochMs(testSampledAt * 1000) }),
    ...(vaccineDoses === undefined ? {} : { vaccineDoses }),
  };
}

/** An unsigned integer with a shortest-form head of at most 4 bytes (NumericDates until 2106). */
function readCanonicalUint(p: Uint8Array, at: number): { value: number; next: number } | null {
  const head = p[at] ?? 0xff;
  if (head < 0x18) return { value: head, next: at + 1 };
  if (head === 0x18) {
    const v = p[at + 1] ?? 0;
    return v >= 24 ? { value: v, next: at + 2 } : null;
  }
  if (head === 0x19) {
    const v = ((p[at + 1] ?? 0) << 8) | (p[at + 2] ?? 0);
    return v >= 0x100 ? { value: v, next: at + 3 } : null;
  }
  if (head === 0x1a) {
    const v =
      (p[at + 1] ?? 0) * 0x1000000 + (((p[at + 2] ?? 0) << 16) | ((p[at + 3] ?? 0) << 8) | (p[at + 4] ?? 0));
    return v >= 0x10000 ? { value: v, next: at + 5 } : null;
  }
  return null;
}

/** `{1: -8, 4: h'<8 bytes>'}` as this platform encodes it: map(2), 1, -8, 4, bytes(8). */
const CANONICAL_PROTECTED_PREFIX = Uint8Array.of(0xa2, 0x01, 0x27, 0x04, 0x48);

/**
 * The kid of a protected header, or what is wrong with it. The platform's own encoding is
 * recognised byte for byte (this runs on every scan); any other valid CBOR encoding of the same
 * map is decoded in full.
 */
function protectedKid(protectedBytes: Uint8Array): Uint8Array | string {
  if (protectedBytes.length === CANONICAL_PROTECTED_PREFIX.length + KID_BYTES) {
    let canonical = true;
    for (let i = 0; i < CANONICAL_PROTECTED_PREFIX.length; i++) {
      if (protectedBytes[i] !== CANONICAL_PROTECTED_PREFIX[i]) {
        canonical = false;
        break;
      }
    }
    if (canonical) return protectedBytes.subarray(CANONICAL_PROTECTED_PREFIX.length);
  }
  let header: unknown;
  try {
    header = decoder.decode(protectedBytes);
  } catch (error) {
    return `protected header is not CBOR: ${(error as Error).message}`;
  }
  if (!(header instanceof Map)) return 'protected header must be a map';
  if (header.get(COSE.alg) !== COSE.eddsa) return 'protected header alg (1) must be -8 (EdDSA)';
  const kid: unknown = header.get(COSE.kid);
  if (!(kid instanceof Uint8Array) || kid.length !== KID_BYTES) {
    return `protected header kid (4) must be a ${KID_BYTES}-byte string`;
  }
  return kid;
}

/** Alphabet index of each char code, or -1. */
const BASE45_VALUE = Int8Array.from({ length: 128 }, (_, code) =>
  BASE45_ALPHABET.indexOf(String.fromCharCode(code)),
);

/**
 * RFC 9285 decoding that refuses what the `base45` package's decoder would silently mangle:
 * characters outside the alphabet, a dangling single character, and groups above 0xFFFF (or 0xFF
 * for a final pair). Written here rather than validate-then-decode because it sits on the hot path
 * of every online scan (about 1 µs against 20 µs) and needs no `Buffer` in a browser. Returns the
 * bytes, or a sentence saying what is wrong; `offset` positions the message in the whole text.
 */
export function decodeBase45Strict(text: string, offset = 0): Uint8Array | string {
  const length = text.length;
  if (length === 0) return 'no data after the prefix';
  const rest = length % 3;
  if (rest === 1) return 'base45 text length leaves a single dangling character';
  const out = new Uint8Array(((length - rest) / 3) * 2 + (rest === 2 ? 1 : 0));
  const full = length - rest;
  let o = 0;
  for (let i = 0; i < full; i += 3) {
    const d0 = base45Digit(text.charCodeAt(i));
    const d1 = base45Digit(text.charCodeAt(i + 1));
    const d2 = base45Digit(text.charCodeAt(i + 2));
    if ((d0 | d1 | d2) < 0) return notBase45(text, offset, i, d2 < 0 ? 2 : d1 < 0 ? 1 : 0);
    const value = d0 + d1 * 45 + d2 * 2025;
    if (value > 0xffff) return `base45 group at ${offset + i} decodes to ${value}, above 65535`;
    out[o++] = value >> 8;
    out[o++] = value & 0xff;
  }
  if (rest === 2) {
    const d0 = base45Digit(text.charCodeAt(full));
    const d1 = base45Digit(text.charCodeAt(full + 1));
    if ((d0 | d1) < 0) return notBase45(text, offset, full, d1 < 0 ? 1 : 0);
    const value = d0 + d1 * 45;
    if (value > 0xff) return `base45 group at ${offset + full} decodes to ${value}, above 255`;
    out[o] = value;
  }
  return out;
}

function base45Digit(code: number): number {
  return code < 128 ? (BASE45_VALUE[code] ?? -1) : -1;
}

function notBase45(text: string, offset: number, group: number, within: number): string {
  const at = group + within;
  return `character ${JSON.stringify(text.charAt(at))} at ${offset + at} is not base45`;
}
