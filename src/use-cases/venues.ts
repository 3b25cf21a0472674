import { maskName } from '../domain/identity/index.ts';
import { formatChinaTime, parseInstant } from '../domain/china-time.ts';
import { codeKid, encodeHealthCode, renderQrPng, renderQrSvg } from '../domain/token/index.ts';
import { DAY_MS, type EpochMs, type FieldIssue } from '../domain/types.ts';
import { VENUE_KIND_LABEL, validateVenueInput } from '../domain/venues/index.ts';
import { renderPlacePoster } from '../poster/index.ts';
import {
  approveVenueRow,
  disableVenueStaff,
  findStaffVenue,
  findVenue,
  insertVenue,
  insertVenueStaff,
  listVenues as listVenueRows,
  listVisits,
  replacePlaceCode,
  type VenueRow,
} from '../storage/venues.ts';
import { readResidentByAccount } from '../storage/residents.ts';
import { findStaffByUsername } from '../storage/staff.ts';
import {
  MAX_VENUES_PAGE,
  VENUES_PAGE,
  type PlaceCodeResponse,
  type PlaceScanResponse,
  type StaffAddedResponse,
  type VenueResponse,
  type VisitResponse,
} from '../contracts/venues.ts';
import { authorize } from './access.ts';
import { venueComplaintFlags } from './complaints.ts';
import { AppError, invalid } from './errors.ts';
import { jurisdictionCovers } from '../domain/jurisdiction.ts';
import { spoofingText } from '../domain/text.ts';
import { revokeSigningKey } from './keyring.ts';
import { announce } from './changes.ts';
import { getMyCode } from './health-code.ts';
import { hashPassword } from './passwords.ts';
import type { Platform } from './platform.ts';
import { forgetStaffSessions, type Principal } from './sign-in.ts';

type Staff = Principal & { kind: 'staff' };

/** A place code is printed and hung on a wall: it lives until revoked, not for minutes. */
export const PLACE_CODE_LIFETIME_MS = 3652 * DAY_MS;

export function venueView(v: VenueRow): VenueResponse {
  return {
    venueId: v.id,
    id: v.id,
    name: v.name,
    kind: v.kind,
    kindLabel: VENUE_KIND_LABEL[v.kind],
    address: { divisionCode: v.divisionCode, detail: v.addressDetail },
    contact: { name: v.contactName, mobile: v.contactMobile },
    status: v.status,
    createdAt: formatChinaTime(v.createdAt as EpochMs),
    approvedAt: v.approvedAt === null ? null : formatChinaTime(v.approvedAt as EpochMs),
    placeCodeVersion: v.placeCodeVersion,
  };
}

/** Place-code subject: u64 BE venue id ‖ u32 BE place-code version ‖ 4 zero bytes (in clear: a venue is public). */
export function placeCodeSubject(venueId: number, version: number): Uint8Array {
  const subject = Buffer.alloc(16);
  subject.writeBigUInt64BE(BigInt(venueId), 0);
  subject.writeUInt32BE(version, 8);
  return new Uint8Array(subject);
}

