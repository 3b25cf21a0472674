import { randomFillSync } from 'node:crypto';
import type {
  CheckRequest,
  CheckResponse,
  CheckViewResponse,
  VerificationResponse,
} from '../contracts/checkpoint.ts';
import { uuid7 } from '../domain/uuid7.ts';
import { formatChinaTime, parseInstant } from '../domain/china-time.ts';
import { maskName } from '../domain/identity/index.ts';
import type { HealthStatus } from '../domain/health-status.ts';
import { MINUTE_MS, type EpochMs } from '../domain/types.ts';
import {
  decideCheck,
  refusalReasonText,
  validateCheckpointPolicy,
  validateTemperature,
  type CheckpointCode,
  type CheckpointPolicy,
} from '../domain/venues/index.ts';
import {
  checkInserter,
  findCheckByClientId,
  listChecks,
  type CheckRecord,
  type PendingCheck,
} from '../storage/checkpoint-checks.ts';
import { insertCheckpointPolicy } from '../storage/checkpoint-policies.ts';
import { GroupCommitWriter } from '../storage/group-commit.ts';
import { findStaffVenue, findVenue, type VenueRow } from '../storage/venues.ts';
import { authorize } from './access.ts';
import { AppError, invalid } from './errors.ts';
import { checkPersonalCode, FAILURE_MESSAGES, healthBadgeView } from './health-code.ts';
import type { Database } from '../storage/database.ts';
import type { Metrics } from './metrics.ts';
import type { Platform } from './platform.ts';
import { createReport, reportKindOf } from './reports.ts';
import { announce } from './changes.ts';
import { CheckpointPolicyCache } from './shared-caches.ts';
import type { Principal } from './sign-in.ts';
import { requireVenue, requireVenueReader, timeWindow } from './venues.ts';

type Staff = Principal & { kind: 'staff' };

/** Random bytes drawn from a refilled block: one system call per 400 check ids, not one each. */
const randomPool = {
  block: Buffer.alloc(4096),
  at: 4096,
  take(n: number): Uint8Array {
    if (this.at + n > this.block.length) {
      randomFillSync(this.block);
      this.at = 0;
    }
    const out = this.block.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  },
};

/** A queued offline check may be uploaded this long after it happened (P1: a weekend without network). */
export const OFFLINE_QUEUE_MAX_MS = 72 * 60 * MINUTE_MS;
/** A checkpoint device's clock may run this far ahead of the server's. */
export const CHECK_CLOCK_SKEW_MS = 2 * MINUTE_MS;
/** Venues are re-read after this long on each node. */
const CACHE_MS = 2_000;

// ---------------------------------------------------------------------------------------------
// This node's checkpoint state: the check writer and the caches (Platform.checkpoint).

export interface CheckpointState {
  readonly writer: GroupCommitWriter<PendingCheck>;
  readonly venues: Map<number, { venue: VenueRow; at: number }>;
  /** Staff id → the venue they check at. A staff account's venue never changes, so this never goes stale. */
  readonly staffVenues: Map<number, number | null>;
  readonly policy: CheckpointPolicyCache;
}

export function createCheckpointState(database: Database, metrics: Metrics): CheckpointState {
  return {
    // A replay is found as long as the check it repeats may itself be uploaded.
    writer: new GroupCommitWriter<PendingCheck>(
      checkInserter(database, { dedupeWindowMs: OFFLINE_QUEUE_MAX_MS + CHECK_CLOCK_SKEW_MS }),
      {
        durable: () => database.durable(),
        observe: metrics.groupCommit('checkpoint_checks'),
      },
    ),
    venues: new Map(),
    staffVenues: new Map(),
    policy: new CheckpointPolicyCache(database.db),
  };
}

const stateOf = (p: Platform): CheckpointState => p.checkpoint;

/** Waits until every acknowledged check is stored; call from Platform.close() before the database closes. */
export async function drainCheckpoint(p: Platform): Promise<void> {
  await p.checkpoint.writer.drain();
}

async function venueForCheck(p: Platform, venueId: number, now: number): Promise<VenueRow> {
  const s = stateOf(p);
  const hit = s.venues.get(venueId);
  if (hit !== undefined && now - hit.at < CACHE_MS) return hit.venue;
  const venue = await findVenue(p.db, venueId);
  if (venue === null) throw new AppError('venue_not_found', `There is no venue ${venueId}.`);
  if (s.venues.size > 100_000) s.venues.clear();
  s.venues.set(venueId, { venue, at: now });
  return venue;
}

