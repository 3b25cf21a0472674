/**
 * Parse-and-validate speed of the import readers, without a database:
 *
 *   node --import tsx bench/gen-close-contacts.ts --rows 1000000 --format csv --now 2020-02-20T12:00:00+08:00 > cc.csv
 *   node --import tsx bench/import-parse.ts --file cc.csv --format csv --now 2020-02-20T12:00:00+08:00
 *
 * Prints rows/s, valid and invalid counts, and peak RSS (memory must stay flat whatever the file size).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { isImportKind, readImport } from '../src/domain/imports/index.ts';
import { epochMs } from '../src/domain/types.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    format: { type: 'string', default: 'csv' },
    kind: { type: 'string', default: 'closeContact' },
    now: { type: 'string' },
  },
});
const format = values.format;
const kind = values.kind;
if (values.file === undefined || (format !== 'csv' && format !== 'jsonl') || !isImportKind(kind)) {
  process.stderr.write(
    'usage: import-parse.ts --file F --format csv|jsonl [--kind closeContact] [--now ISO]\n',
  );
  process.exit(2);
}
const now = epochMs(values.now === undefined ? Date.now() : Date.parse(values.now));
let ok = 0;
let bad = 0;
let peakRss = 0;
const t0 = performance.now();
for await (const row of readImport(
  fs.createReadStream(values.file, { highWaterMark: 256 * 1024 }),
  format,
  kind,
  now,
)) {
  if (row.ok) ok++;
  else bad++;
  if (((ok + bad) & 0xffff) === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
}
const seconds = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    format,
    kind,
    rows: ok + bad,
    valid: ok,
    invalid: bad,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round((ok + bad) / seconds),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  }),
);