export function parsePlaceCodeSubject(subject: Uint8Array): { venueId: number; version: number } | null {
  if (subject.length !== 16) return null;
  const b = Buffer.from(subject);
  if (b.readUInt32BE(12) !== 0) return null;
  const id = b.readBigUInt64BE(0);
  if (id < 1n || id > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { venueId: Number(id), version: b.readUInt32BE(8) };
}

async function signPlaceCode(
  p: Platform,
  venueId: number,
  version: number,
  issuedAt: EpochMs,
): Promise<string> {
  await p.keyring.refresh(issuedAt);
  return encodeHealthCode(
    {
      kind: 'place',
      colour: 'green',
      issuer: p.config.issuer,
      issuedAt,
      expiresAt: (issuedAt + PLACE_CODE_LIFETIME_MS) as EpochMs,
      subject: placeCodeSubject(venueId, version),
    },
    p.keyring.activeKey(),
  );
}

/** The link a place code is also reachable as: the phone camera opens it in the resident web app. */
export function placeCodeUrl(origin: string, code: string): string {
  return `${origin}/scan?c=${encodeURIComponent(code)}`;
}

export async function requireVenue(p: Platform, venueId: number): Promise<VenueRow> {
  const venue = await findVenue(p.db, venueId);
  if (venue === null) throw new AppError('venue_not_found', `There is no venue ${venueId}.`);
  return venue;
}

function requireManager(principal: Principal, venue: VenueRow): void {
  if (principal.kind !== 'resident' || principal.accountId !== venue.managerAccountId) {
    throw new AppError('not_venue_manager', 'Only the manager who registered this venue may do this.');
  }
}

function requireOfficerOf(principal: Staff, venue: VenueRow): void {
  if (principal.role !== 'officer' && principal.role !== 'admin') {
    throw new AppError('forbidden', 'This operation is for district officers and provincial admins.');
  }
  if (!jurisdictionCovers(principal.divisionCodes, venue.divisionCode)) {
    throw new AppError('out_of_jurisdiction', 'This venue is outside your jurisdiction.');
  }
}

/** The venue's manager, an officer of its area, or an admin (P3: what a venue's own people may see). */
export function requireVenueReader(principal: Principal, venue: VenueRow): void {
  if (principal.kind === 'resident') requireManager(principal, venue);
  else requireOfficerOf(principal, venue);
}

function requireApproved(venue: VenueRow): asserts venue is VenueRow & { placeCode: string } {
  if (venue.status !== 'approved' || venue.placeCode === null) {
    throw new AppError(
      'venue_not_approved',
      'The venue has not been approved yet; the district office approves it before it gets a place code.',
    );
  }
}

/** A resident registers a venue and becomes its manager; it waits for the district office's approval. */
export async function registerVenue(
  p: Platform,
  principal: Principal,
  input: unknown,
): Promise<VenueResponse> {
  const resident = authorize(principal, 'registerVenue');
  const checked = validateVenueInput(input);
  if (!checked.ok) throw invalid(checked.issues);
  const v = checked.value;
  const venue = await insertVenue(p.db, {
    name: v.name,
    kind: v.kind,
    divisionCode: v.address.divisionCode,
    addressDetail: v.address.detail,
    contactName: v.contact.name,
    contactMobile: v.contact.mobile,
    managerAccountId: resident.accountId,
    createdAt: p.clock.now(),
  });
  return venueView(venue);
}

/** A district officer of the venue's area (or an admin) approves it; place code version 1 is issued. */
export async function approveVenue(
  p: Platform,
  principal: Principal,
  venueId: number,
): Promise<VenueResponse> {
  const officer = authorize(principal, 'approveVenue');
  const venue = await requireVenue(p, venueId);
  requireOfficerOf(officer, venue);
  if (venue.status === 'approved')
    throw new AppError('venue_already_approved', 'This venue is already approved.');
  const now = p.clock.now();
  const issuedAt = (Math.floor(now / 1000) * 1000) as EpochMs;
  const placeCode = await signPlaceCode(p, venue.id, 1, issuedAt);
  if (
    !(await approveVenueRow(p.db, venue.id, {
      approvedAt: issuedAt,
      approvedBy: officer.staffId,
      placeCode,
    }))
  ) {
    throw new AppError('venue_already_approved', 'This venue was approved a moment ago.');
  }
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: officer.staffId,
    action: 'approve_venue',
    residentId: null,
    detail: { venueId: venue.id },
  });
  return venueView(await requireVenue(p, venue.id));
}

/**
 * Venues the caller may see, oldest first, a page at a time: a manager's own, an officer's
 * jurisdiction, every venue for a provincial admin, the own venue for checkpoint staff. `nextAfter`
 * is the `after` of the next page, null on the last.
 */
