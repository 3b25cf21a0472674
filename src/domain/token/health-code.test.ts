import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { describe, test } from 'node:test';
import { decode as base45Decode, encode as base45Encode } from 'base45';
import { COLOURS, DAY_MS, MINUTE_MS, epochMs } from '../types.ts';
import type { EpochMs } from '../types.ts';
import { CODE_KINDS, toNumericDate } from './claims.ts';
import type { CodeClaims } from './claims.ts';
import { encodeCbor, formatHealthCodeText, parseHealthCodeText } from './cose.ts';
import type { CoseSign1 } from './cose.ts';
import { DEFAULT_CLOCK_SKEW_MS, encodeHealthCode, verifyHealthCode } from './health-code.ts';
import { keyLookup, publicJwk, signingKeyFromMaterial, verificationKeyFromJwk } from './keys.ts';
import type { SigningKey, VerificationKey } from './keys.ts';
import { sealSubject, unsealSubject } from './subject.ts';

function keyFrom(fill: number): SigningKey {
  return signingKeyFromMaterial({
    kid: Buffer.alloc(8, fill).toString('base64url'),
    seed: new Uint8Array(32).fill(fill),
    secret: new Uint8Array(32).fill(fill + 100),
  });
}

const key = keyFrom(1);
const otherKey = keyFrom(2);
/** What an offline checkpoint holds: the public key only, no MAC or subject key. */
const offlineKey = verificationKeyFromJwk(publicJwk(key));
const platformKeys = keyLookup([key]);
const offlineKeys = keyLookup([offlineKey]);

const issuedAt = epochMs(Date.parse('2020-02-20T08:00:00Z'));
const expiresAt = epochMs(issuedAt + DAY_MS);
const during = epochMs(issuedAt + DAY_MS / 2);

function claims(overrides: Partial<CodeClaims> = {}): CodeClaims {
  return {
    kind: 'personal',
    colour: 'green',
    issuer: 'CN-37',
    issuedAt,
    expiresAt,
    subject: sealSubject(key, 42, toNumericDate(issuedAt), 7),
    ...overrides,
  };
}

/** Re-serialises a token with some COSE parts replaced, as an attacker could. */
function rewrite(text: string, change: (cose: CoseSign1) => Partial<CoseSign1>): string {
  const parsed = parseHealthCodeText(text);
  assert.ok(parsed.ok, 'fixture token must parse');
  return formatHealthCodeText({ ...parsed.value.cose, ...change(parsed.value.cose) });
}

function flipFirstBit(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[0] = (out[0] ?? 0) ^ 1;
  return out;
}

void describe('round trip', () => {
  for (const kind of CODE_KINDS) {
    for (const colour of COLOURS) {
      void test(`${kind} ${colour}`, () => {
        const subject =
          kind === 'place' ? new Uint8Array(16).fill(9) : sealSubject(key, 1234, toNumericDate(issuedAt), 5);
        const original = claims({ kind, colour, subject });
        const text = encodeHealthCode(original, key);
        assert.match(text, /^HPC1:[0-9A-Z $%*+\-./:]+$/, 'QR alphanumeric mode only');
        for (const [keys, checkedBy] of [
          [platformKeys, 'online-tag'],
          [offlineKeys, 'signature'],
        ] as const) {
          const result = verifyHealthCode(text, keys, during);
          assert.deepEqual(result, { ok: true, kid: key.kid, claims: original, checkedBy });
        }
      });
    }
  }

  void test('times are truncated to whole seconds (CWT NumericDate)', () => {
    const text = encodeHealthCode(
      claims({ issuedAt: epochMs(issuedAt + 999), expiresAt: epochMs(expiresAt + 1) }),
      key,
    );
    const result = verifyHealthCode(text, platformKeys, during);
    assert.ok(result.ok);
    assert.equal(result.claims.issuedAt, issuedAt);
    assert.equal(result.claims.expiresAt, expiresAt);
  });

  void test('a sealed subject survives the round trip and unseals with the claim iat', () => {
    const iatSec = toNumericDate(issuedAt);
    const text = encodeHealthCode(
      claims({ subject: sealSubject(key, 987_654_321, iatSec, 0xdead_beef) }),
      key,
    );
    const result = verifyHealthCode(text, platformKeys, during);
    assert.ok(result.ok);
    assert.equal(
      unsealSubject(key, result.claims.subject, toNumericDate(result.claims.issuedAt)),
      987_654_321,
    );
  });

  const invalidClaims: [string, Partial<CodeClaims>][] = [
    ['empty issuer', { issuer: '' }],
    ['exp equal to iat', { expiresAt: issuedAt }],
    ['exp before iat', { expiresAt: epochMs(issuedAt - 1000) }],
    ['subject of 15 bytes', { subject: new Uint8Array(15) }],
    ['negative iat', { issuedAt: epochMs(-1000) }],
  ];
  for (const [name, overrides] of invalidClaims) {
    void test(`encoding refuses ${name}`, () => {
      assert.throws(() => encodeHealthCode(claims(overrides), key), RangeError);
    });
  }
});

