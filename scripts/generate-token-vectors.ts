/**
 * Writes the language-neutral HPC1 test vectors to test/vectors/health-code/ (P1).
 *
 *   node --import tsx scripts/generate-token-vectors.ts
 *
 * Every run makes FRESH random keys and forgets the private halves, so no private key is ever
 * committed; only the public key lands in public-keys.json. Re-running rewrites both files.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as base45Encode } from 'base45';
import { DAY_MS, epochMs } from '../src/domain/types.ts';
import type { Colour, EpochMs } from '../src/domain/types.ts';
import { toNumericDate } from '../src/domain/token/claims.ts';
import type { CodeClaims, CodeKind } from '../src/domain/token/claims.ts';
import { COSE, encodeCbor, formatHealthCodeText, parseHealthCodeText } from '../src/domain/token/cose.ts';
import type { CoseSign1 } from '../src/domain/token/cose.ts';
import { encodeHealthCode, verifyHealthCode } from '../src/domain/token/health-code.ts';
import { createKeyMaterial, keyLookup, publicJwk, signingKeyFromMaterial } from '../src/domain/token/keys.ts';
import type { SigningKey } from '../src/domain/token/keys.ts';
import { sealSubject } from '../src/domain/token/subject.ts';

const HOUR_MS = 3_600_000;
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'vectors', 'health-code');

type Expected =
  | {
      ok: true;
      kind: CodeKind;
      colour: Colour;
      issuer: string;
      issuedAt: string;
      expiresAt: string;
    }
  | { ok: false; reason: string };

interface VectorCase {
  name: string;
  description: string;
  text: string;
  now: string;
  expected: Expected;
}

const published = signingKeyFromMaterial(createKeyMaterial(randomBytes));
const unpublished = signingKeyFromMaterial(createKeyMaterial(randomBytes));

/** 2020-02-20 08:00 UTC, when Shandong's codes were in use. */
const issuedAt = epochMs(Date.parse('2020-02-20T08:00:00Z'));

