import { authenticator } from 'otplib';
import type { StaffRole } from '../domain/types.ts';

/** The second factor of staff sign-in (issue 10): TOTP (RFC 6238) through otplib's authenticator. */

/** Roles that must sign in with a second factor in production mode. */
export const SECOND_FACTOR_ROLES: readonly StaffRole[] = ['officer', 'admin', 'auditor'];
/** Shown in authenticator apps. */
export const TOTP_ISSUER = 'Health Pass Code';

/** A TOTP code checked at `now` (the platform clock), one 30-second step either side. */
export function totpMatches(secret: string, token: string, now: number): boolean {
  if (!/^\d{6}$/.test(token)) return false;
  return authenticator.clone({ epoch: now, window: 1 }).check(token, secret);
}

/** The current TOTP code of a secret at `now` (tests, the demo). */
export function totpAt(secret: string, now: number): string {
  return authenticator.clone({ epoch: now }).generate(secret);
}
