/**
 * Group commit: rows written in the same turn of the event loop are stored in one multi-row insert,
 * and each caller's promise settles only after that insert has committed — so an acknowledged
 * write is durable, yet a busy checkpoint endpoint pays one transaction per batch, not per scan.
 */
export class GroupCommitWriter<T> {
  private pending: { row: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly store: (rows: readonly T[]) => Promise<void>,
    /** SQLite allows 32,766 bound parameters per statement; rows × columns must stay below it. */
    private readonly maxBatch = 500,
  ) {}

  write(row: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.pending.splice(0, this.maxBatch);
    try {
      await this.store(batch.map((p) => p.row));
      for (const p of batch) p.resolve();
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  /** Resolves once everything written so far is stored (used at shutdown). */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.flushing) {
      await new Promise((r) => setImmediate(r));
      if (!this.flushing) await this.flush();
    }
  }
}