void describe('online tag', () => {
  const tagged = encodeHealthCode(claims(), key);
  const untagged = encodeHealthCode(claims(), key, { withOnlineTag: false });

  const cases: {
    name: string;
    text: string;
    keys: (kid: string) => VerificationKey | undefined;
    expect: string;
  }[] = [
    { name: 'valid tag → online-tag', text: tagged, keys: platformKeys, expect: 'online-tag' },
    { name: 'no tag → signature', text: untagged, keys: platformKeys, expect: 'signature' },
    {
      name: 'tag stripped by re-encoding → signature',
      text: rewrite(tagged, () => ({ onlineTag: null })),
      keys: platformKeys,
      expect: 'signature',
    },
    {
      name: 'wrong tag → signature',
      text: rewrite(tagged, ({ onlineTag }) => ({
        onlineTag: flipFirstBit(onlineTag ?? new Uint8Array(16)),
      })),
      keys: platformKeys,
      expect: 'signature',
    },
    {
      name: 'tag of another mac key → signature',
      text: rewrite(tagged, () => ({ onlineTag: parseTag(encodeHealthCode(claims(), otherKey)) })),
      keys: platformKeys,
      expect: 'signature',
    },
    {
      name: 'tag of the wrong length is ignored → signature',
      text: rewrite(tagged, ({ onlineTag }) => ({ onlineTag: onlineTag?.subarray(0, 8) ?? null })),
      keys: platformKeys,
      expect: 'signature',
    },
    {
      name: 'offline key ignores a valid tag → signature',
      text: tagged,
      keys: offlineKeys,
      expect: 'signature',
    },
    {
      name: 'tampered signature keeping its old tag → bad_signature',
      text: rewrite(tagged, ({ signature }) => ({ signature: flipFirstBit(signature) })),
      keys: platformKeys,
      expect: 'bad_signature',
    },
    {
      name: 'tampered payload keeping its old tag → bad_signature',
      text: rewrite(tagged, () => ({
        payloadBytes: parsePayload(encodeHealthCode(claims({ colour: 'red' }), key)),
      })),
      keys: platformKeys,
      expect: 'bad_signature',
    },
  ];
  for (const c of cases) {
    void test(c.name, () => {
      const result = verifyHealthCode(c.text, c.keys, during);
      assert.equal(result.ok ? result.checkedBy : result.reason, c.expect, JSON.stringify(result));
    });
  }

  void test('the tag is the only difference between tagged and untagged tokens', () => {
    const a = parseHealthCodeText(tagged);
    const b = parseHealthCodeText(untagged);
    assert.ok(a.ok && b.ok);
    assert.equal(a.value.cose.onlineTag?.length, 16);
    assert.equal(b.value.cose.onlineTag, null);
    assert.deepEqual({ ...a.value.cose, onlineTag: null }, b.value.cose);
  });

  function parseTag(text: string): Uint8Array | null {
    const parsed = parseHealthCodeText(text);
    assert.ok(parsed.ok);
    return parsed.value.cose.onlineTag;
  }
  function parsePayload(text: string): Uint8Array {
    const parsed = parseHealthCodeText(text);
    assert.ok(parsed.ok);
    return parsed.value.cose.payloadBytes;
  }
});

