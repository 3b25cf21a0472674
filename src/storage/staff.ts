import type { ValueSealer } from './sealing.ts';
import type { StaffRole } from '../domain/types.ts';
import type { Db } from './database.ts';
import { revokeStaffSessions } from './sessions.ts';

export interface StaffMember {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  /** The first division of the jurisdiction (`staff.division_code`). */
  readonly divisionCode: string;
  /** The whole jurisdiction: `divisionCode` first, then the further ones (issue 10). */
  readonly divisionCodes: readonly string[];
  readonly disabled: boolean;
  /** The venue of checkpoint staff; null for officers and admins. */
  readonly venueId: number | null;
  /** Whether the second factor is enrolled. */
  readonly totpEnrolled: boolean;
  /** Whether the staff member has set a password (false while the one-time link is unused). */
  readonly passwordSet: boolean;
}

export interface StaffWithHash extends StaffMember {
  readonly passwordHash: string;
  readonly totpSecret: string | null;
}

const COLUMNS = [
  'id',
  'username',
  'display_name',
  'role',
  'division_code',
  'disabled_at',
  'password_hash',
  'venue_id',
  'totp_secret',
  'password_set_at',
  'created_at',
] as const;

interface StaffRowShape {
  id: number;
  username: string;
  display_name: string;
  role: StaffRole;
  division_code: string;
  disabled_at: number | null;
  password_hash: string;
  venue_id: number | null;
  totp_secret: string | null;
  password_set_at: number | null;
  created_at: number;
}

function toStaff(row: StaffRowShape, further: readonly string[]): StaffWithHash {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    divisionCode: row.division_code,
    divisionCodes: [row.division_code, ...further.filter((d) => d !== row.division_code)],
    disabled: row.disabled_at !== null,
    passwordHash: row.password_hash,
    venueId: row.venue_id === null ? null : Number(row.venue_id),
    totpSecret: row.totp_secret,
    totpEnrolled: row.totp_secret !== null,
    // Accounts from before migration 011 (CLI, venue managers) chose or were given a password.
    passwordSet: row.password_hash !== '',
  };
}

async function furtherDivisions(db: Db, staffIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (staffIds.length === 0) return out;
  const rows = await db
    .selectFrom('staff_divisions')
    .select(['staff_id', 'division_code'])
    .where('staff_id', 'in', staffIds)
    .orderBy('division_code')
    .execute();
  for (const r of rows) {
    const id = Number(r.staff_id);
    out.set(id, [...(out.get(id) ?? []), r.division_code]);
  }
  return out;
}

async function withDivisions(db: Db, row: StaffRowShape | undefined): Promise<StaffWithHash | null> {
  if (row === undefined) return null;
  const further = await furtherDivisions(db, [Number(row.id)]);
  return toStaff(row, further.get(Number(row.id)) ?? []);
}

export async function findStaffByUsername(db: Db, username: string): Promise<StaffWithHash | null> {
  const row = await db
    .selectFrom('staff')
    .select(COLUMNS)
    .where('username', '=', username)
    .executeTakeFirst();
  return withDivisions(db, row);
}

export async function findStaffById(db: Db, id: number): Promise<StaffWithHash | null> {
  if (!Number.isSafeInteger(id) || id < 1) return null;
  const row = await db.selectFrom('staff').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return withDivisions(db, row);
}

