import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findDivision } from './divisions.ts';
import {
  DOCUMENT_TYPES,
  isResidentIdAreaCode,
  normalizeDocumentNumber,
  validateDocument,
} from './documents.ts';
import type { DocumentIssueCode, DocumentType, ValidDocument } from './documents.ts';
import { gb11643CheckCharacter } from './gb11643.ts';

/** The Shandong health code launched in early 2020; birth dates after this are in the future. */
const TODAY = '2020-03-01';

/** A well-formed GB 11643 number with its check character computed, not a real person's number. */
function gb11643(area: string, birth: string, sequence = '123'): string {
  const body = `${area}${birth}${sequence}`;
  return body + gb11643CheckCharacter(body);
}

/** Same body with a check character that does not match. */
function withWrongCheck(number: string): string {
  const right = number.charAt(17);
  return number.slice(0, 17) + (right === '0' ? '1' : '0');
}

/** A sequence whose check character is X, to exercise lower-case x. */
function sequenceWithCheckX(area: string, birth: string): string {
  for (let n = 0; n < 1000; n++) {
    const sequence = String(n).padStart(3, '0');
    if (gb11643CheckCharacter(`${area}${birth}${sequence}`) === 'X') return sequence;
  }
  throw new Error('no sequence gives X');
}

const LIXIA = '370102'; // 济南市历下区
const ID = gb11643(LIXIA, '19900307');
const ID_X = gb11643(LIXIA, '19850615', sequenceWithCheckX(LIXIA, '19850615'));

interface Accepted {
  readonly name: string;
  readonly type: DocumentType;
  readonly input: string;
  readonly expected: ValidDocument;
}

