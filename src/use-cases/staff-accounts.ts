import { createHash, randomBytes } from 'node:crypto';
import { authenticator } from 'otplib';
import { SECOND_FACTOR_ROLES, TOTP_ISSUER } from './second-factor.ts';
import type {
  StaffAccountCreatedResponse,
  StaffAccountResponse,
  StaffAccountUpdatedResponse,
  StaffPasswordSetResponse,
} from '../contracts/staff.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { MINUTE_MS, type EpochMs, type FieldIssue, type StaffRole } from '../domain/types.ts';
import {
  findStaffById,
  findStaffByUsername,
  insertSetupToken,
  insertStaff,
  sealTotpSecret,
  listStaff,
  updateStaff,
  useSetupToken,
  type StaffMember,
} from '../storage/staff.ts';
import { authorize } from './access.ts';
import { AppError, invalid } from './errors.ts';
import { hashPassword } from './passwords.ts';
import type { Platform } from './platform.ts';
import type { Config } from '../config.ts';
import type { Database } from '../storage/database.ts';
import { forgetStaffSessions, type Principal } from './sign-in.ts';
import { requireHospitalVenue } from './hospital.ts';
import {
  audit,
  checkDisplayName,
  divisionIssue,
  passwordIssue,
  roleIssue,
  usernameIssue,
  WHOLE_PLATFORM,
} from './staff-admin.ts';

/**
 * Staff accounts over the API (issue 10 item 2): provincial admins create, disable and re-scope
 * accounts; the staff member sets the password through a one-time link and, for the roles that
 * need it, enrols the second factor (TOTP) at the same time. Every change is audited.
 */

/** How long a one-time link works. */
export const SETUP_LINK_MS = 72 * 60 * MINUTE_MS;

export const hashSetupToken = (token: string): string =>
  createHash('sha256').update(token).digest('base64url');

function accountView(s: StaffMember): StaffAccountResponse {
  return {
    staffId: s.id,
    username: s.username,
    displayName: s.displayName,
    role: s.role,
    divisionCodes: [...s.divisionCodes],
    disabled: s.disabled,
    passwordSet: s.passwordSet,
    secondFactorEnrolled: s.totpEnrolled,
    venueId: s.venueId,
  };
}

function divisionsIssues(codes: readonly string[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  codes.forEach((code, i) => {
    const issue = divisionIssue(code);
    if (issue !== null) issues.push({ ...issue, path: `divisionCodes.${i}` });
  });
  if (new Set(codes).size !== codes.length)
    issues.push({
      path: 'divisionCodes',
      code: 'division_code_repeated',
      message: 'A division is listed twice.',
    });
  if (codes.length > 1 && codes.includes(WHOLE_PLATFORM))
    issues.push({
      path: 'divisionCodes',
      code: 'division_code_invalid',
      message: `${WHOLE_PLATFORM} (the whole platform) covers every division: give it alone.`,
    });
  return issues;
}

async function newSetupLink(p: Pick<Platform, 'db' | 'config'>, staffId: number, now: number) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + SETUP_LINK_MS;
  await insertSetupToken(p.db, { tokenHash: hashSetupToken(token), staffId, createdAt: now, expiresAt });
  return {
    token,
    url: `${p.config.publicOrigin}/staff/setup#token=${token}`,
    expiresAt: formatChinaTime(expiresAt as EpochMs),
  };
}

/**
 * A one-time setup link for an account, from the command line (`healthcode staff setup-link`): how
 * the first admin of a fresh install, made with `healthcode staff create`, sets a password and
 * enrols the second factor that production requires of officers, admins and auditors. Audited as
 * a 'system' action with `via: 'cli'`.
 */
export async function issueSetupLinkFromCli(
  database: Database,
  config: Config,
  username: string,
  now: number,
): Promise<{ staffId: number; role: StaffRole; url: string; expiresAt: string }> {
  const staff = await findStaffByUsername(database.db, username);
  if (staff === null) throw new AppError('not_found', `There is no staff account "${username}".`);
  if (staff.disabled)
    throw new AppError(
      'forbidden',
      `The staff account "${username}" is disabled ("healthcode staff enable").`,
    );
  const link = await newSetupLink({ db: database.db, config }, staff.id, now);
  await audit(database, now, 'issue_staff_setup_link', { staffId: staff.id, username });
  return { staffId: staff.id, role: staff.role, url: link.url, expiresAt: link.expiresAt };
}

async function auditStaff(
  p: Platform,
  admin: { staffId: number },
  action: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await p.auditLog.write({
    at: p.clock.now(),
    actorKind: 'staff',
    actorId: admin.staffId,
    action,
    residentId: null,
    detail,
  });
}