export async function insertStaff(
  db: Db,
  s: {
    username: string;
    displayName: string;
    passwordHash: string;
    role: StaffRole;
    divisionCode: string;
    createdAt: number;
    /** Further divisions of the jurisdiction. */
    moreDivisions?: readonly string[];
    /** False: the account waits for its one-time link (an empty hash matches no password). */
    passwordSet?: boolean;
    /** The venue the account works at (hospital staff). */
    venueId?: number | null;
  },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('staff')
      .values({
        username: s.username,
        display_name: s.displayName,
        password_hash: s.passwordHash,
        role: s.role,
        division_code: s.divisionCode,
        created_at: s.createdAt,
        disabled_at: null,
        password_set_at: s.passwordSet === false ? null : s.createdAt,
        ...(s.venueId === undefined ? {} : { venue_id: s.venueId }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    await replaceFurtherDivisions(trx, id, s.divisionCode, s.moreDivisions ?? []);
    return id;
  });
}

async function replaceFurtherDivisions(
  db: Db,
  staffId: number,
  first: string,
  more: readonly string[],
): Promise<void> {
  await db.deleteFrom('staff_divisions').where('staff_id', '=', staffId).execute();
  const rows = [...new Set(more)]
    .filter((d) => d !== first)
    .map((division_code) => ({ staff_id: staffId, division_code }));
  if (rows.length > 0) await db.insertInto('staff_divisions').values(rows).execute();
}

/**
 * Changes an account's role, jurisdiction (first division and further ones) or display name; a
 * change of role or jurisdiction revokes its sessions in the same transaction (they were granted
 * under the old scope). Returns the sessions revoked.
 */
export async function updateStaff(
  db: Db,
  staffId: number,
  change: {
    role?: StaffRole;
    divisionCodes?: readonly [string, ...string[]];
    displayName?: string;
    /** a time: disable (and revoke the sessions); null: enable */
    disabledAt?: number | null;
  },
  now: number,
): Promise<{ sessionsRevoked: number }> {
  return db.transaction().execute(async (trx) => {
    const set: {
      role?: StaffRole;
      division_code?: string;
      display_name?: string;
      disabled_at?: number | null;
    } = {};
    if (change.role !== undefined) set.role = change.role;
    if (change.divisionCodes !== undefined) set.division_code = change.divisionCodes[0];
    if (change.displayName !== undefined) set.display_name = change.displayName;
    if (change.disabledAt !== undefined) set.disabled_at = change.disabledAt;
    if (Object.keys(set).length > 0)
      await trx.updateTable('staff').set(set).where('id', '=', staffId).execute();
    if (change.divisionCodes !== undefined) {
      const [first, ...more] = change.divisionCodes;
      await replaceFurtherDivisions(trx, staffId, first, more);
    }
    const rescoped = change.role !== undefined || change.divisionCodes !== undefined;
    const disabled = change.disabledAt !== undefined && change.disabledAt !== null;
    const sessionsRevoked = rescoped || disabled ? await revokeStaffSessions(trx, staffId, now) : 0;
    return { sessionsRevoked };
  });
}

/** Stores a one-time link's token hash; earlier unused links of the account stop working. */
export async function insertSetupToken(
  db: Db,
  t: { tokenHash: string; staffId: number; createdAt: number; expiresAt: number },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff_setup_tokens')
      .set({ used_at: t.createdAt })
      .where('staff_id', '=', t.staffId)
      .where('used_at', 'is', null)
      .execute();
    await trx
      .insertInto('staff_setup_tokens')
      .values({
        token_hash: t.tokenHash,
        staff_id: t.staffId,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        used_at: null,
      })
      .execute();
  });
}

export type SetupTokenUse =
  | { readonly ok: true; readonly staffId: number }
  | { readonly ok: false; readonly reason: 'unknown' | 'used' | 'expired' };

/**
 * Uses a one-time link: in one transaction, marks it used (only if it is unused and unexpired — a
 * single conditional update, so two concurrent uses cannot both succeed), sets the password hash
 * and TOTP secret, and revokes the account's sessions.
 */
