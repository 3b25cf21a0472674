import { createHmac } from 'node:crypto';
import { maskName } from '../domain/identity/index.ts';
import {
  encodeHealthCode,
  renderQrPng,
  renderQrSvg,
  sealSubject,
  unsealSubject,
  type CodeClaims,
} from '../domain/token/index.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { testBadge, testBadgeText, vaccinationText, type HealthStatus } from '../domain/health-status.ts';
import type { HealthBadgeView } from '../contracts/common.ts';
import { MINUTE_MS, type Colour, type EpochMs } from '../domain/types.ts';
import { findPaperCode } from '../storage/paper-codes.ts';
import { findResidentForCheck, type Resident, type ResidentForCheck } from '../storage/residents.ts';
import type { VerificationFailure } from '../contracts/checkpoint.ts';
import type { MyCodeResponse } from '../contracts/residents.ts';
import { getMyApplication } from './application.ts';
import { colourIfCurrent, ensureFreshColour } from './colour.ts';
import type { Platform } from './platform.ts';

/** The on-screen code is re-issued every minute (P1: a screenshot soon stops verifying)… */
export const CODE_REFRESH_MS = MINUTE_MS;
/** …and each one verifies for five minutes, so a phone that missed a refresh on a slow network still works. */
export const CODE_LIFETIME_MS = 5 * MINUTE_MS;

/** Codes signed this minute, by resident, at most this many (a map per platform). */
export const SIGNED_CODE_CACHE_MAX = 100_000;

interface SignedCode {
  /** Every input of the token but the resident: kid, issuer, issue time, colour, badge. */
  readonly inputs: string;
  readonly code: string;
}

const signedCodes = new WeakMap<Platform, Map<number, SignedCode>>();

/**
 * A resident's code for the current minute. The token is a pure function of (resident, minute,
 * colour, key), so getMyCode and getMyCodeImage in the same minute return the same text, and any
 * API node returns the same one.
 *
 * Signing (Ed25519, ≈ 50 µs) is the costliest step of a display, and a resident's app asks again
 * within the minute (each open, the image, a proxy); since the token is deterministic (RFC 8032
 * signatures, an HMAC nonce) the text signed once is kept, keyed by resident, and reused while every
 * input is the same: the kid, issue time, colour and badge are the cache key, so a new colour, a
 * revocation (which moves the issue time), a rotated key or the next minute sign anew. The colour
 * is still judged now on every call; only the signing is saved.
 */
export async function currentCode(p: Platform, resident: Resident, now: EpochMs) {
  const fresh = await ensureFreshColour(p, resident, now);
  const stored = fresh.stored ?? resident.colour;
  const minute = Math.floor(now / CODE_REFRESH_MS) * CODE_REFRESH_MS;
  // A revocation inside the current minute must not hand back a revoked token.
  const issuedAt = Math.max(minute, Math.ceil(resident.codesValidAfter / 1000) * 1000) as EpochMs;
  if (!p.keyring.isFresh(now)) await p.keyring.refresh(now);
  const key = p.keyring.activeKey();
  const badge = badgeClaims(resident.healthStatus);
  const inputs = `${key.kid}|${p.config.issuer}|${issuedAt}|${stored.colour}|${badge.testSampledAt ?? ''}|${badge.vaccineDoses ?? ''}`;
  let cache = signedCodes.get(p);
  if (cache === undefined) {
    cache = new Map();
    signedCodes.set(p, cache);
  }
  const cached = cache.get(resident.id);
  if (cached !== undefined && cached.inputs === inputs)
    return { code: cached.code, stored, issuedAt, minute };
  const iatSec = Math.floor(issuedAt / 1000);
  // Deterministic nonce: unlinkable across minutes, identical within one.
  const nonce = createHmac('sha256', key.subjectKey)
    .update(`${resident.id}:${iatSec}`)
    .digest()
    .readUInt32BE(0);
  const code = encodeHealthCode(
    {
      kind: 'personal',
      colour: stored.colour,
      issuer: p.config.issuer,
      issuedAt,
      expiresAt: (issuedAt + CODE_LIFETIME_MS) as EpochMs,
      subject: sealSubject(key, resident.id, iatSec, nonce),
      ...badge,
    },
    key,
  );
  // Bounded: past the limit the oldest entries go (a Map iterates in insertion order).
  if (cached === undefined && cache.size >= SIGNED_CODE_CACHE_MAX) {
    for (const id of cache.keys()) {
      cache.delete(id);
      if (cache.size < SIGNED_CODE_CACHE_MAX * 0.9) break;
    }
  }
  cache.delete(resident.id);
  cache.set(resident.id, { inputs, code });
  return { code, stored, issuedAt, minute };
}

export async function getMyCode(p: Platform, accountId: number): Promise<MyCodeResponse> {
  return codeView(p, await getMyApplication(p, accountId), p.clock.now());
}

/** The code screen of one resident: their own, or a family member's seen by their proxy. */
export async function codeView(p: Platform, resident: Resident, now: EpochMs): Promise<MyCodeResponse> {
  const { code, stored, issuedAt, minute } = await currentCode(p, resident, now);
  return {
    code,
    colour: stored.colour,
    issuedAt: formatChinaTime(issuedAt),
    expiresAt: formatChinaTime((issuedAt + CODE_LIFETIME_MS) as EpochMs),
    refreshAt: formatChinaTime((minute + CODE_REFRESH_MS) as EpochMs),
    serverTime: formatChinaTime(now),
    maskedName: maskName(resident.name),
    healthCardId: resident.healthCardId,
    policyVersion: stored.policyVersion,
    until: stored.until === null ? null : formatChinaTime(stored.until),
    reasons: stored.reasons,
    health: healthBadgeView(resident.healthStatus, now),
  };
}

