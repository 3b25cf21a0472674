import { performance } from 'node:perf_hooks';

export interface GroupCommitOptions {
  /**
   * Resolves once what has been stored survives power loss (`Database.durable`). Awaited after
   * each commit and before its writers hear back, while the next batch may already commit, so the
   * syncs of consecutive batches overlap instead of queueing the commits behind them.
   */
  readonly durable?: () => Promise<void>;
  /** Rows per transaction at most. */
  readonly maxBatch?: number;
  /** ms between commits under load; an idle system commits on the next turn of the loop. */
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
 * A batch is closed when the event loop comes round (setImmediate) and at least `windowMs` has
 * passed since the previous commit, or when it is full. Waiting on the loop rather than on a timer
 * keeps the process busy serving other requests while a batch fills, instead of sleeping.
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
    this.windowMs = options.windowMs ?? 0.5;
  }

  write(row: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => this.tick());
  }

  private tick(): void {
    const full = this.pending.length >= this.maxBatch;
    if (!full && performance.now() - this.lastFlushAt < this.windowMs) {
      setImmediate(() => this.tick());
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
    }
  }

  /** Resolves once everything written so far is stored and durable (used at shutdown). */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing || this.scheduled || this.syncing > 0) {
      await new Promise((r) => setImmediate(r));
    }
  }
}
