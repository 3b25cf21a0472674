import { Worker } from 'node:worker_threads';
import { deriveDocumentKey } from '../domain/identity/index.ts';
import { ImportFileError, readImport, type ImportFormat, type ImportKind } from '../domain/imports/index.ts';
import type { EpochMs, FieldIssue } from '../domain/types.ts';

import type { RecordTuple } from '../storage/records.ts';

/** Rows read since the previous batch: valid ones ready to store, invalid ones with their issues. */
export interface PreparedBatch {
  readonly rows: RecordTuple[];
  /** The file line of each row, in the same order (for rows refused later, e.g. out of jurisdiction). */
  readonly lines: number[];
  readonly errors: { line: number; issues: readonly FieldIssue[] }[];
  /** Bytes of the file read so far. */
  readonly bytes: number;
  /** Data rows read in this batch (valid and invalid). */
  readonly rowsRead: number;
}

export interface PrepareOptions {
  readonly format: ImportFormat;
  readonly kind: ImportKind;
  readonly now: EpochMs;
  readonly identityPepper: Uint8Array;
  readonly batchRows: number;
}

async function* counted(source: AsyncIterable<Buffer | string>, counter: { bytes: number }) {
  for await (const chunk of source) {
    counter.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    yield chunk;
  }
}

/**
 * Parses, validates and keys the rows of a file: the CPU-heavy half of an import, which runs in a
 * worker thread (see batchesFromFile) so that the database writes on the main thread overlap it.
 */
export async function* prepareBatches(
  source: AsyncIterable<Buffer | string>,
  o: PrepareOptions,
): AsyncGenerator<PreparedBatch> {
  const counter = { bytes: 0 };
  let rows: RecordTuple[] = [];
  let lines: number[] = [];
  let errors: { line: number; issues: readonly FieldIssue[] }[] = [];
  let read = 0;
  for await (const row of readImport(counted(source, counter), o.format, o.kind, o.now)) {
    read++;
    if (row.ok) {
      const r = row.record;
      rows.push([
        r.kind,
        r.sourceId,
        deriveDocumentKey(o.identityPepper, { type: r.documentType, number: r.documentNumber }),
        r.from,
        r.to,
        r.attributes.divisionCode ?? null,
        JSON.stringify(r.attributes),
      ]);
      lines.push(row.line);
    } else errors.push({ line: row.line, issues: row.issues });
    if (rows.length >= o.batchRows || errors.length >= o.batchRows) {
      yield { ...byDocumentKey(rows, lines), errors, bytes: counter.bytes, rowsRead: read };
      rows = [];
      lines = [];
      errors = [];
      read = 0;
    }
  }
  yield { ...byDocumentKey(rows, lines), errors, bytes: counter.bytes, rowsRead: read };
}

/**
 * A batch in document-key order. The keys are hashes, so in file order each insert dirties a
 * random page of the largest index and every commit rewrites thousands of scattered pages; in key
 * order, a large batch touches each page once.
 */
function byDocumentKey(rows: RecordTuple[], lines: number[]): { rows: RecordTuple[]; lines: number[] } {
  const order = rows.map((_, i) => i);
  order.sort((i, j) => {
    const a = rows[i]![2];
    const b = rows[j]![2];
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return { rows: order.map((i) => rows[i]!), lines: order.map((i) => lines[i]!) };
}

type WorkerMessage =
  | { type: 'batch'; batch: PreparedBatch }
  | { type: 'end' }
  | { type: 'error'; code: string | null; message: string; line: number };

/** Batches in flight between the worker and the writer: bounded, so memory stays flat. */
export const IN_FLIGHT = 2;

/** prepareBatches over a file, in a worker thread; at most IN_FLIGHT batches wait for the writer. */
export async function* batchesFromFile(file: string, o: PrepareOptions): AsyncGenerator<PreparedBatch> {
  // The worker runs TypeScript the way bin/healthcode.js does: tsx's loader, then the module.
  const entry = new URL('./import-worker.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`,
    { eval: true, workerData: { file, ...o, identityPepper: Buffer.from(o.identityPepper) } },
  );
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  worker.on('message', (m: WorkerMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on('error', (e) => {
    failure = e;
    wake?.();
  });
  worker.on('exit', () => {
    queue.push({ type: 'end' });
    wake?.();
  });
  try {
    for (;;) {
      while (queue.length === 0 && failure === null) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (failure !== null) throw failure as Error;
      const m = queue.shift();
      if (m === undefined) continue;
      if (m.type === 'end') return;
      if (m.type === 'error') {
        if (m.code === 'import_header_invalid' || m.code === 'import_csv_unreadable') {
          throw new ImportFileError(m.code, m.message, m.line);
        }
        throw new Error(m.message);
      }
      yield m.batch;
      worker.postMessage('ack');
    }
  } finally {
    await worker.terminate();
  }
}
