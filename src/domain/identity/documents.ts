import type { FieldIssue, Validation } from '../types.ts';
import { findDivision, isProvinceCode } from './divisions.ts';
import { compactDateToIso, GB11643_PATTERN, hasValidGb11643CheckCharacter, isIsoDate } from './gb11643.ts';

export type DocumentType =
  /** 居民身份证 (GB 11643-1999). */
  | 'resident_id_card'
  | 'passport'
  /** 港澳居民来往内地通行证 (home-return permit). */
  | 'hk_macau_permit'
  /** 台湾居民来往大陆通行证. */
  | 'taiwan_permit'
  /** 外国人永久居留身份证 (2017 and 2023 cards). */
  | 'foreign_permanent_residence_id';

export const DOCUMENT_TYPES: readonly DocumentType[] = [
  'resident_id_card',
  'passport',
  'hk_macau_permit',
  'taiwan_permit',
  'foreign_permanent_residence_id',
];

export type DocumentIssueCode =
  | 'document_type_unknown'
  | 'document_number_required'
  /** Wrong length or characters for the document type. */
  | 'document_number_format'
  | 'document_check_digit'
  /** The birth date digits are not a real calendar date. */
  | 'document_birth_date_invalid'
  | 'document_birth_date_future'
  /** Before 1900-01-01. */
  | 'document_birth_date_too_early'
  | 'document_unknown_area';

export interface ValidDocument {
  readonly type: DocumentType;
  /** Normalized by `normalizeDocumentNumber`: no spaces, upper case, lifetime part only for permits. */
  readonly number: string;
  /** 'YYYY-MM-DD' when the number encodes it (resident ID card, 2023 permanent residence card). */
  readonly birthDate: string | null;
  /** The 6-digit area prefix of a resident ID card; may be a since-abolished code (see README). */
  readonly divisionCode: string | null;
}

/**
 * Prefixes of 港澳台居民居住证 numbers (residence permits for Hong Kong, Macao and Taiwan residents,
 * GB 11643 layout, 2018). 830000 is in no division table; people enter these as ID card numbers.
 */
const RESIDENCE_PERMIT_AREAS: ReadonlySet<string> = new Set(['810000', '820000', '830000']);

const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Narrows untrusted input (a form field, a JSON body) to a `DocumentType`. */
export function isDocumentType(value: string): value is DocumentType {
  return (DOCUMENT_TYPES as readonly string[]).includes(value);
}

/**
 * Canonical form of a document number, used for storage and for the derived keys: full-width
 * characters folded to ASCII (NFKC), all whitespace removed, upper case. Permit numbers that carry an
 * issue counter keep only the holder's lifetime number, so that a renewed permit is the same person:
 * H/M + 8 digits + 2-digit renewal count → H/M + 8 digits; a pre-2008 Taiwan permit
 * (8 digits + 2-digit issue count, optionally an issuing-office letter) → the 8 digits.
 * Input that fits no known form comes back only lexically cleaned.
 */
export function normalizeDocumentNumber(type: DocumentType, input: string): string {
  const cleaned = input.normalize('NFKC').replace(/\s+/gu, '').toUpperCase();
  switch (type) {
    case 'hk_macau_permit':
      return cleaned.replace(/^([HM]\d{8})\d{2}$/u, '$1');
    case 'taiwan_permit':
      return cleaned.replace(/^(\d{8})\d{2}(?:\([A-Z0-9]\)|[A-Z])?$/u, '$1');
    case 'resident_id_card':
    case 'passport':
    case 'foreign_permanent_residence_id':
      return cleaned;
  }
}

function numberIssue(code: DocumentIssueCode, message: string): FieldIssue {
  return { path: 'documentNumber', code, message };
}

function invalid(issues: readonly FieldIssue[]): Validation<ValidDocument> {
  return { ok: false, issues };
}

type BirthDateCheck = { readonly birthDate: string } | { readonly issue: FieldIssue };

/** `compact` is 'YYYYMMDD' from inside the number. */
function checkBirthDate(compact: string, today: string): BirthDateCheck {
  const birthDate = compactDateToIso(compact);
  if (birthDate === null) {
    return {
      issue: numberIssue(
        'document_birth_date_invalid',
        'Digits 7 to 14 (the birth date, YYYYMMDD) are not a real date; check them against the card.',
      ),
    };
  }
  if (birthDate < EARLIEST_BIRTH_DATE) {
    return {
      issue: numberIssue(
        'document_birth_date_too_early',
        'Digits 7 to 14 (the birth date) give a year before 1900; check them against the card.',
      ),
    };
  }
  if (birthDate > today) {
    return {
      issue: numberIssue(
        'document_birth_date_future',
        'Digits 7 to 14 (the birth date) give a date in the future; check them against the card.',
      ),
    };
  }
  return { birthDate };
}

const CHECK_DIGIT_ISSUE = numberIssue(
  'document_check_digit',
  'The last character does not match the other 17 digits, so one of them is mistyped; compare each digit with the card.',
);

/**
 * An area prefix is accepted when it is in the current GB/T 2260 table, or when its first two digits
 * name a current province: ID numbers never change, so cards issued before a county or city was
 * abolished (莱芜市 3712xx, merged into 济南 in 2019) keep codes the current table no longer has.
 * Residence permits for Hong Kong, Macao and Taiwan residents use 810000, 820000 and 830000.
 */
export function isResidentIdAreaCode(code: string): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  return (
    findDivision(code) !== null ||
    RESIDENCE_PERMIT_AREAS.has(code) ||
    isProvinceCode(`${code.slice(0, 2)}0000`)
  );
}

