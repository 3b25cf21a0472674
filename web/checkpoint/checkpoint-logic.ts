/** Browser-free decisions of the checkpoint page, shared with its tests. */
import { testBadgeText, testDaysSince, type HealthStatus } from '../../src/domain/health-status.ts';
import { parseHealthCodeText } from '../../src/domain/token/cose.ts';
import type { CodeKind } from '../../src/domain/token/claims.ts';
import type { EpochMs, FieldIssue, LocalizedText } from '../../src/domain/types.ts';
import {
  checkpointRule,
  decideCheck,
  validateTemperature,
  type CheckpointCode,
  type CheckpointDecision,
  type CheckpointPolicy,
  type CheckpointRule,
  type DeciCelsius,
  type VenueKind,
} from '../../src/domain/venues/browser.ts';
import type { OfflineResult } from './checkpoint-api.ts';
import type { OfflineVerification } from './offline-verify.ts';

// Kept beside the place-code reader, which the resident app loads without the rest of this module
// (cose.ts pulls in cbor-x).
export { scannedCodeText } from './place-code-text.ts';

export type TemperatureEntry =
  | { readonly ok: true; readonly celsius: number | null; readonly deciC: DeciCelsius | null }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/** The temperature field: empty is "not taken"; otherwise °C with one decimal, 30.0–45.0. */
export function readTemperature(text: string): TemperatureEntry {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return { ok: true, celsius: null, deciC: null };
  const celsius = /^\d{1,2}(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  const checked = validateTemperature(Number.isNaN(celsius) ? -1 : celsius);
  if (!checked.ok) return checked;
  return { ok: true, celsius: checked.value / 10, deciC: checked.value };
}

/**
 * True when a code that has just been read can be checked at once, without waiting for staff:
 * every input the rule asks for is there, or the rule lets green holders in on sight (S12), in
 * which case anyone else is refused for their code whatever the missing inputs would have said.
 */
export function readyOnScan(
  rule: CheckpointRule,
  deciC: DeciCelsius | null,
  maskWorn: boolean | null,
): boolean {
  if (rule.greenVisualOnly) return true;
  return (!rule.temperature || deciC !== null) && (!rule.mask || maskWorn !== null);
}

/**
 * Why a code failed offline, as the platform names it: an expired paper code is `paper_expired`
 * ("expired — reprint"), as the server's verifier says, since reprinting is its remedy.
 */
export function offlineFailureReason(verification: OfflineVerification & { valid: false }): string {
  return verification.reason === 'expired' && verification.kind === 'paper'
    ? 'paper_expired'
    : verification.reason;
}

/** The domain's view of a code verified offline; `null` verification means no code was shown. */
export function checkpointCode(verification: OfflineVerification | null): CheckpointCode {
  if (verification === null) return { status: 'none' };
  return verification.valid
    ? { status: 'valid', colour: verification.colour }
    : { status: 'invalid', reason: offlineFailureReason(verification) };
}

/** What the upload tells the server about a check decided offline. */
export function offlineResult(verification: OfflineVerification | null): OfflineResult {
  if (verification === null) return { valid: false, reason: 'no_code' };
  return verification.valid
    ? { valid: true, colour: verification.colour }
    : { valid: false, reason: offlineFailureReason(verification) };
}

/** The test and vaccination status a verified code carries (the last dose's date is not in it). */
export function carriedHealthStatus(verification: OfflineVerification & { valid: true }): HealthStatus {
  return {
    lastNegativeTestAt: verification.testSampledAt ?? null,
    vaccineDoses: verification.vaccineDoses ?? 0,
    lastVaccineAt: null,
  };
}

/**
 * The offline decision: exactly the server's rule (decideCheck), on the colour at issue and, where
 * the venue kind's rule asks for a test or doses, the badge carried in the code.
 */
export function decideOffline(
  policy: CheckpointPolicy,
  kind: VenueKind,
  verification: OfflineVerification | null,
  deciC: DeciCelsius | null,
  maskWorn: boolean | null,
  now: EpochMs,
): CheckpointDecision {
  const rule = checkpointRule(policy, kind);
  return decideCheck(policy, kind, {
    code: checkpointCode(verification),
    status: verification?.valid === true ? { health: carriedHealthStatus(verification), now } : null,
    temperatureDeciC: rule.temperature ? deciC : null,
    maskWorn: rule.mask ? maskWorn : null,
  });
}

/** The badge an offline checkpoint shows from the code itself, with its age on this device's clock. */
export interface CarriedBadge {
  /** Calendar days of China time since the sampling day (0: today); null: no test carried. */
  readonly testDays: number | null;
  readonly testText: LocalizedText;
  readonly vaccineDoses: number;
}

export function carriedBadge(
  verification: OfflineVerification & { valid: true },
  now: EpochMs,
): CarriedBadge {
  const sampledAt = verification.testSampledAt ?? null;
  const days = testDaysSince(sampledAt, now);
  return {
    testDays: days,
    testText: testBadgeText({ status: sampledAt === null ? 'none' : 'negative', days, sampledAt }),
    vaccineDoses: verification.vaccineDoses ?? 0,
  };
}

/**
 * The kind a scanned text claims to be (personal or paper), read without verifying it: only to
 * label the answer ("paper code"); the server (or the offline verifier) decides whether it is valid.
 */
export function claimedCodeKind(text: string): CodeKind | null {
  const parsed = parseHealthCodeText(text);
  return parsed.ok ? parsed.value.claims.kind : null;
}

/** ISO time with the China offset, as the API writes times ('2026-11-25T10:00:07+08:00'). */
export function chinaIsoTime(ms: EpochMs | number): string {
  const shifted = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3_600_000).toISOString();
  return `${shifted.slice(0, 19)}+08:00`;
}