export async function createStaffAccountByAdmin(
  p: Platform,
  principal: Principal,
  input: {
    username: string;
    role: string;
    divisionCodes?: readonly string[] | undefined;
    venueId?: number | undefined;
    displayName: string;
  },
): Promise<StaffAccountCreatedResponse> {
  const admin = authorize(principal, 'createStaffAccount');
  const name = checkDisplayName(input.displayName);
  const issues = [
    usernameIssue(input.username),
    roleIssue(input.role),
    'issue' in name ? name.issue : null,
  ].filter((i): i is FieldIssue => i !== null);
  const hospital = input.role === 'hospital';
  if (hospital && input.venueId === undefined)
    issues.push({
      path: 'venueId',
      code: 'venue_required',
      message: 'Hospital staff work at one hospital: give the venueId of its approved hospital venue.',
    });
  if (!hospital && input.venueId !== undefined)
    issues.push({
      path: 'venueId',
      code: 'venue_not_allowed',
      message: 'Only hospital staff are tied to a venue; leave venueId out for this role.',
    });
  if (!hospital && input.divisionCodes === undefined)
    issues.push({
      path: 'divisionCodes',
      code: 'required',
      message: 'Give the jurisdiction: one or more division codes.',
    });
  if (input.divisionCodes !== undefined) issues.push(...divisionsIssues(input.divisionCodes));
  if (issues.length > 0 || 'issue' in name) throw invalid(issues);
  if (input.role === 'checkpoint')
    throw invalid([
      {
        path: 'role',
        code: 'role_invalid',
        message: 'Checkpoint staff are added by their venue’s manager (addVenueStaff), at their venue.',
      },
    ]);
  // A hospital account's jurisdiction is its venue's district: it reads only codes scanned there.
  const venue = hospital ? await requireHospitalVenue(p.db, input.venueId ?? 0) : null;
  const [first, ...more] = venue === null ? (input.divisionCodes ?? []) : [venue.divisionCode];
  if (first === undefined) throw invalid([]);
  const taken = () =>
    new AppError('staff_username_taken', `The username "${input.username}" is taken; choose another.`);
  if ((await findStaffByUsername(p.db, input.username)) !== null) throw taken();
  const now = p.clock.now();
  let staffId: number;
  try {
    staffId = await insertStaff(p.db, {
      username: input.username,
      displayName: name.value,
      // No password until the staff member sets one through the link: an empty hash matches none.
      passwordHash: '',
      passwordSet: false,
      role: input.role as StaffRole,
      divisionCode: first,
      moreDivisions: more,
      createdAt: now,
      ...(venue === null ? {} : { venueId: venue.id }),
    });
  } catch (error) {
    if ((await findStaffByUsername(p.db, input.username)) !== null) throw taken();
    throw error;
  }
  const setupLink = await newSetupLink(p, staffId, now);
  await auditStaff(p, admin, 'create_staff', {
    staffId,
    role: input.role,
    divisionCodes: [first, ...more],
    ...(venue === null ? {} : { venueId: venue.id }),
  });
  const created = await findStaffById(p.db, staffId);
  if (created === null) throw new Error('created staff account missing');
  return { account: accountView(created), setupLink };
}

