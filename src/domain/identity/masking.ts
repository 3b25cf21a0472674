/**
 * Privacy-processed display (S18): what screens seen by others (venue staff, printed paper codes)
 * show instead of names, document numbers and phone numbers. Every function accepts any string,
 * including '', and never throws.
 */

const MASK = '*';
const HAN = /\p{Script=Han}/u;
/** Letters and combining marks; every other character (space, ·, -, ', .) separates name parts. */
const LETTER = /[\p{L}\p{M}]/u;

/** Two to four CJK Unified Ideographs (BMP) and nothing else: most names, masked without regexes. */
const PLAIN_HAN_NAME = /^[\u4e00-\u9fff]{2,4}$/;

/**
 * Chinese names (any Han character) keep their first character and, from 3 letters up, their last:
 * 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明; separators such as the middle dot stay visible
 * (买买提·艾力 → 买**·*力). Other names keep the first letter of each word: John Smith → J*** S****.
 * A one-character name is fully masked.
 */
export function maskName(name: string): string {
  // Checkpoints mask a name on every scan; the common case skips the general path's arrays.
  if (PLAIN_HAN_NAME.test(name)) {
    const n = name.length;
    return n === 2 ? name[0] + MASK : name[0] + MASK.repeat(n - 2) + name[n - 1];
  }
  const chars = Array.from(name.trim().normalize('NFC'));
  return HAN.test(name) ? maskHanName(chars) : maskWords(chars);
}

function maskHanName(chars: readonly string[]): string {
  const letterPositions = chars.flatMap((c, i) => (LETTER.test(c) ? [i] : []));
  const first = letterPositions[0];
  const last = letterPositions.length >= 3 ? letterPositions.at(-1) : undefined;
  if (letterPositions.length < 2) return chars.map((c) => (LETTER.test(c) ? MASK : c)).join('');
  return chars.map((c, i) => (i === first || i === last || !LETTER.test(c) ? c : MASK)).join('');
}

function maskWords(chars: readonly string[]): string {
  if (chars.length === 1) return MASK;
  let previousWasLetter = false;
  return chars
    .map((c) => {
      const isLetter = LETTER.test(c);
      const shown = !isLetter || !previousWasLetter;
      previousWasLetter = isLetter;
      return shown ? c : MASK;
    })
    .join('');
}

/**
 * 18-character GB 11643 numbers keep the area code and the last 4 (370102********1234); other
 * numbers keep the first 2 and last 3 from 10 characters up, the first 1 and last 2 from 5, and
 * nothing below that, so at least about half is always hidden.
 */
export function maskDocumentNumber(number: string): string {
  const chars = Array.from(number.normalize('NFKC').replace(/\s+/gu, '').toUpperCase());
  const n = chars.length;
  if (n === 18 && /^\d{17}[\dX]$/.test(chars.join(''))) return keepEnds(chars, 6, 4);
  if (n >= 10) return keepEnds(chars, 2, 3);
  if (n >= 5) return keepEnds(chars, 1, 2);
  return MASK.repeat(n);
}

function keepEnds(chars: readonly string[], head: number, tail: number): string {
  return chars.map((c, i) => (i < head || i >= chars.length - tail ? c : MASK)).join('');
}

/**
 * Mainland numbers are shown nationally with the middle four hidden (+8613812345678 → 138****5678);
 * others keep + and the first 2 and last 4 digits (+447911123456 → +44******3456).
 */
export function maskMobile(e164: string): string {
  const plus = e164.trim().startsWith('+');
  const digits = Array.from(e164.replace(/\D/gu, ''));
  const mainland = digits.length === 13 && digits[0] === '8' && digits[1] === '6' && digits[2] === '1';
  if (mainland || (!plus && digits.length === 11 && digits[0] === '1')) {
    return keepEnds(mainland ? digits.slice(2) : digits, 3, 4);
  }
  if (digits.length === 0) return '';
  const masked = digits.length > 6 ? keepEnds(digits, 2, 4) : MASK.repeat(digits.length);
  return plus ? `+${masked}` : masked;
}
