import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  ImportFileError,
  isImportKind,
  type ImportFormat,
  type ImportKind,
} from '../domain/imports/index.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import type { EpochMs, FieldIssue } from '../domain/types.ts';
import { ALL_DIVISIONS, jurisdictionCovers, type Jurisdiction } from '../domain/jurisdiction.ts';
import type { Db } from '../storage/database.ts';
import {
  findImport,
  insertImport,
  insertImportErrors,
  listImportErrors,
  listImportRows,
  updateImport,
  type ImportRow,
} from '../storage/imports.ts';
import { recordInserter, residentsHoldingDocuments, type RecordTuple } from '../storage/records.ts';
import type { ResidentId } from '../domain/types.ts';
import { batchesFromFile, prepareBatches, type PreparedBatch } from './import-batches.ts';
import { inBackground, reassessResidents } from './sweep.ts';
import { AppError, invalid } from './errors.ts';
import type { Platform } from './platform.ts';
import type { ImportRowErrorResponse, ImportStatusResponse } from '../contracts/epidemic.ts';

/**
 * Rows per transaction. Large batches are much faster on big tables (rows are sorted by document
 * key, so each index page is written once per batch: 43k rows/s at 5,000 rows, 74k at 50,000, for
 * a million rows on SQLite) but hold the write lock — and, in the server process, the event loop —
 * for longer: the CLI uses the large batch, uploads through the API the small one.
 */
export const IMPORT_BATCH_ROWS = 50_000;
export const IMPORT_BATCH_ROWS_IN_SERVER = 5_000;
/** Largest import file accepted through the API (bytes); bigger files go through the CLI. */
export const MAX_IMPORT_BYTES = 2 * 1024 ** 3;
/** Invalid rows stored per import for the report; the count goes on beyond it. */
export const MAX_STORED_ERRORS = 10_000;
/** An import whose process has not reported for this long is considered killed. */
export const IMPORT_HEARTBEAT_TIMEOUT_MS = 60_000;

export interface ImportOptions {
  readonly kind: string;
  readonly format: string;
  readonly strict: boolean;
  readonly fileName: string;
  readonly bytesTotal: number | null;
  readonly createdBy: number | null;
  /**
   * The division the import is for (P3): rows naming a registered resident who lives elsewhere are
   * refused, and its records apply only to residents of this division. '000000' (ALL_DIVISIONS),
   * the whole province, for admins and the command line.
   */
  readonly jurisdiction: string;
  /** Rows per transaction (default IMPORT_BATCH_ROWS). */
  readonly batchRows?: number;
  /** Called after each batch (and at the end) with the current status, e.g. for a progress bar. */
  readonly onProgress?: (status: ImportStatusResponse) => void;
}

/**
 * The file to import: a path (parsed in a worker thread while the main thread writes), or a
 * re-readable stream of its bytes (parsed in line). A strict import reads it twice (check
 * everything, then write), a normal import once.
 */
export type ImportSource = { readonly file: string } | (() => AsyncIterable<Buffer | string>);

function checkOptions(o: ImportOptions): { kind: ImportKind; format: ImportFormat } {
  const issues: FieldIssue[] = [];
  if (!isImportKind(o.kind)) {
    issues.push({ path: 'kind', code: 'import_kind_unknown', message: `Unknown import kind "${o.kind}".` });
  }
  if (o.format !== 'csv' && o.format !== 'jsonl') {
    issues.push({ path: 'format', code: 'import_format_unknown', message: 'format must be csv or jsonl.' });
  }
  if (!/^\d{6}$/.test(o.jurisdiction)) {
    issues.push({
      path: 'division',
      code: 'division_invalid',
      message: 'The jurisdiction of an import is a six-digit division code (000000 for the whole province).',
    });
  }
  if (issues.length > 0) throw invalid(issues);
  return { kind: o.kind as ImportKind, format: o.format as ImportFormat };
}

/**
 * An import still marked running whose process stopped reporting (killed, crashed) is shown as
 * interrupted; running the same file again completes it.
 */
