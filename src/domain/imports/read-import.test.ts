import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { gb11643CheckCharacter } from '../identity/index.ts';
import { epochMs } from '../types.ts';
import { csvHeader, type ImportKind } from './kinds.ts';
import {
  ImportFileError,
  MAX_LINE_BYTES,
  MAX_RECORD_BYTES,
  readImport,
  type ImportFormat,
} from './read-import.ts';

const NOW = epochMs(Date.parse('2020-02-20T12:00:00+08:00'));
const ID = ((body: string) => body + gb11643CheckCharacter(body))('37010219870112527');

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<string | Buffer> {
  for (const part of parts) yield part;
}

/** The same bytes one at a time: every chunk boundary falls inside a line, a quote, a character. */
async function* byteByByte(text: string | Buffer): AsyncGenerator<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < buf.length; i++) yield buf.subarray(i, i + 1);
}

/** `line:sourceId` for records, `line:path:code,…` for rows with issues. */
async function summary(
  input: AsyncIterable<string | Buffer>,
  format: ImportFormat,
  kind: ImportKind = 'closeContact',
): Promise<string[]> {
  const out: string[] = [];
  for await (const row of readImport(input, format, kind, NOW)) {
    out.push(
      row.ok
        ? `${row.line}:${row.record.sourceId}`
        : `${row.line}:${row.issues.map((i) => `${i.path}:${i.code}`).join(',')}`,
    );
  }
  return out;
}

const CC_HEADER = csvHeader('closeContact');
const cc = (id: string, extra = ''): string => `${id},resident_id_card,${ID},home,2020-02-10,,${extra}`;
const ccJson = (id: string): string =>
  JSON.stringify({
    sourceId: id,
    documentType: 'resident_id_card',
    documentNumber: ID,
    isolation: 'home',
    start: '2020-02-10',
  });

void describe('CSV', () => {
  void test('rows come with their physical line; the header is line 1', async () => {
    const text = `${CC_HEADER}\n${cc('a')}\n${cc('b')}\n`;
    assert.deepEqual(await summary(chunks(text), 'csv'), ['2:a', '3:b']);
  });

  void test('a quoted field spanning lines, blank lines and CRLF keep line numbers right, whatever the chunking', async () => {
    const text =
      `${CC_HEADER}\r\n` +
      `${cc('a', '"first line\r\nsecond ""line""\r\nthird"')}\r\n` +
      `\r\n` +
      `,,,,,,\r\n` +
      `${cc('b')}\r\n` +
      `${cc('c', '"one\nmore"')}\r\n` +
      `${cc('d')}`;
    const expected = ['2:a', '7:b', '8:c', '10:d'];
    assert.deepEqual(await summary(chunks(text), 'csv'), expected);
    assert.deepEqual(await summary(byteByByte(text), 'csv'), expected);
  });

  void test('the note of a multi-line field is kept with its line breaks and doubled quotes undone', async () => {
    const rows = [];
    for await (const row of readImport(
      chunks(`${CC_HEADER}\n${cc('a', '"x\ny ""z"""')}\n`),
      'csv',
      'closeContact',
      NOW,
    ))
      rows.push(row);
    assert.equal(rows.length, 1);
    assert.ok(rows[0]?.ok);
    assert.equal(rows[0].record.attributes.note, 'x\ny "z"');
  });

  void test('a UTF-8 BOM is skipped', async () => {
    assert.deepEqual(await summary(chunks(`\uFEFF${CC_HEADER}\n${cc('a')}\n`), 'csv'), ['2:a']);
    assert.deepEqual(await summary(byteByByte(`\uFEFF${CC_HEADER}\n${cc('a')}\n`), 'csv'), ['2:a']);
  });

  void test('optional columns may be left out and columns may come in any order', async () => {
    const text = `start,isolation,documentNumber,documentType,sourceId\n2020-02-10,home,${ID},resident_id_card,a\n`;
    assert.deepEqual(await summary(chunks(text), 'csv'), ['2:a']);
  });

  void test('a stray quote inside an unquoted field is text, not a broken file', async () => {
    assert.deepEqual(await summary(chunks(`${CC_HEADER}\n${cc('a', '5" screen')}\n${cc('b')}\n`), 'csv'), [
      '2:a',
      '3:b',
    ]);
  });

  void test('a row with too few or too many cells is reported with its line', async () => {
    const text = `${CC_HEADER}\n${cc('a')},extra\nb,resident_id_card\n${cc('c')}\n`;
    assert.deepEqual(await summary(chunks(text), 'csv'), ['2::column_count', '3::column_count', '4:c']);
  });

  void test('invalid rows are reported and the next rows still read', async () => {
    const text = `${CC_HEADER}\n${cc('a').replace('home', 'hotel')}\n${cc('b')}\n`;
    assert.deepEqual(await summary(chunks(text), 'csv'), ['2:isolation:isolation_invalid', '3:b']);
  });

  void test('a line that is not UTF-8 is reported; the others read', async () => {
    const gbk = Buffer.from([0xc5, 0xd6]); // 潘 in GBK: not UTF-8
    const input = Buffer.concat([
      Buffer.from(`${CC_HEADER}\n${cc('a', '')}`),
      gbk,
      Buffer.from(`\n${cc('b')}\n`),
    ]);
    assert.deepEqual(await summary(chunks(input), 'csv'), ['2::encoding_invalid', '3:b']);
  });

  void test('a NUL in a cell is refused as invalid_text (PostgreSQL cannot store it); the others read', async () => {
    const text = `${CC_HEADER}\n${cc('a', 'x\u0000y')}\n${cc('b')}\n`;
    assert.deepEqual(await summary(chunks(text), 'csv'), ['2::invalid_text', '3:b']);
  });

  void test('a line over 64 KiB is reported and skipped; quotes in its dropped part do not leak', async () => {
    const long = cc('a', `"${'x'.repeat(MAX_LINE_BYTES)} "" and an unclosed " quote`);
    const text = `${CC_HEADER}\n${cc('z')}\n${long}\n${cc('b')}\n${cc('c')}\n`;
    const expected = ['2:z', '3::line_too_long', '4:b', '5:c'];
    assert.deepEqual(await summary(chunks(text), 'csv'), expected);
    const inPieces = [];
    for (let i = 0; i < text.length; i += 1000) inPieces.push(text.slice(i, i + 1000));
    assert.deepEqual(await summary(chunks(...inPieces), 'csv'), expected);
  });

  void test('an unclosed quote at the end is reported at the line it opens', async () => {
    const text = `${CC_HEADER}\n${cc('a')}\n${cc('b', '"never closed')}\n${cc('c')}\n`;
    assert.deepEqual(await summary(chunks(text), 'csv'), ['2:a', '3::csv_quote_not_closed']);
  });

  void test('a quoted field running past the record limit makes the file unreadable from its line', async () => {
    const lines = Array.from({ length: Math.ceil((MAX_RECORD_BYTES + 2 ** 21) / 1000) }, () =>
      'y'.repeat(1000),
    );
    const text = `${CC_HEADER}\n${cc('a')}\n${cc('b', `"${lines.join('\n')}`)}\n`;
    const seen: string[] = [];
    await assert.rejects(
      async () => {
        for await (const row of readImport(chunks(text), 'csv', 'closeContact', NOW))
          seen.push(String(row.line));
      },
      (error: unknown) =>
        error instanceof ImportFileError &&
        error.code === 'import_csv_unreadable' &&
        error.line === 3 &&
        /line 3/.test(error.message),
    );
    assert.deepEqual(seen, ['2']);
  });
});

