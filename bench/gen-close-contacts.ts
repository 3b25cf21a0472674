/**
 * Writes a close-contact import file to stdout for the import benchmark and tests:
 *
 *   node --import tsx bench/gen-close-contacts.ts --rows 1000000 --format csv > contacts.csv
 *
 * Options: --rows N (default 1000), --format csv|jsonl (default csv), --now ISO (default: the current
 * time; starts fall within the 14 days before it), --seed N (default 1), --invalid-every N (every Nth
 * row is invalid in one of a few ways; default 0: none). Same options, same bytes. Rows are streamed
 * with backpressure, never held in memory. Document numbers are valid resident ID card numbers of
 * Shandong counties; sourceIds are unique within a seed.
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { chinaDate, formatChinaTime } from '../src/domain/china-time.ts';
import { childDivisions, gb11643CheckCharacter } from '../src/domain/identity/index.ts';
import { csvHeader } from '../src/domain/imports/index.ts';
import { DAY_MS, epochMs } from '../src/domain/types.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000' },
    format: { type: 'string', default: 'csv' },
    now: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'invalid-every': { type: 'string', default: '0' },
  },
});
const rows = Number(values.rows);
const format = values.format;
const now = epochMs(values.now === undefined ? Date.now() : Date.parse(values.now));
const seed = Number(values.seed);
const invalidEvery = Number(values['invalid-every']);
if (
  !Number.isSafeInteger(rows) ||
  rows < 0 ||
  (format !== 'csv' && format !== 'jsonl') ||
  Number.isNaN(now)
) {
  process.stderr.write(
    'usage: gen-close-contacts.ts --rows N --format csv|jsonl [--now ISO] [--seed N] [--invalid-every N]\n',
  );
  process.exit(2);
}

/** mulberry32: small, fast, and the same sequence on every platform. */
function prng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(seed);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

const COUNTIES = childDivisions('370000').flatMap((city) => childDivisions(city.code).map((c) => c.code));
const BIRTH_FROM = Date.UTC(1940, 0, 1);
const BIRTH_SPAN = Date.UTC(2015, 0, 1) - BIRTH_FROM;

function residentIdNumber(): string {
  const birth = new Date(BIRTH_FROM + Math.floor(random() * BIRTH_SPAN))
    .toISOString()
    .slice(0, 10)
    .replaceAll('-', '');
  const body = `${pick(COUNTIES)}${birth}${String(Math.floor(random() * 1000)).padStart(3, '0')}`;
  return body + gb11643CheckCharacter(body);
}

/** Half the starts are dates, half date-times, so both readers of `start` are exercised. */
function start(): string {
  const at = epochMs(now - Math.floor(random() * 14 * DAY_MS));
  return random() < 0.5 ? chinaDate(at) : formatChinaTime(at);
}

interface Row {
  sourceId: string;
  documentNumber: string;
  isolation: string;
  start: string;
}

/** One of a few ways to be wrong, in turn, so a test can count each. */
function spoil(row: Row, n: number): Row {
  switch (n % 3) {
    case 0:
      return {
        ...row,
        documentNumber: row.documentNumber.slice(0, 17) + (row.documentNumber.endsWith('0') ? '1' : '0'),
      };
    case 1:
      return { ...row, start: formatChinaTime(epochMs(now + DAY_MS)) };
    default:
      return { ...row, isolation: 'hotel' };
  }
}

function line(row: Row): string {
  if (format === 'csv')
    return `${row.sourceId},resident_id_card,${row.documentNumber},${row.isolation},${row.start},,\n`;
  return `${JSON.stringify({ sourceId: row.sourceId, documentType: 'resident_id_card', documentNumber: row.documentNumber, isolation: row.isolation, start: row.start })}\n`;
}

async function main(): Promise<void> {
  const out = process.stdout;
  let chunk = format === 'csv' ? `${csvHeader('closeContact')}\n` : '';
  for (let i = 1; i <= rows; i++) {
    let row: Row = {
      sourceId: `cc-${seed}-${i}`,
      documentNumber: residentIdNumber(),
      isolation: random() < 0.5 ? 'centralised' : 'home',
      start: start(),
    };
    if (invalidEvery > 0 && i % invalidEvery === 0) row = spoil(row, i / invalidEvery - 1);
    chunk += line(row);
    if (chunk.length >= 65_536 || i === rows) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  if (chunk !== '') out.write(chunk);
}

await main();
