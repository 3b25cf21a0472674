import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encode as base45Encode } from 'base45';
import { Tag } from 'cbor-x';
import { epochMs } from '../types.ts';
import { claimsToCbor, type CodeClaims } from './claims.ts';
import {
  QR_PREFIX,
  decodeBase45Strict,
  encodeCbor,
  encodePayload,
  formatHealthCodeText,
  parseHealthCodeText,
  readCanonicalCose,
  readCose,
  sigStructure,
  type ParsedHealthCode,
} from './cose.ts';

void describe('decodeBase45Strict', () => {
  // RFC 9285 §4.3 examples, plus edge values of a group.
  const valid: [string, string][] = [
    ['BB8', 'AB'],
    ['%69 VD92EX0', 'Hello!!'],
    ['UJCLQE7W581', 'base-45'],
    ['QED8WEX0', 'ietf!'],
    ['FGW', '\xff\xff'],
    ['U5', '\xff'],
  ];
  for (const [text, bytes] of valid) {
    void test(`decodes ${JSON.stringify(text)}`, () => {
      const decoded = decodeBase45Strict(text);
      assert.ok(decoded instanceof Uint8Array, String(decoded));
      assert.equal(Buffer.from(decoded).toString('latin1'), bytes);
    });
  }

  void test('inverts the base45 package encoder for every length from 1 to 64 bytes', () => {
    for (let length = 1; length <= 64; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 167 + length * 31) & 0xff);
      const decoded = decodeBase45Strict(base45Encode(bytes));
      assert.deepEqual(decoded, bytes, `length ${length}`);
    }
  });

  const invalid: [string, string, RegExp][] = [
    ['GGW (65536, RFC 9285 §6)', 'GGW', /above 65535/],
    ['a final pair above 255', 'V5', /above 255/],
    ['lower case', 'bb8', /not base45/],
    ['a newline', 'BB8\n', /dangling|not base45/],
    ['one character too many', 'BB8A', /dangling/],
    ['nothing', '', /no data/],
  ];
  for (const [name, text, message] of invalid) {
    void test(`refuses ${name}`, () => {
      const result = decodeBase45Strict(text);
      assert.equal(typeof result, 'string');
      assert.match(result as string, message);
    });
  }
});

void describe('byte layout', () => {
  const kid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const subject = new Uint8Array(16).fill(0xab);
  const payload = encodePayload({
    kind: 'paper',
    colour: 'yellow',
    issuer: 'CN-37',
    issuedAt: epochMs(1_582_185_600_000),
    expiresAt: epochMs(1_583_395_200_000),
    subject,
  });

  void test('payload is the CWT map {1: iss, 6: iat, 4: exp, -70001: {v, k, c, s}}', () => {
    const expected =
      'a4' + // map(4)
      '01' +
      '65434e2d3337' + // 1: "CN-37"
      '06' +
      '1a5e4e3c80' + // 6: 1582185600
      '04' +
      '1a5e60b180' + // 4: 1583395200
      '3a00011170' + // -70001:
      'a4' +
      '6176' +
      '01' +
      '616b' +
      '6166' +
      '6163' +
      '6179' +
      '6173' +
      '50' +
      'ab'.repeat(16);
    assert.equal(Buffer.from(payload).toString('hex'), expected);
  });

  void test('Sig_structure is ["Signature1", protected, h\'\', payload]', () => {
    const protectedBytes = Uint8Array.of(0xa2, 0x01, 0x27, 0x04, 0x48, ...kid);
    const hex = Buffer.from(sigStructure(protectedBytes, payload)).toString('hex');
    assert.equal(
      hex,
      '84' +
        '6a' +
        Buffer.from('Signature1').toString('hex') +
        '4d' +
        Buffer.from(protectedBytes).toString('hex') +
        '40' +
        '58' +
        payload.length.toString(16) +
        Buffer.from(payload).toString('hex'),
    );
  });
});

