import type { ChannelScope } from '../domain/channels.ts';
import type { StaffRole } from '../domain/types.ts';
import { AppError } from './errors.ts';
import type { Caller as CallerPrincipal, ChannelPrincipal, Principal } from './sign-in.ts';

/**
 * Who may call each operation: one table (issue 8, finding 13). The HTTP layer enforces the
 * callers in one hook before any handler runs and publishes them in /openapi.json as `x-roles`;
 * the use cases call `authorize` with the same entry, so a use case called from elsewhere (the
 * CLI, a job) holds the same line. `rule` says what is checked on top of the role, against data
 * (which venue, which district) — the use case enforces it, and its test proves it.
 */
export type Caller = 'anyone' | 'signed_in' | 'resident' | 'channel' | StaffRole;

export type AccessRule =
  /** no personal data, no check beyond the caller kind */
  | 'none'
  /** the caller's own account and record only */
  | 'self'
  /** a family member's record: the resident who holds their code (proxy), or the member themself */
  | 'proxy_or_member'
  /** residents: venues they manage; staff: venues of their jurisdiction */
  | 'venue_manager_or_jurisdiction'
  /** the resident who registered the venue */
  | 'venue_manager'
  /** checkpoint staff: their own approved venue; officers: venues of their jurisdiction */
  | 'venue_staff_or_jurisdiction'
  /** officers: residents, imports, reports and figures of their division and below; admins: all */
  | 'jurisdiction'
  /** the whole province: admins */
  | 'province'
  /** hospital staff: at their own approved hospital venue, about the holder of the code they scanned */
  | 'hospital_staff';

export interface Access {
  /** At least one caller kind: an operation that declares none does not compile (nor start). */
  readonly callers: readonly [Caller, ...Caller[]];
  readonly rule: AccessRule;
  /** Run from the `healthcode` command line only, not over HTTP (so not in /openapi.json). */
  readonly cliOnly?: true;
}

const ANYONE = ['anyone'] as const;
const RESIDENT = ['resident'] as const;
const ALL_STAFF = ['checkpoint', 'officer', 'admin'] as const;
const OFFICERS = ['officer', 'admin'] as const;
const ADMIN = ['admin'] as const;
/** Staff of a registered hospital venue (issue 11, S17): nobody else reads identity off a code. */
const HOSPITAL = ['hospital'] as const;
/** The audit log: auditors (nothing personal in it) and admins. */
const AUDIT_READERS = ['auditor', 'admin'] as const;

