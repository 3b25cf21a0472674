import { requireHospitalVenue } from './hospital.ts';
import { randomBytes } from 'node:crypto';
import { findDivision } from '../domain/identity/index.ts';
import { STAFF_ROLES, type FieldIssue, type StaffRole } from '../domain/types.ts';
import { insertAuditEntries } from '../storage/audit.ts';
import type { Database } from '../storage/database.ts';
import {
  findStaffByUsername,
  insertStaff,
  listStaff,
  setStaffDisabled,
  setStaffPassword,
  type StaffListing,
  type StaffWithHash,
} from '../storage/staff.ts';
import { AppError, invalid } from './errors.ts';
import { hashPassword } from './passwords.ts';
import type { Principal } from './sign-in.ts';

/**
 * Staff accounts administered by the operator from the command line (`healthcode staff …`): the
 * first admin of a fresh install cannot be created any other way. Every change is written to the
 * audit log as a 'system' action with `via: 'cli'`.
 */

/** The same rule as venue staff usernames: what a person types on a checkpoint phone. */
export const STAFF_USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
const DISPLAY_NAME_MAX = 64;
/** '000000': the whole platform (a provincial admin of a national install). */
export const WHOLE_PLATFORM = '000000';

/**
 * Any Unicode "other" character — controls (Cc), format characters (Cf: the bidi overrides and
 * isolates U+202A–202E, U+2066–2069, U+200E/F, U+061C, the zero-width U+200B–200D, U+2060, U+FEFF),
 * surrogates, private use and unassigned code points — and line or paragraph separators. A display
 * name is shown to officers and in audit listings; none of these may reorder or hide what they read.
 */
const HIDDEN_OR_CONTROL = /[\p{C}\p{Zl}\p{Zp}]/u;

export interface StaffCreateInput {
  readonly username: string;
  readonly role: string;
  /** The jurisdiction; for hospital staff, left out: their hospital's district. */
  readonly divisionCode?: string | undefined;
  /** Hospital staff: their approved hospital venue. */
  readonly venueId?: number | undefined;
  readonly displayName: string;
  /** Absent: one is generated and returned once. */
  readonly password?: string;
}

export function usernameIssue(username: string): FieldIssue | null {
  return STAFF_USERNAME.test(username)
    ? null
    : {
        path: 'username',
        code: 'username_invalid',
        message:
          'Use 3–32 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or digit.',
      };
}

/** Why a password is refused, or null. */
export function passwordIssue(password: string): FieldIssue | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return {
      path: 'password',
      code: 'password_too_short',
      message: `Use a password of at least ${PASSWORD_MIN_LENGTH} characters.`,
    };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return {
      path: 'password',
      code: 'password_too_long',
      message: `Use a password of at most ${PASSWORD_MAX_LENGTH} characters.`,
    };
  }
  if (/\p{Cc}/u.test(password)) {
    return {
      path: 'password',
      code: 'password_invalid',
      message: 'The password contains a control character (a tab or a second line?); type it again.',
    };
  }
  return null;
}

