import type { StaffRole } from '../domain/types.ts';
import type { Db } from './database.ts';

export interface StaffMember {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly divisionCode: string;
  readonly disabled: boolean;
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
] as const;

function toStaff(row: {
  id: number;
  username: string;
  display_name: string;
  role: StaffRole;
  division_code: string;
  disabled_at: number | null;
  password_hash: string;
}): StaffWithHash {
  return {
    id: Number(row.id),
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    divisionCode: row.division_code,
    disabled: row.disabled_at !== null,
    passwordHash: row.password_hash,
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
