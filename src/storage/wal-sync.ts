import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';

/**
 * Makes committed SQLite writes survive power loss without blocking the event loop (P7: a crash
 * loses no acknowledged write).
 *
 * The database runs in WAL mode with synchronous=NORMAL: a commit appends its frames to the -wal
 * file without fsync, so a process crash loses nothing but a power cut may lose the last commits.
 * synchronous=FULL would fsync inside every commit, on the event loop (better-sqlite3 is
 * synchronous): every request on the node would stall for each commit's fsync, and background
 * work that acknowledges nobody (sweeps, imports) would pay it per transaction. Instead, before a
 * write is acknowledged, `sync()` runs fdatasync on the -wal file in a thread of its own
 * (`FileDatasync`, never libuv's shared pool, where it would queue behind password hashing):
 * everything SQLite wrote to the WAL up to then is on disk, and SQLite itself syncs the WAL before
 * each checkpoint and the main file after it, so frames moved out of the WAL were already durable.
 *
 * Syncs are coalesced: while one runs, every caller that arrives joins the single next one (a sync
 * that started before a caller's write may not cover it), and a sync starts at most every
 * `minIntervalMs`, so under load one fdatasync covers many commits instead of a few. When no row
 * has changed since the last completed sync, `sync()` resolves at once.
 */
export class WalSync {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private syncedChanges: number;
  private lastStartAt = -Infinity;

  constructor(
    /** Rows changed on the connection since it opened (SQLite `total_changes()`). */
    private readonly changes: () => number,
    /** Flushes the WAL file's data to disk. */
    private readonly datasync: () => Promise<void>,
    private readonly minIntervalMs = 1,
  ) {
    this.syncedChanges = changes();
  }

  sync(): Promise<void> {
    if (this.queued !== null) return this.queued;
    if (this.running !== null) {
      this.queued = this.running.then(
        () => this.next(),
        () => this.next(),
      );
      return this.queued;
    }
    if (this.changes() === this.syncedChanges) return Promise.resolve();
    const wait = this.lastStartAt + this.minIntervalMs - performance.now();
    if (wait <= 0) return this.start();
    this.queued = new Promise<void>((resolve) => setTimeout(resolve, wait)).then(() => this.next());
    return this.queued;
  }

  private next(): Promise<void> {
    this.queued = null;
    return this.sync();
  }

  private start(): Promise<void> {
    const covered = this.changes();
    this.lastStartAt = performance.now();
    const run = this.datasync().then(() => {
      this.syncedChanges = Math.max(this.syncedChanges, covered);
    });
    this.running = run.finally(() => {
      this.running = null;
    });
    return this.running;
  }
}

/**
 * The worker's whole program (plain JavaScript: it needs no loader). It syncs the descriptor each
 * message names and answers with the message's id; a synchronous fdatasync in a worker runs on that
 * worker's own thread, never in libuv's pool.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { fdatasyncSync } = require('node:fs');
parentPort.on('message', ({ id, fd }) => {
  try {
    fdatasyncSync(fd);
    parentPort.postMessage({ id, error: null });
  } catch (e) {
    parentPort.postMessage({ id, error: { message: String(e && e.message), code: e && e.code } });
  }
});
`;

interface Pending {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * fdatasync of one file in a dedicated worker thread, through a descriptor kept open.
 *
 * libuv's thread pool (4 threads by default) also runs scrypt, file reads and DNS; an fdatasync
 * queued there waits behind all of it, and every acknowledged write waits for the fdatasync (issue 8
 * finding 1: wrong-password storms pushed verifyCode from 4 ms to seconds). The worker runs nothing
 * else, so a sync waits only for the disk. It keeps the process alive only while a sync is pending.
 *
 * Before the file exists there is nothing to sync. SQLite keeps its -wal file while the database
 * is open, so the descriptor stays on the right file; `close()` ends the worker and releases it.
 */
export class FileDatasync {
  private fd: number | null = null;
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextId = 1;

  constructor(private readonly file: string) {}

  async datasync(): Promise<void> {
    if (this.fd === null) {
      try {
        this.fd = fs.openSync(this.file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    const worker = (this.worker ??= this.startWorker());
    const id = this.nextId++;
    const done = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) worker.ref();
    worker.postMessage({ id, fd: this.fd });
    this.inFlight.add(done);
    void done.then(
      () => this.inFlight.delete(done),
      () => this.inFlight.delete(done),
    );
    await done;
  }

  private startWorker(): Worker {
    // execArgv: [] — the worker needs neither tsx nor the parent's flags, so it starts in a few ms.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    worker.unref();
    worker.on('message', (m: { id: number; error: { message: string; code?: string } | null }) => {
      const waiting = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (waiting === undefined) return;
      if (m.error === null) waiting.resolve();
      else waiting.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const w of waiting) w.reject(error);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the WAL sync worker stopped (exit code ${code})`)));
    return worker;
  }

  /** Ends the worker (after the syncs already asked for) and closes the descriptor. */
  async close(): Promise<void> {
    await Promise.allSettled(this.inFlight);
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
