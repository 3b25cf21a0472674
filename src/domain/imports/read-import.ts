import { pipeline, Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { EpochMs, FieldIssue } from '../types.ts';
import { importKindSpec, type ImportKind } from './kinds.ts';
import { ROW_PATH, validateImportRow, type EpidemicRecord } from './validate-row.ts';
import { firstUnstorable, unstorableText } from '../text.ts';

/** One data row of an import file: its record, or everything wrong with it. */
export type ImportRow =
  | { readonly line: number; readonly ok: true; readonly record: EpidemicRecord }
  | { readonly line: number; readonly ok: false; readonly issues: readonly FieldIssue[] };

export type ImportFormat = 'csv' | 'jsonl';

export type ImportFileErrorCode =
  /** The CSV header is missing, or names unknown, duplicate or too few columns. */
  | 'import_header_invalid'
  /** A quoted CSV field runs on for more than MAX_RECORD_BYTES: the rest of the file cannot be read. */
  | 'import_csv_unreadable';

/**
 * A problem with the file as a whole: no row after `line` was read. Rows before it have already been
 * yielded; a strict import must discard them.
 */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
  constructor(
    readonly code: ImportFileErrorCode,
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Longest physical line accepted; longer lines are reported (`line_too_long`) and skipped. */
export const MAX_LINE_BYTES = 64 * 1024;
/**
 * Input read while the CSV parser completes no record: beyond it a quoted field has run away (an
 * unclosed quote), and reading stops so that memory stays bounded. Well above what the stream buffers
 * hold between the reader and the parser (about 18 pieces of 64 KiB).
 */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** Input chunks are cut to this size, which bounds what the stream buffers can hold. */
const PIECE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const LF = Buffer.from('\n');
/** Closes a quote left open by the dropped part of a cut line. */
const QUOTE_NEWLINE = Buffer.from('"\n');
const REPLACEMENT = '\uFFFD';
const BOM = '\uFEFF';

const LINE_TOO_LONG: readonly FieldIssue[] = [
  {
    path: ROW_PATH,
    code: 'line_too_long',
    message: `This line is longer than ${MAX_LINE_BYTES / 1024} KiB, so it was not read; no record needs that much.`,
  },
];
const NOT_UTF8: readonly FieldIssue[] = [
  {
    path: ROW_PATH,
    code: 'encoding_invalid',
    message:
      'This line is not valid UTF-8. Save the file as UTF-8 (in Excel: "CSV UTF-8"); files saved as GBK show this on every line with Chinese text.',
  },
];

const UNSTORABLE: readonly FieldIssue[] = [
  {
    path: ROW_PATH,
    code: 'invalid_text',
    message:
      'This line holds a NUL character or a lone UTF-16 surrogate, which no text field can store; remove it.',
  },
];

const toBuffer = (chunk: Buffer | string): Buffer =>
  typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;

async function* pieces(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const raw of input) {
    const chunk = toBuffer(raw);
    for (let i = 0; i < chunk.length; i += PIECE_BYTES) yield chunk.subarray(i, i + PIECE_BYTES);
  }
}

/**
 * Cuts every physical line to MAX_LINE_BYTES, noting the numbers of the lines it cut in `cut`. Quote
 * characters in the dropped part are accounted for, so the CSV parser's idea of what is quoted
 * survives the cut. Lines are counted by LF, as the readers do.
 */
async function* limitLines(
  input: AsyncIterable<Buffer | string>,
  cut: Set<number>,
  runaway: { records: () => number; stopped: boolean },
): AsyncGenerator<Buffer> {
  let line = 1;
  let length = 0;
  let dropping = false;
  let droppedQuotes = 0;
  let records = -1;
  let sinceRecord = 0;
  for await (const piece of pieces(input)) {
    const done = runaway.records();
    if (done !== records) {
      records = done;
      sinceRecord = 0;
    }
    sinceRecord += piece.length;
    if (sinceRecord > MAX_RECORD_BYTES) {
      // Ending the input here makes the parser report the open quote; readCsv turns that into a file error.
      runaway.stopped = true;
      return;
    }
    // Lines within the limit pass as they are; only a cut splits the piece.
    const parts: Buffer[] = [];
    let keepFrom = 0;
    let start = 0;
    while (start < piece.length) {
      const nl = piece.indexOf(NEWLINE, start);
      const end = nl === -1 ? piece.length : nl;
      let quotesFrom = -1;
      if (dropping) quotesFrom = start;
      else if (length + end - start > MAX_LINE_BYTES) {
        const keep = start + MAX_LINE_BYTES - length;
        parts.push(piece.subarray(keepFrom, keep));
        cut.add(line);
        dropping = true;
        droppedQuotes = 0;
        quotesFrom = keep;
      } else length += end - start;
      if (quotesFrom !== -1)
        for (let i = piece.indexOf(QUOTE, quotesFrom); i !== -1 && i < end; i = piece.indexOf(QUOTE, i + 1))
          droppedQuotes++;
      if (nl === -1) break;
      if (dropping) {
        parts.push(droppedQuotes % 2 === 1 ? QUOTE_NEWLINE : LF);
        dropping = false;
        keepFrom = nl + 1;
      }
      line++;
      length = 0;
      start = nl + 1;
    }
    if (!dropping && keepFrom < piece.length) parts.push(piece.subarray(keepFrom));
    if (parts.length === 1) yield parts[0]!;
    else if (parts.length > 1) yield Buffer.concat(parts);
  }
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Maps header cells to the kind's fields, or throws import_header_invalid naming expected and found. */
function headerColumns(kind: ImportKind, cells: readonly string[] | undefined): string[] {
  const spec = importKindSpec(kind);
  const expected = spec.fields.map((f) => f.name);
  const found = (cells ?? []).map((c, i) => (i === 0 ? c.replace(BOM, '') : c).trim());
  // The message is stored with the import: a header cell no database can hold (NUL, a lone
  // surrogate) is shown escaped, or storing the failure itself fails on PostgreSQL.
  const shown = (name: string) => (unstorableText(name) === null ? name : JSON.stringify(name));
  const problems: string[] = [];
  if (cells === undefined) problems.push('the file is empty');
  const unknown = found.filter((name) => !expected.includes(name));
  if (unknown.length > 0)
    problems.push(`unknown columns: ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
  const duplicate = found.filter((name, i) => found.indexOf(name) !== i);
  if (duplicate.length > 0)
    problems.push(`repeated columns: ${[...new Set(duplicate)].map(shown).join(', ')}`);
  const missing = spec.fields.filter((f) => f.required && !found.includes(f.name)).map((f) => f.name);
  if (missing.length > 0) problems.push(`missing required columns: ${missing.join(', ')}`);
  if (problems.length === 0) return found;
  const hint = found.some((c) => c.includes(REPLACEMENT))
    ? ' The file does not look like UTF-8: save it as UTF-8 (in Excel: "CSV UTF-8").'
    : '';
  throw new ImportFileError(
    'import_header_invalid',
    `The header must be the ${kind} header (optional columns may be left out, in any order): ` +
      `${problems.join('; ')}. Expected: ${expected.join(',')}. Found: ${found.map(shown).join(',')}.${hint}`,
    1,
  );
}

async function* readCsv(
  input: AsyncIterable<Buffer | string>,
  kind: ImportKind,
  now: EpochMs,
): AsyncGenerator<ImportRow> {
  const cut = new Set<number>();
  let quoteNotClosed = false;
  // relax_quotes keeps a stray quote inside an unquoted field (5" screen) as text instead of failing
  // the file; relax_column_count lets a short or long row through so that it is reported with its line.
  // With those, the only error left is a quote still open at the end; skip_records_with_error turns it
  // into a callback, because a stream error would discard the rows parsed before it.
  // Line numbers are counted here from the records: csv-parse's `info` option halves its speed.
  const parser = parse({
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error?.code === 'CSV_QUOTE_NOT_CLOSED') quoteNotClosed = true;
      else throw error ?? new Error('csv-parse skipped a record');
    },
  });
  const runaway = { records: () => parser.info.records, stopped: false };
  pipeline(Readable.from(limitLines(input, cut, runaway)), parser, () => {
    // Errors reach the consumer through the parser's iterator below.
  });
  let columns: string[] | undefined;
  let line = 1;
  for await (const cells of parser as AsyncIterable<string[]>) {
    const start = line;
    let inner = 0;
    let blank = true;
    let invalidUtf8 = false;
    let unstorable = false;
    for (const cell of cells) {
      if (cell === '') continue;
      blank = false;
      if (cell.includes('\n')) inner += countNewlines(cell);
      if (cell.includes(REPLACEMENT)) invalidUtf8 = true;
      if (unstorableText(cell) !== null) unstorable = true;
    }
    line = start + inner + 1;
    if (columns === undefined) {
      columns = headerColumns(kind, cells);
      continue;
    }
    if (blank) continue;
    let tooLong = false;
    if (cut.size > 0) {
      for (let l = start; l <= start + inner; l++) if (cut.delete(l)) tooLong = true;
    }
    if (tooLong) yield { line: start, ok: false, issues: LINE_TOO_LONG };
    else if (invalidUtf8) yield { line: start, ok: false, issues: NOT_UTF8 };
    else if (unstorable) yield { line: start, ok: false, issues: UNSTORABLE };
    else if (cells.length !== columns.length)
      yield {
        line: start,
        ok: false,
        issues: [
          {
            path: ROW_PATH,
            code: 'column_count',
            message: `This line has ${cells.length} fields but the header has ${columns.length}; check for a missing or extra comma, or quote values that contain one.`,
          },
        ],
      };
    else {
      const row: Record<string, string> = {};
      for (let i = 0; i < columns.length; i++) row[columns[i]!] = cells[i]!;
      const result = validateImportRow(kind, row, now, 'csv');
      yield result.ok
        ? { line: start, ok: true, record: result.value }
        : { line: start, ok: false, issues: result.issues };
    }
  }
  if (columns === undefined) headerColumns(kind, undefined);
  if (runaway.stopped)
    throw new ImportFileError(
      'import_csv_unreadable',
      `A quoted field opened on line ${line} runs on for more than ${MAX_RECORD_BYTES / 2 ** 20} MiB without closing, so the rest of the file was not read; check the quotes on line ${line}.`,
      line,
    );
  if (quoteNotClosed)
    // The open quote swallowed the rest of the file, which csv-parse can only tell at the end.
    yield {
      line,
      ok: false,
      issues: [
        {
          path: ROW_PATH,
          code: 'csv_quote_not_closed',
          message:
            'A quoted field opened on this line is never closed, so everything after it was read as one value; add the closing quote (write a quote inside a quoted field as "").',
        },
      ],
    };
}

async function* readJsonLines(
  input: AsyncIterable<Buffer | string>,
  kind: ImportKind,
  now: EpochMs,
): AsyncGenerator<ImportRow> {
  let line = 0;
  const readLine = (text: string): ImportRow | null => {
    if (line === 1 && text.startsWith(BOM)) text = text.slice(1);
    if (text.trim() === '') return null;
    if (text.includes(REPLACEMENT)) return { line, ok: false, issues: NOT_UTF8 };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      return {
        line,
        ok: false,
        issues: [
          {
            path: ROW_PATH,
            code: 'malformed_json',
            message: `This line is not one JSON object (${(error as Error).message}); each line must hold exactly one object.`,
          },
        ],
      };
    }
    if (firstUnstorable(value) !== null) return { line, ok: false, issues: UNSTORABLE };
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return {
        line,
        ok: false,
        issues: [
          { path: ROW_PATH, code: 'json_not_object', message: 'Each line must hold one JSON object {…}.' },
        ],
      };
    const result = validateImportRow(kind, value as Record<string, unknown>, now, 'jsonl');
    return result.ok ? { line, ok: true, record: result.value } : { line, ok: false, issues: result.issues };
  };
  const decode = (buf: Buffer, start: number, end: number): string =>
    buf.toString('utf8', start, end > start && buf[end - 1] === 0x0d ? end - 1 : end);

  let pending: Buffer[] = [];
  let pendingLength = 0;
  let tooLong = false;
  for await (const raw of input) {
    const chunk = toBuffer(raw);
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) {
        if (!tooLong) {
          pending.push(chunk.subarray(start));
          pendingLength += chunk.length - start;
          if (pendingLength > MAX_LINE_BYTES) {
            tooLong = true;
            pending = [];
          }
        }
        break;
      }
      line++;
      let row: ImportRow | null;
      if (tooLong || pendingLength + nl - start > MAX_LINE_BYTES)
        row = { line, ok: false, issues: LINE_TOO_LONG };
      else if (pending.length === 0) row = readLine(decode(chunk, start, nl));
      else {
        pending.push(chunk.subarray(start, nl));
        const whole = Buffer.concat(pending);
        row = readLine(decode(whole, 0, whole.length));
      }
      pending = [];
      pendingLength = 0;
      tooLong = false;
      if (row !== null) yield row;
      start = nl + 1;
    }
  }
  if (tooLong || pendingLength > 0) {
    line++;
    const row = tooLong
      ? { line, ok: false as const, issues: LINE_TOO_LONG }
      : readLine(decode(Buffer.concat(pending), 0, pendingLength));
    if (row !== null) yield row;
  }
}

/**
 * Reads an import file of one kind and yields each data row, in file order, as a record or its issues;
 * memory stays flat whatever the file size (nothing is accumulated, and the input is pulled only as
 * fast as rows are consumed).
 *
 * - `line` is the 1-based physical line where the row starts (the CSV header is line 1); lines end
 *   with LF or CRLF.
 * - CSV: UTF-8 (a BOM is skipped), comma-separated, RFC 4180 quoting; line 1 is the header (see
 *   csvHeader). Empty lines and rows of empty cells are skipped.
 * - JSON Lines: one object per line; blank lines are skipped.
 * - Lines longer than MAX_LINE_BYTES give `line_too_long`, lines that are not UTF-8 `encoding_invalid`.
 *
 * @throws ImportFileError import_header_invalid when the CSV header does not fit the kind (before any
 *   row), import_csv_unreadable when a quoted field never ends; errors of `input` pass through.
 */
export function readImport(
  input: AsyncIterable<Buffer | string>,
  format: ImportFormat,
  kind: ImportKind,
  now: EpochMs,
): AsyncGenerator<ImportRow> {
  importKindSpec(kind);
  return format === 'csv' ? readCsv(input, kind, now) : readJsonLines(input, kind, now);
}
