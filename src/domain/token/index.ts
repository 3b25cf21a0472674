// Public API of the health pass code token (P1). Other layers import from here.
export { CODE_KINDS, toNumericDate } from './claims.ts';
export type { CodeClaims, CodeKind } from './claims.ts';
export { QR_PREFIX, parseHealthCodeText } from './cose.ts';
export type { CoseSign1, ParsedHealthCode, ParseResult } from './cose.ts';
export {
  createKeyMaterial,
  keyLookup,
  publicJwk,
  signingKeyFromMaterial,
  verificationKeyFromJwk,
  verificationKeysFromJwks,
} from './keys.ts';
export type { KeyMaterial, PublicJwk, SigningKey, VerificationKey } from './keys.ts';
export { sealSubject, unsealSubject } from './subject.ts';
export { codeKid, DEFAULT_CLOCK_SKEW_MS, encodeHealthCode, verifyHealthCode } from './health-code.ts';
export type { VerifyFailure, VerifyResult } from './health-code.ts';
export { renderQrPng, renderQrSvg } from './qr-image.ts';
