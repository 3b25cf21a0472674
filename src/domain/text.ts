/**
 * Text at the boundary (issue 8, finding 6). Both databases must store the same thing, and
 * PostgreSQL refuses NUL bytes outright while SQLite keeps them; a lone surrogate cannot be
 * written as UTF-8 at all. So text carrying either is refused everywhere, before it reaches a
 * use case. Names that other people see (venue names, staff display names) also refuse the
 * invisible characters that let one name pass for another: bidi overrides and isolates, and
 * zero-width characters.
 */

/** NUL, or a UTF-16 surrogate without its partner. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Bidi embeddings, overrides, isolates and marks; zero-width space, joiners, word joiner, BOM. */
const SPOOFING = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;

/** Any NUL or surrogate at all: one quick scan, so the common plain string skips the exact test. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/** Why a string cannot be stored as text, or null when it can. */
export function unstorableText(value: string): string | null {
  if (!MAYBE_UNSTORABLE.test(value)) return null;
  const m = UNSTORABLE.exec(value);
  if (m === null) return null;
  return m[0] === '\u0000' ? 'contains a NUL character' : 'contains a lone UTF-16 surrogate';
}

/** Why a name others see could mislead them, or null when it is plain. */
export function spoofingText(value: string): string | null {
  const m = SPOOFING.exec(value);
  if (m === null) return null;
  const hex = m[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? '';
  return `contains the invisible character U+${hex} (bidirectional control or zero-width), which can disguise a name`;
}

/** The first string (keys included) in a parsed JSON value that cannot be stored, or null. Iterative. */
export function firstUnstorable(value: unknown): string | null {
  const stack: unknown[] = [value];
  for (let v = stack.pop(); stack.length > 0 || v !== undefined; v = stack.pop()) {
    if (typeof v === 'string') {
      if (unstorableText(v) !== null) return v;
    } else if (Array.isArray(v)) stack.push(...(v as unknown[]));
    else if (typeof v === 'object' && v !== null) {
      for (const [k, e] of Object.entries(v)) {
        if (unstorableText(k) !== null) return k;
        stack.push(e);
      }
    }
  }
  return null;
}
