import { scannedCodeText } from './checkpoint-logic.ts';

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