function statusOf(row: ImportRow, now: number): ImportStatusResponse {
  const interrupted = row.status === 'running' && row.heartbeat_at < now - IMPORT_HEARTBEAT_TIMEOUT_MS;
  return {
    importId: row.id,
    kind: row.kind as ImportKind,
    format: row.format,
    strict: Number(row.strict) === 1,
    status: interrupted ? 'interrupted' : row.status,
    jurisdiction: row.jurisdiction,
    fileName: row.file_name,
    bytesTotal: row.bytes_total === null ? null : Number(row.bytes_total),
    bytesRead: Number(row.bytes_read),
    rowsRead: Number(row.rows_read),
    rowsImported: Number(row.rows_imported),
    rowsDuplicate: Number(row.rows_duplicate),
    rowsInvalid: Number(row.rows_invalid),
    residentsMatched: Number(row.residents_matched),
    error: interrupted
      ? {
          code: 'import_interrupted',
          message: 'The import stopped before it finished; run the same file again to complete it.',
        }
      : row.error_code === null
        ? null
        : { code: row.error_code, message: row.error_message ?? row.error_code },
    startedAt: formatChinaTime(row.started_at as EpochMs),
    finishedAt: row.finished_at === null ? null : formatChinaTime(row.finished_at as EpochMs),
  };
}

/**
 * Imports one file of epidemic records (S9, S10, P7). Valid rows land in batches, each batch in one
 * transaction; rows already imported (same kind and source id) are skipped, so running the same file
 * again — after a crash half way, say — ends in exactly the state of one uninterrupted run. Invalid
 * rows are reported by line, field and reason. `strict` first reads the whole file and writes
 * nothing unless every row is valid. Residents who hold a record's document are reassessed at once
 * (S13); records of people not registered yet apply when they register.
 */