void describe('parseHealthCodeText structure', () => {
  const kid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const goodProtected = encodeCbor(
    new Map<number, unknown>([
      [1, -8],
      [4, kid],
    ]),
  );
  const goodClaims = (): Map<number, unknown> =>
    new Map<number, unknown>([
      [1, 'CN-37'],
      [6, 1_582_185_600],
      [4, 1_582_272_000],
      [
        -70001,
        new Map<string, unknown>([
          ['v', 1],
          ['k', 'p'],
          ['c', 'g'],
          ['s', new Uint8Array(16)],
        ]),
      ],
    ]);
  const signature = new Uint8Array(64);

  function text(message: unknown): string {
    return 'HPC1:' + base45Encode(encodeCbor(message));
  }
  function sign1(parts: {
    protectedBytes?: unknown;
    unprotected?: unknown;
    payload?: unknown;
    sig?: unknown;
  }): Tag {
    return new Tag(
      [
        'protectedBytes' in parts ? parts.protectedBytes : goodProtected,
        'unprotected' in parts ? parts.unprotected : new Map(),
        'payload' in parts ? parts.payload : encodeCbor(goodClaims()),
        'sig' in parts ? parts.sig : signature,
      ],
      18,
    );
  }
  function withClaim(label: number, value: unknown): Uint8Array {
    const claims = goodClaims();
    if (value === undefined) claims.delete(label);
    else claims.set(label, value);
    return encodeCbor(claims);
  }
  function withCodeField(field: string, value: unknown): Uint8Array {
    const claims = goodClaims();
    const code = new Map(claims.get(-70001) as Map<string, unknown>);
    if (value === undefined) code.delete(field);
    else code.set(field, value);
    claims.set(-70001, code);
    return encodeCbor(claims);
  }
  const protectedWith = (alg: unknown, k: unknown): Uint8Array =>
    encodeCbor(
      new Map<number, unknown>([
        [1, alg],
        [4, k],
      ]),
    );

  void test('accepts the well-formed message, with or without tag 18', () => {
    for (const message of [sign1({}), (sign1({}).value as unknown[]).slice()]) {
      const result = parseHealthCodeText(text(message));
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual([...result.value.cose.kid], [...kid]);
      assert.equal(result.value.claims.kind, 'personal');
    }
  });

  const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
  const cases: [string, string, string][] = [
    ['another CBOR tag', text(new Tag(sign1({}).value, 98)), 'malformed'],
    ['an array of 3', text((sign1({}).value as unknown[]).slice(0, 3)), 'malformed'],
    [
      'trailing bytes after the message',
      'HPC1:' + base45Encode(Buffer.concat([encodeCbor(sign1({})), bytes('00')])),
      'malformed',
    ],
    ['protected header as a map, not bstr', text(sign1({ protectedBytes: new Map([[1, -8]]) })), 'malformed'],
    ['protected header not CBOR', text(sign1({ protectedBytes: bytes('ff') })), 'malformed'],
    ['empty protected header', text(sign1({ protectedBytes: new Uint8Array(0) })), 'malformed'],
    ['alg -7 (ES256)', text(sign1({ protectedBytes: protectedWith(-7, kid) })), 'malformed'],
    ['kid of 7 bytes', text(sign1({ protectedBytes: protectedWith(-8, kid.subarray(0, 7)) })), 'malformed'],
    ['kid as text', text(sign1({ protectedBytes: protectedWith(-8, 'AQIDBAUGBwg') })), 'malformed'],
    ['unprotected header as bstr', text(sign1({ unprotected: new Uint8Array(0) })), 'malformed'],
    ['payload nil (detached)', text(sign1({ payload: null })), 'malformed'],
    ['payload not a map', text(sign1({ payload: encodeCbor([1, 2]) })), 'malformed'],
    ['signature of 63 bytes', text(sign1({ sig: new Uint8Array(63) })), 'malformed'],
    ['no iss', text(sign1({ payload: withClaim(1, undefined) })), 'malformed'],
    ['empty iss', text(sign1({ payload: withClaim(1, '') })), 'malformed'],
    ['iat as float', text(sign1({ payload: withClaim(6, 1.5) })), 'malformed'],
    ['iat negative', text(sign1({ payload: withClaim(6, -1) })), 'malformed'],
    ['iat as text', text(sign1({ payload: withClaim(6, '1582185600') })), 'malformed'],
    ['exp equal to iat', text(sign1({ payload: withClaim(4, 1_582_185_600) })), 'malformed'],
    ['exp beyond 2^53 (bigint)', text(sign1({ payload: withClaim(4, 2n ** 60n) })), 'malformed'],
    ['no health code claim', text(sign1({ payload: withClaim(-70001, undefined) })), 'malformed'],
    ['claim version 2', text(sign1({ payload: withCodeField('v', 2) })), 'unknown_version'],
    ['no claim version', text(sign1({ payload: withCodeField('v', undefined) })), 'unknown_version'],
    ["kind 'x'", text(sign1({ payload: withCodeField('k', 'x') })), 'malformed'],
    ["colour 'b'", text(sign1({ payload: withCodeField('c', 'b') })), 'malformed'],
    ['subject of 15 bytes', text(sign1({ payload: withCodeField('s', new Uint8Array(15)) })), 'malformed'],
    ['subject as text', text(sign1({ payload: withCodeField('s', 'x'.repeat(16)) })), 'malformed'],
  ];
  for (const [name, qr, reason] of cases) {
    void test(`${name} → ${reason}`, () => {
      const result = parseHealthCodeText(qr);
      assert.equal(result.ok ? 'ok' : result.reason, reason, JSON.stringify(result));
    });
  }

  void test('an online tag of the wrong shape is treated as absent, not as malformed', () => {
    for (const tag of [new Uint8Array(8), 'tag', 42]) {
      const result = parseHealthCodeText(text(sign1({ unprotected: new Map([[-70002, tag]]) })));
      assert.ok(result.ok);
      assert.equal(result.value.cose.onlineTag, null);
    }
  });
});

