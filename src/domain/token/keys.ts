/**
 * Signing and verification keys (Node only: KeyObject, HKDF). The caller supplies every random
 * byte, so the same material always yields the same keys.
 */
import { createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { fromBase64url, toBase64url } from './base64url.ts';
import { KID_BYTES } from './cose.ts';

/** What storage persists for one signing key. All three are secret except `kid`. */
export interface KeyMaterial {
  /** base64url (no padding) of 8 bytes. */
  readonly kid: string;
  /** 32 bytes: the Ed25519 private key seed (RFC 8032 §5.1.5). */
  readonly seed: Uint8Array;
  /** 32 bytes from which the online MAC key and the subject-sealing key are derived. */
  readonly secret: Uint8Array;
}

export interface SigningKey {
  readonly kid: string;
  readonly kidBytes: Uint8Array;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** 32 bytes, HMAC-SHA256 key of the online tag. */
  readonly macKey: Buffer;
  /** 16 bytes, AES-128 key that seals resident pseudonyms. */
  readonly subjectKey: Buffer;
}

/** Offline verifiers hold only `publicKey`; the platform also holds the two secret keys. */
export interface VerificationKey {
  readonly kid: string;
  readonly publicKey: KeyObject;
  readonly macKey?: Buffer;
  readonly subjectKey?: Buffer;
}

export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

export const SEED_BYTES = 32;
export const SECRET_BYTES = 32;
const MAC_KEY_BYTES = 32;
const SUBJECT_KEY_BYTES = 16;

// PKCS#8 PrivateKeyInfo for id-Ed25519 (1.3.101.112) wrapping a 32-byte seed (RFC 8410 §7).
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * New key material from a source of random bytes (pass `crypto.randomBytes`). The domain takes no
 * randomness of its own.
 */
export function createKeyMaterial(randomBytes: (size: number) => Uint8Array): KeyMaterial {
  return {
    kid: toBase64url(randomBytes(KID_BYTES)),
    seed: Uint8Array.from(randomBytes(SEED_BYTES)),
    secret: Uint8Array.from(randomBytes(SECRET_BYTES)),
  };
}

/**
 * Builds the key objects once, so that signing and verifying do not rebuild them per token.
 * Throws RangeError on material of the wrong shape (a storage or configuration fault).
 */
export function signingKeyFromMaterial(m: KeyMaterial): SigningKey {
  const kidBytes = kidToBytes(m.kid);
  if (m.seed.length !== SEED_BYTES) throw new RangeError(`key ${m.kid}: seed must be ${SEED_BYTES} bytes`);
  if (m.secret.length !== SECRET_BYTES)
    throw new RangeError(`key ${m.kid}: secret must be ${SECRET_BYTES} bytes`);
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, m.seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return {
    kid: m.kid,
    kidBytes,
    privateKey,
    publicKey: createPublicKey(privateKey),
    macKey: derive(m.secret, 'hpc1 mac', MAC_KEY_BYTES),
    subjectKey: derive(m.secret, 'hpc1 subject', SUBJECT_KEY_BYTES),
  };
}

/**
 * A verification key from a published JWK (`kty` OKP, `crv` Ed25519). Throws TypeError naming the
 * first problem; a key set with a bad entry is a publishing fault, not a scan outcome.
 */
export function verificationKeyFromJwk(jwk: JsonWebKey & { kid: string }): VerificationKey {
  const kid = String(jwk.kid);
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new TypeError(`key ${kid}: not an Ed25519 OKP key`);
  if (jwk.alg !== undefined && jwk.alg !== 'EdDSA') throw new TypeError(`key ${kid}: alg must be EdDSA`);
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new TypeError(`key ${kid}: use must be sig`);
  if (jwk.d !== undefined)
    throw new TypeError(`key ${kid}: a published key must not carry the private part d`);
  const x = jwk.x ?? '';
  if (fromBase64url(x)?.length !== 32) throw new TypeError(`key ${kid}: x must be 32 bytes of base64url`);
  kidToBytes(kid);
  return { kid, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }) };
}

/** Every key of a JWKS document (`{ keys: [...] }`), in order. Throws like `verificationKeyFromJwk`. */
export function verificationKeysFromJwks(jwks: {
  readonly keys: readonly (JsonWebKey & { kid: string })[];
}): VerificationKey[] {
  return jwks.keys.map(verificationKeyFromJwk);
}

/** The public half, as published for offline verifiers. */
export function publicJwk(key: SigningKey | VerificationKey): PublicJwk {
  const { x } = key.publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new TypeError(`key ${key.kid}: not an Ed25519 public key`);
  return { kty: 'OKP', crv: 'Ed25519', x, kid: key.kid, alg: 'EdDSA', use: 'sig' };
}

/** A kid lookup for `verifyHealthCode` over a fixed list of keys. */
export function keyLookup(keys: Iterable<VerificationKey>): (kid: string) => VerificationKey | undefined {
  const byKid = new Map<string, VerificationKey>();
  for (const key of keys) byKid.set(key.kid, key);
  return (kid) => byKid.get(kid);
}

/** Throws RangeError unless `kid` is the canonical base64url of 8 bytes. */
export function kidToBytes(kid: string): Uint8Array {
  const bytes = fromBase64url(kid);
  if (bytes === null || bytes.length !== KID_BYTES) {
    throw new RangeError(`kid ${JSON.stringify(kid)} must be base64url of ${KID_BYTES} bytes`);
  }
  return bytes;
}

function derive(secret: Uint8Array, info: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), info, length));
}