/** The badge carried in a personal or paper code for offline checkpoints (token README, `t` and `n`). */
export function badgeClaims(status: HealthStatus): { testSampledAt?: EpochMs; vaccineDoses?: number } {
  return {
    ...(status.lastNegativeTestAt === null ? {} : { testSampledAt: status.lastNegativeTestAt }),
    ...(status.vaccineDoses > 0 ? { vaccineDoses: Math.min(255, status.vaccineDoses) } : {}),
  };
}

/** The badge as every answer shows it. */
export function healthBadgeView(status: HealthStatus, now: EpochMs): HealthBadgeView {
  const test = testBadge(status, now);
  return {
    test: {
      status: test.status,
      days: test.days,
      sampledAt: test.sampledAt === null ? null : formatChinaTime(test.sampledAt),
      text: testBadgeText(test),
    },
    vaccination: {
      doses: status.vaccineDoses,
      lastAt: status.lastVaccineAt === null ? null : formatChinaTime(status.lastVaccineAt),
      text: vaccinationText(status),
    },
  };
}

export async function getMyCodeImage(
  p: Platform,
  accountId: number,
  format: 'png' | 'svg',
): Promise<{ contentType: string; body: Buffer | string }> {
  const resident = await getMyApplication(p, accountId);
  const { code } = await currentCode(p, resident, p.clock.now());
  return format === 'png'
    ? { contentType: 'image/png', body: await renderQrPng(code) }
    : { contentType: 'image/svg+xml', body: renderQrSvg(code) };
}

/** Every failure reason with its sentence for checkpoint staff; the API schema lists its keys. */
export const FAILURE_MESSAGES: Readonly<Record<VerificationFailure, string>> = {
  malformed: 'This is not a health pass code.',
  unknown_version: 'This code has a format this platform does not know.',
  unknown_key: 'This code was not signed by a key of this platform.',
  bad_signature: 'The code has been altered: its signature does not match.',
  expired: 'The code has expired; ask the holder to refresh it.',
  not_yet_valid: 'The code is not valid yet; check the scanner clock.',
  revoked: 'The code has been revoked.',
  wrong_kind: 'This is a place code, not a personal health code.',
  paper_expired: '纸质码已过期，请重新打印。 The paper code has expired: reprint it.',
  paper_replaced:
    '此纸质码已作废（已重新打印或挂失）。 This paper code has ended: it was reprinted or reported lost.',
};

/** The outcome of checking a personal or paper code, before anything is recorded. */
export type PersonalCodeCheck =
  | {
      readonly ok: true;
      readonly kid: string;
      readonly claims: CodeClaims;
      readonly resident: ResidentForCheck;
      /** The colour now (S13), from the database. */
      readonly colour: Colour;
    }
  | {
      readonly ok: false;
      readonly reason: VerificationFailure;
      readonly kid: string | null;
      readonly residentId: number | null;
    };

/**
 * Every check verifyCode makes — signature or online tag, validity time, key status, kind, the
 * resident's revocations — and the colour now, without writing the verification log. `validAt` is
 * the instant the code's validity is judged at: `now` for a live scan, the time of the check for
 * one queued at an offline checkpoint. The colour is always the colour now.
 */
export async function checkPersonalCode(
  p: Platform,
  text: string,
  now: EpochMs,
  validAt: EpochMs = now,
): Promise<PersonalCodeCheck> {
  // The hot path awaits only the resident's row: key and policy state come from fresh caches.
  const result = await p.keyring.verify(text, now, validAt);
  if (!result.ok) {
    return checkFailed(
      result.reason === 'expired' && result.kind === 'paper' ? 'paper_expired' : result.reason,
      null,
      null,
    );
  }
  const { claims, kid } = result;
  if (p.keyring.status(kid) === 'revoked') return checkFailed('revoked', kid, null);
  if (claims.kind === 'place') return checkFailed('wrong_kind', kid, null);
  const key = p.keyring.verificationKey(kid);
  const iatSec = Math.floor(claims.issuedAt / 1000);
  const residentId = key === undefined ? null : unsealSubject(key, claims.subject, iatSec);
  const resident = residentId === null ? null : await findResidentForCheck(p.database, residentId);
  if (resident === null) return checkFailed('revoked', kid, residentId);
  if (claims.issuedAt < resident.codesValidAfter) return checkFailed('revoked', kid, resident.id);
  if (claims.kind === 'paper') {
    // Reprinting or reporting it lost ends a paper code; only the one in force verifies.
    const paper = await findPaperCode(p.db, resident.id, iatSec);
    if (paper === null || paper.endedAt !== null) return checkFailed('paper_replaced', kid, resident.id);
  }
  const colour =
    colourIfCurrent(
      p,
      resident.colour,
      resident.colourUntil,
      resident.colourPolicyVersion,
      resident.colourAssessedAt,
      resident.areaDependent,
      now,
    ) ??
    (
      await ensureFreshColour(
        p,
        {
          id: resident.id,
          colour: {
            colour: resident.colour,
            until: resident.colourUntil,
            policyVersion: resident.colourPolicyVersion,
            assessedAt: resident.colourAssessedAt,
          },
          areaDependent: resident.areaDependent,
        },
        now,
      )
    ).colour;
  return { ok: true, kid, claims, resident, colour };
}

function checkFailed(
  reason: VerificationFailure,
  kid: string | null,
  residentId: number | null,
): PersonalCodeCheck {
  return { ok: false, reason, kid, residentId };
}
