import { randomUUID } from 'node:crypto';
import {
  arrivalFacts,
  overseasClearance,
  validateArrivalDeclaration,
  type ArrivalDeclaration,
} from '../domain/arrivals.ts';
import { chinaDate, formatChinaTime } from '../domain/china-time.ts';
import { divisionPath, maskName } from '../domain/identity/index.ts';
import type { EpochMs, FieldIssue, ResidentId } from '../domain/types.ts';
import type {
  ArrivalDeclarationListResponse,
  ArrivalDeclarationRequest,
  ArrivalDeclarationResultResponse,
  ArrivalDeclarationViewT,
} from '../contracts/arrivals.ts';
import {
  insertArrivalDeclarations,
  listArrivalDeclarations,
  type StoredArrivalDeclaration,
} from '../storage/arrivals.ts';
import { insertFacts } from '../storage/facts.ts';
import { listActiveBindings, lockResidents } from '../storage/family.ts';
import { findResidentById, type Resident } from '../storage/residents.ts';
import { authorize } from './access.ts';
import { getMyApplication } from './application.ts';
import { loadColourContext, loadResidentRecords, reassessResident } from './colour.ts';
import { AppError, invalid } from './errors.ts';
import { memberForProxy } from './family.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

interface Subject {
  readonly resident: Resident;
  /** null: the declarer; else the family-member binding id. */
  readonly memberId: string | null;
  /** Where a refusal for this person points in the request. */
  readonly path: string;
}

/**
 * An arrival declares (S8 来鲁申报, S9): for themself and for each family member travelling along
 * whose code they hold. A domestic declaration becomes facts at once (a stay in the origin; a
 * non-green home code kept as risk management) and the colour follows by the policy; an overseas
 * one is accepted only when the quarantine and test records imported under each person's document
 * show the quarantine over and a negative test, and then adds no fact: those records decide.
 * Nothing is stored unless every person's declaration is accepted.
 */
export async function submitArrivalDeclaration(
  p: Platform,
  principal: Principal,
  input: ArrivalDeclarationRequest,
): Promise<ArrivalDeclarationResultResponse> {
  const me = authorize(principal, 'submitArrivalDeclaration');
  const now = p.clock.now();
  const declarer = await getMyApplication(p, me.accountId);
  const checked = validateArrivalDeclaration(input, now);
  if (!checked.ok) throw invalid(checked.issues);
  const d = checked.value;

  const subjects: Subject[] = [{ resident: declarer, memberId: null, path: 'arrivedOn' }];
  for (const memberId of d.familyMemberIds) {
    const index = (input.companions ?? []).findIndex((c) => c.familyMemberId?.trim() === memberId);
    const { member } = await memberForProxy(p, me.accountId, memberId).catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'family_member_not_found') {
        throw new AppError(
          'family_member_not_found',
          `companions.${index}: you hold no family member with this id; choose one from your family list.`,
          [
            {
              path: `companions.${index}.familyMemberId`,
              code: 'family_member_not_found',
              message: e.message,
            },
          ],
        );
      }
      throw e;
    });
    subjects.push({ resident: member, memberId, path: `companions.${index}` });
  }

  if (d.kind === 'overseas') await requireQuarantineOver(p, subjects, d, now);

  const groupId = randomUUID();
  const rows: StoredArrivalDeclaration[] = subjects.map((s) => ({
    id: randomUUID(),
    groupId,
    residentId: s.resident.id,
    declaredByResidentId: declarer.id,
    declaration: d,
    createdAt: now,
  }));
  const context = await loadColourContext(p, now);
  const colours = await p.db.transaction().execute(async (trx) => {
    await lockResidents(
      trx,
      subjects.map((s) => s.resident.id),
      context.lockRows,
    );
    await insertArrivalDeclarations(trx, rows);
    const out = [];
    for (const [i, s] of subjects.entries()) {
      const row = rows[i] as StoredArrivalDeclaration;
      await insertFacts(
        trx,
        s.resident.id,
        arrivalFacts(d, randomUUID, row.id),
        `declaration:${row.id}`,
        now,
      );
      out.push((await reassessResident(trx, s.resident.id, context, now)).stored);
    }
    return out;
  });
  for (const [i, s] of subjects.entries()) {
    const row = rows[i] as StoredArrivalDeclaration;
    await p.auditLog.write({
      at: now,
      actorKind: 'resident',
      actorId: declarer.id,
      action: 'arrival_declaration',
      residentId: s.resident.id,
      detail: {
        declarationId: row.id,
        groupId,
        kind: d.kind,
        origin: d.originDivisionCode,
        colour: colours[i]?.colour ?? null,
        ...(s.memberId === null ? {} : { memberId: s.memberId }),
      },
    });
  }
  return {
    declarations: subjects.map((s, i) => {
      const row = rows[i] as StoredArrivalDeclaration;
      const stored = colours[i];
      if (stored === undefined) throw new Error('a declared person has no colour');
      return {
        ...declarationView(
          row,
          s.memberId === null ? 'self' : { memberId: s.memberId, name: s.resident.name },
        ),
        colour: stored.colour,
        until: stored.until === null ? null : formatChinaTime(stored.until),
        reasons: stored.reasons,
      };
    }),
  };
}