export const ACCESS = {
  // Signing in
  requestSignInCode: { callers: ANYONE, rule: 'none' },
  signIn: { callers: ANYONE, rule: 'none' },
  staffSignIn: { callers: ANYONE, rule: 'none' },
  signOut: { callers: ['signed_in'], rule: 'self' },
  // Residents
  submitApplication: { callers: RESIDENT, rule: 'self' },
  getMyApplication: { callers: RESIDENT, rule: 'self' },
  getMyCode: { callers: RESIDENT, rule: 'self' },
  getMyCodeImage: { callers: RESIDENT, rule: 'self' },
  scanPlaceCode: { callers: RESIDENT, rule: 'self' },
  listMyDataAccess: { callers: RESIDENT, rule: 'self' },
  getMyAccessLog: { callers: RESIDENT, rule: 'proxy_or_member' },
  // Family members and paper codes (S3)
  addFamilyMember: { callers: RESIDENT, rule: 'self' },
  listFamilyMembers: { callers: RESIDENT, rule: 'self' },
  removeFamilyMember: { callers: RESIDENT, rule: 'proxy_or_member' },
  getFamilyMemberCode: { callers: RESIDENT, rule: 'proxy_or_member' },
  printPaperCode: { callers: RESIDENT, rule: 'proxy_or_member' },
  revokePaperCode: { callers: RESIDENT, rule: 'proxy_or_member' },
  printPaperCodesInBulk: { callers: OFFICERS, rule: 'jurisdiction', cliOnly: true },
  // Arrivals (S8, S9): for oneself, and for family members travelling along
  submitArrivalDeclaration: { callers: RESIDENT, rule: 'proxy_or_member' },
  listMyArrivalDeclarations: { callers: RESIDENT, rule: 'proxy_or_member' },
  // Feedback, appeals and notices (S14, P4; issue 10 items 4 and 8)
  submitFeedback: { callers: RESIDENT, rule: 'self' },
  listMyFeedback: { callers: RESIDENT, rule: 'proxy_or_member' },
  listFeedback: { callers: OFFICERS, rule: 'jurisdiction' },
  answerFeedback: { callers: OFFICERS, rule: 'jurisdiction' },
  getMyColourInputs: { callers: RESIDENT, rule: 'proxy_or_member' },
  fileAppeal: { callers: RESIDENT, rule: 'proxy_or_member' },
  listAppeals: { callers: OFFICERS, rule: 'jurisdiction' },
  answerAppeal: { callers: OFFICERS, rule: 'jurisdiction' },
  getAttachment: { callers: OFFICERS, rule: 'jurisdiction' },
  listMyNotices: { callers: RESIDENT, rule: 'proxy_or_member' },
  countMyUnreadNotices: { callers: RESIDENT, rule: 'proxy_or_member' },
  // Checkpoints
  verifyCode: { callers: ALL_STAFF, rule: 'venue_staff_or_jurisdiction' },
  recordCheckpointCheck: { callers: ALL_STAFF, rule: 'venue_staff_or_jurisdiction' },
  lookupByDocument: { callers: ALL_STAFF, rule: 'venue_staff_or_jurisdiction' },
  listVenueChecks: { callers: ['resident', ...OFFICERS], rule: 'venue_manager_or_jurisdiction' },
  getCheckpointPolicy: { callers: ALL_STAFF, rule: 'none' },
  publishCheckpointPolicy: { callers: ADMIN, rule: 'province' },
  // Venues and place codes
  registerVenue: { callers: RESIDENT, rule: 'self' },
  approveVenue: { callers: OFFICERS, rule: 'jurisdiction' },
  listVenues: { callers: ['resident', ...ALL_STAFF], rule: 'venue_staff_or_jurisdiction' },
  addVenueStaff: { callers: RESIDENT, rule: 'venue_manager' },
  removeVenueStaff: { callers: RESIDENT, rule: 'venue_manager' },
  getPlaceCode: { callers: ['resident', ...OFFICERS], rule: 'venue_manager_or_jurisdiction' },
  getPlacePoster: { callers: ['resident', ...OFFICERS], rule: 'venue_manager_or_jurisdiction' },
  revokePlaceCode: { callers: ['resident', ...OFFICERS], rule: 'venue_manager_or_jurisdiction' },
  listVenueVisits: { callers: OFFICERS, rule: 'jurisdiction' },
  // Epidemic control
  addResidentFact: { callers: OFFICERS, rule: 'jurisdiction' },
  endResidentFact: { callers: OFFICERS, rule: 'jurisdiction' },
  importRecords: { callers: OFFICERS, rule: 'jurisdiction' },
  getImportStatus: { callers: OFFICERS, rule: 'jurisdiction' },
  listImports: { callers: OFFICERS, rule: 'jurisdiction' },
  listReports: { callers: OFFICERS, rule: 'jurisdiction' },
  acknowledgeReport: { callers: OFFICERS, rule: 'jurisdiction' },
  streamReports: { callers: OFFICERS, rule: 'jurisdiction' },
  getColourStatistics: { callers: OFFICERS, rule: 'jurisdiction' },
  declareRiskArea: { callers: ADMIN, rule: 'province' },
  liftRiskArea: { callers: ADMIN, rule: 'province' },
  listRiskAreas: { callers: ALL_STAFF, rule: 'none' },
  previewPolicy: { callers: ADMIN, rule: 'province' },
  publishPolicy: { callers: ADMIN, rule: 'province' },
  rollbackPolicy: { callers: ADMIN, rule: 'province' },
  listPolicies: { callers: OFFICERS, rule: 'none' },
  // Colour overrides (P4): requested by one officer, in force once a second one approves
  requestColourOverride: { callers: OFFICERS, rule: 'jurisdiction' },
  approveColourOverride: { callers: OFFICERS, rule: 'jurisdiction' },
  listColourOverrides: { callers: OFFICERS, rule: 'jurisdiction' },
  // Venue complaints (S16): filed by residents, for the venue's district
  fileVenueComplaint: { callers: RESIDENT, rule: 'self' },
  listVenueComplaints: { callers: OFFICERS, rule: 'jurisdiction' },
  // Staff accounts and the audit log (issue 10)
  createStaffAccount: { callers: ADMIN, rule: 'province' },
  updateStaffAccount: { callers: ADMIN, rule: 'province' },
  listStaffAccounts: { callers: ADMIN, rule: 'province' },
  setStaffPassword: { callers: ANYONE, rule: 'none' },
  listAuditLog: { callers: AUDIT_READERS, rule: 'province' },
  lookupResident: { callers: OFFICERS, rule: 'jurisdiction' },
  // Platform
  getSigningKeys: { callers: ANYONE, rule: 'none' },
  getHealth: { callers: ANYONE, rule: 'none' },
  getSupportContact: { callers: ANYONE, rule: 'none' },
  // Partner channels (issue 11 item 1, S2): admins register them; a channel signs in with OAuth 2.0
  // client credentials and opens resident sessions limited by CHANNEL_SCOPE below
  registerChannel: { callers: ADMIN, rule: 'province' },
  listChannels: { callers: ADMIN, rule: 'province' },
  rotateChannelSecret: { callers: ADMIN, rule: 'province' },
  updateChannelStatus: { callers: ADMIN, rule: 'province' },
  channelToken: { callers: ANYONE, rule: 'none' },
  channelActForUser: { callers: ['channel'], rule: 'none' },
  // Hospitals (issue 11 item 2, S17): the code as the electronic health card, fever-clinic visits
  hospitalReadCard: { callers: HOSPITAL, rule: 'hospital_staff' },
  recordFeverClinicVisit: { callers: HOSPITAL, rule: 'hospital_staff' },
} as const satisfies Record<string, Access>;

