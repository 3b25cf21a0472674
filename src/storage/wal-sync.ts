import fs from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

/**
 * Makes committed SQLite writes survive power loss without blocking the event loop (P7: a crash
 * loses no acknowledged write).
 *
 * The database runs in WAL mode with synchronous=NORMAL: a commit appends its frames to the -wal
 * file without fsync, so a process crash loses nothing but a power cut may lose the last commits.
 * synchronous=FULL would fsync inside every commit, on the event loop (better-sqlite3 is
 * synchronous): every request on the node would stall for each commit's fsync, and background
 * work that acknowledges nobody (sweeps, imports) would pay it per transaction. Instead, before a
 * write is acknowledged, `sync()` runs fdatasync on the -wal file in libuv's thread pool:
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
 * fdatasync of one file through a handle kept open (one thread-pool call per sync, not three).
 * Before the file exists there is nothing to sync. SQLite keeps its -wal file while the database
 * is open, so the handle stays on the right file; `close()` releases it.
 */
export class FileDatasync {
  private handle: fs.FileHandle | null = null;

  constructor(private readonly file: string) {}

  async datasync(): Promise<void> {
    if (this.handle === null) {
      try {
        this.handle = await fs.open(this.file, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
    }
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}