export async function updateStaffAccountByAdmin(
  p: Platform,
  principal: Principal,
  staffId: number,
  input: {
    role?: string;
    divisionCodes?: readonly string[];
    displayName?: string;
    disabled?: boolean;
    newSetupLink?: boolean;
  },
): Promise<StaffAccountUpdatedResponse> {
  const admin = authorize(principal, 'updateStaffAccount');
  const issues: FieldIssue[] = [];
  if (input.role !== undefined) {
    const issue = roleIssue(input.role);
    if (issue !== null) issues.push(issue);
  }
  if (input.divisionCodes !== undefined) issues.push(...divisionsIssues(input.divisionCodes));
  let displayName: string | undefined;
  if (input.displayName !== undefined) {
    const name = checkDisplayName(input.displayName);
    if ('issue' in name) issues.push(name.issue);
    else displayName = name.value;
  }
  if (issues.length > 0) throw invalid(issues);
  const staff = await findStaffById(p.db, staffId);
  if (staff === null) throw new AppError('staff_not_found', `There is no staff account ${staffId}.`);
  // Checkpoint and hospital staff belong to a venue: the role and the venue go together.
  for (const venueRole of ['checkpoint', 'hospital'] as const)
    if (input.role !== undefined && (input.role === venueRole) !== (staff.role === venueRole))
      throw invalid([
        {
          path: 'role',
          code: 'role_invalid',
          message: `${venueRole === 'checkpoint' ? 'Checkpoint' : 'Hospital'} staff belong to a venue: they neither become nor stop being ${venueRole} staff here; create a new account instead.`,
        },
      ]);
  if (input.divisionCodes !== undefined && staff.role === 'hospital')
    throw invalid([
      {
        path: 'divisionCodes',
        code: 'division_fixed',
        message: 'A hospital account’s jurisdiction is its hospital’s district; it cannot be changed.',
      },
    ]);
  if (staff.id === admin.staffId && (input.disabled === true || (input.role ?? 'admin') !== 'admin'))
    throw new AppError('forbidden', 'You cannot disable or demote your own account; ask another admin.');
  const now = p.clock.now();
  const [first, ...more] = input.divisionCodes ?? [];
  const { sessionsRevoked } = await updateStaff(
    p.db,
    staff.id,
    {
      ...(input.role === undefined ? {} : { role: input.role as StaffRole }),
      ...(first === undefined ? {} : { divisionCodes: [first, ...more] as const }),
      ...(displayName === undefined ? {} : { displayName }),
      ...(input.disabled === undefined || input.disabled === staff.disabled
        ? {}
        : { disabledAt: input.disabled ? now : null }),
    },
    now,
  );
  // This node stops honouring the ended sessions at once; others within SESSION_CACHE_MS.
  if (sessionsRevoked > 0 || input.disabled === true) forgetStaffSessions(p, staff.id);
  const setupLink = input.newSetupLink === true ? await newSetupLink(p, staff.id, now) : null;
  await auditStaff(p, admin, 'update_staff', {
    staffId: staff.id,
    ...(input.role === undefined ? {} : { role: input.role }),
    ...(input.divisionCodes === undefined ? {} : { divisionCodes: input.divisionCodes }),
    ...(input.displayName === undefined ? {} : { displayNameChanged: true }),
    ...(input.disabled === undefined ? {} : { disabled: input.disabled }),
    newSetupLink: setupLink !== null,
    sessionsRevoked,
  });
  const updated = await findStaffById(p.db, staff.id);
  if (updated === null) throw new Error('updated staff account missing');
  return { account: accountView(updated), sessionsRevoked, setupLink };
}

export async function listStaffAccountsByAdmin(
  p: Platform,
  principal: Principal,
): Promise<{ accounts: StaffAccountResponse[] }> {
  authorize(principal, 'listStaffAccounts');
  return { accounts: (await listStaff(p.db)).map(accountView) };
}

/**
 * The staff member follows the one-time link: sets the password and, for a role that needs a second
 * factor in production (officers, admins, auditors; optional for them in demo mode, where
 * `enrolSecondFactor` asks for it), enrols TOTP — the answer carries the otpauth URI once. The link
 * works once and until it expires; the account's sessions end.
 */
export async function setStaffPassword(
  p: Platform,
  input: { token: string; password: string; enrolSecondFactor?: boolean },
): Promise<StaffPasswordSetResponse> {
  const issue = passwordIssue(input.password);
  if (issue !== null) throw invalid([issue]);
  const now = p.clock.now();
  let enrolled: { username: string; secret: string | null } | null = null;
  const used = await useSetupToken(p.db, hashSetupToken(input.token), now, async (staffId) => {
    const staff = await findStaffById(p.db, staffId);
    const wantsTotp =
      staff !== null &&
      SECOND_FACTOR_ROLES.includes(staff.role) &&
      (p.config.mode === 'production' || input.enrolSecondFactor !== false);
    const secret = wantsTotp ? authenticator.generateSecret() : null;
    enrolled = { username: staff?.username ?? '', secret };
    return {
      passwordHash: await hashPassword(input.password),
      totpSecret: secret === null ? null : sealTotpSecret(p.sealer, staffId, secret),
    };
  });
  if (!used.ok) {
    if (used.reason === 'expired')
      throw new AppError('setup_link_expired', 'This link has expired; ask an administrator for a new one.');
    throw new AppError(
      'setup_link_invalid',
      used.reason === 'used'
        ? 'This link was already used; ask an administrator for a new one.'
        : 'This link is not valid; check that it was copied whole.',
    );
  }
  forgetStaffSessions(p, used.staffId);
  const done = enrolled as { username: string; secret: string | null } | null;
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: used.staffId,
    action: 'set_staff_password',
    residentId: null,
    detail: { staffId: used.staffId, secondFactorEnrolled: done?.secret != null },
  });
  const username = done?.username ?? '';
  const secret = done?.secret ?? null;
  return {
    username,
    secondFactor:
      secret === null ? null : { otpauthUri: authenticator.keyuri(username, TOTP_ISSUER, secret), secret },
  };
}
