/**
 * The GB 11643-1999 number layout shared by the resident ID card and the 2023 Foreign Permanent
 * Residence ID card: 17 body digits, then an ISO 7064 MOD 11-2 check character ('X' stands for 10).
 */

/** Weight of each body digit, 2^(17 - i) mod 11 for positions i = 0…16. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
/** Indexed by (weighted sum mod 11); the character that brings the whole number to 1 mod 11. */
const CHECK_CHARACTERS = '10X98765432';

/** 17 digits then a digit or upper-case X. */
export const GB11643_PATTERN = /^\d{17}[\dX]$/;

/**
 * The check character for a 17-digit body.
 * @throws RangeError when `body` is not exactly 17 ASCII digits (a caller bug: check the format first).
 */
export function gb11643CheckCharacter(body: string): string {
  if (!/^\d{17}$/.test(body)) throw new RangeError('GB 11643 body must be 17 digits');
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i++) sum += Number(body.charAt(i)) * WEIGHTS[i]!;
  return CHECK_CHARACTERS.charAt(sum % 11);
}

/** True when the last character of an 18-character GB 11643 number matches its body. */
export function hasValidGb11643CheckCharacter(number: string): boolean {
  return GB11643_PATTERN.test(number) && gb11643CheckCharacter(number.slice(0, 17)) === number.charAt(17);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= daysInMonth;
}

/** 'YYYYMMDD' → 'YYYY-MM-DD' when it is a real Gregorian date, else null. */
export function compactDateToIso(compact: string): string | null {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(compact);
  if (match === null) return null;
  const [, y = '', m = '', d = ''] = match;
  return isCalendarDate(Number(y), Number(m), Number(d)) ? `${y}-${m}-${d}` : null;
}

/** True for a real Gregorian date written 'YYYY-MM-DD'. */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [, y = '', m = '', d = ''] = match;
  return isCalendarDate(Number(y), Number(m), Number(d));
}
