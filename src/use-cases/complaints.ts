import { randomUUID } from 'node:crypto';
import { formatChinaTime } from '../domain/china-time.ts';
import { DEFAULT_SERVICES, VENUE_COMPLAINT_WINDOW_DAYS } from '../domain/colour/index.ts';
import { coveredDivisionsPatterns, jurisdictionCovers } from '../domain/jurisdiction.ts';
import { DAY_MS, type EpochMs } from '../domain/types.ts';
import {
  COMPLAINTS_PAGE,
  MAX_COMPLAINTS_PAGE,
  type ComplaintFiledResponse,
  type ComplaintPageResponse,
} from '../contracts/overrides-complaints.ts';
import { readResidentByAccount } from '../storage/residents.ts';
import {
  countComplaintsSince,
  insertComplaint,
  listComplaints,
  type VenueComplaintKind,
} from '../storage/venue-complaints.ts';
import { findVenue, type VenueRow } from '../storage/venues.ts';
import { authorize } from './access.ts';
import { AppError, invalid } from './errors.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/** The policy's flag threshold: more complaints than this in 30 days flags a venue (S16). */
export async function complaintFlagThreshold(p: Platform, now: EpochMs): Promise<number> {
  const services = (await p.policies.current(now)).services ?? DEFAULT_SERVICES;
  return services.venueComplaintsFlag;
}

/** Complaints of the last 30 days per venue, and whether each is flagged, for venue lists. */
export async function venueComplaintFlags(
  p: Platform,
  venueIds: readonly number[],
  now: EpochMs,
): Promise<{ threshold: number; counts: Map<number, number> }> {
  const [threshold, counts] = await Promise.all([
    complaintFlagThreshold(p, now),
    countComplaintsSince(p.db, venueIds, now - VENUE_COMPLAINT_WINDOW_DAYS * DAY_MS),
  ]);
  return { threshold, counts };
}

/**
 * A resident complains about a venue (S16): one that does not check codes, that records personal
 * health information, or that turns a green code away. The complaint goes to the venue's district
 * (listVenueComplaints). An unknown venue is 404 venue_not_found, and nothing is stored.
 */
export async function fileVenueComplaint(
  p: Platform,
  principal: Principal,
  input: { venueId: number; kind: VenueComplaintKind; text: string },
): Promise<ComplaintFiledResponse> {
  const caller = authorize(principal, 'fileVenueComplaint');
  const now = p.clock.now();
  const text = input.text.normalize('NFC').trim();
  if (text.length === 0)
    throw invalid([{ path: 'text', code: 'field_required', message: 'Say what happened.' }]);
  const venue = await findVenue(p.db, input.venueId);
  if (venue === null) throw new AppError('venue_not_found', `There is no venue ${input.venueId}.`);
  const resident = await readResidentByAccount(p.database, caller.accountId);
  if (resident === null) throw new AppError('application_required', 'No application yet: apply first.');
  const id = randomUUID();
  await insertComplaint(p.db, {
    id,
    venueId: venue.id,
    divisionCode: venue.divisionCode,
    residentId: resident.id,
    kind: input.kind,
    text,
    filedAt: now,
  });
  return { complaintId: id, venueId: venue.id, kind: input.kind, filedAt: formatChinaTime(now) };
}

const CURSOR = /^(\d{1,15}):([0-9a-f-]{36})$/;

/**
 * Complaints about venues of the officer's jurisdiction (all for admins), newest first, each with
 * its venue's 30-day count and flag. `venueId` narrows to one venue, which must lie inside the
 * jurisdiction.
 */
export async function listVenueComplaints(
  p: Platform,
  principal: Principal,
  query: { venueId?: number | undefined; before?: string | undefined; limit?: number | undefined },
): Promise<ComplaintPageResponse> {
  const staff = authorize(principal, 'listVenueComplaints');
  const now = p.clock.now();
  let before: { filedAt: number; id: string } | undefined;
  if (query.before !== undefined) {
    const m = CURSOR.exec(query.before);
    if (m === null)
      throw invalid([{ path: 'before', code: 'cursor_invalid', message: 'Pass the nextBefore of a page.' }]);
    before = { filedAt: Number(m[1]), id: m[2] ?? '' };
  }
  if (query.venueId !== undefined) {
    const venue = await findVenue(p.db, query.venueId);
    if (venue === null) throw new AppError('venue_not_found', `There is no venue ${query.venueId}.`);
    if (!jurisdictionCovers(staff.divisionCodes, venue.divisionCode))
      throw new AppError('out_of_jurisdiction', 'This venue is outside your jurisdiction.');
  }
  const limit = Math.min(Math.max(query.limit ?? COMPLAINTS_PAGE, 1), MAX_COMPLAINTS_PAGE);
  const rows = await listComplaints(p.db, {
    patterns: coveredDivisionsPatterns(staff.divisionCodes),
    ...(query.venueId === undefined ? {} : { venueId: query.venueId }),
    ...(before === undefined ? {} : { before }),
    limit,
  });
  const venueIds = [...new Set(rows.map((r) => r.venueId))];
  const venues = new Map<number, VenueRow>();
  for (const id of venueIds) {
    const v = await findVenue(p.db, id);
    if (v !== null) venues.set(id, v);
  }
  const { threshold, counts } = await venueComplaintFlags(p, venueIds, now);
  const last = rows.at(-1);
  return {
    complaints: rows.map((r) => {
      const count = counts.get(r.venueId) ?? 0;
      return {
        complaintId: r.id,
        venue: {
          id: r.venueId,
          name: venues.get(r.venueId)?.name ?? '',
          divisionCode: r.divisionCode,
          complaints30Days: count,
          flagged: count > threshold,
        },
        kind: r.kind,
        text: r.text,
        filedAt: formatChinaTime(r.filedAt),
      };
    }),
    flagThreshold: threshold,
    nextBefore: rows.length === limit && last !== undefined ? `${last.filedAt}:${last.id}` : null,
  };
}
