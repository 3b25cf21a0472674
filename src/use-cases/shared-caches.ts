import { DEFAULT_POLICY, validatePolicy, type Policy } from '../domain/colour/index.ts';
import type { RiskArea } from '../domain/colour/facts.ts';
import {
  DEFAULT_CHECKPOINT_POLICY,
  validateCheckpointPolicy,
  type CheckpointPolicy,
} from '../domain/venues/index.ts';
import { findCheckpointPolicyInForce } from '../storage/checkpoint-policies.ts';
import type { Db } from '../storage/database.ts';
import { findPolicyInForce } from '../storage/policies.ts';
import { listRiskAreas, riskAreasChangedAt } from '../storage/risk-areas.ts';

/**
 * In-process caches of rarely changing shared data are re-read after this long (ms), so every node
 * sees a change within seconds. On PostgreSQL a change made through another node also drops the
 * copy at once (the change feed, use-cases/change-listener.ts); this re-read is the fallback there,
 * and SQLite's way.
 */
const SHARED_CACHE_MS = 2_000;

export class TimedCache<T> {
  private value: T | null = null;
  private loadedAt = -Infinity;
  private loading: Promise<T> | null = null;
  /** Bumped by invalidate: a load that began before a change must not be cached as fresh after it. */
  private generation = 0;
  constructor(private readonly load: () => Promise<T>) {}
  /** The value when it is fresh, without a promise (hot paths check this first). */
  peek(now: number): T | undefined {
    return this.value !== null && now - this.loadedAt < SHARED_CACHE_MS ? this.value : undefined;
  }
  async get(now: number): Promise<T> {
    if (this.value !== null && now - this.loadedAt < SHARED_CACHE_MS) return this.value;
    if (this.loading === null) {
      const generation = this.generation;
      const loading = this.load().then(
        (v) => {
          if (generation === this.generation) {
            this.value = v;
            this.loadedAt = now;
          }
          if (this.loading === loading) this.loading = null;
          return v;
        },
        (e: unknown) => {
          if (this.loading === loading) this.loading = null;
          throw e;
        },
      );
      this.loading = loading;
    }
    return this.loading;
  }
  /**
   * Drop the cached value at once: a change made on this node, or announced by another (else it
   * arrives within SHARED_CACHE_MS). A load already under way may have read the old data: callers after this get
   * a new load, and the old one's result is not kept.
   */
  invalidate(): void {
    this.generation += 1;
    this.loadedAt = -Infinity;
    this.loading = null;
  }
}

export class PolicyCache {
  private readonly cache: TimedCache<Policy>;
  private nowRef = 0;
  /** The last policy validated, by its body's JSON: re-read every few seconds, validated once. */
  private validated: { text: string; policy: Policy } | null = null;
  constructor(db: Db) {
    this.cache = new TimedCache(async () => {
      const row = await findPolicyInForce(db, this.nowRef);
      if (row === null) return DEFAULT_POLICY;
      const text = JSON.stringify(row.body);
      if (this.validated?.text === text) return this.validated.policy;
      const checked = validatePolicy(row.body);
      // A stored policy was validated on publish; failing here means the table was edited by hand.
      if (!checked.ok)
        throw new Error(`stored policy ${row.version} is invalid: ${checked.issues[0]?.message ?? ''}`);
      this.validated = { text, policy: checked.value };
      return checked.value;
    });
  }
  async current(now: number): Promise<Policy> {
    this.nowRef = now;
    return this.cache.get(now);
  }
  /** The policy in force when the cached copy is fresh; undefined means call `current`. */
  peek(now: number): Policy | undefined {
    return this.cache.peek(now);
  }
  invalidate(): void {
    this.cache.invalidate();
  }
}

export class RiskAreaCache {
  private readonly cache: TimedCache<{ areas: RiskArea[]; changedAt: number }>;
  constructor(db: Db) {
    this.cache = new TimedCache(async () => {
      const [areas, changedAt] = await Promise.all([listRiskAreas(db), riskAreasChangedAt(db, this.nowRef)]);
      return { areas, changedAt };
    });
  }
  private nowRef = 0;
  async all(now: number): Promise<readonly RiskArea[]> {
    this.nowRef = now;
    return (await this.cache.get(now)).areas;
  }
  /** When an area was last declared or lifted (0 if never): colours assessed before may be stale. */
  async changedAt(now: number): Promise<number> {
    this.nowRef = now;
    return (await this.cache.get(now)).changedAt;
  }
  /** `changedAt` when the cached copy is fresh; undefined means call `changedAt`. */
  peekChangedAt(now: number): number | undefined {
    return this.cache.peek(now)?.changedAt;
  }
  invalidate(): void {
    this.cache.invalidate();
  }
}

/** The checkpoint policy in force (S12), or the default when none was published. */
export class CheckpointPolicyCache {
  private readonly cache: TimedCache<CheckpointPolicy>;
  private nowRef = 0;
  constructor(db: Db) {
    this.cache = new TimedCache(async () => {
      const row = await findCheckpointPolicyInForce(db, this.nowRef);
      if (row === null) return DEFAULT_CHECKPOINT_POLICY;
      const checked = validateCheckpointPolicy(row.body);
      // Validated on publish; failing here means the table was edited by hand.
      if (!checked.ok)
        throw new Error(
          `stored checkpoint policy ${row.version} is invalid: ${checked.issues[0]?.message ?? ''}`,
        );
      return checked.value;
    });
  }
  async current(now: number): Promise<CheckpointPolicy> {
    const fresh = this.cache.peek(now);
    if (fresh !== undefined) return fresh;
    this.nowRef = now;
    return this.cache.get(now);
  }
  invalidate(): void {
    this.cache.invalidate();
  }
}