/** S9: every overseas arrival declared for must have finished quarantine with a negative test. */
async function requireQuarantineOver(
  p: Platform,
  subjects: readonly Subject[],
  d: ArrivalDeclaration,
  now: EpochMs,
): Promise<void> {
  const refusals: FieldIssue[] = [];
  let availableFrom: EpochMs | null = null;
  for (const s of subjects) {
    const records = await loadResidentRecords(p.db, s.resident.documentKey, s.resident.addressDivision);
    const clearance = overseasClearance(records, d.arrivedOn, now);
    if (clearance.ok) continue;
    if (
      clearance.availableFrom !== null &&
      (availableFrom === null || clearance.availableFrom > availableFrom)
    )
      availableFrom = clearance.availableFrom;
    const who = s.memberId === null ? 'You' : `${maskName(s.resident.name)}`;
    const when =
      clearance.availableFrom === null ? '' : ` It can be made from ${chinaDate(clearance.availableFrom)}.`;
    const message =
      clearance.missing === 'quarantineRecord'
        ? `${who}: no quarantine record matches this document yet; declare once your quarantine is over and its record has reached us.${when}`
        : clearance.missing === 'quarantineEnd'
          ? `${who}: the quarantine is not over.${when}`
          : `${who}: no negative nucleic-acid test since the quarantine began is on record yet; declare once its result has reached us.`;
    refusals.push({ path: s.path, code: `overseas_${clearance.missing}`, message });
  }
  if (refusals.length === 0) return;
  const first = refusals[0] as FieldIssue;
  throw new AppError(
    'arrival_not_yet_allowed',
    availableFrom === null
      ? `An overseas arrival is declared after quarantine ends with a negative test. ${first.message}`
      : `An overseas arrival is declared after quarantine ends with a negative test: not before ${chinaDate(availableFrom)}. ${first.message}`,
    refusals,
  );
}

function declarationView(
  row: StoredArrivalDeclaration,
  subject: 'self' | { memberId: string; name: string },
): ArrivalDeclarationViewT {
  const d = row.declaration;
  const path = d.originDivisionCode === null ? [] : divisionPath(d.originDivisionCode);
  return {
    declarationId: row.id,
    subject: subject === 'self' ? 'self' : { memberId: subject.memberId, maskedName: maskName(subject.name) },
    kind: d.kind,
    originDivisionCode: d.originDivisionCode,
    originName: path.length === 0 ? null : path.map((x) => x.name).join(''),
    countries: [...d.countries],
    departedOn: chinaDate(d.departedOn),
    arrivedOn: chinaDate(d.arrivedOn),
    transport: { mode: d.transport.mode, number: d.transport.number },
    companionNames: [...d.companionNames],
    homeCodeColour: d.homeCodeColour,
    declaredAt: formatChinaTime(row.createdAt),
  };
}

/** The declarations for the caller, and those they made for the family members whose codes they hold. */
export async function listMyArrivalDeclarations(
  p: Platform,
  principal: Principal,
): Promise<ArrivalDeclarationListResponse> {
  const me = authorize(principal, 'listMyArrivalDeclarations');
  const mine = await getMyApplication(p, me.accountId);
  const [rows, bindings] = await Promise.all([
    listArrivalDeclarations(p.db, mine.id, 50),
    listActiveBindings(p.db, 'proxy', mine.id),
  ]);
  const members = new Map<ResidentId, { memberId: string; name: string }>();
  for (const b of bindings) {
    const member = await findResidentById(p.db, b.memberResidentId);
    if (member !== null) members.set(member.id, { memberId: b.id, name: member.name });
  }
  const declarations: ArrivalDeclarationViewT[] = [];
  for (const row of rows) {
    if (row.residentId === mine.id) declarations.push(declarationView(row, 'self'));
    else {
      // A member no longer bound is no longer the caller's to see.
      const member = members.get(row.residentId);
      if (member !== undefined) declarations.push(declarationView(row, member));
    }
  }
  return { declarations };
}
