/**
 * The code as a scanner delivered it: keyboard-wedge scanners end with Enter (sometimes CR LF or
 * a tab) and pasted text may carry spaces around it. Spaces inside are kept: base45 uses them, but
 * never last (a group's last character encodes at most 65535 / 45² = 32, and space is 36).
 * null when nothing is left.
 */
export function scannedCodeText(raw: string): string | null {
  const text = raw.trim();
  return text === '' ? null : text;
}

/** The place code in a link of the form the platform prints (`<origin>/scan?c=<code>`), or null. */
export function placeCodeFromSearch(search: string): string | null {
  const value = new URLSearchParams(search).get('c');
  return value === null ? null : scannedCodeText(value);
}

/**
 * The place code in what a camera read from a poster: the code text itself, or the link to this
 * page that carries it (a phone's own camera app opens such a link; this page may read it too).
 */
export function placeCodeFromScan(text: string): string | null {
  const trimmed = scannedCodeText(text);
  if (trimmed === null || !/^https?:\/\//i.test(trimmed)) return trimmed;
  try {
    return placeCodeFromSearch(new URL(trimmed).search);
  } catch {
    return null;
  }
}