function claimsFor(kind: CodeKind, colour: Colour, key: SigningKey, lifetimeMs: number): CodeClaims {
  const subject =
    kind === 'place'
      ? Uint8Array.from(randomBytes(16))
      : sealSubject(key, 1_000_001, toNumericDate(issuedAt), randomBytes(4).readUInt32BE(0));
  return { kind, colour, issuer: 'CN-37', issuedAt, expiresAt: epochMs(issuedAt + lifetimeMs), subject };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function okCase(name: string, description: string, claims: CodeClaims, now: EpochMs): VectorCase {
  return {
    name,
    description,
    text: encodeHealthCode(claims, published, { withOnlineTag: false }),
    now: iso(now),
    expected: {
      ok: true,
      kind: claims.kind,
      colour: claims.colour,
      issuer: claims.issuer,
      issuedAt: iso(claims.issuedAt),
      expiresAt: iso(claims.expiresAt),
    },
  };
}

function failCase(name: string, description: string, text: string, now: EpochMs, reason: string): VectorCase {
  return { name, description, text, now: iso(now), expected: { ok: false, reason } };
}

/** Re-serialises a token with some of its COSE parts replaced. */
function rewrite(text: string, change: (cose: CoseSign1) => Partial<CoseSign1>): string {
  const parsed = parseHealthCodeText(text);
  if (!parsed.ok) throw new Error(`cannot rewrite: ${parsed.detail}`);
  return formatHealthCodeText({ ...parsed.value.cose, ...change(parsed.value.cose) });
}

const personalGreen = claimsFor('personal', 'green', published, DAY_MS);
const personalGreenText = encodeHealthCode(personalGreen, published, { withOnlineTag: false });
const personalRed = claimsFor('personal', 'red', published, DAY_MS);
const personalRedText = encodeHealthCode(personalRed, published, { withOnlineTag: false });
const midDay = epochMs(issuedAt + 12 * HOUR_MS);

const cases: VectorCase[] = [
  okCase(
    'valid-personal-green',
    'A personal code, green, inside its validity period.',
    personalGreen,
    midDay,
  ),
  okCase(
    'valid-personal-red',
    'A personal code, red: the token is valid, the colour is red.',
    personalRed,
    midDay,
  ),
  okCase(
    'valid-paper-yellow',
    'A paper code (14 days), yellow, on its last day.',
    claimsFor('paper', 'yellow', published, 14 * DAY_MS),
    epochMs(issuedAt + 14 * DAY_MS - 2 * HOUR_MS),
  ),
  okCase(
    'valid-place',
    'A place code; its subject is a venue id in clear.',
    claimsFor('place', 'green', published, 365 * DAY_MS),
    epochMs(issuedAt + 30 * DAY_MS),
  ),
  failCase(
    'expired',
    'The valid-personal-green token one hour after exp.',
    personalGreenText,
    epochMs(personalGreen.expiresAt + HOUR_MS),
    'expired',
  ),
  failCase(
    'not-yet-valid',
    'The valid-personal-green token one hour before iat.',
    personalGreenText,
    epochMs(issuedAt - HOUR_MS),
    'not_yet_valid',
  ),
  failCase(
    'unknown-key',
    'Well formed and correctly signed, but by a key whose kid is not in public-keys.json.',
    encodeHealthCode(claimsFor('personal', 'green', unpublished, DAY_MS), unpublished, {
      withOnlineTag: false,
    }),
    midDay,
    'unknown_key',
  ),
  failCase(
    'tampered-payload',
    "valid-personal-red with its colour byte changed from 'r' to 'g'; the signature is unchanged.",
    rewrite(personalRedText, ({ payloadBytes }) => ({ payloadBytes: redToGreen(payloadBytes) })),
    midDay,
    'bad_signature',
  ),
  failCase(
    'tampered-signature',
    'valid-personal-green with the lowest bit of the first signature byte flipped.',
    rewrite(personalGreenText, ({ signature }) => {
      const flipped = Uint8Array.from(signature);
      flipped[0] = (flipped[0] ?? 0) ^ 1;
      return { signature: flipped };
    }),
    midDay,
    'bad_signature',
  ),
  failCase(
    'unknown-version',
    'valid-personal-green with the prefix HPC2: instead of HPC1:.',
    'HPC2:' + personalGreenText.slice('HPC1:'.length),
    midDay,
    'unknown_version',
  ),
  failCase(
    'malformed-no-prefix',
    'Text that is not a health pass code at all.',
    'https://example.org/',
    midDay,
    'malformed',
  ),
  failCase(
    'malformed-not-base45',
    'HPC1: followed by characters outside the base45 alphabet (lower case).',
    'HPC1:not base45',
    midDay,
    'malformed',
  ),
  failCase(
    'malformed-not-cose',
    'HPC1: followed by valid base45 of a CBOR text string, not a COSE_Sign1 array.',
    'HPC1:' + base45Encode(encodeCbor('hello')),
    midDay,
    'malformed',
  ),
  failCase(
    'malformed-wrong-alg',
    'A COSE_Sign1 whose protected header says alg -7 (ES256): HPC1 allows only -8 (EdDSA).',
    rewrite(personalGreenText, ({ kid }) => ({
      protectedBytes: encodeCbor(
        new Map<number, unknown>([
          [COSE.alg, -7],
          [COSE.kid, kid],
        ]),
      ),
    })),
    midDay,
    'malformed',
  ),
];

function redToGreen(payload: Uint8Array): Uint8Array {
  // CBOR text 'c' (61 63) followed by text 'r' (61 72): the colour entry of the health code claim.
  const out = Uint8Array.from(payload);
  for (let i = 0; i + 3 < out.length; i++) {
    if (out[i] === 0x61 && out[i + 1] === 0x63 && out[i + 2] === 0x61 && out[i + 3] === 0x72) {
      out[i + 3] = 0x67;
      return out;
    }
  }
  throw new Error('colour entry not found in payload');
}

// Refuse to write vectors this implementation disagrees with.
const lookup = keyLookup([published]);
for (const c of cases) {
  const result = verifyHealthCode(c.text, lookup, epochMs(Date.parse(c.now)), { clockSkewMs: 0 });
  const got = result.ok ? 'ok' : result.reason;
  const want = c.expected.ok ? 'ok' : c.expected.reason;
  if (got !== want) throw new Error(`vector ${c.name}: expected ${want}, got ${got}`);
}

const jwks = { keys: [publicJwk(published)] };
const vectors = {
  format: 'HPC1',
  description:
    'Health pass code token test vectors. Verify each text with the keys in public-keys.json at the instant `now`, with zero clock skew; see README.md.',
  clockSkewMs: 0,
  cases,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'public-keys.json'), JSON.stringify(jwks, null, 2) + '\n');
writeFileSync(join(outDir, 'vectors.json'), JSON.stringify(vectors, null, 2) + '\n');
console.log(`wrote ${cases.length} vectors signed by kid ${published.kid} to ${outDir}`);
