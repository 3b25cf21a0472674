/**
 * One measured import in its own process, so its peak memory is its own:
 *   node --import tsx bench/import-child.ts FILE KIND sqlite|postgres
 * Prints one JSON line: rows, seconds, rowsPerSecond, peakRssMiB, status.
 */
import { ALL_DIVISIONS } from '../src/domain/jurisdiction.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { openPostgres, openSqlite } from '../src/storage/database.ts';
import { createPlatform } from '../src/platform.ts';
import { runImport } from '../src/use-cases/imports.ts';

const [file, kind, dialect] = process.argv.slice(2);
if (file === undefined || kind === undefined || (dialect !== 'sqlite' && dialect !== 'postgres')) {
  console.error('usage: import-child.ts FILE KIND sqlite|postgres');
  process.exit(2);
}
const url = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-import-bench-'));
const schema = `bench_${randomBytes(4).toString('hex')}`;
const database =
  dialect === 'sqlite'
    ? await openSqlite({ file: path.join(dataDir, 'healthcode.sqlite') })
    : await openPostgres({ url, schema });
const p = await createPlatform(loadConfig({}, { mode: 'production', dataDir }), { database });
const started = process.hrtime.bigint();
const status = await runImport(
  p,
  { file },
  {
    kind,
    format: file.endsWith('.jsonl') ? 'jsonl' : 'csv',
    strict: false,
    fileName: path.basename(file),
    bytesTotal: fs.statSync(file).size,
    createdBy: null,
    jurisdiction: ALL_DIVISIONS,
  },
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
await p.close();
await database.close();
if (dialect === 'postgres') {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.end();
}
fs.rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    rows: status.rowsRead,
    imported: status.rowsImported,
    status: status.status,
    seconds,
    rowsPerSecond: status.rowsRead / seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  }) + '\n',
);