void describe('the fast reader agrees with the general one', () => {
  const kid = Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2);
  const protectedBytes = Uint8Array.of(0xa2, 0x01, 0x27, 0x04, 0x48, ...kid);
  const signature = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
  const tag = Uint8Array.from({ length: 16 }, (_, i) => 200 - i);
  const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));
  const view = (v: ParsedHealthCode) => ({
    cose: {
      protectedBytes: hex(v.cose.protectedBytes),
      kid: hex(v.cose.kid),
      payloadBytes: hex(v.cose.payloadBytes),
      signature: hex(v.cose.signature),
      onlineTag: hex(v.cose.onlineTag),
    },
    claims: { ...v.claims, subject: hex(v.claims.subject) },
  });
  const bytesOf = (claims: CodeClaims, onlineTag: Uint8Array | null) => {
    const text = formatHealthCodeText({
      protectedBytes,
      payloadBytes: encodePayload(claims),
      signature,
      onlineTag,
    });
    const bytes = decodeBase45Strict(text.slice(QR_PREFIX.length));
    assert.ok(bytes instanceof Uint8Array);
    return bytes;
  };
  const cases: { claims: CodeClaims; fast: boolean }[] = [];
  const kinds = ['personal', 'paper', 'place'] as const;
  const colours = ['green', 'yellow', 'red'] as const;
  const times: [number, number][] = [
    [0, 23],
    [23, 24],
    [24, 255],
    [255, 256],
    [65_535, 65_536],
    [1_795_000_000, 1_795_000_300],
    [4_294_967_295 - 300, 4_294_967_295],
  ];
  const issuers: [string, boolean][] = [
    ['CN-37', true],
    ['x', true],
    ['a'.repeat(23), true],
    ['a'.repeat(24), true],
    ['a'.repeat(200), true],
    ['CN-山东', false],
  ];
  for (const [i, [iat, exp]] of times.entries()) {
    for (const [j, [issuer, fast]] of issuers.entries()) {
      cases.push({
        claims: {
          kind: kinds[(i + j) % 3] ?? 'personal',
          colour: colours[(i * 2 + j) % 3] ?? 'green',
          issuer,
          issuedAt: epochMs(iat * 1000),
          expiresAt: epochMs(exp * 1000),
          subject: Uint8Array.from({ length: 16 }, (_, k) => (k * 11 + i + j) & 0xff),
          // The badge (issue 9): none, the test only, the doses only, both.
          ...((i + j) % 4 === 1 || (i + j) % 4 === 3
            ? { testSampledAt: epochMs(Math.max(0, iat - 86_400) * 1000) }
            : {}),
          ...((i + j) % 4 >= 2 ? { vaccineDoses: [1, 3, 24, 255][i % 4] ?? 1 } : {}),
        },
        fast,
      });
    }
  }

  void test('platform encodings: the fast reader reads them, the same as the general reader', () => {
    for (const { claims, fast } of cases) {
      for (const onlineTag of [tag, null]) {
        const bytes = bytesOf(claims, onlineTag);
        const general = readCose(bytes);
        assert.ok(general.ok, JSON.stringify(general));
        const quick = readCanonicalCose(bytes);
        // A payload of 256 bytes or more (a 200-character issuer with the badge) is not the platform's.
        if (!fast || encodePayload(claims).length > 255) {
          assert.equal(quick, null, `issuer ${claims.issuer} goes to the general reader`);
          continue;
        }
        assert.ok(quick !== null, `fast reader refused ${claims.issuer} ${claims.issuedAt}`);
        assert.deepEqual(view(quick), view(general.value));
      }
    }
  });

  void test('every single-byte change: what the fast reader accepts, the general reader reads the same', () => {
    let accepted = 0;
    let refused = 0;
    for (const { claims } of cases.slice(0, 12)) {
      const bytes = bytesOf(claims, tag);
      for (let at = 0; at < bytes.length; at++) {
        for (const delta of [1, 0x80, 0xff]) {
          const changed = Uint8Array.from(bytes);
          changed[at] = ((changed[at] ?? 0) + delta) & 0xff;
          const quick = readCanonicalCose(changed);
          if (quick === null) {
            refused++;
            continue;
          }
          accepted++;
          const general = readCose(changed);
          assert.ok(general.ok, `byte ${at} +${delta}: fast accepted what the general reader refuses`);
          assert.deepEqual(view(quick), view(general.value), `byte ${at} +${delta}`);
        }
      }
    }
    // Changes inside the subject, times, tag or signature stay readable; changes to structure do not.
    assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}`);
  });

  void test('other valid encodings take the general reader', () => {
    const claims = cases[5]?.claims;
    assert.ok(claims !== undefined);
    const untagged = encodeCbor([protectedBytes, new Map(), encodePayload(claims), signature]);
    assert.equal(readCanonicalCose(untagged), null);
    assert.ok(readCose(untagged).ok);
    const withExtraClaim = encodeCbor(
      new Tag(
        [
          protectedBytes,
          new Map(),
          encodeCbor(new Map<number, unknown>([...claimsToCbor(claims), [99, 1]])),
          signature,
        ],
        18,
      ),
    );
    assert.equal(readCanonicalCose(withExtraClaim), null);
    assert.ok(readCose(withExtraClaim).ok);
  });
});
