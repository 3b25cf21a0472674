import { formatChinaTime, parseInstant } from '../domain/china-time.ts';
import type { Fact } from '../domain/colour/facts.ts';
import { DAY_MS, type EpochMs, type FieldIssue } from '../domain/types.ts';
import type {
  CardReadInput,
  FeverClinicVisitInput,
  FeverClinicVisitResponse,
  HealthCardResponse,
} from '../contracts/hospital.ts';
import { findFactResident, insertFacts } from '../storage/facts.ts';
import type { Db } from '../storage/database.ts';
import { findResidentById } from '../storage/residents.ts';
import { findStaffVenue, findVenue, type VenueRow } from '../storage/venues.ts';
import { authorize } from './access.ts';
import { loadColourContext, reassessResident } from './colour.ts';
import { AppError, invalid } from './errors.ts';
import { checkPersonalCode, FAILURE_MESSAGES } from './health-code.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/**
 * Hospitals (issue 11 item 2, S17): staff of a registered hospital venue read a resident's code as
 * the electronic health card — the identity that registration needs, to them alone, each read in
 * the audit log and the resident's access log — and record fever-clinic visits, which turn the
 * colour at once (the `feverClinic` fact, source `hospital`).
 */

/** How long after a visit the hospital may still record it. */
const VISIT_RECORDING_WINDOW_MS = 7 * DAY_MS;

/** An approved venue of kind hospital: what a hospital account is created for and works at. */
export async function requireHospitalVenue(db: Db, venueId: number): Promise<VenueRow> {
  const venue = await findVenue(db, venueId);
  if (venue === null) throw new AppError('venue_not_found', `There is no venue ${venueId}.`);
  if (venue.kind !== 'hospital')
    throw new AppError(
      'venue_not_hospital',
      `Venue ${venueId} (${venue.name}) is registered as a ${venue.kind}, not a hospital.`,
    );
  if (venue.status !== 'approved')
    throw new AppError(
      'venue_not_approved',
      `The hospital venue ${venueId} has not been approved by its district office yet.`,
    );
  return venue;
}

/** The hospital the signed-in hospital account works at, approved and still a hospital. */
async function hospitalOfStaff(p: Platform, staffId: number): Promise<VenueRow> {
  const venueId = (await findStaffVenue(p.db, staffId))?.venueId ?? null;
  if (venueId === null)
    throw new AppError('venue_not_hospital', 'This hospital account is not tied to a hospital venue.');
  return requireHospitalVenue(p.db, venueId);
}

/** The resident behind a scanned code, or 400 health_code_invalid saying exactly why not. */
async function residentOfCode(p: Platform, text: string, now: EpochMs) {
  const checked = await checkPersonalCode(p, text, now);
  if (!checked.ok)
    throw new AppError('health_code_invalid', `${FAILURE_MESSAGES[checked.reason]} (${checked.reason})`);
  const resident = await findResidentById(p.db, checked.resident.id);
  if (resident === null) throw new AppError('health_code_invalid', FAILURE_MESSAGES.revoked);
  return { resident, colour: checked.colour, kind: checked.claims.kind };
}

export async function hospitalReadCard(
  p: Platform,
  principal: Principal,
  input: CardReadInput,
): Promise<HealthCardResponse> {
  const staff = authorize(principal, 'hospitalReadCard');
  const now = p.clock.now();
  const venue = await hospitalOfStaff(p, staff.staffId);
  const { resident, colour, kind } = await residentOfCode(p, input.code, now);
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'hospital_read_card',
    residentId: resident.id,
    detail: { venueId: venue.id, colour },
  });
  return {
    healthCardId: resident.healthCardId,
    name: resident.name,
    documentType: resident.documentType,
    documentNumber: resident.documentNumber,
    mobile: resident.mobile,
    colour,
    codeKind: kind === 'paper' ? 'paper' : 'personal',
    readAt: formatChinaTime(now),
  };
}

