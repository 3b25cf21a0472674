import { randomBytes } from 'node:crypto';
import type { Config } from './config.ts';
import { DEFAULT_POLICY } from './domain/colour/index.ts';
import { openDatabase, type Database } from './storage/database.ts';
import { GroupCommitWriter } from './storage/group-commit.ts';
import {
  insertAuditEntries,
  verificationInserter,
  type AuditEntry,
  type VerificationRecord,
} from './storage/audit.ts';
import { insertPolicy } from './storage/policies.ts';
import { getOrCreateSecret } from './storage/secrets.ts';
import { sealStoredValues } from './storage/sealed-values.ts';
import { ValueSealer } from './storage/sealing.ts';
import { visitInserter, type VisitRecord } from './storage/venues.ts';
import { stopChangeListener } from './use-cases/change-listener.ts';
import { createChangesState } from './use-cases/changes.ts';
import { createCheckpointState, drainCheckpoint } from './use-cases/checkpoint.ts';
import { systemClock, type Clock } from './use-cases/clock.ts';
import { ensureActiveKey, Keyring } from './use-cases/keyring.ts';
import { Metrics } from './use-cases/metrics.ts';
import { createPartitionsAtStart } from './use-cases/partitions.ts';
import { stderrLogger, type Logger, type Platform, type PlatformSecrets } from './use-cases/platform.ts';
import { closeReports, createReportsState } from './use-cases/reports.ts';
import { PolicyCache, RiskAreaCache } from './use-cases/shared-caches.ts';
import { createSessionCache } from './use-cases/sign-in.ts';
import { MemorySmsSender, unconfiguredSmsSender, webhookSmsSender, type SmsSender } from './use-cases/sms.ts';

/**
 * The wiring: one Platform from the configuration, with every piece of per-node state made here and
 * held on it (the use cases keep none of their own). The HTTP server, the CLI, tests and benchmarks
 * all start here.
 */

export interface PlatformOptions {
  readonly clock?: Clock;
  readonly sms?: SmsSender;
  /** Use an already opened database (tests open one per dialect); closing it stays the caller's. */
  readonly database?: Database;
  readonly logger?: Logger;
}

export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await openDatabase(config));
  const db = database.db;
  const now = clock.now();
  const logger = options.logger ?? stderrLogger;
  // PostgreSQL: today's partitions and those of the days ahead exist before anything is written.
  await createPartitionsAtStart(database, now, logger);
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
    channelTokenKey: await getOrCreateSecret(db, sealer, 'channel_token_key', () => randomBytes(32), now),
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
  const visitLog = new GroupCommitWriter<VisitRecord>(visitInserter(database), {
    durable,
    observe: metrics.groupCommit('visits'),
  });
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
    visitLog,
    background,
    logger,
    sealer,
    metrics,
    checkpoint: createCheckpointState(database, metrics),
    sessions: createSessionCache(),
    reports: createReportsState(),
    changes: createChangesState(),
    async close() {
      await stopChangeListener(platform);
      while (background.size > 0) await Promise.all([...background]);
      await drainCheckpoint(platform);
      await closeReports(platform);
      await verificationLog.drain();
      await visitLog.drain();
      await auditLog.drain();
      if (ownsDatabase) await database.close();
    },
  };
  return platform;
}