void describe('CSV header errors', () => {
  const cases: { name: string; text: string | Buffer; mentions: RegExp }[] = [
    { name: 'empty file', text: '', mentions: /the file is empty/ },
    { name: 'only a BOM', text: '\uFEFF', mentions: /the file is empty/ },
    { name: 'no header, data first', text: `${cc('a')}\n`, mentions: /unknown columns: "a"/ },
    {
      name: 'a required column missing',
      text: 'sourceId,documentType,documentNumber,start\n',
      mentions: /missing required columns: isolation/,
    },
    { name: 'an unknown column', text: `${CC_HEADER},hotel\n`, mentions: /unknown columns: "hotel"/ },
    { name: 'a repeated column', text: `${CC_HEADER},note\n`, mentions: /repeated columns: note/ },
    {
      name: 'semicolons instead of commas',
      text: `${CC_HEADER.replaceAll(',', ';')}\n`,
      mentions: /unknown columns/,
    },
    {
      name: 'the header of another kind',
      text: `${csvHeader('stay')}\n`,
      mentions: /unknown columns: "divisionCode"/,
    },
    {
      name: 'a header in GBK',
      text: Buffer.concat([
        Buffer.from(`${CC_HEADER},`),
        Buffer.from([0xb1, 0xb8, 0xd7, 0xa2]),
        Buffer.from('\n'),
      ]),
      mentions: /not look like UTF-8/,
    },
  ];
  for (const c of cases) {
    void test(c.name, async () => {
      await assert.rejects(summary(chunks(c.text), 'csv'), (error: unknown) => {
        assert.ok(error instanceof ImportFileError);
        assert.equal(error.code, 'import_header_invalid');
        assert.equal(error.line, 1);
        assert.match(error.message, c.mentions);
        assert.ok(error.message.includes(`Expected: ${CC_HEADER}.`), error.message);
        return true;
      });
    });
  }
});