export async function listVenues(
  p: Platform,
  principal: Principal,
  query: {
    status?: 'pending' | 'approved';
    division?: string;
    after?: number | undefined;
    limit?: number | undefined;
  },
): Promise<{ venues: VenueResponse[]; nextAfter: number | null }> {
  const divisions = query.division === undefined ? [] : [query.division];
  const limit = Math.min(Math.max(query.limit ?? VENUES_PAGE, 1), MAX_VENUES_PAGE);
  const page = {
    limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.after === undefined ? {} : { afterId: query.after }),
  };
  let rows: VenueRow[];
  if (principal.kind === 'resident') {
    rows = await listVenueRows(p.db, { managerAccountId: principal.accountId, divisions, ...page });
  } else if (principal.role === 'officer' || principal.role === 'admin') {
    rows = await listVenueRows(p.db, { jurisdiction: principal.divisionCodes, divisions, ...page });
  } else {
    // Checkpoint staff: the venue they check at, if any — one page, whatever was asked.
    const own = await findStaffVenue(p.db, principal.staffId);
    const venue =
      own?.venueId == null || query.after !== undefined ? null : await findVenue(p.db, own.venueId);
    return { venues: venue === null ? [] : await withComplaintFlags(p, [venue]), nextAfter: null };
  }
  const last = rows.at(-1);
  return {
    venues: await withComplaintFlags(p, rows),
    nextAfter: rows.length === limit && last !== undefined ? last.id : null,
  };
}

/** Venue views with their 30-day complaint count and flag (S16, issue 10 item 5). */
async function withComplaintFlags(p: Platform, rows: readonly VenueRow[]): Promise<VenueResponse[]> {
  const { threshold, counts } = await venueComplaintFlags(
    p,
    rows.map((v) => v.id),
    p.clock.now(),
  );
  return rows.map((v) => {
    const count = counts.get(v.id) ?? 0;
    return { ...venueView(v), complaints30Days: count, flagged: count > threshold };
  });
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{2,31}$/;

/** The manager creates a checkpoint staff account for the venue (S6): it checks at this venue only. */
export async function addVenueStaff(
  p: Platform,
  principal: Principal,
  venueId: number,
  input: { username: string; displayName: string; password: string },
): Promise<StaffAddedResponse> {
  const venue = await requireVenue(p, venueId);
  requireManager(principal, venue);
  const username = input.username.trim().toLowerCase();
  const displayName = input.displayName.normalize('NFC').trim().replace(/\s+/gu, ' ');
  const issues: FieldIssue[] = [];
  if (!USERNAME.test(username)) {
    issues.push({
      path: 'username',
      code: 'username_invalid',
      message:
        'Use 3–32 characters: lower-case letters, digits, dot, dash or underscore, starting with a letter or digit.',
    });
  }
  if (displayName === '' || [...displayName].length > 64 || /\p{Cc}/u.test(displayName)) {
    issues.push({
      path: 'displayName',
      code: 'display_name_invalid',
      message: 'Enter a display name of 1–64 characters.',
    });
  } else if (spoofingText(displayName) !== null) {
    issues.push({
      path: 'displayName',
      code: 'invisible_characters',
      message: `Enter the display name again: it ${spoofingText(displayName) ?? ''}.`,
    });
  }
  if (input.password.length < 10) {
    issues.push({
      path: 'password',
      code: 'password_too_short',
      message: 'Use a password of at least 10 characters.',
    });
  }
  if (issues.length > 0) throw invalid(issues);
  if ((await findStaffByUsername(p.db, username)) !== null) {
    throw new AppError('staff_username_taken', `The username "${username}" is taken; choose another.`);
  }
  const now = p.clock.now();
  let staffId: number;
  try {
    staffId = await insertVenueStaff(p.db, {
      venueId: venue.id,
      username,
      displayName,
      passwordHash: await hashPassword(input.password),
      divisionCode: venue.divisionCode,
      createdAt: now,
    });
  } catch (error) {
    // Two managers choosing the same name at once: the unique index decides.
    if ((await findStaffByUsername(p.db, username)) !== null) {
      throw new AppError('staff_username_taken', `The username "${username}" is taken; choose another.`);
    }
    throw error;
  }
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: principal.kind === 'resident' ? principal.accountId : null,
    action: 'add_venue_staff',
    residentId: null,
    detail: { venueId: venue.id, staffId, username },
  });
  return { staffId, username, displayName };
}

/**
 * The manager disables a staff account of the venue; its sessions end at once on this node, on
 * other nodes within SESSION_CACHE_MS (1 s).
 */
