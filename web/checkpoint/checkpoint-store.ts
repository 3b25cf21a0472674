/**
 * What the checkpoint page keeps on the device so that it works offline (P1): the staff session,
 * the venue, the public keys and the checkpoint policy. The staff session is stored apart from a
 * resident's, so one phone can serve as both without one signing the other out.
 */
import { validateCheckpointPolicy, type CheckpointPolicy } from '../../src/domain/venues/browser.ts';
import { readStored, writeStored } from '../storage.ts';
import { readVenue, type CheckpointVenue } from './checkpoint-api.ts';
import { readJwks, type Jwks } from './offline-verify.ts';

const SESSION_KEY = 'healthcode.staff.session';
const VENUE_KEY = 'healthcode.checkpoint.venue';
const JWKS_KEY = 'healthcode.checkpoint.jwks';
const POLICY_KEY = 'healthcode.checkpoint.policy';

export interface StaffSession {
  readonly token: string;
  readonly expiresAt: string;
  readonly displayName: string;
  readonly role: string;
}

function readJson(key: string): unknown {
  const text = readStored(key);
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const writeJson = (key: string, value: unknown) =>
  writeStored(key, value === null ? null : JSON.stringify(value));

/** The stored staff session, or null when there is none or it has expired on this device's clock. */
export function storedStaffSession(): StaffSession | null {
  const value = readJson(SESSION_KEY) as Partial<StaffSession> | null;
  if (value === null || typeof value.token !== 'string' || typeof value.expiresAt !== 'string') return null;
  const expires = Date.parse(value.expiresAt);
  if (!Number.isNaN(expires) && expires <= Date.now()) return null;
  return {
    token: value.token,
    expiresAt: value.expiresAt,
    displayName: typeof value.displayName === 'string' ? value.displayName : '',
    role: typeof value.role === 'string' ? value.role : '',
  };
}

export function storeStaffSession(session: StaffSession | null): void {
  writeJson(SESSION_KEY, session);
  if (session === null) writeJson(VENUE_KEY, null);
}

export const storedVenue = (): CheckpointVenue | null => readVenue(readJson(VENUE_KEY));
export const storeVenue = (venue: CheckpointVenue | null) => writeJson(VENUE_KEY, venue);

/** The cached key set; it outlives the session, since verifying a code needs no sign-in. */
export const storedJwks = (): Jwks | null => readJwks(readJson(JWKS_KEY));
export const storeJwks = (jwks: Jwks) => writeJson(JWKS_KEY, jwks);

export function storedPolicy(): CheckpointPolicy | null {
  const value = readJson(POLICY_KEY);
  if (value === null) return null;
  const checked = validateCheckpointPolicy(value);
  return checked.ok ? checked.value : null;
}
export const storePolicy = (policy: CheckpointPolicy) => writeJson(POLICY_KEY, policy);