void describe('independent check with WebCrypto', () => {
  void test('the signature verifies over a hand-built Sig_structure using only the published JWK', async () => {
    const text = encodeHealthCode(claims({ colour: 'yellow' }), key);
    // A second reading of the COSE array: base45 and cbor-x's default decoder, not our parser.
    const { decode } = await import('cbor-x');
    const sign1 = decode(base45Decode(text.slice('HPC1:'.length))) as { tag: number; value: Uint8Array[] };
    assert.equal(sign1.tag, 18);
    const [protectedBytes, , payloadBytes, signature] = sign1.value;
    assert.ok(protectedBytes && payloadBytes && signature);
    assert.deepEqual(
      Buffer.from(protectedBytes).toString('hex'),
      'a20127' + '0448' + Buffer.from(key.kidBytes).toString('hex'),
      "protected header is {1: -8, 4: h'kid'}",
    );
    const sigStructure = Buffer.concat([
      Buffer.from('846a5369676e617475726531', 'hex'), // array(4), text(10) "Signature1"
      bstrHead(protectedBytes.length),
      protectedBytes,
      Buffer.from([0x40]), // external_aad h''
      bstrHead(payloadBytes.length),
      payloadBytes,
    ]);
    const publicKey = await webcrypto.subtle.importKey('jwk', publicJwk(key), { name: 'Ed25519' }, false, [
      'verify',
    ]);
    assert.equal(
      await webcrypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, sigStructure),
      true,
    );
    const tampered = Buffer.from(sigStructure);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    assert.equal(await webcrypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, tampered), false);
  });

  function bstrHead(length: number): Buffer {
    assert.ok(length < 256, 'test helper handles short byte strings only');
    return length < 24 ? Buffer.from([0x40 + length]) : Buffer.from([0x58, length]);
  }
});

void describe('time boundaries', () => {
  const text = encodeHealthCode(claims(), key);
  const cases: { name: string; now: number; skew?: number; expect: string }[] = [
    { name: 'one ms before iat, no skew', now: issuedAt - 1, skew: 0, expect: 'not_yet_valid' },
    { name: 'exactly at iat, no skew', now: issuedAt, skew: 0, expect: 'ok' },
    { name: 'one ms before exp, no skew', now: expiresAt - 1, skew: 0, expect: 'ok' },
    { name: 'exactly at exp, no skew', now: expiresAt, skew: 0, expect: 'expired' },
    { name: 'default skew: iat − 60 s', now: issuedAt - DEFAULT_CLOCK_SKEW_MS, expect: 'ok' },
    {
      name: 'default skew: iat − 60 s − 1 ms',
      now: issuedAt - DEFAULT_CLOCK_SKEW_MS - 1,
      expect: 'not_yet_valid',
    },
    { name: 'default skew: exp + 60 s − 1 ms', now: expiresAt + DEFAULT_CLOCK_SKEW_MS - 1, expect: 'ok' },
    { name: 'default skew: exp + 60 s', now: expiresAt + DEFAULT_CLOCK_SKEW_MS, expect: 'expired' },
    { name: '5 min skew: iat − 5 min', now: issuedAt - 5 * MINUTE_MS, skew: 5 * MINUTE_MS, expect: 'ok' },
    {
      name: '5 min skew: exp + 5 min',
      now: expiresAt + 5 * MINUTE_MS,
      skew: 5 * MINUTE_MS,
      expect: 'expired',
    },
  ];
  for (const c of cases) {
    void test(c.name, () => {
      const opts = c.skew === undefined ? {} : { clockSkewMs: c.skew };
      const result = verifyHealthCode(text, platformKeys, epochMs(c.now), opts);
      assert.equal(result.ok ? 'ok' : result.reason, c.expect, JSON.stringify(result));
    });
  }
});

