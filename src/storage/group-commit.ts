import { performance } from 'node:perf_hooks';

export interface GroupCommitOptions {
  /**
   * Resolves once what has been stored survives power loss (`Database.durable`). Awaited after
   * each commit and before its writers hear back. While a batch waits for it, the rows written
   * meanwhile gather into the next batch, which commits when the sync is done (or when it is full).
   */
  readonly durable?: () => Promise<void>;
  /** Rows per transaction at most. */
  readonly maxBatch?: number;
  /**
   * ms at least between commits (0, the default: none). A batch waits for it with a timer, never by
   * spinning the event loop.
   */
  readonly windowMs?: number;
  /** Told each stored batch's size and the seconds from closing it to committed (and durable). */
  readonly observe?: (rows: number, seconds: number) => void;
}

/**
 * Group commit: rows written close together are stored in one transaction, and each caller's
 * promise settles only after that transaction has committed and (with `durable`) is on disk — so an
 * acknowledged write is durable, yet a busy checkpoint endpoint pays one commit and one sync per
 * batch, not per scan.
 *
 * A batch is closed when the event loop comes round (setImmediate) — every row written in that turn
 * goes in it — unless the previous batch is still waiting for its sync: then the rows gather until
 * that sync is done (or the batch is full). A row written meanwhile could not be acknowledged
 * before the next sync anyway (syncs are coalesced, see WalSync), so this costs no latency and
 * saves the commits — each a write of the pages it touched to the WAL — that would otherwise land
 * between two syncs. (Issue 12: waiting for a time window by re-queueing setImmediate spun the
 * event loop and cost ≈ 10 µs of CPU per verification under load.)
 */
export class GroupCommitWriter<T> {
  private pending: { row: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  private scheduled = false;
  private lastFlushAt = -Infinity;
  /** Committed batches still waiting for `durable`. */
  private syncing = 0;
  private readonly maxBatch: number;
  private readonly windowMs: number;

  constructor(
    private readonly store: (rows: readonly T[]) => Promise<unknown>,
    private readonly options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.windowMs = options.windowMs ?? 0;
  }

  write(row: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    // While the previous batch syncs, rows gather; its end schedules the next (see flush).
    if (this.syncing > 0 && this.pending.length < this.maxBatch) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    const full = this.pending.length >= this.maxBatch;
    if (!full && this.syncing > 0) {
      // Closed when the sync in progress is done (see flush).
      this.scheduled = false;
      return;
    }
    const wait = this.windowMs - (performance.now() - this.lastFlushAt);
    if (!full && wait > 0) {
      setTimeout(() => this.tick(), wait);
      return;
    }
    this.scheduled = false;
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const closedAt = performance.now();
    const batch = this.pending.splice(0, this.maxBatch);
    let stored = false;
    try {
      await this.store(batch.map((p) => p.row));
      stored = true;
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.lastFlushAt = performance.now();
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
    if (!stored) return;
    const durable = this.options.durable;
    if (durable === undefined) {
      this.options.observe?.(batch.length, (performance.now() - closedAt) / 1000);
      for (const p of batch) p.resolve();
      return;
    }
    this.syncing++;
    try {
      await durable();
      this.options.observe?.(batch.length, (performance.now() - closedAt) / 1000);
      for (const p of batch) p.resolve();
    } catch (error) {
      // Committed, but not known to be on disk: the writers must not take it as acknowledged.
      for (const p of batch) p.reject(error);
    } finally {
      this.syncing--;
      if (this.syncing === 0 && this.pending.length > 0) this.schedule();
    }
  }

  /** Resolves once everything written so far is stored and durable (used at shutdown). */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing || this.scheduled || this.syncing > 0) {
      await new Promise((r) => setImmediate(r));
    }
  }
}