export async function runImport(
  p: Platform,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportStatusResponse> {
  const importId = await createImport(p, options);
  return processImport(p, importId, source, options);
}

/** Registers an import (status running) and returns its id; processImport then does the work. */
export async function createImport(p: Platform, options: ImportOptions): Promise<string> {
  const { kind, format } = checkOptions(options);
  const importId = randomUUID();
  const startedAt = p.clock.now();
  await insertImport(p.db, {
    id: importId,
    kind,
    format,
    strict: options.strict ? 1 : 0,
    status: 'running',
    file_name: options.fileName.slice(0, 300),
    bytes_total: options.bytesTotal,
    created_by: options.createdBy,
    jurisdiction: options.jurisdiction,
    started_at: startedAt,
    heartbeat_at: startedAt,
  });
  await p.auditLog.write({
    at: startedAt,
    actorKind: options.createdBy === null ? 'system' : 'staff',
    actorId: options.createdBy,
    action: 'import_records',
    residentId: null,
    detail: {
      importId,
      kind,
      format,
      strict: options.strict,
      fileName: options.fileName,
      jurisdiction: options.jurisdiction,
    },
  });
  return importId;
}

/** Reads and imports the file of a created import; see runImport. */
export async function processImport(
  p: Platform,
  importId: string,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportStatusResponse> {
  const { kind, format } = checkOptions(options);
  const startedAt = p.clock.now();
  const counters = {
    bytes: 0,
    rowsRead: 0,
    rowsImported: 0,
    rowsDuplicate: 0,
    rowsInvalid: 0,
    residentsMatched: 0,
  };
  const progress = async (extra: Parameters<typeof updateImport>[2] = {}) => {
    await updateImport(p.db, importId, {
      bytes_read: counters.bytes,
      rows_read: counters.rowsRead,
      rows_imported: counters.rowsImported,
      rows_duplicate: counters.rowsDuplicate,
      rows_invalid: counters.rowsInvalid,
      residents_matched: counters.residentsMatched,
      heartbeat_at: p.clock.now(),
      ...extra,
    });
    if (options.onProgress !== undefined) options.onProgress(await getImportStatusById(p, importId));
  };
  const fail = async (code: string, message: string) => {
    await progress({
      status: 'failed',
      error_code: code,
      error_message: message,
      finished_at: p.clock.now(),
    });
    return getImportStatusById(p, importId);
  };

  const prepare = {
    format,
    kind,
    now: startedAt,
    identityPepper: p.secrets.identityPepper,
    batchRows: options.batchRows ?? IMPORT_BATCH_ROWS,
  };
  const batches = () =>
    typeof source === 'function' ? prepareBatches(source(), prepare) : batchesFromFile(source.file, prepare);
  try {
    if (options.strict) {
      // Pass 1: read everything, write nothing; stop at the first problem.
      for await (const batch of batches()) {
        // Still alive: a long check must not look like a killed import.
        await updateImport(p.db, importId, { heartbeat_at: p.clock.now() });
        const { refused } = await withinJurisdiction(p.db, options.jurisdiction, batch);
        const row = [...batch.errors, ...refused].sort((a, b) => a.line - b.line)[0];
        if (row !== undefined) {
          const first = row.issues[0];
          await storeErrors(p.db, importId, [row]);
          return await fail(
            'import_row_invalid',
            `Line ${row.line}: ${first === undefined ? 'invalid' : `${first.path || 'row'}: ${first.message}`} Nothing was imported (strict).`,
          );
        }
      }
    }
    const insert = recordInserter(p.database);
    for await (const batch of batches()) {
      const { rows, residents, refused } = await withinJurisdiction(p.db, options.jurisdiction, batch);
      const errors =
        refused.length === 0 ? batch.errors : [...batch.errors, ...refused].sort((a, b) => a.line - b.line);
      counters.rowsRead += batch.rowsRead;
      counters.bytes = batch.bytes;
      counters.rowsInvalid += errors.length;
      if (rows.length > 0) {
        await importBatch(p, importId, options.jurisdiction, insert, rows, residents, counters);
      }
      if (errors.length > 0) {
        await storeErrors(p.db, importId, errors, counters.rowsInvalid - errors.length);
      }
      await progress();
    }
    await progress({ status: 'completed', finished_at: p.clock.now() });
    return await getImportStatusById(p, importId);
  } catch (error) {
    if (error instanceof ImportFileError) return fail(error.code, `Line ${error.line}: ${error.message}`);
    await fail('import_failed', error instanceof Error ? error.message : String(error)).catch(
      () => undefined,
    );
    throw error;
  }
}

/**
 * Splits a batch by jurisdiction (P3): a row naming a registered resident who lives outside the
 * import's jurisdiction is refused (reported as an invalid row, never stored), since an officer
 * may change only their own district's colours. Also resolves the residents the kept rows name.
 */
async function withinJurisdiction(
  db: Db,
  jurisdiction: string,
  batch: PreparedBatch,
): Promise<{
  rows: RecordTuple[];
  residents: ResidentId[];
  refused: { line: number; issues: FieldIssue[] }[];
}> {
  const holders = await residentsHoldingDocuments(db, [...new Set(batch.rows.map((r) => r[2]))]);
  if (jurisdiction === ALL_DIVISIONS) {
    return { rows: batch.rows, residents: [...holders.values()].map((h) => h.id), refused: [] };
  }
  const rows: RecordTuple[] = [];
  const residents = new Set<ResidentId>();
  const refused: { line: number; issues: FieldIssue[] }[] = [];
  batch.rows.forEach((row, i) => {
    const holder = holders.get(row[2]);
    if (holder === undefined || jurisdictionCovers(jurisdiction, holder.addressDivision)) {
      rows.push(row);
      if (holder !== undefined) residents.add(holder.id);
      return;
    }
    refused.push({
      line: batch.lines[i] ?? 0,
      issues: [
        {
          path: 'documentNumber',
          code: 'out_of_jurisdiction',
          message: `The resident with this document lives outside this import's jurisdiction (${jurisdiction}); the row was not stored. Their own district, or a provincial admin, imports it.`,
        },
      ],
    });
  });
  return { rows, residents: [...residents], refused };
}

async function importBatch(
  p: Platform,
  importId: string,
  jurisdiction: string,
  insert: ReturnType<typeof recordInserter>,
  rows: readonly RecordTuple[],
  residents: readonly ResidentId[],
  counters: { rowsImported: number; rowsDuplicate: number; residentsMatched: number },
): Promise<void> {
  const now = p.clock.now();
  const inserted = await insert(importId, jurisdiction, rows, now);
  counters.rowsImported += inserted;
  counters.rowsDuplicate += rows.length - inserted;
  // Reassess everyone the batch names, new rows or not: a run killed between the insert and this
  // step is completed by the next run.
  if (residents.length === 0) return;
  counters.residentsMatched += residents.length;
  await reassessResidents(p, residents);
}

async function storeErrors(
  db: Db,
  importId: string,
  rows: readonly { line: number; issues: readonly FieldIssue[] }[],
  alreadyStored = 0,
): Promise<void> {
  const room = Math.max(0, MAX_STORED_ERRORS - alreadyStored);
  const values = rows
    .slice(0, room)
    .flatMap((r) =>
      r.issues.map((i) => ({ line: r.line, field: i.path, code: i.code, message: i.message.slice(0, 500) })),
    );
  await insertImportErrors(db, importId, values);
}

async function getImportStatusById(p: Platform, importId: string): Promise<ImportStatusResponse> {
  const row = await findImport(p.db, importId);
  if (row === null) throw new AppError('import_not_found', `No import ${importId}.`);
  return statusOf(row, p.clock.now());
}

/**
 * An import's status and its first invalid rows, for a viewer whose jurisdiction covers the
 * import's (P3); ALL_DIVISIONS for the command line.
 */
export async function getImportStatus(
  p: Platform,
  viewerJurisdiction: Jurisdiction,
  importId: string,
  errorLimit = 100,
): Promise<ImportStatusResponse & { errors: ImportRowErrorResponse[] }> {
  const status = await getImportStatusById(p, importId);
  if (!jurisdictionCovers(viewerJurisdiction, status.jurisdiction)) {
    throw new AppError(
      'out_of_jurisdiction',
      'This import was run for a division outside your jurisdiction.',
    );
  }
  const errors = await listImportErrors(p.db, importId, Math.min(Math.max(errorLimit, 0), 1000));
  return { ...status, errors };
}

/** The latest imports run for the viewer's jurisdiction or divisions within it. */
export async function listImports(
  p: Platform,
  viewerJurisdiction: Jurisdiction,
  limit = 50,
): Promise<ImportStatusResponse[]> {
  const now = p.clock.now();
  const rows = await listImportRows(p.db, viewerJurisdiction, Math.min(Math.max(limit, 1), 500));
  return rows.map((r) => statusOf(r, now));
}

/** Counts the bytes of an upload and stops it past the limit. */
function limitBytes(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > max) {
        callback(
          new AppError(
            'body_too_large',
            `An import file may be at most ${max} bytes through the API; use the CLI for larger files.`,
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
}

/**
 * An import uploaded through the API: the body is streamed to a spool file in the data directory
 * (so a slow upload never holds a transaction open and memory stays flat), then processed in the
 * background with short transactions, since this process also answers scans. Resolves, once the
 * upload is on disk, to the running import's status; a failed upload leaves the import failed and
 * no spool file.
 */
export async function importUpload(
  p: Platform,
  body: Readable,
  options: Omit<ImportOptions, 'batchRows'>,
): Promise<ImportStatusResponse> {
  const spoolDir = path.join(p.config.dataDir, 'imports');
  fs.mkdirSync(spoolDir, { recursive: true });
  const importId = await createImport(p, options);
  const file = path.join(spoolDir, `${importId}.${options.format}`);
  try {
    await pipeline(body, limitBytes(MAX_IMPORT_BYTES), fs.createWriteStream(file));
  } catch (error) {
    fs.rmSync(file, { force: true });
    await failImport(
      p,
      importId,
      error instanceof AppError ? error.code : 'upload_failed',
      error instanceof Error ? error.message : String(error),
    );
    throw error;
  }
  void inBackground(p, `import ${importId}`, async () => {
    try {
      await processImport(
        p,
        importId,
        { file },
        { ...options, bytesTotal: fs.statSync(file).size, batchRows: IMPORT_BATCH_ROWS_IN_SERVER },
      );
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
  return getImportStatusById(p, importId);
}

async function failImport(p: Platform, importId: string, code: string, message: string): Promise<void> {
  await updateImport(p.db, importId, {
    status: 'failed',
    error_code: code,
    error_message: message,
    finished_at: p.clock.now(),
  });
}