const accepted: readonly Accepted[] = [
  {
    name: 'resident ID card, 济南市历下区',
    type: 'resident_id_card',
    input: ID,
    expected: { type: 'resident_id_card', number: ID, birthDate: '1990-03-07', divisionCode: LIXIA },
  },
  {
    name: 'resident ID card, lower-case x and spaces are normalized',
    type: 'resident_id_card',
    input: ` ${ID_X.slice(0, 6)} ${ID_X.slice(6, 14)} ${ID_X.slice(14).toLowerCase()} `,
    expected: { type: 'resident_id_card', number: ID_X, birthDate: '1985-06-15', divisionCode: LIXIA },
  },
  {
    name: 'resident ID card, full-width digits are folded to ASCII',
    type: 'resident_id_card',
    input: ID.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))),
    expected: { type: 'resident_id_card', number: ID, birthDate: '1990-03-07', divisionCode: LIXIA },
  },
  {
    name: 'resident ID card, 29 February of a leap year',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '20000229'),
    expected: {
      type: 'resident_id_card',
      number: gb11643(LIXIA, '20000229'),
      birthDate: '2000-02-29',
      divisionCode: LIXIA,
    },
  },
  {
    name: 'resident ID card, earliest accepted birth date',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '19000101'),
    expected: {
      type: 'resident_id_card',
      number: gb11643(LIXIA, '19000101'),
      birthDate: '1900-01-01',
      divisionCode: LIXIA,
    },
  },
  {
    name: 'resident ID card, born today',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '20200301'),
    expected: {
      type: 'resident_id_card',
      number: gb11643(LIXIA, '20200301'),
      birthDate: '2020-03-01',
      divisionCode: LIXIA,
    },
  },
  {
    name: 'resident ID card, abolished area code of a current province (莱芜市莱城区, 2019)',
    type: 'resident_id_card',
    input: gb11643('371202', '19750101'),
    expected: {
      type: 'resident_id_card',
      number: gb11643('371202', '19750101'),
      birthDate: '1975-01-01',
      divisionCode: '371202',
    },
  },
  {
    name: 'resident ID card, city without counties (东莞市)',
    type: 'resident_id_card',
    input: gb11643('441900', '19750101'),
    expected: {
      type: 'resident_id_card',
      number: gb11643('441900', '19750101'),
      birthDate: '1975-01-01',
      divisionCode: '441900',
    },
  },
  {
    name: 'residence permit for Taiwan residents (830000)',
    type: 'resident_id_card',
    input: gb11643('830000', '19800101'),
    expected: {
      type: 'resident_id_card',
      number: gb11643('830000', '19800101'),
      birthDate: '1980-01-01',
      divisionCode: '830000',
    },
  },
  {
    name: 'passport, Chinese E + 8 digits',
    type: 'passport',
    input: 'E12345678',
    expected: { type: 'passport', number: 'E12345678', birthDate: null, divisionCode: null },
  },
  {
    name: 'passport, Chinese E + letter + 7 digits',
    type: 'passport',
    input: 'ea1234567',
    expected: { type: 'passport', number: 'EA1234567', birthDate: null, divisionCode: null },
  },
  {
    name: 'passport, Chinese G + 8 digits with spaces',
    type: 'passport',
    input: ' g1234 5678 ',
    expected: { type: 'passport', number: 'G12345678', birthDate: null, divisionCode: null },
  },
  {
    name: 'passport, 5 characters',
    type: 'passport',
    input: 'AB123',
    expected: { type: 'passport', number: 'AB123', birthDate: null, divisionCode: null },
  },
  {
    name: 'passport, 17 characters',
    type: 'passport',
    input: 'AB123456789012345',
    expected: { type: 'passport', number: 'AB123456789012345', birthDate: null, divisionCode: null },
  },
  {
    name: 'home-return permit, Hong Kong',
    type: 'hk_macau_permit',
    input: 'H12345678',
    expected: { type: 'hk_macau_permit', number: 'H12345678', birthDate: null, divisionCode: null },
  },
  {
    name: 'home-return permit, Macao, lower case',
    type: 'hk_macau_permit',
    input: 'm87654321',
    expected: { type: 'hk_macau_permit', number: 'M87654321', birthDate: null, divisionCode: null },
  },
  {
    name: 'home-return permit, older 10-digit form keeps the lifetime number',
    type: 'hk_macau_permit',
    input: 'H1234567801',
    expected: { type: 'hk_macau_permit', number: 'H12345678', birthDate: null, divisionCode: null },
  },
  {
    name: 'Taiwan permit, 8 digits',
    type: 'taiwan_permit',
    input: '12345678',
    expected: { type: 'taiwan_permit', number: '12345678', birthDate: null, divisionCode: null },
  },
  {
    name: 'Taiwan permit, pre-2008 10 digits',
    type: 'taiwan_permit',
    input: '1234567802',
    expected: { type: 'taiwan_permit', number: '12345678', birthDate: null, divisionCode: null },
  },
  {
    name: 'Taiwan permit, pre-2008 with issuing office in full-width brackets',
    type: 'taiwan_permit',
    input: '1234567801（B）',
    expected: { type: 'taiwan_permit', number: '12345678', birthDate: null, divisionCode: null },
  },
  {
    name: 'permanent residence ID, 2017 card',
    type: 'foreign_permanent_residence_id',
    input: 'usa370085061501',
    expected: {
      type: 'foreign_permanent_residence_id',
      number: 'USA370085061501',
      birthDate: null,
      divisionCode: null,
    },
  },
  {
    name: 'permanent residence ID, 2023 card (Shandong, USA 840)',
    type: 'foreign_permanent_residence_id',
    input: gb11643('937840', '19850615', '001'),
    expected: {
      type: 'foreign_permanent_residence_id',
      number: gb11643('937840', '19850615', '001'),
      birthDate: '1985-06-15',
      divisionCode: null,
    },
  },
];

interface Rejected {
  readonly name: string;
  readonly type: string;
  readonly input: string;
  readonly codes: readonly DocumentIssueCode[];
}

