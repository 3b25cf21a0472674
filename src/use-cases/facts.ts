import { randomUUID } from 'node:crypto';
import { validateFactInput, type FactInput } from '../domain/fact-input.ts';
import { jurisdictionCovers, type Jurisdiction } from '../domain/jurisdiction.ts';
import { validateDocument, deriveDocumentKey, type DocumentType } from '../domain/identity/index.ts';
import { chinaDate, formatChinaTime, parseInstant } from '../domain/china-time.ts';
import type { FactCorrection } from '../domain/colour/index.ts';
import type { EpochMs, FieldIssue } from '../domain/types.ts';
import { saveFactCorrection } from '../storage/fact-corrections.ts';
import type { Resident } from '../storage/residents.ts';
import { insertFacts } from '../storage/facts.ts';
import { findResidentByDocumentKey } from '../storage/residents.ts';
import { loadColourContext, loadRecordedFacts, reassessResident } from './colour.ts';
import { authorize } from './access.ts';
import { AppError, invalid } from './errors.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import type { FactAddedResponse, FactEndedResponse } from '../contracts/epidemic.ts';

/**
 * An officer records one fact for one resident (S10, P3): only within the officer's jurisdiction,
 * recomputes the colour at once (S13), and leaves an audit entry.
 */
export async function addResidentFact(
  p: Platform,
  principal: Principal,
  input: { documentType: string; documentNumber: string; fact: FactInput },
): Promise<FactAddedResponse> {
  const staff = authorize(principal, 'addResidentFact');
  const now = p.clock.now();
  const doc = validateDocument(input.documentType, input.documentNumber, chinaDate(now));
  const fact = validateFactInput(input.fact, now, { id: randomUUID(), source: 'officer' }, 'fact.');
  const issues = [...(doc.ok ? [] : doc.issues), ...(fact.ok ? [] : fact.issues)];
  if (!doc.ok || !fact.ok) throw invalid(issues);
  const resident = await residentInJurisdiction(p, staff.divisionCodes, doc.value);
  const context = await loadColourContext(p, now);
  const stored = await p.db.transaction().execute(async (trx) => {
    await insertFacts(trx, resident.id, [fact.value], `staff:${staff.staffId}`, now);
    return (await reassessResident(trx, resident.id, context, now)).stored;
  });
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'add_resident_fact',
    residentId: resident.id,
    detail: { factId: fact.value.id, kind: fact.value.kind, colour: stored.colour },
  });
  return {
    factId: fact.value.id,
    colour: stored.colour,
    until: stored.until === null ? null : formatChinaTime(stored.until),
    reasons: stored.reasons,
  };
}

/**
 * The resident with this document, if they live inside the staff member's jurisdiction: refuses
 * `resident_not_found` and `out_of_jurisdiction` (officers' facts, bulk paper codes).
 */
export async function residentInJurisdiction(
  p: Platform,
  divisionCode: Jurisdiction,
  doc: { type: DocumentType; number: string },
): Promise<Resident> {
  const resident = await findResidentByDocumentKey(p.db, deriveDocumentKey(p.secrets.identityPepper, doc));
  if (resident === null)
    throw new AppError('resident_not_found', 'No resident has applied with this document.');
  if (!jurisdictionCovers(divisionCode, resident.addressDivision)) {
    throw new AppError('out_of_jurisdiction', 'This resident lives outside your jurisdiction.');
  }
  return resident;
}

/**
 * An officer ends a fact (the discharge date of a case an officer recorded, the end of an isolation
 * an import left open) or withdraws one recorded in error (issue 9 item 7). Facts from officers and
 * from imports alike; the correction outlives re-imports, since it is kept beside the fact, and the
 * latest correction of a fact counts. The colour is recomputed at once and the correction audited.
 */
export async function endResidentFact(
  p: Platform,
  principal: Principal,
  input: {
    factId: string;
    documentType: string;
    documentNumber: string;
    to?: string | undefined;
    recordedInError?: boolean | undefined;
    reason: string;
  },
): Promise<FactEndedResponse> {
  const staff = authorize(principal, 'endResidentFact');
  const now = p.clock.now();
  const doc = validateDocument(input.documentType, input.documentNumber, chinaDate(now));
  const issues: FieldIssue[] = doc.ok ? [] : [...doc.issues];
  const withdraw = input.recordedInError === true;
  let to: EpochMs | null = null;
  if (withdraw && input.to !== undefined) {
    issues.push({
      path: 'to',
      code: 'field_not_allowed',
      message: 'A fact recorded in error has no end: leave out `to`, or leave out recordedInError.',
    });
  } else if (!withdraw) {
    to = input.to === undefined ? now : parseInstant(input.to);
    if (to === null)
      issues.push({
        path: 'to',
        code: 'date_invalid',
        message: 'Use YYYY-MM-DD or an ISO date-time with offset.',
      });
    else if (to > now)
      issues.push({ path: 'to', code: 'date_in_future', message: 'A fact cannot be ended in the future.' });
  }
  const reason = input.reason.trim();
  if (reason.length === 0)
    issues.push({
      path: 'reason',
      code: 'field_required',
      message: 'Say why the fact is ended or withdrawn.',
    });
  if (!doc.ok || issues.length > 0) throw invalid(issues);
  const resident = await residentInJurisdiction(p, staff.divisionCodes, doc.value);
  const recorded = await loadRecordedFacts(p.db, resident.id, resident.documentKey, resident.addressDivision);
  const fact = recorded.find((f) => f.id === input.factId);
  if (fact === undefined)
    throw new AppError(
      'fact_not_found',
      'This resident has no fact with this id (see factId on the code’s reasons).',
    );
  if (to !== null && to < fact.from)
    throw invalid([{ path: 'to', code: 'date_order', message: 'The end is before the fact started.' }]);
  const correction: FactCorrection =
    to === null ? { factId: fact.id, action: 'withdraw' } : { factId: fact.id, action: 'end', to };
  const context = await loadColourContext(p, now);
  const stored = await p.db.transaction().execute(async (trx) => {
    await saveFactCorrection(trx, {
      residentId: resident.id,
      correction,
      reason,
      staffId: staff.staffId,
      at: now,
    });
    return (await reassessResident(trx, resident.id, context, now)).stored;
  });
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'end_resident_fact',
    residentId: resident.id,
    detail: {
      factId: fact.id,
      kind: fact.kind,
      source: fact.source,
      action: correction.action,
      to: to === null ? null : formatChinaTime(to),
      reason,
      colour: stored.colour,
    },
  });
  return {
    factId: fact.id,
    action: correction.action,
    to: to === null ? null : formatChinaTime(to),
    colour: stored.colour,
    until: stored.until === null ? null : formatChinaTime(stored.until),
    reasons: stored.reasons,
  };
}
