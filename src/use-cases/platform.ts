import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import { DEFAULT_POLICY, validatePolicy, type Policy } from '../domain/colour/index.ts';
import type { RiskArea } from '../domain/colour/facts.ts';
import { openDatabase, type Database, type Db } from '../storage/database.ts';
import { GroupCommitWriter } from '../storage/group-commit.ts';
import {
  insertAuditEntries,
  verificationInserter,
  type AuditEntry,
  type VerificationRecord,
} from '../storage/audit.ts';
import { findPolicyInForce, insertPolicy } from '../storage/policies.ts';
import { listRiskAreas, riskAreasChangedAt } from '../storage/risk-areas.ts';
import { getOrCreateSecret } from '../storage/secrets.ts';
import { sealStoredValues } from '../storage/sealed-values.ts';
import { ValueSealer } from '../storage/sealing.ts';
import { Metrics } from './metrics.ts';
import { systemClock, type Clock } from './clock.ts';
import { ensureActiveKey, Keyring } from './keyring.ts';
import { drainCheckpoint } from './checkpoint.ts';
import { closeReports } from './reports.ts';
import { MemorySmsSender, unconfiguredSmsSender, webhookSmsSender, type SmsSender } from './sms.ts';

/** In-process caches of rarely changing shared data are re-read after this long (ms), so every node sees a change within seconds. */
const SHARED_CACHE_MS = 2_000;

/**
 * Everything a use case needs: storage, time, secrets, keys and the caches of shared data. Built once
 * per process; use cases are plain functions taking it first.
 */
export interface Platform {
  readonly config: Config;
  readonly database: Database;
  readonly db: Db;
  readonly clock: Clock;
  readonly sms: SmsSender;
  readonly keyring: Keyring;
  readonly secrets: PlatformSecrets;
  readonly policies: PolicyCache;
  readonly riskAreas: RiskAreaCache;
  readonly verificationLog: GroupCommitWriter<VerificationRecord>;
  readonly auditLog: GroupCommitWriter<AuditEntry>;
  /** Work started by a request that outlives it (sweeps); awaited on close. */
  readonly background: Set<Promise<void>>;
  readonly logger: Logger;
  /** Seals and opens signing keys and secrets at rest (a key-encryption key, when configured). */
  readonly sealer: ValueSealer;
  /** Counters and latencies for GET /metrics (P9). */
  readonly metrics: Metrics;
  close(): Promise<void>;
}

/** Structured log lines on stderr for work outside a request (requests log through Fastify). */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const stderrLogger: Logger = {
  info: (fields, message) => {
    process.stderr.write(JSON.stringify({ level: 'info', time: Date.now(), msg: message, ...fields }) + '\n');
  },
  warn: (fields, message) => {
    process.stderr.write(JSON.stringify({ level: 'warn', time: Date.now(), msg: message, ...fields }) + '\n');
  },
  error: (fields, message) => {
    const err = fields['err'];
    process.stderr.write(
      JSON.stringify({
        level: 'error',
        time: Date.now(),
        msg: message,
        ...fields,
        ...(err instanceof Error ? { err: { message: err.message, stack: err.stack } } : {}),
      }) + '\n',
    );
  },
};

export interface PlatformSecrets {
  /** Keys document lookups and health-card ids (not reversible without it). */
  readonly identityPepper: Buffer;
  /** Keys the hashes of one-time sign-in codes at rest. */
  readonly signInCodeKey: Buffer;
}

class TimedCache<T> {
  private value: T | null = null;
  private loadedAt = -Infinity;
  private loading: Promise<T> | null = null;
  constructor(private readonly load: () => Promise<T>) {}
  /** The value when it is fresh, without a promise (hot paths check this first). */
  peek(now: number): T | undefined {
    return this.value !== null && now - this.loadedAt < SHARED_CACHE_MS ? this.value : undefined;
  }
  async get(now: number): Promise<T> {
    if (this.value !== null && now - this.loadedAt < SHARED_CACHE_MS) return this.value;
    this.loading ??= this.load().then(
      (v) => {
        this.value = v;
        this.loadedAt = now;
        this.loading = null;
        return v;
      },
      (e: unknown) => {
        this.loading = null;
        throw e;
      },
    );
    return this.loading;
  }
  /** Drop the cached value on this node at once (another node's change arrives within SHARED_CACHE_MS). */
  invalidate(): void {
    this.loadedAt = -Infinity;
  }
}