const rejected: readonly Rejected[] = [
  { name: 'unknown type', type: 'driving_licence', input: ID, codes: ['document_type_unknown'] },
  {
    name: 'unknown type and no number',
    type: '',
    input: ' ',
    codes: ['document_type_unknown', 'document_number_required'],
  },
  { name: 'empty number', type: 'passport', input: '', codes: ['document_number_required'] },
  {
    name: 'ID card: wrong check digit',
    type: 'resident_id_card',
    input: withWrongCheck(ID),
    codes: ['document_check_digit'],
  },
  {
    name: 'ID card: 30 February',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '19900230'),
    codes: ['document_birth_date_invalid'],
  },
  {
    name: 'ID card: 29 February 1990',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '19900229'),
    codes: ['document_birth_date_invalid'],
  },
  {
    name: 'ID card: 29 February 1900',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '19000229'),
    codes: ['document_birth_date_invalid'],
  },
  {
    name: 'ID card: month 13',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '19901301'),
    codes: ['document_birth_date_invalid'],
  },
  {
    name: 'ID card: born tomorrow',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '20200302'),
    codes: ['document_birth_date_future'],
  },
  {
    name: 'ID card: born before 1900',
    type: 'resident_id_card',
    input: gb11643(LIXIA, '18991231'),
    codes: ['document_birth_date_too_early'],
  },
  {
    name: 'ID card: no such province (99)',
    type: 'resident_id_card',
    input: gb11643('990101', '19900307'),
    codes: ['document_unknown_area'],
  },
  {
    name: 'ID card: no such province (10)',
    type: 'resident_id_card',
    input: gb11643('100101', '19900307'),
    codes: ['document_unknown_area'],
  },
  {
    name: 'ID card: several problems at once',
    type: 'resident_id_card',
    input: withWrongCheck(gb11643('990101', '19900230')),
    codes: ['document_check_digit', 'document_birth_date_invalid', 'document_unknown_area'],
  },
  {
    name: 'ID card: 17 characters',
    type: 'resident_id_card',
    input: ID.slice(0, 17),
    codes: ['document_number_format'],
  },
  {
    name: 'ID card: 19 characters',
    type: 'resident_id_card',
    input: `${ID}1`,
    codes: ['document_number_format'],
  },
  {
    name: 'ID card: first-generation 15 digits',
    type: 'resident_id_card',
    input: '370102900307123',
    codes: ['document_number_format'],
  },
  {
    name: 'ID card: X not last',
    type: 'resident_id_card',
    input: `X${ID.slice(1)}`,
    codes: ['document_number_format'],
  },
  {
    name: 'ID card: letter other than X',
    type: 'resident_id_card',
    input: `${ID.slice(0, 17)}A`,
    codes: ['document_number_format'],
  },
  { name: 'passport: 4 characters', type: 'passport', input: 'E123', codes: ['document_number_format'] },
  {
    name: 'passport: 18 characters',
    type: 'passport',
    input: 'AB1234567890123456',
    codes: ['document_number_format'],
  },
  { name: 'passport: no digit', type: 'passport', input: 'ABCDEFGH', codes: ['document_number_format'] },
  { name: 'passport: dash', type: 'passport', input: 'E1234-5678', codes: ['document_number_format'] },
  {
    name: 'passport: accented letter',
    type: 'passport',
    input: 'É12345678',
    codes: ['document_number_format'],
  },
  {
    name: 'home-return permit: 7 digits',
    type: 'hk_macau_permit',
    input: 'H1234567',
    codes: ['document_number_format'],
  },
  {
    name: 'home-return permit: 9 digits',
    type: 'hk_macau_permit',
    input: 'H123456789',
    codes: ['document_number_format'],
  },
  {
    name: 'home-return permit: wrong letter',
    type: 'hk_macau_permit',
    input: 'K12345678',
    codes: ['document_number_format'],
  },
  {
    name: 'home-return permit: no letter',
    type: 'hk_macau_permit',
    input: '12345678',
    codes: ['document_number_format'],
  },
  {
    name: 'Taiwan permit: 7 digits',
    type: 'taiwan_permit',
    input: '1234567',
    codes: ['document_number_format'],
  },
  {
    name: 'Taiwan permit: 9 digits',
    type: 'taiwan_permit',
    input: '123456789',
    codes: ['document_number_format'],
  },
  {
    name: 'Taiwan permit: letter',
    type: 'taiwan_permit',
    input: 'A1234567',
    codes: ['document_number_format'],
  },
  {
    name: 'permanent residence 2017: 2 letters',
    type: 'foreign_permanent_residence_id',
    input: 'US1234567890123',
    codes: ['document_number_format'],
  },
  {
    name: 'permanent residence 2017: 11 digits',
    type: 'foreign_permanent_residence_id',
    input: 'USA12345678901',
    codes: ['document_number_format'],
  },
  {
    name: 'permanent residence: a resident ID card number',
    type: 'foreign_permanent_residence_id',
    input: ID,
    codes: ['document_number_format'],
  },
  {
    name: 'permanent residence 2023: wrong check digit',
    type: 'foreign_permanent_residence_id',
    input: withWrongCheck(gb11643('937840', '19850615', '001')),
    codes: ['document_check_digit'],
  },
  {
    name: 'permanent residence 2023: 31 April',
    type: 'foreign_permanent_residence_id',
    input: gb11643('937840', '19850431', '001'),
    codes: ['document_birth_date_invalid'],
  },
  {
    name: 'permanent residence 2023: future birth date',
    type: 'foreign_permanent_residence_id',
    input: gb11643('937840', '20210101', '001'),
    codes: ['document_birth_date_future'],
  },
  {
    name: 'permanent residence 2023: no such province (99)',
    type: 'foreign_permanent_residence_id',
    input: gb11643('999840', '19850615', '001'),
    codes: ['document_unknown_area'],
  },
  {
    name: 'permanent residence 2023: 17 characters',
    type: 'foreign_permanent_residence_id',
    input: '93784019850615001',
    codes: ['document_number_format'],
  },
];