/** The display name as stored (NFC, spaces collapsed), or the reason it is refused. */
export function checkDisplayName(input: string): { value: string } | { issue: FieldIssue } {
  // Checked before trimming: trim() would silently drop a leading or trailing U+FEFF or U+2028.
  const hidden = HIDDEN_OR_CONTROL.exec(input);
  if (hidden !== null) {
    const cp = (hidden[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
    return {
      issue: {
        path: 'displayName',
        code: 'display_name_invalid',
        message: `The display name contains an invisible or control character (U+${cp}); type it again without it.`,
      },
    };
  }
  const value = input.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (value === '' || [...value].length > DISPLAY_NAME_MAX) {
    return {
      issue: {
        path: 'displayName',
        code: 'display_name_invalid',
        message: `Enter a display name of 1–${DISPLAY_NAME_MAX} characters.`,
      },
    };
  }
  return { value };
}

export function divisionIssue(code: string): FieldIssue | null {
  if (!/^\d{6}$/.test(code)) {
    return {
      path: 'divisionCode',
      code: 'division_code_invalid',
      message: 'The division must be a 6-digit GB/T 2260 code, e.g. 370000 (Shandong) or 370102.',
    };
  }
  if (code !== WHOLE_PLATFORM && findDivision(code) === null) {
    return {
      path: 'divisionCode',
      code: 'division_code_unknown',
      message: `${code} is not a current division code (or ${WHOLE_PLATFORM} for the whole platform).`,
    };
  }
  return null;
}

export function roleIssue(role: string): FieldIssue | null {
  return (STAFF_ROLES as readonly string[]).includes(role)
    ? null
    : { path: 'role', code: 'role_invalid', message: `The role must be one of ${STAFF_ROLES.join(', ')}.` };
}

/** 20 characters of base64url: 120 random bits. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

async function requireStaff(database: Database, username: string): Promise<StaffWithHash> {
  const issue = usernameIssue(username);
  if (issue !== null) throw invalid([issue]);
  const staff = await findStaffByUsername(database.db, username);
  if (staff === null)
    throw new AppError('not_found', `There is no staff account "${username}" (see "healthcode staff list").`);
  return staff;
}

/** An operator's command-line action, in the audit log as a 'system' action with `via: 'cli'`. */
export async function audit(database: Database, now: number, action: string, detail: object): Promise<void> {
  await insertAuditEntries(database, [
    {
      at: now,
      actorKind: 'system',
      actorId: null,
      action,
      residentId: null,
      detail: { via: 'cli', ...detail },
    },
  ]);
}

export interface StaffCreated {
  readonly staffId: number;
  readonly username: string;
  readonly role: StaffRole;
  readonly divisionCode: string;
  readonly displayName: string;
  /** Only when it was generated: shown once, stored nowhere but as a hash. */
  readonly generatedPassword: string | null;
}

export async function createStaffAccount(
  database: Database,
  input: StaffCreateInput,
  now: number,
): Promise<StaffCreated> {
  const issues: FieldIssue[] = [];
  const name = checkDisplayName(input.displayName);
  const hospital = input.role === 'hospital';
  for (const issue of [
    usernameIssue(input.username),
    roleIssue(input.role),
    input.divisionCode === undefined
      ? hospital
        ? null
        : { path: 'divisionCode', code: 'required', message: 'Give the jurisdiction (--division).' }
      : divisionIssue(input.divisionCode),
    hospital && input.venueId === undefined
      ? {
          path: 'venueId',
          code: 'venue_required',
          message: 'Hospital staff work at one hospital: give its approved hospital venue (--venue).',
        }
      : null,
    input.venueId !== undefined && !(Number.isSafeInteger(input.venueId) && input.venueId > 0)
      ? {
          path: 'venueId',
          code: 'venue_invalid',
          message: 'The venue is its id: a whole number (--venue 12).',
        }
      : null,
    !hospital && input.venueId !== undefined
      ? { path: 'venueId', code: 'venue_not_allowed', message: 'Only hospital staff are tied to a venue.' }
      : null,
    'issue' in name ? name.issue : null,
    input.password === undefined ? null : passwordIssue(input.password),
  ]) {
    if (issue !== null) issues.push(issue);
  }
  if (issues.length > 0 || 'issue' in name) throw invalid(issues);
  // A hospital account's jurisdiction is its hospital's district.
  const venue = hospital ? await requireHospitalVenue(database.db, input.venueId ?? 0) : null;
  const divisionCode = venue?.divisionCode ?? input.divisionCode ?? '';
  const username = input.username;
  const taken = () =>
    new AppError('staff_username_taken', `The username "${username}" is taken; choose another.`);
  if ((await findStaffByUsername(database.db, username)) !== null) throw taken();
  const generatedPassword = input.password === undefined ? generatePassword() : null;
  const role = input.role as StaffRole;
  let staffId: number;
  try {
    staffId = await insertStaff(database.db, {
      username,
      displayName: name.value,
      passwordHash: await hashPassword(input.password ?? generatedPassword ?? ''),
      role,
      divisionCode,
      createdAt: now,
      ...(venue === null ? {} : { venueId: venue.id }),
    });
  } catch (error) {
    // Two operators choosing the same name at once: the unique index decides.
    if ((await findStaffByUsername(database.db, username)) !== null) throw taken();
    throw error;
  }
  await audit(database, now, 'create_staff', {
    staffId,
    username,
    role,
    divisionCode,
    ...(venue === null ? {} : { venueId: venue.id }),
  });
  return {
    staffId,
    username,
    role,
    divisionCode,
    displayName: name.value,
    generatedPassword,
  };
}

/** Disabled staff cannot sign in, and their sessions end (other nodes within seconds: their cache). */
export async function disableStaffAccount(
  database: Database,
  username: string,
  now: number,
): Promise<{ staffId: number; alreadyDisabled: boolean; sessionsRevoked: number }> {
  const staff = await requireStaff(database, username);
  if (staff.disabled) return { staffId: staff.id, alreadyDisabled: true, sessionsRevoked: 0 };
  const { sessionsRevoked } = await setStaffDisabled(database.db, staff.id, now);
  await audit(database, now, 'disable_staff', { staffId: staff.id, username, sessionsRevoked });
  return { staffId: staff.id, alreadyDisabled: false, sessionsRevoked };
}

/** Undoes `disableStaffAccount`; the account signs in again with its current password. */
export async function enableStaffAccount(
  database: Database,
  username: string,
  now: number,
): Promise<{ staffId: number; alreadyEnabled: boolean }> {
  const staff = await requireStaff(database, username);
  if (!staff.disabled) return { staffId: staff.id, alreadyEnabled: true };
  await setStaffDisabled(database.db, staff.id, null);
  await audit(database, now, 'enable_staff', { staffId: staff.id, username });
  return { staffId: staff.id, alreadyEnabled: false };
}

/**
 * Sets a new password (given, or generated and returned once) and ends every session of the account.
 * A disabled account stays disabled.
 */
export async function resetStaffPassword(
  database: Database,
  username: string,
  password: string | undefined,
  now: number,
): Promise<{
  staffId: number;
  generatedPassword: string | null;
  sessionsRevoked: number;
  disabled: boolean;
}> {
  const staff = await requireStaff(database, username);
  if (password !== undefined) {
    const issue = passwordIssue(password);
    if (issue !== null) throw invalid([issue]);
  }
  const generatedPassword = password === undefined ? generatePassword() : null;
  const hash = await hashPassword(password ?? generatedPassword ?? '');
  const { sessionsRevoked } = await setStaffPassword(database.db, staff.id, hash, now);
  await audit(database, now, 'reset_staff_password', { staffId: staff.id, username, sessionsRevoked });
  return { staffId: staff.id, generatedPassword, sessionsRevoked, disabled: staff.disabled };
}

export async function listStaffAccounts(database: Database): Promise<StaffListing[]> {
  return listStaff(database.db);
}

/**
 * The staff member a command-line run acts as (bulk paper codes): whoever runs the CLI holds the
 * database, so no password is asked, but the account must exist and be enabled, the run is
 * authorized for its role and limited to its jurisdiction, and the audit log names it.
 */
export async function staffPrincipalForCli(database: Database, username: string): Promise<Principal> {
  const staff = await requireStaff(database, username);
  if (staff.disabled)
    throw new AppError(
      'forbidden',
      `The staff account "${username}" is disabled ("healthcode staff enable").`,
    );
  return {
    kind: 'staff',
    staffId: staff.id,
    role: staff.role,
    divisionCode: staff.divisionCode,
    divisionCodes: staff.divisionCodes,
    displayName: staff.displayName,
    tokenHash: '',
  };
}