async function venueOfStaff(p: Platform, staffId: number): Promise<number | null> {
  const s = stateOf(p);
  if (s.staffVenues.has(staffId)) return s.staffVenues.get(staffId) ?? null;
  const venueId = (await findStaffVenue(p.db, staffId))?.venueId ?? null;
  if (s.staffVenues.size > 100_000) s.staffVenues.clear();
  s.staffVenues.set(staffId, venueId);
  return venueId;
}

/**
 * Checkpoint staff of a venue work only once the district office has approved it: a resident can
 * register a venue and make themself its staff, and must not read anyone's colour before a
 * district officer has looked at it (issue 8, finding 4). Staff with no venue (a road checkpoint
 * created by an admin) and officers are not tied to one.
 */
export async function requireCheckpointInService(p: Platform, staff: Staff, now: number): Promise<void> {
  if (staff.role !== 'checkpoint') return;
  const venueId = await venueOfStaff(p, staff.staffId);
  if (venueId === null) return;
  const venue = await venueForCheck(p, venueId, now);
  if (venue.status !== 'approved') {
    throw new AppError(
      'venue_not_approved',
      'Your venue has not been approved by the district office yet; checks start once it is.',
    );
  }
}

/**
 * Checkpoint verification (S11, S18, P1). Answers validity or exactly why not, the colour now and
 * the masked name — nothing else about the holder's health — and records who checked, when and what.
 * Staff of a venue answer only once the district office has approved it (issue 8, finding 4).
 */
export async function verifyCode(
  p: Platform,
  principal: Principal,
  text: string,
): Promise<VerificationResponse> {
  const staff = authorize(principal, 'verifyCode');
  const now = p.clock.now();
  await requireCheckpointInService(p, staff, now);
  const checked = await checkPersonalCode(p, text, now);
  const checkedAt = formatChinaTime(now);
  p.metrics.verification(checked.ok ? 'valid' : checked.reason);
  if (!checked.ok) {
    await p.verificationLog.write({
      at: now,
      staffId: staff.staffId,
      residentId: checked.residentId,
      kid: checked.kid,
      valid: false,
      reason: checked.reason,
      colour: null,
    });
    return { valid: false, reason: checked.reason, message: FAILURE_MESSAGES[checked.reason], checkedAt };
  }
  const { claims, kid, resident, colour } = checked;
  await p.verificationLog.write({
    at: now,
    staffId: staff.staffId,
    residentId: resident.id,
    kid,
    valid: true,
    reason: null,
    colour,
  });
  return {
    valid: true,
    kind: claims.kind,
    colour,
    colourAtIssue: claims.colour,
    maskedName: maskName(resident.name),
    issuedAt: formatChinaTime(claims.issuedAt),
    expiresAt: formatChinaTime(claims.expiresAt),
    health: healthBadgeView(resident.healthStatus, now),
    checkedAt,
  };
}

// ---------------------------------------------------------------------------------------------
// The checkpoint policy (S12)

/**
 * The checkpoint policy in force (cached per node: a publish through another node reaches it at once
 * on PostgreSQL, within seconds on SQLite); the default when none was published.
 */
export async function checkpointPolicy(p: Platform, now: EpochMs): Promise<CheckpointPolicy> {
  return stateOf(p).policy.current(now);
}

export async function getCheckpointPolicy(p: Platform, principal: Principal): Promise<CheckpointPolicy> {
  authorize(principal, 'getCheckpointPolicy');
  return checkpointPolicy(p, p.clock.now());
}

/** An admin publishes a new version; it is in force from its effectiveFrom on every node within seconds. */
export async function publishCheckpointPolicy(
  p: Platform,
  principal: Principal,
  body: unknown,
): Promise<CheckpointPolicy> {
  const admin = authorize(principal, 'publishCheckpointPolicy');
  const checked = validateCheckpointPolicy(body);
  if (!checked.ok) throw invalid(checked.issues);
  const policy = checked.value;
  const now = p.clock.now();
  const stored = await insertCheckpointPolicy(p.db, {
    version: policy.version,
    effectiveFrom: Date.parse(policy.effectiveFrom),
    body: policy,
    publishedAt: now,
    publishedBy: admin.staffId,
  });
  if (!stored) {
    throw new AppError(
      'policy_version_exists',
      `Checkpoint policy version ${policy.version} exists; publish a new version.`,
    );
  }
  stateOf(p).policy.invalidate();
  await announce(p, { kind: 'checkpoint_policies' });
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: admin.staffId,
    action: 'publish_checkpoint_policy',
    residentId: null,
    detail: { version: policy.version, effectiveFrom: policy.effectiveFrom },
  });
  return policy;
}