export async function removeVenueStaff(
  p: Platform,
  principal: Principal,
  venueId: number,
  staffId: number,
): Promise<void> {
  const venue = await requireVenue(p, venueId);
  requireManager(principal, venue);
  const staff = await findStaffVenue(p.db, staffId);
  if (staff === null || staff.venueId !== venue.id) {
    throw new AppError('not_found', `Staff member ${staffId} does not work at this venue.`);
  }
  const now = p.clock.now();
  await disableVenueStaff(p.db, venue.id, staffId, now);
  forgetStaffSessions(p, staffId);
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: principal.kind === 'resident' ? principal.accountId : null,
    action: 'remove_venue_staff',
    residentId: null,
    detail: { venueId: venue.id, staffId },
  });
}

export async function getPlaceCode(
  p: Platform,
  principal: Principal,
  venueId: number,
  origin: string,
): Promise<PlaceCodeResponse> {
  const venue = await requireVenue(p, venueId);
  requireVenueReader(principal, venue);
  requireApproved(venue);
  return {
    venueId: venue.id,
    version: venue.placeCodeVersion,
    code: venue.placeCode,
    url: placeCodeUrl(origin, venue.placeCode),
  };
}

export async function getPlaceCodeImage(
  p: Platform,
  principal: Principal,
  venueId: number,
  format: 'png' | 'svg',
): Promise<{ contentType: string; body: Buffer | string }> {
  const venue = await requireVenue(p, venueId);
  requireVenueReader(principal, venue);
  requireApproved(venue);
  return format === 'png'
    ? { contentType: 'image/png', body: await renderQrPng(venue.placeCode) }
    : { contentType: 'image/svg+xml', body: renderQrSvg(venue.placeCode) };
}

/** The printable A4 poster of the current place code (PDF). */
export async function getPlacePoster(
  p: Platform,
  principal: Principal,
  venueId: number,
  origin: string,
): Promise<Buffer> {
  const venue = await requireVenue(p, venueId);
  requireVenueReader(principal, venue);
  requireApproved(venue);
  const label = VENUE_KIND_LABEL[venue.kind];
  return renderPlacePoster({
    venueName: venue.name,
    venueKindLabelZh: label['zh-CN'],
    venueKindLabelEn: label.en,
    placeCodeText: venue.placeCode,
    url: placeCodeUrl(origin, venue.placeCode),
    support: p.config.support,
  });
}

/**
 * Revokes the place code and issues the next version (a poster was stolen or copied elsewhere):
 * codes of older versions are refused with place_code_revoked from now on.
 */
export async function revokePlaceCode(
  p: Platform,
  principal: Principal,
  venueId: number,
): Promise<{ venueId: number; version: number }> {
  const venue = await requireVenue(p, venueId);
  if (principal.kind === 'resident') requireManager(principal, venue);
  else requireOfficerOf(principal, venue);
  requireApproved(venue);
  const now = p.clock.now();
  // Whole seconds, and never the same second as the code it replaces, so the QR text always changes.
  const issuedAt = Math.max(Math.floor(now / 1000) * 1000, (venue.placeCodeIssuedAt ?? 0) + 1000) as EpochMs;
  const version = venue.placeCodeVersion + 1;
  const placeCode = await signPlaceCode(p, venue.id, version, issuedAt);
  if (
    !(await replacePlaceCode(p.db, venue.id, { fromVersion: venue.placeCodeVersion, issuedAt, placeCode }))
  ) {
    // Revoked by someone else a moment ago: that revocation already did what was asked.
    const current = await requireVenue(p, venue.id);
    return { venueId: current.id, version: current.placeCodeVersion };
  }
  await p.auditLog.write({
    at: now,
    actorKind: principal.kind,
    actorId: principal.kind === 'resident' ? principal.accountId : principal.staffId,
    action: 'revoke_place_code',
    residentId: null,
    detail: { venueId: venue.id, version },
  });
  return { venueId: venue.id, version };
}

/** A venue whose poster must be printed again: its place code was reissued. */
export interface ReissuedPlaceCode {
  readonly venueId: number;
  readonly name: string;
  readonly divisionCode: string;
  readonly addressDetail: string;
  /** The new place-code version (the old one scans as place_code_revoked). */
  readonly version: number;
}

