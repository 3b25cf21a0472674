import type { StaffRole } from '../domain/types.ts';
import type { Db } from './database.ts';
import { revokeStaffSessions } from './sessions.ts';

export interface StaffMember {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly divisionCode: string;
  readonly disabled: boolean;
  /** The venue of checkpoint staff; null for officers and admins. */
  readonly venueId: number | null;
}

export interface StaffWithHash extends StaffMember {
  readonly passwordHash: string;
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
] as const;

function toStaff(row: {
  id: number;
  username: string;
  display_name: string;
  role: StaffRole;
  division_code: string;
  disabled_at: number | null;
  password_hash: string;
  venue_id: number | null;
}): StaffWithHash {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    divisionCode: row.division_code,
    disabled: row.disabled_at !== null,
    passwordHash: row.password_hash,
    venueId: row.venue_id === null ? null : Number(row.venue_id),
  };
}

export async function findStaffByUsername(db: Db, username: string): Promise<StaffWithHash | null> {
  const row = await db
    .selectFrom('staff')
    .select(COLUMNS)
    .where('username', '=', username)
    .executeTakeFirst();
  return row === undefined ? null : toStaff(row);
}

export async function findStaffById(db: Db, id: number): Promise<StaffWithHash | null> {
  const row = await db.selectFrom('staff').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toStaff(row);
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
  },
): Promise<number> {
  const row = await db
    .insertInto('staff')
    .values({
      username: s.username,
      display_name: s.displayName,
      password_hash: s.passwordHash,
      role: s.role,
      division_code: s.divisionCode,
      created_at: s.createdAt,
      disabled_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface StaffListing extends StaffMember {
  readonly createdAt: number;
  readonly disabledAt: number | null;
  /** For checkpoint staff a venue manager created: the venue they check at. */
  readonly venueId: number | null;
}

/** Every staff account, in creation order (an operator's listing: a province has hundreds, not millions). */
export async function listStaff(db: Db): Promise<StaffListing[]> {
  const rows = await db
    .selectFrom('staff')
    .select([...COLUMNS, 'created_at', 'venue_id'])
    .orderBy('id')
    .execute();
  return rows.map((row) => {
    const { passwordHash: _hash, ...member } = toStaff(row);
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
