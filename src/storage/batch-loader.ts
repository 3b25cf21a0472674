/**
 * Lookups by key that arrive in the same turn of the event loop go to the database as one query
 * (the DataLoader pattern). On PostgreSQL every query is a round trip and a few dozen µs of driver
 * work; a busy checkpoint endpoint reads one resident per scan, so one `= any($1)` query per turn
 * instead of one per scan saves most of that. Equal keys share one lookup.
 */
export class BatchLoader<K, V> {
  private pending = new Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    /** Loads many keys at once; keys missing from the map resolve to undefined. */
    private readonly loadMany: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>,
    /** Keys per query at most. */
    private readonly maxBatch = 500,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting === undefined) this.pending.set(key, [{ resolve, reject }]);
      else waiting.push({ resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = [...this.pending];
    this.pending = new Map();
    for (let start = 0; start < all.length; start += this.maxBatch) {
      void this.run(all.slice(start, start + this.maxBatch));
    }
  }

  private async run(
    batch: readonly (readonly [K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]])[],
  ): Promise<void> {
    try {
      const found = await this.loadMany(batch.map(([key]) => key));
      for (const [key, waiting] of batch) for (const w of waiting) w.resolve(found.get(key));
    } catch (error) {
      for (const [, waiting] of batch) for (const w of waiting) w.reject(error);
    }
  }
}