/**
 * Re-signs, with the active key, every place code that `kid` signed, each as its venue's next
 * version; returns the venues whose posters must be printed again. Codes already reissued are not
 * touched again, so a run cut short is completed by running it again.
 */
export async function reissuePlaceCodesSignedBy(p: Platform, kid: string): Promise<ReissuedPlaceCode[]> {
  const now = p.clock.now();
  await p.keyring.refresh(now, true);
  if (p.keyring.activeKey().kid === kid) {
    throw new AppError(
      'forbidden',
      `${kid} is the active key: run "healthcode keys rotate" first, then revoke it.`,
    );
  }
  const reissued: ReissuedPlaceCode[] = [];
  let afterId: number | undefined;
  for (;;) {
    const page = await listVenueRows(p.db, {
      status: 'approved',
      limit: 1000,
      ...(afterId === undefined ? {} : { afterId }),
    });
    for (const row of page) {
      let venue: VenueRow | null = row;
      // A manager revoking the same place code at this moment: re-read, and re-sign if still needed.
      while (venue !== null && venue.placeCode !== null && codeKid(venue.placeCode) === kid) {
        const issuedAt = Math.max(
          Math.floor(now / 1000) * 1000,
          (venue.placeCodeIssuedAt ?? 0) + 1000,
        ) as EpochMs;
        const version = venue.placeCodeVersion + 1;
        const placeCode = await signPlaceCode(p, venue.id, version, issuedAt);
        if (
          await replacePlaceCode(p.db, venue.id, { fromVersion: venue.placeCodeVersion, issuedAt, placeCode })
        ) {
          reissued.push({
            venueId: venue.id,
            name: venue.name,
            divisionCode: venue.divisionCode,
            addressDetail: venue.addressDetail,
            version,
          });
          await p.auditLog.write({
            at: now,
            actorKind: 'system',
            actorId: null,
            action: 'reissue_place_code',
            residentId: null,
            detail: { venueId: venue.id, version, revokedKid: kid },
          });
          break;
        }
        venue = await findVenue(p.db, venue.id);
      }
    }
    const last = page.at(-1);
    if (last === undefined || page.length < 1000) break;
    afterId = last.id;
  }
  return reissued;
}

/**
 * Revokes a signing key (keyring.ts, revokeSigningKey) and reissues every place code it signed, so
 * that getPlaceCode hands out a code that scans again; the venues returned must reprint their poster.
 */
export async function revokeKeyAndReissuePlaceCodes(
  p: Platform,
  kid: string,
): Promise<{ kid: string; reissued: ReissuedPlaceCode[] }> {
  // Revoked first: a leaked key stops being honoured before anything else happens.
  await revokeSigningKey(p.db, kid, p.clock.now());
  p.keyring.invalidate();
  await announce(p, { kind: 'signing_keys' });
  return { kid, reissued: await reissuePlaceCodesSignedBy(p, kid) };
}

