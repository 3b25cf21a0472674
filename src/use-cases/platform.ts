import type { Config } from '../config.ts';
import type { Database, Db } from '../storage/database.ts';
import type { GroupCommitWriter } from '../storage/group-commit.ts';
import type { AuditEntry, VerificationRecord } from '../storage/audit.ts';
import type { ValueSealer } from '../storage/sealing.ts';
import type { VisitRecord } from '../storage/venues.ts';
import type { ChangesState } from './changes.ts';
import type { CheckpointState } from './checkpoint.ts';
import type { Clock } from './clock.ts';
import type { Keyring } from './keyring.ts';
import type { Metrics } from './metrics.ts';
import type { ReportsState } from './reports.ts';
import type { PolicyCache, RiskAreaCache } from './shared-caches.ts';
import type { SessionCache } from './sign-in.ts';
import type { SmsSender } from './sms.ts';

/**
 * Everything a use case needs: storage, time, secrets, keys, the caches of shared data and this
 * node's state, all in the open. Built once per process by createPlatform (src/platform.ts); use
 * cases are plain functions taking it first.
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
  /** Place-code visits (scanPlaceCode), group-committed like the verification log. */
  readonly visitLog: GroupCommitWriter<VisitRecord>;
  /** Work started by a request that outlives it (sweeps); awaited on close. */
  readonly background: Set<Promise<void>>;
  readonly logger: Logger;
  /** Seals and opens signing keys and secrets at rest (a key-encryption key, when configured). */
  readonly sealer: ValueSealer;
  /** Counters and latencies for GET /metrics (P9). */
  readonly metrics: Metrics;
  /** This node's checkpoint writer and caches (use-cases/checkpoint.ts). */
  readonly checkpoint: CheckpointState;
  /** This node's session cache (use-cases/sign-in.ts). */
  readonly sessions: SessionCache;
  /** This node's report streams and webhook (use-cases/reports.ts). */
  readonly reports: ReportsState;
  /** This node's part in the change feed between API nodes (use-cases/changes.ts). */
  readonly changes: ChangesState;
  /**
   * Stops listening to other nodes' changes, finishes background work, stores everything
   * acknowledged, ends report streams and closes the
   * database if the platform opened it (a database passed to createPlatform is the caller's).
   */
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
  /** Signs partner channels' access tokens (HS256 JWTs, issue 11); made on first start. */
  readonly channelTokenKey: Buffer;
}
