/** Worker thread of batchesFromFile: parses, validates and keys an import file, a batch at a time. */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { ImportFileError } from '../domain/imports/index.ts';
import { IN_FLIGHT, prepareBatches, type PrepareOptions } from './import-batches.ts';

const port = parentPort;
if (port === null) throw new Error('import-worker.ts runs as a worker thread');
const data = workerData as PrepareOptions & { file: string };
let credits = IN_FLIGHT;
let wake: (() => void) | null = null;
port.on('message', () => {
  credits++;
  wake?.();
});
try {
  for await (const batch of prepareBatches(fs.createReadStream(data.file), data)) {
    while (credits === 0) await new Promise<void>((r) => (wake = r));
    wake = null;
    credits--;
    port.postMessage({ type: 'batch', batch });
  }
  port.postMessage({ type: 'end' });
} catch (error) {
  port.postMessage({
    type: 'error',
    code: error instanceof ImportFileError ? error.code : null,
    message: error instanceof Error ? error.message : String(error),
    line: error instanceof ImportFileError ? error.line : 0,
  });
}
port.unref();