void describe('JSON Lines', () => {
  void test('one object per line; blank lines skipped; CRLF, BOM and a last line without newline accepted', async () => {
    const text = `\uFEFF${ccJson('a')}\r\n\r\n   \n${ccJson('b')}\n${ccJson('c')}`;
    assert.deepEqual(await summary(chunks(text), 'jsonl'), ['1:a', '4:b', '5:c']);
    assert.deepEqual(await summary(byteByByte(text), 'jsonl'), ['1:a', '4:b', '5:c']);
  });

  void test('malformed lines, non-objects and invalid values are reported by line', async () => {
    const text = [
      ccJson('a'),
      '{"sourceId": "b",',
      '[1, 2]',
      'null',
      '"text"',
      ccJson('f').replace('"home"', '"hotel"'),
      ccJson('g'),
    ].join('\n');
    assert.deepEqual(await summary(chunks(text), 'jsonl'), [
      '1:a',
      '2::malformed_json',
      '3::json_not_object',
      '4::json_not_object',
      '5::json_not_object',
      '6:isolation:isolation_invalid',
      '7:g',
    ]);
  });

  void test('a line over 64 KiB is reported and skipped, also as the last line', async () => {
    const long = JSON.stringify({ sourceId: 'x', note: 'n'.repeat(MAX_LINE_BYTES) });
    const text = `${ccJson('a')}\n${long}\n${ccJson('b')}\n${long}`;
    const pieces = [];
    for (let i = 0; i < text.length; i += 4096) pieces.push(text.slice(i, i + 4096));
    assert.deepEqual(await summary(chunks(...pieces), 'jsonl'), [
      '1:a',
      '2::line_too_long',
      '3:b',
      '4::line_too_long',
    ]);
  });

  void test('a line that is not UTF-8 is reported', async () => {
    const input = Buffer.concat([
      Buffer.from(`${ccJson('a').slice(0, -1)},"note":"`),
      Buffer.from([0xc5, 0xd6]),
      Buffer.from(`"}\n${ccJson('b')}\n`),
    ]);
    assert.deepEqual(await summary(chunks(input), 'jsonl'), ['1::encoding_invalid', '2:b']);
  });

  void test('a NUL or a lone surrogate escaped in JSON is refused as invalid_text', async () => {
    const nul = `${ccJson('a').slice(0, -1)},"note":"x\\u0000"}`;
    const lone = `${ccJson('b').slice(0, -1)},"note":"\\ud800"}`;
    const input = `${nul}\n${lone}\n${ccJson('c')}\n`;
    assert.deepEqual(await summary(chunks(input), 'jsonl'), ['1::invalid_text', '2::invalid_text', '3:c']);
  });

  void test('a multi-byte character split across chunks is decoded whole', async () => {
    const line = `${ccJson('a').slice(0, -1)},"note":"潘家园"}\n`;
    const rows = [];
    for await (const row of readImport(byteByByte(line), 'jsonl', 'closeContact', NOW)) rows.push(row);
    assert.ok(rows[0]?.ok);
    assert.equal(rows[0].record.attributes.note, '潘家园');
  });
});

void describe('streaming', () => {
  for (const format of ['csv', 'jsonl'] as const) {
    void test(`${format}: rows are read only as they are consumed, and stopping releases the input`, async () => {
      let pulled = 0;
      let released = false;
      async function* endless(): AsyncGenerator<string> {
        try {
          if (format === 'csv') yield `${CC_HEADER}\n`;
          for (let i = 0; ; i++) {
            pulled++;
            yield `${format === 'csv' ? cc(`r${i}`) : ccJson(`r${i}`)}\n`;
          }
        } finally {
          released = true;
        }
      }
      let seen = 0;
      for await (const row of readImport(endless(), format, 'closeContact', NOW)) {
        assert.ok(row.ok);
        if (++seen === 5) break;
      }
      assert.ok(pulled < 5000, `pulled ${pulled} chunks for 5 rows`);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(released, true);
    });
  }
});

function generate(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'bench/gen-close-contacts.ts', '--now', '2020-02-20T12:00:00+08:00', ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`exit ${code}`)),
    );
  });
}

void describe('bench/gen-close-contacts.ts', () => {
  for (const format of ['csv', 'jsonl'] as const) {
    void test(`${format}: valid rows, unique sourceIds, starts in the 14 days before --now, invalid every Nth`, async () => {
      const file = await generate([
        '--rows',
        '300',
        '--format',
        format,
        '--invalid-every',
        '10',
        '--seed',
        '7',
      ]);
      const codes = new Map<string, number>();
      const sourceIds = new Set<string>();
      let valid = 0;
      for await (const row of readImport(chunks(file), format, 'closeContact', NOW)) {
        if (row.ok) {
          valid++;
          sourceIds.add(row.record.sourceId);
          assert.ok(row.record.from <= NOW && row.record.from > NOW - 15 * 86_400_000);
          assert.match(row.record.documentNumber, /^37\d{15}[\dX]$/);
        } else {
          assert.equal((row.line - (format === 'csv' ? 1 : 0)) % 10, 0, `invalid row at line ${row.line}`);
          for (const issue of row.issues) codes.set(issue.code, (codes.get(issue.code) ?? 0) + 1);
        }
      }
      assert.equal(valid, 270);
      assert.equal(sourceIds.size, 270);
      assert.deepEqual(Object.fromEntries(codes), {
        document_check_digit: 10,
        date_in_future: 10,
        isolation_invalid: 10,
      });
    });
  }

  void test('the same options give the same bytes', async () => {
    const [a, b] = await Promise.all([
      generate(['--rows', '50', '--seed', '3']),
      generate(['--rows', '50', '--seed', '3']),
    ]);
    assert.ok(a.length > 1000);
    assert.ok(a.equals(b));
  });
});