// ---------------------------------------------------------------------------------------------
// The check at the door (S6, S11, S12, P1)

function checkResult(r: CheckRecord, duplicate: boolean): CheckResponse {
  return {
    checkId: r.id,
    clientCheckId: r.clientCheckId,
    outcome: r.outcome,
    reasons: r.reasons,
    reasonText: r.reasons.map((reason) => ({
      'zh-CN': refusalReasonText(reason, 'zh-CN'),
      en: refusalReasonText(reason, 'en'),
    })),
    colour: r.colour,
    maskedName: r.maskedName,
    checkedAt: formatChinaTime(r.checkedAt as EpochMs),
    duplicate,
  };
}

function checkTime(text: string | undefined, now: EpochMs): EpochMs {
  if (text === undefined) return now;
  const at = parseInstant(text);
  if (at === null) {
    throw new AppError(
      'check_time_invalid',
      'checkedAt must be a date-time with an offset, e.g. 2026-11-25T10:00:00+08:00.',
      [
        {
          path: 'checkedAt',
          code: 'check_time_format',
          message: 'Send checkedAt as an ISO 8601 date-time with an offset.',
        },
      ],
    );
  }
  if (at > now + CHECK_CLOCK_SKEW_MS) {
    throw new AppError(
      'check_time_invalid',
      'checkedAt is in the future: set the checkpoint device clock right and upload again.',
      [{ path: 'checkedAt', code: 'check_time_future', message: 'checkedAt is later than the server time.' }],
    );
  }
  if (at < now - OFFLINE_QUEUE_MAX_MS) {
    throw new AppError(
      'check_time_invalid',
      'Queued checks are accepted for 72 hours; this one is older and cannot be recorded.',
      [{ path: 'checkedAt', code: 'check_time_too_old', message: 'checkedAt is more than 72 hours ago.' }],
    );
  }
  return at;
}

function temperatureOf(celsius: number | null): number | null {
  if (celsius === null) return null;
  const t = validateTemperature(celsius);
  if (t.ok) return t.value;
  const first = t.issues[0];
  if (first?.code === 'temperature_out_of_range')
    throw new AppError('temperature_out_of_range', first.message, t.issues);
  throw invalid(t.issues);
}

/**
 * Records one person at a venue's entrance and decides PASS or REFUSE under the checkpoint policy in
 * force. The code is verified as verifyCode does — for a check queued offline, its validity is judged
 * at the time of the check — and the colour is the colour now. The record is stored (group commit)
 * before the answer; a replayed clientCheckId returns the stored result. A yellow or red code, or a
 * fever, is reported to the area's office (S7). A green holder who meets the checks passes, and the
 * answer then carries only colour, masked name and time (S11, P3).
 */
