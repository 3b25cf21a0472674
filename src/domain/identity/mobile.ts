import type { FieldIssue, Validation } from '../types.ts';

export type MobileIssueCode =
  | 'mobile_required'
  /** Characters other than digits, a leading + and separators. */
  | 'mobile_format'
  | 'mobile_mainland_invalid'
  | 'mobile_international_invalid';

/** 11 digits; the second digit 3–9 covers every mainland mobile network prefix (13x–19x). */
const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
/** Separators people type inside phone numbers. */
const SEPARATORS = /[\s\-().]/gu;

function mobileIssue(code: MobileIssueCode, message: string): Validation<string> {
  return { ok: false, issues: [{ path: 'mobile', code, message } satisfies FieldIssue] };
}

const MAINLAND_ISSUE_MESSAGE =
  'A mainland mobile number has 11 digits starting with 13 to 19; for another country, start with + and the country code.';

function mainland(national: string): Validation<string> {
  if (!MAINLAND_MOBILE.test(national)) return mobileIssue('mobile_mainland_invalid', MAINLAND_ISSUE_MESSAGE);
  return { ok: true, value: `+86${national}` };
}

/**
 * Validates a mobile number and returns it in E.164 ('+8613812345678'). Mainland numbers are
 * accepted with or without +86 / 86 / 0086; other countries need + (or 00) and the country code,
 * 8 to 15 digits in all. Spaces, dashes, dots and parentheses are ignored; full-width digits are
 * folded to ASCII.
 */
export function validateMobile(input: string): Validation<string> {
  let compact = input.normalize('NFKC').replace(SEPARATORS, '');
  if (compact === '') return mobileIssue('mobile_required', 'Enter your mobile phone number.');
  // 00 is the international call prefix dialled from China, so 0044… means +44….
  if (compact.startsWith('00')) compact = `+${compact.slice(2)}`;
  if (!/^\+?\d+$/.test(compact)) {
    return mobileIssue(
      'mobile_format',
      'Use digits only, optionally starting with + and the country code (spaces and dashes are fine).',
    );
  }
  if (compact.startsWith('+')) {
    const digits = compact.slice(1);
    if (digits.startsWith('86')) return mainland(digits.slice(2));
    if (digits.startsWith('0') || digits.length < 8 || digits.length > 15) {
      return mobileIssue(
        'mobile_international_invalid',
        'An international number is + and the country code followed by the number, 8 to 15 digits in all (e.g. +44 7911 123456).',
      );
    }
    return { ok: true, value: compact };
  }
  if (compact.length === 13 && compact.startsWith('86')) return mainland(compact.slice(2));
  return mainland(compact);
}