/** Accepts the QR text, or the link it is printed as (`…/scan?c=…`), which a phone camera may hand over. */
function placeCodeText(input: string): string {
  const trimmed = input.trim();
  if (!/^https?:\/\//i.test(trimmed)) return trimmed;
  try {
    return new URL(trimmed).searchParams.get('c') ?? trimmed;
  } catch {
    return trimmed;
  }
}

/** Reads a place code: the venue it names, or why not (place_code_invalid / _revoked, venue_*). */
export async function resolvePlaceCode(p: Platform, input: string, now: EpochMs): Promise<VenueRow> {
  const text = placeCodeText(input);
  const result = await p.keyring.verify(text, now);
  const notAPlaceCode = (why: string) =>
    new AppError(
      'place_code_invalid',
      `This is not a valid place code (${why}); scan the poster at the entrance.`,
    );
  if (!result.ok) throw notAPlaceCode(result.reason);
  if (p.keyring.status(result.kid) === 'revoked') {
    throw new AppError(
      'place_code_revoked',
      'This place code has been withdrawn; ask the venue for its new poster.',
    );
  }
  if (result.claims.kind !== 'place') throw notAPlaceCode('a personal health code, not a place code');
  const subject = parsePlaceCodeSubject(result.claims.subject);
  if (subject === null) throw notAPlaceCode('unknown venue');
  const venue = await findVenue(p.db, subject.venueId);
  if (venue === null) throw new AppError('venue_not_found', 'The venue of this place code no longer exists.');
  requireApproved(venue);
  if (subject.version !== venue.placeCodeVersion) {
    throw new AppError(
      'place_code_revoked',
      'This place code has been replaced by a newer one; ask the venue for its current poster.',
    );
  }
  return venue;
}

/**
 * A resident scans a venue's place code (S4): their own code comes back with the venue's name and the
 * time, for the guard to see, and the visit is recorded for tracing. A scan never changes a colour.
 */
export async function scanPlaceCode(
  p: Platform,
  principal: Principal,
  placeCode: string,
): Promise<PlaceScanResponse> {
  const caller = authorize(principal, 'scanPlaceCode');
  const now = p.clock.now();
  const venue = await resolvePlaceCode(p, placeCode, now);
  const myCode = await getMyCode(p, caller.accountId);
  const resident = await readResidentByAccount(p.database, caller.accountId);
  if (resident === null) throw new AppError('application_required', 'No application yet: apply first.');
  // Group-committed: stored and durable before the answer, one insert per batch of scans.
  await p.visitLog.write({ residentId: resident.id, venueId: venue.id, at: now });
  return {
    venue: { id: venue.id, name: venue.name, kind: venue.kind, kindLabel: VENUE_KIND_LABEL[venue.kind] },
    scannedAt: formatChinaTime(now),
    myCode,
  };
}

/** Default window of a visits or checks query: the last 14 days (the incubation period tracing looks at). */
export const DEFAULT_WINDOW_MS = 14 * DAY_MS;

/** Reads `from` / `to` query values (a date, or a date-time with offset); issues name the field. */
export function timeWindow(
  query: { from?: string; to?: string },
  now: EpochMs,
): { from: EpochMs; to: EpochMs } {
  const issues: FieldIssue[] = [];
  const parse = (field: 'from' | 'to'): EpochMs | null => {
    const text = query[field];
    if (text === undefined) return null;
    const at = parseInstant(text);
    if (at === null) {
      issues.push({
        path: field,
        code: 'time_invalid',
        message: `${field} must be a date (2026-11-20) or a date-time with an offset (2026-11-20T08:30:00+08:00).`,
      });
    }
    return at;
  };
  const to = parse('to') ?? ((now + 1) as EpochMs);
  const from = parse('from') ?? ((to - DEFAULT_WINDOW_MS) as EpochMs);
  if (issues.length > 0) throw invalid(issues);
  if (from > to)
    throw invalid([{ path: 'from', code: 'time_window_invalid', message: 'from must not be after to.' }]);
  return { from, to };
}

/**
 * Visits of a venue in a time window, for tracing (P3: officers of the area and admins only). Every
 * resident listed gets an audit entry: who read their visit, when, and why (the venue and window).
 */
export async function listVenueVisits(
  p: Platform,
  principal: Principal,
  venueId: number,
  query: { from?: string; to?: string },
): Promise<VisitResponse[]> {
  const officer = authorize(principal, 'listVenueVisits');
  const venue = await requireVenue(p, venueId);
  requireOfficerOf(officer, venue);
  const now = p.clock.now();
  const { from, to } = timeWindow(query, now);
  const visits = await listVisits(p.db, venue.id, from, to);
  const detail = { venueId: venue.id, from, to };
  const residents = [...new Set(visits.map((v) => v.residentId))];
  const entries =
    residents.length === 0
      ? [
          {
            at: now,
            actorKind: 'staff' as const,
            actorId: officer.staffId,
            action: 'read_venue_visits',
            residentId: null,
            detail,
          },
        ]
      : residents.map((residentId) => ({
          at: now,
          actorKind: 'staff' as const,
          actorId: officer.staffId,
          action: 'read_venue_visits',
          residentId,
          detail,
        }));
  // Recorded before the answer leaves (P3): a read nobody can see in the log must not happen.
  await Promise.all(entries.map((e) => p.auditLog.write(e)));
  return visits.map((v) => ({
    residentId: v.residentId,
    maskedName: maskName(v.name),
    at: formatChinaTime(v.at as EpochMs),
  }));
}
