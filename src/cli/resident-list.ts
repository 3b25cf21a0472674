import type { BulkPrintEntry, BulkPrintSkip } from '../use-cases/paper-codes.ts';

/** The optional first line of a list, as a spreadsheet exports it. */
const HEADER = 'documenttype,documentnumber';

/**
 * Reads a list of residents for bulk paper codes: UTF-8 text, one `documentType,documentNumber`
 * a line (e.g. `resident_id_card,370102194001010025`), as a spreadsheet saves it as CSV. An
 * optional header line `documentType,documentNumber`, blank lines and lines starting with `#` are
 * ignored; a byte-order mark, CRLF line ends, spaces and double quotes around a field are allowed.
 * A line with other than two fields is reported (`line_format`), never guessed at.
 */
export function parseResidentList(text: string): { entries: BulkPrintEntry[]; problems: BulkPrintSkip[] } {
  const entries: BulkPrintEntry[] = [];
  const problems: BulkPrintSkip[] = [];
  let seenContent = false;
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = i + 1;
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const fields = trimmed.split(',').map((f) =>
        f
          .trim()
          .replace(/^"(.*)"$/, '$1')
          .trim(),
      );
      const first = !seenContent;
      seenContent = true;
      if (first && fields.join(',').toLowerCase() === HEADER) return;
      const [documentType, documentNumber] = fields;
      if (fields.length !== 2 || documentType === undefined || documentNumber === undefined) {
        problems.push({
          line,
          code: 'line_format',
          message: `Expected documentType,documentNumber (2 fields); found ${fields.length}.`,
        });
        return;
      }
      entries.push({ line, documentType, documentNumber });
    });
  return { entries, problems };
}