function validateResidentIdCard(number: string, today: string): Validation<ValidDocument> {
  if (/^\d{15}$/.test(number)) {
    return invalid([
      numberIssue(
        'document_number_format',
        'First-generation 15-digit ID cards are no longer valid; enter the 18-character number of your current card.',
      ),
    ]);
  }
  if (!GB11643_PATTERN.test(number)) {
    return invalid([
      numberIssue(
        'document_number_format',
        `A resident ID card number has 18 characters: 17 digits, then a digit or X (you entered ${Array.from(number).length}).`,
      ),
    ]);
  }
  const issues: FieldIssue[] = [];
  if (!hasValidGb11643CheckCharacter(number)) issues.push(CHECK_DIGIT_ISSUE);
  const birth = checkBirthDate(number.slice(6, 14), today);
  if ('issue' in birth) issues.push(birth.issue);
  const divisionCode = number.slice(0, 6);
  if (!isResidentIdAreaCode(divisionCode)) {
    issues.push(
      numberIssue(
        'document_unknown_area',
        'The first 6 digits (the area code) belong to no province of China; check them against the card.',
      ),
    );
  }
  if (issues.length > 0 || !('birthDate' in birth)) return invalid(issues);
  return { ok: true, value: { type: 'resident_id_card', number, birthDate: birth.birthDate, divisionCode } };
}

/**
 * 2017 card: 3-letter nationality code + 12 digits (no check character).
 * 2023 card: '9' + 2-digit province of the accepting office + 3-digit numeric nationality code +
 * YYYYMMDD birth date + 3-digit sequence + MOD 11-2 check character, the resident ID layout.
 */
function validateForeignPermanentResidenceId(number: string, today: string): Validation<ValidDocument> {
  if (/^[A-Z]{3}\d{12}$/.test(number)) {
    return {
      ok: true,
      value: { type: 'foreign_permanent_residence_id', number, birthDate: null, divisionCode: null },
    };
  }
  if (!/^9\d{16}[\dX]$/.test(number)) {
    const hint = GB11643_PATTERN.test(number)
      ? ' An 18-character number starting with 1 to 8 is a resident ID card number: choose that document type.'
      : '';
    return invalid([
      numberIssue(
        'document_number_format',
        `A Foreign Permanent Residence ID card number is 3 letters and 12 digits (2017 card) or 18 characters starting with 9 (2023 card).${hint}`,
      ),
    ]);
  }
  const issues: FieldIssue[] = [];
  if (!hasValidGb11643CheckCharacter(number)) issues.push(CHECK_DIGIT_ISSUE);
  const birth = checkBirthDate(number.slice(6, 14), today);
  if ('issue' in birth) issues.push(birth.issue);
  if (!isProvinceCode(`${number.slice(1, 3)}0000`)) {
    issues.push(
      numberIssue(
        'document_unknown_area',
        'Digits 2 and 3 (the province of the issuing office) name no province of China; check them against the card.',
      ),
    );
  }
  if (issues.length > 0 || !('birthDate' in birth)) return invalid(issues);
  return {
    ok: true,
    value: { type: 'foreign_permanent_residence_id', number, birthDate: birth.birthDate, divisionCode: null },
  };
}

/** Numbers without an internal structure we can check beyond their shape. */
function validateByPattern(
  type: DocumentType,
  number: string,
  pattern: RegExp,
  message: string,
): Validation<ValidDocument> {
  if (!pattern.test(number)) return invalid([numberIssue('document_number_format', message)]);
  return { ok: true, value: { type, number, birthDate: null, divisionCode: null } };
}

/**
 * Validates an ID document as entered by a resident (S1) and returns it normalized.
 * @param type one of `DOCUMENT_TYPES`; anything else is a `document_type_unknown` issue.
 * @param today 'YYYY-MM-DD' in China Standard Time, passed in by the caller (no clock in the domain);
 *   birth dates after it are rejected.
 * @throws RangeError when `today` is not a real 'YYYY-MM-DD' date (a caller bug, not bad input).
 */
export function validateDocument(type: string, number: string, today: string): Validation<ValidDocument> {
  if (!isIsoDate(today)) throw new RangeError(`today must be a 'YYYY-MM-DD' date, got '${today}'`);
  const issues: FieldIssue[] = [];
  if (!isDocumentType(type)) {
    issues.push({
      path: 'documentType',
      code: 'document_type_unknown',
      message: `Choose the document type from the list (${DOCUMENT_TYPES.join(', ')}).`,
    });
  }
  if (number.normalize('NFKC').trim() === '') {
    issues.push(numberIssue('document_number_required', 'Enter the number printed on your ID document.'));
  }
  if (issues.length > 0 || !isDocumentType(type)) return invalid(issues);

  const normalized = normalizeDocumentNumber(type, number);
  switch (type) {
    case 'resident_id_card':
      return validateResidentIdCard(normalized, today);
    case 'foreign_permanent_residence_id':
      return validateForeignPermanentResidenceId(normalized, today);
    case 'passport':
      // ICAO 9303 keeps 9 characters in the MRZ number field but lets longer numbers overflow into
      // the optional data; 17 allows for those, 5 catches truncated input. All carry a digit.
      return validateByPattern(
        type,
        normalized,
        /^(?=[A-Z]*\d)[A-Z0-9]{5,17}$/,
        'A passport number has 5 to 17 letters and digits (at least one digit), as printed on the data page.',
      );
    case 'hk_macau_permit':
      return validateByPattern(
        type,
        normalized,
        /^[HM]\d{8}$/,
        'A home-return permit number is H (Hong Kong) or M (Macao) followed by 8 digits, or by 10 digits on older cards.',
      );
    case 'taiwan_permit':
      return validateByPattern(
        type,
        normalized,
        /^\d{8}$/,
        'A Taiwan compatriot permit number has 8 digits (older permits: the first 8 of their 10 digits).',
      );
  }
}