export async function useSetupToken(
  db: Db,
  tokenHash: string,
  now: number,
  /** The new password hash and the TOTP secret in its stored (sealed) form, for this account. */
  set: (staffId: number) => Promise<{ passwordHash: string; totpSecret: string | null }>,
): Promise<SetupTokenUse> {
  const row = await db
    .selectFrom('staff_setup_tokens')
    .select(['staff_id', 'expires_at', 'used_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (row === undefined) return { ok: false, reason: 'unknown' };
  if (row.used_at !== null) return { ok: false, reason: 'used' };
  if (Number(row.expires_at) <= now) return { ok: false, reason: 'expired' };
  const staffId = Number(row.staff_id);
  // Hashed outside the transaction: scrypt must not hold SQLite's connection.
  const values = await set(staffId);
  return db.transaction().execute(async (trx): Promise<SetupTokenUse> => {
    const claimed = await trx
      .updateTable('staff_setup_tokens')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { ok: false, reason: 'used' };
    await trx
      .updateTable('staff')
      .set({
        password_hash: values.passwordHash,
        totp_secret: values.totpSecret,
        totp_last_step: null,
        password_set_at: now,
      })
      .where('id', '=', staffId)
      .execute();
    await revokeStaffSessions(trx, staffId, now);
    return { ok: true, staffId };
  });
}

export interface StaffListing extends StaffMember {
  readonly createdAt: number;
  readonly disabledAt: number | null;
  /** For checkpoint staff a venue manager created: the venue they check at. */
  readonly venueId: number | null;
}

/** Every staff account, in creation order (an operator's listing: a province has hundreds, not millions). */
export async function listStaff(db: Db): Promise<StaffListing[]> {
  const rows = await db.selectFrom('staff').select(COLUMNS).orderBy('id').execute();
  const further = await furtherDivisions(
    db,
    rows.map((r) => Number(r.id)),
  );
  return rows.map((row) => {
    const {
      passwordHash: _hash,
      totpSecret: _secret,
      ...member
    } = toStaff(row, further.get(Number(row.id)) ?? []);
    return {
      ...member,
      createdAt: Number(row.created_at),
      disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
      venueId: row.venue_id === null ? null : Number(row.venue_id),
    };
  });
}

/**
 * Disables (`disabledAt` a time) or re-enables (null) a staff account; disabling also revokes its
 * sessions, in the same transaction. Returns the sessions revoked.
 */
export async function setStaffDisabled(
  db: Db,
  staffId: number,
  disabledAt: number | null,
): Promise<{ sessionsRevoked: number }> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('staff').set({ disabled_at: disabledAt }).where('id', '=', staffId).execute();
    const sessionsRevoked = disabledAt === null ? 0 : await revokeStaffSessions(trx, staffId, disabledAt);
    return { sessionsRevoked };
  });
}

/** Replaces the password hash and revokes every session signed in with the old one, in one transaction. */
export async function setStaffPassword(
  db: Db,
  staffId: number,
  passwordHash: string,
  now: number,
): Promise<{ sessionsRevoked: number }> {
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('staff').set({ password_hash: passwordHash }).where('id', '=', staffId).execute();
    return { sessionsRevoked: await revokeStaffSessions(trx, staffId, now) };
  });
}

/** The sealing context of a staff member's TOTP secret: a sealed value moved to another row does not open. */
export const totpContext = (staffId: number): string => `staff:${staffId}:totp`;

/** The base32 TOTP secret of a stored (sealed, or base64) value. */
export function openTotpSecret(sealer: ValueSealer, staffId: number, stored: string): string {
  return sealer.open(stored, totpContext(staffId)).toString('utf8');
}

/** The stored form of a TOTP secret: sealed under the key-encryption key when there is one. */
export function sealTotpSecret(sealer: ValueSealer, staffId: number, secret: string): string {
  return sealer.seal(Buffer.from(secret, 'utf8'), totpContext(staffId));
}

/** Enrols (or replaces) a staff member's second factor. */
export async function enrolTotpSecret(
  db: Db,
  sealer: ValueSealer,
  staffId: number,
  secret: string,
): Promise<void> {
  await db
    .updateTable('staff')
    .set({ totp_secret: sealTotpSecret(sealer, staffId, secret), totp_last_step: null })
    .where('id', '=', staffId)
    .execute();
}

/**
 * Accepts a TOTP code's 30-second step once: one conditional update, so two sign-ins with the same
 * code (or an older one) cannot both pass. False when this step, or a later one, was used already.
 */
export async function claimTotpStep(db: Db, staffId: number, step: number): Promise<boolean> {
  const result = await db
    .updateTable('staff')
    .set({ totp_last_step: step })
    .where('id', '=', staffId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