export class PolicyCache {
  private readonly cache: TimedCache<Policy>;
  private nowRef = 0;
  constructor(db: Db) {
    this.cache = new TimedCache(async () => {
      const row = await findPolicyInForce(db, this.nowRef);
      if (row === null) return DEFAULT_POLICY;
      const checked = validatePolicy(row.body);
      // A stored policy was validated on publish; failing here means the table was edited by hand.
      if (!checked.ok)
        throw new Error(`stored policy ${row.version} is invalid: ${checked.issues[0]?.message ?? ''}`);
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

export interface PlatformOptions {
  readonly clock?: Clock;
  readonly sms?: SmsSender;
  /** Use an already opened database (tests open one per dialect). */
  readonly database?: Database;
  readonly logger?: Logger;
}

export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const database = options.database ?? (await openDatabase(config));
  const db = database.db;
  const now = clock.now();
  const logger = options.logger ?? stderrLogger;
  const sealer = new ValueSealer(config.keyEncryptionKey);
  const sealed = await sealStoredValues(db, sealer);
  if (sealed > 0)
    logger.info({ sealed }, 'sealed stored signing keys and secrets with the key-encryption key');
  if (!sealer.sealing && config.mode === 'production') {
    logger.warn(
      {},
      'signing keys and platform secrets are stored unsealed in the database: set KEY_ENCRYPTION_KEY_FILE (see README, Configuration)',
    );
  }
  const secrets: PlatformSecrets = {
    identityPepper: await getOrCreateSecret(db, sealer, 'identity_pepper', () => randomBytes(32), now),
    signInCodeKey: await getOrCreateSecret(db, sealer, 'sign_in_code_key', () => randomBytes(32), now),
  };
  await ensureActiveKey(db, sealer, now);
  await insertPolicy(db, {
    version: DEFAULT_POLICY.version,
    effectiveFrom: Date.parse(DEFAULT_POLICY.effectiveFrom),
    body: DEFAULT_POLICY,
    publishedAt: now,
    publishedBy: null,
  });
  const keyring = new Keyring(db, sealer, (kid, error) =>
    logger.error({ kid, err: error }, 'a signing key does not open on this node; it is left out'),
  );
  await keyring.load(now);
  const sms =
    options.sms ??
    (config.mode === 'demo'
      ? new MemorySmsSender()
      : config.smsWebhookUrl !== null
        ? webhookSmsSender(config.smsWebhookUrl, config.smsWebhookSecret, { now: () => clock.now() })
        : unconfiguredSmsSender);
  // Each batch is durable (committed, and on SQLite the WAL synced) before its writers hear back.
  const durable = () => database.durable();
  const metrics = new Metrics();
  const verificationLog = new GroupCommitWriter<VerificationRecord>(verificationInserter(database), {
    durable,
    observe: metrics.groupCommit('verifications'),
  });
  const auditLog = new GroupCommitWriter<AuditEntry>(
    (rows: readonly AuditEntry[]) => insertAuditEntries(database, rows),
    { durable, observe: metrics.groupCommit('audit_log') },
  );
  const background = new Set<Promise<void>>();
  const platform: Platform = {
    config,
    database,
    db,
    clock,
    sms,
    keyring,
    secrets,
    policies: new PolicyCache(db),
    riskAreas: new RiskAreaCache(db),
    verificationLog,
    auditLog,
    background,
    logger,
    sealer,
    metrics,
    async close() {
      while (background.size > 0) await Promise.all([...background]);
      await drainCheckpoint(platform);
      await closeReports(platform);
      await verificationLog.drain();
      await auditLog.drain();
      await database.close();
    },
  };
  return platform;
}