export type OperationId = keyof typeof ACCESS;

export function isOperationId(id: string): id is OperationId {
  return Object.hasOwn(ACCESS, id);
}

/**
 * The resident operations a channel's session may call, each with the scope it needs ('any': every
 * channel session, e.g. to end itself). Beside ACCESS so the two are read together; published in
 * /openapi.json as `x-channel-scope` and enforced in `authorize`. Resident operations not listed
 * (the access log, feedback and appeals, venues, complaints) are for the resident's own sign-in.
 */
export const CHANNEL_SCOPE: Partial<Record<OperationId, ChannelScope | 'any'>> = {
  signOut: 'any',
  getMyCode: 'code:read',
  getMyCodeImage: 'code:read',
  getMyApplication: 'application:read',
  submitApplication: 'application:write',
  scanPlaceCode: 'place:scan',
  listFamilyMembers: 'family:read',
  getFamilyMemberCode: 'family:read',
  addFamilyMember: 'family:write',
  removeFamilyMember: 'family:write',
  listMyArrivalDeclarations: 'arrival:read',
  submitArrivalDeclaration: 'arrival:write',
  listMyNotices: 'notices:read',
  countMyUnreadNotices: 'notices:read',
};

type StaffPrincipal = Extract<Principal, { kind: 'staff' }>;
type ResidentPrincipal = Extract<Principal, { kind: 'resident' }>;
type CallersOf<Op extends OperationId> = (typeof ACCESS)[Op]['callers'][number];

/** The principal narrowed to what the operation's callers allow. */
export type PrincipalFor<Op extends OperationId> = [CallersOf<Op>] extends [StaffRole]
  ? StaffPrincipal
  : [CallersOf<Op>] extends ['resident']
    ? ResidentPrincipal
    : [CallersOf<Op>] extends ['channel']
      ? ChannelPrincipal
      : Principal;

/** Whether the operation admits callers who are not signed in. */
export function isPublic(op: OperationId): boolean {
  return (ACCESS[op].callers as readonly Caller[]).includes('anyone');
}

function admits(callers: readonly Caller[], principal: CallerPrincipal): boolean {
  if (callers.includes('anyone')) return true;
  // A channel's own access token serves the channel operations only (not even signOut).
  if (principal.kind === 'channel') return callers.includes('channel');
  if (callers.includes('signed_in')) return true;
  if (principal.kind === 'resident') return callers.includes('resident');
  return callers.includes(principal.role);
}

const CALLER_TEXT: Record<Caller, string> = {
  anyone: 'anyone',
  signed_in: 'anyone signed in',
  resident: 'residents signed in with a mobile number',
  channel: 'partner channels (their client-credentials access token)',
  checkpoint: 'checkpoint staff',
  officer: 'district officers',
  admin: 'provincial admins',
  auditor: 'auditors',
  hospital: 'hospital staff (of an approved hospital venue)',
};

/** The caller kinds of an operation, for a person to read. */
export function describeCallers(op: OperationId): string {
  return (ACCESS[op].callers as readonly Caller[]).map((c) => CALLER_TEXT[c]).join(', ');
}

/**
 * Refuses (403 `forbidden`) a principal the operation's table entry does not admit, and (403
 * `channel_scope_missing`) a resident session a channel opened when the operation is not open to
 * channels or needs a scope the session does not hold.
 */
export function authorize<Op extends OperationId>(principal: CallerPrincipal, op: Op): PrincipalFor<Op> {
  if (!admits(ACCESS[op].callers, principal)) {
    throw new AppError('forbidden', `${op} is for ${describeCallers(op)}.`);
  }
  if (principal.kind === 'resident' && principal.channel !== undefined && !isPublic(op)) {
    const needed = CHANNEL_SCOPE[op];
    if (needed === undefined)
      throw new AppError(
        'channel_scope_missing',
        `${op} is not open to partner channels; the resident uses it signed in on the platform's own app.`,
      );
    if (needed !== 'any' && !principal.channel.scopes.includes(needed))
      throw new AppError(
        'channel_scope_missing',
        `${op} needs the scope ${needed}, which this channel's session does not hold; ask the provincial admin to grant it.`,
      );
  }
  return principal as PrincipalFor<Op>;
}