void describe('validateDocument accepts', () => {
  for (const c of accepted) {
    void test(c.name, () => {
      assert.deepEqual(validateDocument(c.type, c.input, TODAY), { ok: true, value: c.expected });
    });
  }
});

void describe('validateDocument rejects', () => {
  for (const c of rejected) {
    void test(c.name, () => {
      const result = validateDocument(c.type, c.input, TODAY);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.deepEqual(
        result.issues.map((i) => i.code),
        c.codes,
      );
      for (const issue of result.issues) {
        assert.equal(issue.path, issue.code === 'document_type_unknown' ? 'documentType' : 'documentNumber');
        assert.match(issue.message, /^[A-Z0-9].{20,}\.$/);
      }
    });
  }
});

void describe('validateDocument', () => {
  void test('covers every document type in the tables above', () => {
    assert.deepEqual(new Set(accepted.map((c) => c.type)), new Set(DOCUMENT_TYPES));
    assert.deepEqual(
      new Set(rejected.map((c) => c.type).filter((t) => DOCUMENT_TYPES.includes(t as DocumentType))),
      new Set(DOCUMENT_TYPES),
    );
  });

  for (const today of ['2020-02-30', '20200301', '']) {
    void test(`throws on a malformed today '${today}'`, () => {
      assert.throws(() => validateDocument('resident_id_card', ID, today), RangeError);
    });
  }

  void test('the same number is valid or future depending on today', () => {
    const number = gb11643(LIXIA, '20200315');
    assert.equal(validateDocument('resident_id_card', number, '2020-03-15').ok, true);
    assert.equal(validateDocument('resident_id_card', number, '2020-03-14').ok, false);
  });
});

void describe('isResidentIdAreaCode (rule for codes absent from the current table)', () => {
  const cases: readonly (readonly [code: string, accepted: boolean, inTable: boolean])[] = [
    ['370102', true, true], // 历下区, current
    ['370101', true, true], // 市辖区 aggregate of 济南, present in the table
    ['370181', true, false], // 章丘市, became 章丘区 370114 in 2016
    ['371202', true, false], // 莱芜市莱城区, city abolished 2019
    ['342601', true, false], // 巢湖市, city abolished 2011
    ['510299', true, false], // Sichuan still exists: accepted though never assigned
    ['810000', true, true], // Hong Kong residence permit
    ['830000', true, false], // Taiwan residence permit
    ['990101', false, false],
    ['000000', false, false],
    ['37010', false, false],
    ['37010A', false, false],
  ];
  for (const [code, expected, inTable] of cases) {
    void test(`${code} → ${String(expected)}`, () => {
      assert.equal(isResidentIdAreaCode(code), expected);
      assert.equal(findDivision(code) !== null, inTable);
    });
  }
});

void describe('normalizeDocumentNumber', () => {
  const cases: readonly (readonly [type: DocumentType, input: string, expected: string])[] = [
    ['resident_id_card', ' 370102 19900307 123x ', '37010219900307123X'],
    ['passport', 'ｅ１２３４５６７８', 'E12345678'],
    ['passport', 'E1234567801', 'E1234567801'], // the permit rule applies to permits only
    ['hk_macau_permit', 'h 1234 5678 01', 'H12345678'],
    ['hk_macau_permit', 'H12345678', 'H12345678'],
    ['hk_macau_permit', 'H123', 'H123'],
    ['taiwan_permit', '1234567801(b)', '12345678'],
    ['taiwan_permit', '1234567801B', '12345678'],
    ['taiwan_permit', '12345678', '12345678'],
    ['foreign_permanent_residence_id', 'usa 370085061501', 'USA370085061501'],
  ];
  for (const [type, input, expected] of cases) {
    void test(`${type} '${input}' → '${expected}'`, () => {
      assert.equal(normalizeDocumentNumber(type, input), expected);
      assert.equal(normalizeDocumentNumber(type, expected), expected, 'idempotent');
    });
  }
});