export async function recordCheckpointCheck(
  p: Platform,
  principal: Principal,
  venueId: number,
  input: CheckRequest,
): Promise<CheckResponse> {
  const staff: Staff = authorize(principal, 'recordCheckpointCheck');
  const now = p.clock.now();
  const venue = await venueForCheck(p, venueId, now);
  if ((await venueOfStaff(p, staff.staffId)) !== venue.id) {
    throw new AppError(
      'not_venue_staff',
      'You are not checkpoint staff of this venue; sign in with its account.',
    );
  }
  if (venue.status !== 'approved') {
    throw new AppError('venue_not_approved', 'The venue has not been approved by the district office yet.');
  }
  const temperatureDeciC = temperatureOf(input.temperature);
  const checkedAt = checkTime(input.checkedAt, now);

  // No read before the write: a replayed clientCheckId is caught by the unique index below, so
  // the common case — a new check — costs no extra random index lookup.
  const policy = await checkpointPolicy(p, now);
  const rule = policy.kinds[venue.kind];
  let code: CheckpointCode = { status: 'none' };
  let holder: { residentId: number; maskedName: string; health: HealthStatus } | null = null;
  // A venue that does not check codes must not look at them (S11): nothing is verified or kept.
  if (input.code !== null && rule.code !== 'none') {
    const checked = await checkPersonalCode(p, input.code, now, checkedAt);
    if (checked.ok) {
      code = { status: 'valid', colour: checked.colour };
      holder = {
        residentId: checked.resident.id,
        maskedName: maskName(checked.resident.name),
        health: checked.resident.healthStatus,
      };
    } else {
      code = { status: 'invalid', reason: checked.reason };
    }
  }
  // The test and vaccination status now, judged at the time of the check (S12 venue-kind rules).
  const decision = decideCheck(policy, venue.kind, {
    code,
    status: holder === null ? null : { health: holder.health, now: checkedAt },
    temperatureDeciC,
    maskWorn: input.maskWorn,
  });
  const codeChecked = decision.checks.code !== 'none';
  const record: CheckRecord = {
    id: uuid7(now, randomPool.take(10)),
    clientCheckId: input.clientCheckId,
    venueId: venue.id,
    staffId: staff.staffId,
    residentId: codeChecked ? (holder?.residentId ?? null) : null,
    checkedAt,
    recordedAt: now,
    outcome: decision.outcome,
    reasons: decision.reasons,
    colour: codeChecked && code.status === 'valid' ? code.colour : null,
    maskedName: codeChecked ? (holder?.maskedName ?? null) : null,
    // Only what the applied checks took is kept: a green holder under S12 leaves no temperature.
    temperatureDeciC: decision.checks.temperature ? temperatureDeciC : null,
    maskWorn: decision.checks.mask ? input.maskWorn : null,
    codeStatus: codeChecked ? code.status : 'none',
    codeReason: codeChecked && code.status === 'invalid' ? code.reason : null,
    offline: input.offline ?? null,
    policyVersion: policy.version,
  };
  const pending: PendingCheck = { record };
  await stateOf(p).writer.write(pending);
  if (pending.inserted !== true) {
    // The same clientCheckId arrived twice at once and the other upload was stored first.
    const stored = await findCheckByClientId(p.database, input.clientCheckId);
    if (stored === null) throw new Error(`check ${input.clientCheckId} was neither stored nor found`);
    p.metrics.check('duplicate');
    return replay(p, venue, stored, input.clientCheckId);
  }
  p.metrics.check(record.outcome);
  await reportIfNeeded(p, venue, record);
  const result = checkResult(record, false);
  // The badge is part of the answer only where the venue kind's rule asks for it: elsewhere a green
  // holder's answer stays colour, masked name and time (S11, P3).
  const asksStatus = rule.negativeTestWithinHours !== undefined || rule.minVaccineDoses !== undefined;
  return codeChecked && holder !== null && asksStatus
    ? { ...result, health: healthBadgeView(holder.health, checkedAt) }
    : result;
}

async function replay(
  p: Platform,
  venue: VenueRow,
  stored: CheckRecord,
  clientCheckId: string,
): Promise<CheckResponse> {
  if (stored.venueId !== venue.id) {
    throw invalid([
      {
        path: 'clientCheckId',
        code: 'client_check_id_reused',
        message: 'This clientCheckId belongs to a check at another venue; make a new UUID for each check.',
      },
    ]);
  }
  // A crash between storing the check and its report leaves the report to the replay.
  await reportIfNeeded(p, venue, stored);
  return checkResult({ ...stored, clientCheckId }, true);
}

async function reportIfNeeded(p: Platform, venue: VenueRow, record: CheckRecord): Promise<void> {
  const kind = reportKindOf(record.reasons);
  if (kind === null) return;
  await createReport(p, {
    venueId: venue.id,
    divisionCode: venue.divisionCode,
    kind,
    residentId: record.residentId,
    maskedName: record.maskedName,
    checkId: record.id,
  });
  // The check route skips the app's after-write sync (its rows go through a durable writer); the
  // report is written here, so it is made durable here.
  await p.database.durable();
}

/** The entry log of a venue (manager, officers of the area, admins): masked names only (S18). */
export async function listVenueChecks(
  p: Platform,
  principal: Principal,
  venueId: number,
  query: { from?: string; to?: string; limit?: number },
): Promise<CheckViewResponse[]> {
  const venue = await requireVenue(p, venueId);
  requireVenueReader(principal, venue);
  const { from, to } = timeWindow(query, p.clock.now());
  const rows = await listChecks(p.db, venue.id, from, to, query.limit ?? 100);
  // Masked names and colours of the people who came in are still personal data (P3).
  await p.auditLog.write({
    at: p.clock.now(),
    actorKind: principal.kind,
    actorId: principal.kind === 'staff' ? principal.staffId : principal.accountId,
    action: 'read_venue_checks',
    residentId: null,
    detail: { venueId: venue.id, from, to, checks: rows.length },
  });
  return rows.map((r) => ({
    checkId: r.id,
    clientCheckId: r.clientCheckId,
    staffId: r.staffId,
    outcome: r.outcome,
    reasons: r.reasons,
    colour: r.colour,
    maskedName: r.maskedName,
    checkedAt: formatChinaTime(r.checkedAt as EpochMs),
    recordedAt: formatChinaTime(r.recordedAt as EpochMs),
    offline: r.offline !== null,
  }));
}