void describe('failures and the order of checks', () => {
  const valid = encodeHealthCode(claims(), key);
  const base45Body = valid.slice('HPC1:'.length);
  const long = epochMs(expiresAt + 365 * DAY_MS);
  const onlyOtherKey = keyLookup([otherKey]);
  const cases: { name: string; text: string; now?: EpochMs; keys?: typeof platformKeys; reason: string }[] = [
    { name: 'HPC2: prefix', text: 'HPC2:' + base45Body, reason: 'unknown_version' },
    { name: 'HPC2: prefix before garbage (version first)', text: 'HPC2:???', reason: 'unknown_version' },
    { name: 'EU DCC prefix HC1:', text: 'HC1:' + base45Body, reason: 'malformed' },
    { name: 'empty text', text: '', reason: 'malformed' },
    { name: 'prefix only', text: 'HPC1:', reason: 'malformed' },
    { name: 'lower case (not base45)', text: 'HPC1:' + base45Body.toLowerCase(), reason: 'malformed' },
    { name: 'trailing newline from a scanner', text: valid + '\n', reason: 'malformed' },
    { name: 'truncated by one group', text: valid.slice(0, -3), reason: 'malformed' },
    {
      name: 'base45 of a CBOR text string',
      text: 'HPC1:' + base45Encode(encodeCbor('hello')),
      reason: 'malformed',
    },
    { name: 'text too long', text: 'HPC1:' + '0'.repeat(2000), reason: 'malformed' },
    {
      name: 'unknown kid on an expired token (key before time)',
      text: valid,
      now: long,
      keys: onlyOtherKey,
      reason: 'unknown_key',
    },
    {
      name: 'bad signature on an expired token (signature before time)',
      text: rewrite(valid, ({ signature }) => ({ signature: flipFirstBit(signature) })),
      now: long,
      reason: 'bad_signature',
    },
  ];
  for (const c of cases) {
    void test(c.name, () => {
      const result = verifyHealthCode(c.text, c.keys ?? platformKeys, c.now ?? during);
      assert.equal(result.ok ? 'ok' : result.reason, c.reason, JSON.stringify(result));
      if (!result.ok) assert.ok(result.detail.length > 0);
    });
  }

  void test('a token signed by one key does not verify under another key published with its kid', () => {
    const impostor: VerificationKey = { kid: key.kid, publicKey: otherKey.publicKey };
    const result = verifyHealthCode(valid, () => impostor, during);
    assert.deepEqual(result.ok ? 'ok' : result.reason, 'bad_signature');
  });
});

void describe('README worked example', () => {
  const example = signingKeyFromMaterial({
    kid: 'AQIDBAUGBwg',
    seed: Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
    secret: new Uint8Array(32).fill(7),
  });
  const iat = 1_582_185_600;
  const text =
    'HPC1:RRQT 9P60GO0X507H0QS00+09HK100A9226AT/28%K+FQ:GSF LJH1U$C07LA77.70+M86W51/60F33+9C8G0F34+9ZYL1009926ZKE-E9ECEEC1EC5ECHECK6AC-SYNH/OQ/XCYWM-1NH*BN%RF98HUS:4D-W3WAI+9ADV7V-PPHBSOPXE82ILQKL8CVMYCGZ2/8OUSS0ISA7S061NU7PT3VHUC+3%JM1EIIC8Y7PZKRGOQPJQF0';

  void test('keys and subject match the README', () => {
    assert.equal(
      example.macKey.toString('hex'),
      '255bc09617b84cf0005ffba528e53caebb79b7437d0ad50741703535bfdf8623',
    );
    assert.equal(example.subjectKey.toString('hex'), 'c0f3872538db5547991ff5c6849827c2');
    assert.equal(
      Buffer.from(sealSubject(example, 42, iat, 0x0102_0304)).toString('hex'),
      '3ce4bd8aa6d20d64e4b3c8b6455defdc',
    );
  });

  void test('encoding gives the README text, and it verifies', () => {
    const exampleClaims: CodeClaims = {
      kind: 'personal',
      colour: 'green',
      issuer: 'CN-37',
      issuedAt: epochMs(iat * 1000),
      expiresAt: epochMs((iat + 300) * 1000),
      subject: sealSubject(example, 42, iat, 0x0102_0304),
    };
    assert.equal(encodeHealthCode(exampleClaims, example), text);
    const result = verifyHealthCode(text, keyLookup([example]), epochMs((iat + 60) * 1000));
    assert.deepEqual(result, {
      ok: true,
      kid: 'AQIDBAUGBwg',
      claims: exampleClaims,
      checkedBy: 'online-tag',
    });
    const cose = base45Decode(text.slice('HPC1:'.length)).toString('hex');
    assert.ok(
      cose.startsWith('d2844da2012704480102030405060708a13a00011171502a177ea4ead075e078ac800af9658ba75838'),
    );
    assert.ok(
      cose.endsWith(
        '5840ece2d367b51d84904450d73cdfcd155a19ca1541dfa949a9bbf75b64fc1609bf6be286e0a6dec108f73cbc1cedf06a1ecfb18390d94176c71ed93ad1f2d11a0f',
      ),
    );
  });
});
