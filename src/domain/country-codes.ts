/**
 * ISO 3166-1 alpha-2 region check through ICU (Node ships full ICU): a code ICU cannot name is not a
 * region. Avoids carrying a country table of our own.
 */
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
const RESERVED = new Set(['ZZ', 'EU', 'UN', 'EZ', 'QO', 'XA', 'XB', 'XK']);

export function isCountryCode(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || RESERVED.has(code)) return false;
  return regionNames.of(code) !== code;
}