function visitIssues(input: FeverClinicVisitInput, now: EpochMs): { issues: FieldIssue[]; at: EpochMs } {
  const issues: FieldIssue[] = [];
  let at = now;
  if (input.visitedAt !== undefined) {
    const parsed = parseInstant(input.visitedAt);
    if (parsed === null || !/T/.test(input.visitedAt))
      issues.push({
        path: 'visitedAt',
        code: 'visit_time_invalid',
        message: 'Use an ISO date-time with offset, e.g. 2026-12-07T09:30:00+08:00.',
      });
    else if (parsed > now)
      issues.push({
        path: 'visitedAt',
        code: 'visit_time_invalid',
        message: 'A visit cannot be in the future.',
      });
    else if (parsed < now - VISIT_RECORDING_WINDOW_MS)
      issues.push({
        path: 'visitedAt',
        code: 'visit_time_invalid',
        message: 'Visits are recorded within 7 days; ask the district office to record an older one.',
      });
    else at = parsed;
  }
  const t = input.temperature;
  if (
    t !== undefined &&
    t !== null &&
    (!Number.isFinite(t) || t < 30 || t > 45 || Math.round(t * 10) !== t * 10)
  )
    issues.push({
      path: 'temperature',
      code: 'temperature_invalid',
      message: 'Give the temperature in °C with at most one decimal, between 30.0 and 45.0.',
    });
  return { issues, at };
}

/**
 * A fever-clinic visit: the `feverClinic` fact from the visit's time, the colour recomputed in the
 * same transaction (yellow at once under the default policy), audited. Idempotent by the hospital's
 * `clientVisitId`: sending it again for the same person stores nothing new; for another person it
 * is refused (409 client_visit_id_reused) and nothing is stored.
 */
export async function recordFeverClinicVisit(
  p: Platform,
  principal: Principal,
  input: FeverClinicVisitInput,
): Promise<FeverClinicVisitResponse> {
  const staff = authorize(principal, 'recordFeverClinicVisit');
  const now = p.clock.now();
  const { issues, at } = visitIssues(input, now);
  if (issues.length > 0) throw invalid(issues);
  const venue = await hospitalOfStaff(p, staff.staffId);
  const { resident } = await residentOfCode(p, input.code, now);
  const factId = `hospital:${venue.id}:${input.clientVisitId.toLowerCase()}`;
  const reused = () =>
    new AppError(
      'client_visit_id_reused',
      'This clientVisitId was already used for another person’s visit; make a new one for each visit.',
    );
  const fact: Fact = { id: factId, kind: 'feverClinic', from: at, to: null, source: 'hospital' };
  const context = await loadColourContext(p, now);
  const existing = await findFactResident(p.db, factId);
  if (existing !== null && existing !== resident.id) throw reused();
  let duplicate = existing !== null;
  let stored;
  try {
    stored = await p.db.transaction().execute(async (trx) => {
      if (!duplicate) await insertFacts(trx, resident.id, [fact], `staff:${staff.staffId}`, now);
      return (await reassessResident(trx, resident.id, context, now)).stored;
    });
  } catch (error) {
    // Two uploads of one visit at once: the fact's primary key decides, and the loser reads it back.
    const owner = await findFactResident(p.db, factId);
    if (owner === null) throw error;
    if (owner !== resident.id) throw reused();
    duplicate = true;
    stored = await p.db
      .transaction()
      .execute(async (trx) => (await reassessResident(trx, resident.id, context, now)).stored);
  }
  if (!duplicate)
    await p.auditLog.write({
      at: now,
      actorKind: 'staff',
      actorId: staff.staffId,
      action: 'record_fever_clinic_visit',
      residentId: resident.id,
      detail: {
        venueId: venue.id,
        factId,
        visitedAt: formatChinaTime(at),
        ...(input.temperature === undefined || input.temperature === null
          ? {}
          : { temperature: input.temperature }),
        colour: stored.colour,
      },
    });
  return {
    factId,
    clientVisitId: input.clientVisitId,
    colour: stored.colour,
    until: stored.until === null ? null : formatChinaTime(stored.until),
    reasons: [...stored.reasons],
    duplicate,
  };
}
