import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { DocumentType } from './documents.ts';
import { gb11643CheckCharacter } from './gb11643.ts';
import { deriveDocumentKey, deriveHealthCardId } from './health-card.ts';

const SECRET_A = new Uint8Array(32).fill(0xa5);
const SECRET_B = new Uint8Array(32).fill(0x5a);
const ID = `37010219900307123${gb11643CheckCharacter('37010219900307123')}`;
const DOC = { type: 'resident_id_card', number: ID } as const;

const HEALTH_CARD_ID = /^HC[0-9A-HJKMNP-TV-Z]{20}$/;
const DOCUMENT_KEY = /^[A-Za-z0-9_-]{43}$/;

/** Independent encoding for the known-answer test: bits as a string, 5 at a time. */
function crockford(bytes: Uint8Array, chars: number): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const bits = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < chars; i++) out += alphabet.charAt(parseInt(bits.slice(i * 5, i * 5 + 5), 2));
  return out;
}

void describe('deriveHealthCardId', () => {
  void test('is HMAC-SHA256 over "healthcard\\0type\\0number", 100 bits in Crockford base32', () => {
    const mac = createHmac('sha256', SECRET_A).update(`healthcard\0resident_id_card\0${ID}`).digest();
    assert.equal(deriveHealthCardId(SECRET_A, DOC), `HC${crockford(mac, 20)}`);
  });

  void test('is stable and readable', () => {
    const id = deriveHealthCardId(SECRET_A, DOC);
    assert.match(id, HEALTH_CARD_ID);
    assert.equal(deriveHealthCardId(SECRET_A, { ...DOC }), id);
  });

  void test('raw and normalized input give the same id', () => {
    const raw = ` ${ID.slice(0, 9)} ${ID.slice(9)} `.toLowerCase();
    assert.equal(
      deriveHealthCardId(SECRET_A, { type: 'resident_id_card', number: raw }),
      deriveHealthCardId(SECRET_A, DOC),
    );
  });

  void test('a renewed home-return permit is the same card', () => {
    assert.equal(
      deriveHealthCardId(SECRET_A, { type: 'hk_macau_permit', number: 'H1234567801' }),
      deriveHealthCardId(SECRET_A, { type: 'hk_macau_permit', number: 'H12345678' }),
    );
  });
});

void describe('deriveDocumentKey', () => {
  void test('is HMAC-SHA256 over "documentkey\\0type\\0number" in base64url', () => {
    const mac = createHmac('sha256', SECRET_A)
      .update(`documentkey\0resident_id_card\0${ID}`)
      .digest('base64url');
    assert.equal(deriveDocumentKey(SECRET_A, DOC), mac);
    assert.match(mac, DOCUMENT_KEY);
  });
});

void describe('both derived ids', () => {
  const derivations = [
    ['deriveHealthCardId', deriveHealthCardId],
    ['deriveDocumentKey', deriveDocumentKey],
  ] as const;

  const variants: readonly (readonly [
    name: string,
    secret: Uint8Array,
    type: DocumentType,
    number: string,
  ])[] = [
    ['another secret', SECRET_B, 'resident_id_card', ID],
    [
      'another number',
      SECRET_A,
      'resident_id_card',
      `37010219900307124${gb11643CheckCharacter('37010219900307124')}`,
    ],
    ['another type, same characters', SECRET_A, 'passport', ID],
  ];

  for (const [fnName, derive] of derivations) {
    for (const [name, secret, type, number] of variants) {
      void test(`${fnName} differs for ${name}`, () => {
        assert.notEqual(derive(secret, { type, number }), derive(SECRET_A, DOC));
      });
    }

    void test(`${fnName} rejects a secret shorter than 16 bytes`, () => {
      assert.throws(() => derive(new Uint8Array(15), DOC), RangeError);
      assert.doesNotThrow(() => derive(new Uint8Array(16), DOC));
    });
  }

  void test('the health card id does not appear in the document key and vice versa', () => {
    const card = deriveHealthCardId(SECRET_A, DOC);
    const key = deriveDocumentKey(SECRET_A, DOC);
    const keyFromCardLabel = createHmac('sha256', SECRET_A)
      .update(`healthcard\0resident_id_card\0${ID}`)
      .digest('base64url');
    assert.notEqual(key, keyFromCardLabel);
    assert.ok(!key.includes(card.slice(2)));
  });

  void test('1000 different documents give 1000 different ids of each kind', () => {
    const cards = new Set<string>();
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const doc = { type: 'passport', number: `E${String(i).padStart(8, '0')}` } as const;
      cards.add(deriveHealthCardId(SECRET_A, doc));
      keys.add(deriveDocumentKey(SECRET_A, doc));
    }
    assert.equal(cards.size, 1000);
    assert.equal(keys.size, 1000);
  });
});
