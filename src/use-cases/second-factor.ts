import { authenticator } from 'otplib';
import type { StaffRole } from '../domain/types.ts';

/** The second factor of staff sign-in (issue 10): TOTP (RFC 6238) through otplib's authenticator. */

/** Roles that must sign in with a second factor in production mode. */
export const SECOND_FACTOR_ROLES: readonly StaffRole[] = ['officer', 'admin', 'auditor', 'hospital'];
/** Shown in authenticator apps. */
export const TOTP_ISSUER = 'Health Pass Code';

export const TOTP_STEP_MS = 30_000;

/**
 * The 30-second step (since the epoch) a TOTP code belongs to, checked at `now` (the platform
 * clock) one step either side; null when it matches none. The caller accepts each step once.
 */
export function totpStep(secret: string, token: string, now: number): number | null {
  if (!/^\d{6}$/.test(token)) return null;
  const delta = authenticator.clone({ epoch: now, window: 1 }).checkDelta(token, secret);
  return delta === null ? null : Math.floor(now / TOTP_STEP_MS) + delta;
}

/** The current TOTP code of a secret at `now` (tests, the demo). */
export function totpAt(secret: string, now: number): string {
  return authenticator.clone({ epoch: now }).generate(secret);
}
