import { randomUUID } from 'node:crypto';
import { validateFactInput, type FactInput } from '../domain/fact-input.ts';
import { jurisdictionCovers } from '../domain/jurisdiction.ts';
import { validateDocument, deriveDocumentKey } from '../domain/identity/index.ts';
import { chinaDate, formatChinaTime } from '../domain/china-time.ts';
import { insertFacts } from '../storage/facts.ts';
import { findResidentByDocumentKey } from '../storage/residents.ts';
import { loadColourContext, reassessResident } from './colour.ts';
import { authorize } from './access.ts';
import { AppError, invalid } from './errors.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import type { FactAddedResponse } from '../contracts/epidemic.ts';

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
  const resident = await findResidentByDocumentKey(
    p.db,
    deriveDocumentKey(p.secrets.identityPepper, { type: doc.value.type, number: doc.value.number }),
  );
  if (resident === null)
    throw new AppError('resident_not_found', 'No resident has applied with this document.');
  if (!jurisdictionCovers(staff.divisionCode, resident.addressDivision)) {
    throw new AppError('out_of_jurisdiction', 'This resident lives outside your jurisdiction.');
  }
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
