import { randomUUID } from 'node:crypto';
import { chinaDate, formatChinaTime, parseInstant } from '../domain/china-time.ts';
import { OVERRIDE_MAX_DAYS, OVERRIDE_MAX_MS } from '../domain/colour/index.ts';
import { validateDocument } from '../domain/identity/index.ts';
import { coveredDivisionsPatterns, jurisdictionCovers } from '../domain/jurisdiction.ts';
import type { Colour, EpochMs, FieldIssue } from '../domain/types.ts';
import {
  approveOverrideRow,
  findOverride,
  insertOverride,
  listOverridesInDivisions,
  type StoredOverride,
} from '../storage/colour-overrides.ts';
import {
  MAX_OVERRIDES_LIST,
  type ColourOverrideResponse,
  type OverrideApprovedResponse,
  type OverrideListResponse,
} from '../contracts/overrides-complaints.ts';
import { authorize } from './access.ts';
import { loadColourContext, reassessResident } from './colour.ts';
import { AppError, invalid } from './errors.ts';
import { residentInJurisdiction } from './facts.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/** The override as the API shows it, with its status at `now`. */
export function overrideView(o: StoredOverride, now: EpochMs): ColourOverrideResponse {
  return {
    overrideId: o.id,
    colour: o.colour,
    reason: o.reason,
    endsAt: formatChinaTime(o.endsAt),
    status: now >= o.endsAt ? 'ended' : o.approvedAt === null ? 'pending' : 'in_force',
    divisionCode: o.divisionCode,
    requestedBy: o.requestedBy,
    requestedAt: formatChinaTime(o.requestedAt),
    approvedBy: o.approvedBy,
    approvedAt: o.approvedAt === null ? null : formatChinaTime(o.approvedAt),
  };
}

/**
 * An officer asks for a resident's colour to be set by hand (P4): with a reason and an end at most
 * 14 days away, inside the officer's jurisdiction. Stored as pending: it changes nothing until a
 * second officer approves it (approveColourOverride). Audited.
 */
export async function requestColourOverride(
  p: Platform,
  principal: Principal,
  input: { documentType: string; documentNumber: string; colour: Colour; reason: string; endsAt: string },
): Promise<ColourOverrideResponse> {
  const staff = authorize(principal, 'requestColourOverride');
  const now = p.clock.now();
  const doc = validateDocument(input.documentType, input.documentNumber, chinaDate(now));
  const issues: FieldIssue[] = doc.ok ? [] : [...doc.issues];
  const reason = input.reason.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (reason.length === 0)
    issues.push({ path: 'reason', code: 'field_required', message: 'Say why the colour is overridden.' });
  const endsAt = parseInstant(input.endsAt);
  if (endsAt === null)
    issues.push({
      path: 'endsAt',
      code: 'date_invalid',
      message: 'Use YYYY-MM-DD or an ISO date-time with offset.',
    });
  if (!doc.ok || issues.length > 0) throw invalid(issues);
  if (endsAt === null) throw new Error('unreachable');
  if (endsAt <= now)
    throw new AppError('override_end_invalid', 'An override must end after now.', [
      { path: 'endsAt', code: 'override_end_invalid', message: 'The end is not in the future.' },
    ]);
  if (endsAt - now > OVERRIDE_MAX_MS)
    throw new AppError(
      'override_too_long',
      `An override lasts at most ${OVERRIDE_MAX_DAYS} days: end it by ${formatChinaTime((now + OVERRIDE_MAX_MS) as EpochMs)}.`,
      [{ path: 'endsAt', code: 'override_too_long', message: `At most ${OVERRIDE_MAX_DAYS} days from now.` }],
    );
  const resident = await residentInJurisdiction(p, staff.divisionCodes, doc.value);
  const stored: StoredOverride = {
    id: randomUUID(),
    residentId: resident.id,
    divisionCode: resident.addressDivision,
    colour: input.colour,
    reason,
    endsAt,
    requestedBy: staff.staffId,
    requestedAt: now,
    approvedBy: null,
    approvedAt: null,
  };
  await insertOverride(p.db, stored);
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'request_colour_override',
    residentId: resident.id,
    detail: { overrideId: stored.id, colour: stored.colour, reason, endsAt: formatChinaTime(endsAt) },
  });
  return overrideView(stored, now);
}

/**
 * A second officer approves a pending override (P4): not the one who requested it, and inside their
 * own jurisdiction. From now until its end the resident's colour is the override's; the colour is
 * recomputed at once, and its `until` is the override's end, so it returns to the rules' by itself.
 * Audited with both officers.
 */
export async function approveColourOverride(
  p: Platform,
  principal: Principal,
  overrideId: string,
): Promise<OverrideApprovedResponse> {
  const staff = authorize(principal, 'approveColourOverride');
  const now = p.clock.now();
  const found = await findOverride(p.db, overrideId);
  if (found === null) throw new AppError('override_not_found', 'There is no override with this id.');
  if (!jurisdictionCovers(staff.divisionCodes, found.divisionCode))
    throw new AppError('out_of_jurisdiction', 'This resident lives outside your jurisdiction.');
  if (found.requestedBy === staff.staffId)
    throw new AppError(
      'override_self_approval',
      'An override needs a second officer: the officer who requested it cannot approve it.',
    );
  if (found.approvedAt !== null)
    throw new AppError('override_already_approved', 'This override is already approved.');
  if (now >= found.endsAt)
    throw new AppError('override_ended', 'This override ended before it was approved; request a new one.');
  const context = await loadColourContext(p, now);
  const stored = await p.db.transaction().execute(async (trx) => {
    if (!(await approveOverrideRow(trx, found.id, { approvedBy: staff.staffId, approvedAt: now })))
      return null;
    return (await reassessResident(trx, found.residentId, context, now)).stored;
  });
  if (stored === null)
    throw new AppError('override_already_approved', 'This override was approved a moment ago.');
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'approve_colour_override',
    residentId: found.residentId,
    detail: {
      overrideId: found.id,
      colour: found.colour,
      reason: found.reason,
      endsAt: formatChinaTime(found.endsAt),
      requestedBy: found.requestedBy,
      approvedBy: staff.staffId,
    },
  });
  return {
    override: overrideView({ ...found, approvedBy: staff.staffId, approvedAt: now }, now),
    resident: {
      colour: stored.colour,
      until: stored.until === null ? null : formatChinaTime(stored.until),
      reasons: stored.reasons,
    },
  };
}

/**
 * The overrides of residents of the officer's jurisdiction (the console's queue of requests for a
 * second officer to approve). The same jurisdiction as approveColourOverride checks; ids, colour,
 * reason and times only — no name or document.
 */
export async function listColourOverrides(
  p: Platform,
  principal: Principal,
  filter: { readonly status?: 'pending' | 'in_force' | 'ended' | undefined },
): Promise<OverrideListResponse> {
  const staff = authorize(principal, 'listColourOverrides');
  const now = p.clock.now();
  const rows = await listOverridesInDivisions(
    p.db,
    coveredDivisionsPatterns(staff.divisionCodes),
    filter.status,
    now,
    MAX_OVERRIDES_LIST,
  );
  return { overrides: rows.map((o) => overrideView(o, now)) };
}
