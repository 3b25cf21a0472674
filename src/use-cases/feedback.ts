import { randomUUID } from 'node:crypto';
import { DEFAULT_APPEAL_DEADLINE_HOURS } from '../domain/colour/index.ts';
import { formatChinaTime, parseInstant } from '../domain/china-time.ts';
import { maskName } from '../domain/identity/index.ts';
import { importFactId } from '../domain/imports/index.ts';
import type { ImportKind } from '../domain/imports/index.ts';
import { coveredDivisionsPatterns, jurisdictionCovers } from '../domain/jurisdiction.ts';
import type { EpochMs, FieldIssue } from '../domain/types.ts';
import type {
  AnswerAppealRequest,
  AnswerFeedbackRequest,
  AppealListResponse,
  AppealViewT,
  ColourInputsResponse,
  ColourInputT,
  FeedbackListResponse,
  FeedbackViewT,
  FileAppealRequest,
  MyFeedbackListResponse,
  SubmitFeedbackRequest,
} from '../contracts/feedback.ts';
import {
  listCorrectionOrigins,
  listFactOrigins,
  listRecordOrigins,
  staffOrigins,
} from '../storage/colour-inputs.ts';
import {
  answerAppealRow,
  answerFeedbackRow,
  escalateDueAppeals,
  findAppeal,
  findFeedback,
  insertAppeal,
  insertAttachments,
  insertFeedback,
  listAppealsInJurisdiction,
  listAppealsOfResidents,
  listAttachmentInfo,
  listFeedbackInJurisdiction,
  listFeedbackOfResident,
  namesOfResidents,
  type AppealRow,
  type NewAttachment,
  type FeedbackRow,
} from '../storage/feedback-appeals.ts';
import { listActiveBindings } from '../storage/family.ts';
import { insertNotice } from '../storage/notices.ts';
import { findResidentById, type Resident } from '../storage/residents.ts';
import { authorize } from './access.ts';
import { getMyApplication } from './application.ts';
import { checkAttachments } from './attachments.ts';
import { loadRecordedFacts } from './colour.ts';
import { AppError, invalid } from './errors.ts';
import { memberForProxy } from './family.ts';
import { endResidentFact } from './facts.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

const HOUR_MS = 3_600_000;
const time = (ms: number): string => formatChinaTime(ms as EpochMs);
const timeOrNull = (ms: number | null): string | null => (ms === null ? null : time(ms));

function requireText(value: string, path: string, message: string): string {
  const text = value.trim();
  if (text.length === 0) throw invalid([{ path, code: 'field_required', message }]);
  return text;
}

// ---------------------------------------------------------------------------------------------
// Feedback (S14)

/** A resident reports a registration problem or anything else; an office of their division answers. */
export async function submitFeedback(
  p: Platform,
  principal: Principal,
  input: SubmitFeedbackRequest,
): Promise<FeedbackViewT> {
  const me = authorize(principal, 'submitFeedback');
  const now = p.clock.now();
  const resident = await getMyApplication(p, me.accountId);
  const text = requireText(input.text, 'text', 'Say what is wrong.');
  const attachments = await checkAttachments(input.attachments);
  const row: FeedbackRow = {
    id: randomUUID(),
    resident_id: resident.id,
    division_code: resident.addressDivision,
    kind: input.kind,
    text,
    state: 'new',
    answer: null,
    answered_by: null,
    answered_at: null,
    created_at: now,
    updated_at: now,
  };
  await p.db.transaction().execute(async (trx) => {
    await insertFeedback(trx, row);
    await insertAttachments(trx, 'feedback', row.id, attachments, now);
  });
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: me.accountId,
    action: 'submit_feedback',
    residentId: resident.id,
    detail: { feedbackId: row.id, kind: row.kind, attachments: attachments.length },
  });
  return feedbackView(row, attachmentsOf(attachments));
}

const attachmentsOf = (list: readonly NewAttachment[]): FeedbackViewT['attachments'] =>
  list.map((a) => ({ attachmentId: a.id, mediaType: a.mediaType, size: a.size, sha256: a.sha256 }));

function feedbackView(r: FeedbackRow, attachments: FeedbackViewT['attachments']): FeedbackViewT {
  return {
    feedbackId: r.id,
    kind: r.kind,
    text: r.text,
    state: r.state,
    answer: r.answer,
    answeredAt: timeOrNull(r.answered_at === null ? null : Number(r.answered_at)),
    createdAt: time(Number(r.created_at)),
    attachments,
  };
}

async function attachmentMap(p: Platform, kind: 'feedback' | 'appeal', ids: readonly string[]) {
  const map = new Map<string, FeedbackViewT['attachments'][number][]>();
  for (const a of await listAttachmentInfo(p.db, kind, ids)) {
    const list = map.get(a.ownerId) ?? [];
    list.push({ attachmentId: a.attachmentId, mediaType: a.mediaType, size: a.size, sha256: a.sha256 });
    map.set(a.ownerId, list);
  }
  return map;
}

/** The office's queue: feedback from residents living inside the officer's jurisdiction. */
export async function listFeedback(
  p: Platform,
  principal: Principal,
  filter: { state?: FeedbackRow['state'] | undefined },
): Promise<FeedbackListResponse> {
  const staff = authorize(principal, 'listFeedback');
  const rows = await listFeedbackInJurisdiction(
    p.db,
    coveredDivisionsPatterns(staff.divisionCodes),
    filter.state,
    200,
  );
  const [files, names] = await Promise.all([
    attachmentMap(
      p,
      'feedback',
      rows.map((r) => r.id),
    ),
    namesOfResidents(
      p.db,
      rows.map((r) => Number(r.resident_id)),
    ),
  ]);
  return {
    feedback: rows.map((r) => ({
      ...feedbackView(r, files.get(r.id) ?? []),
      divisionCode: r.division_code,
      maskedName: maskName(names.get(Number(r.resident_id)) ?? ''),
    })),
  };
}

/** An officer answers feedback of their jurisdiction (new or answered → answered or closed). */
export async function answerFeedback(
  p: Platform,
  principal: Principal,
  feedbackId: string,
  input: AnswerFeedbackRequest,
): Promise<FeedbackViewT> {
  const staff = authorize(principal, 'answerFeedback');
  const now = p.clock.now();
  const answer = requireText(input.answer, 'answer', 'Write the answer the resident will read.');
  const row = await findFeedback(p.db, feedbackId);
  // Another office's feedback is not found, so ids cannot be probed.
  if (row === null || !jurisdictionCovers(staff.divisionCodes, row.division_code))
    throw new AppError('feedback_not_found', 'No feedback with this id in your jurisdiction.');
  if (row.state === 'closed') throw new AppError('feedback_closed', 'This feedback is closed.');
  const state = input.close === true ? 'closed' : 'answered';
  const done = await p.db.transaction().execute(async (trx) => {
    if (!(await answerFeedbackRow(trx, row.id, { answer, state, staffId: staff.staffId, at: now })))
      return false;
    await insertNotice(trx, {
      residentId: Number(row.resident_id),
      kind: 'feedback_answered',
      detail: { feedbackId: row.id },
      at: now,
    });
    return true;
  });
  if (!done) throw new AppError('feedback_closed', 'This feedback was closed meanwhile.');
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'answer_feedback',
    residentId: Number(row.resident_id),
    detail: { feedbackId: row.id, state },
  });
  const updated = (await findFeedback(p.db, row.id)) ?? row;
  return feedbackView(updated, (await attachmentMap(p, 'feedback', [row.id])).get(row.id) ?? []);
}

// ---------------------------------------------------------------------------------------------
// The inputs of a colour, and appeals against one of them (P2, P4)

/** The caller, or the family member whose code they hold. */
async function subjectOf(
  p: Platform,
  accountId: number,
  memberId: string | undefined,
): Promise<{ resident: Resident; filer: Resident; memberId: string | null }> {
  if (memberId === undefined) {
    const me = await getMyApplication(p, accountId);
    return { resident: me, filer: me, memberId: null };
  }
  const { proxy, member } = await memberForProxy(p, accountId, memberId);
  return { resident: member, filer: proxy, memberId };
}

/** Every fact behind the resident's colour, as recorded (before corrections), with its source. */
async function colourInputsOf(p: Platform, r: Resident): Promise<ColourInputT[]> {
  const [facts, origins, records, corrections] = await Promise.all([
    loadRecordedFacts(p.db, r.id, r.documentKey, r.addressDivision),
    listFactOrigins(p.db, r.id),
    listRecordOrigins(p.db, r.documentKey),
    listCorrectionOrigins(p.db, r.id),
  ]);
  const originOf = new Map(origins.map((o) => [o.factId, o]));
  const recordOf = new Map(
    records.map((o) => [importFactId({ kind: o.kind as ImportKind, sourceId: o.sourceId }), o]),
  );
  const correctionOf = new Map(corrections.map((c) => [c.factId, c]));
  const staffIds = origins
    .map((o) => /^staff:(\d+)$/.exec(o.sourceRef)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);
  const staff = await staffOrigins(p.db, staffIds);
  const cited = new Set(r.colour.reasons.map((x) => x.factId));
  return facts.map((f) => {
    const origin = originOf.get(f.id);
    const record = recordOf.get(f.id);
    const staffId = origin === undefined ? undefined : /^staff:(\d+)$/.exec(origin.sourceRef)?.[1];
    const member = staffId === undefined ? undefined : staff.get(Number(staffId));
    const declaration = origin === undefined ? undefined : /^declaration:(.+)$/.exec(origin.sourceRef)?.[1];
    const c = correctionOf.get(f.id);
    return {
      factId: f.id,
      kind: f.kind,
      from: time(f.from),
      to: timeOrNull(f.to),
      recordedAt: timeOrNull(record?.importedAt ?? origin?.createdAt ?? null),
      source: {
        type: f.source,
        importId: record?.importId ?? null,
        importKind: record?.kind ?? null,
        sourceId: record?.sourceId ?? null,
        office: record?.jurisdiction ?? member?.divisionCode ?? null,
        role: member?.role ?? null,
        declarationId: declaration ?? null,
      },
      correction:
        c === undefined ? null : { action: c.action, to: timeOrNull(c.to), reason: c.reason, at: time(c.at) },
      inReasons: cited.has(f.id),
    };
  });
}

/** What the colour rests on: every input with its source and dates, for the resident or a member. */
export async function getMyColourInputs(
  p: Platform,
  principal: Principal,
  query: { memberId?: string | undefined },
): Promise<ColourInputsResponse> {
  const me = authorize(principal, 'getMyColourInputs');
  const { resident } = await subjectOf(p, me.accountId, query.memberId);
  const c = resident.colour;
  return {
    colour: c.colour,
    until: timeOrNull(c.until),
    reasons: c.reasons,
    inputs: await colourInputsOf(p, resident),
  };
}

async function appealDeadlineHours(p: Platform, now: EpochMs): Promise<number> {
  return (await p.policies.current(now)).services?.appealDeadlineHours ?? DEFAULT_APPEAL_DEADLINE_HOURS;
}

/** The state as of `now`: an open appeal past its deadline is escalated even before the job ran. */
function stateAt(r: AppealRow, now: number): { state: AppealRow['state']; escalatedAt: number | null } {
  if (r.state === 'open' && now >= Number(r.deadline_at))
    return { state: 'escalated', escalatedAt: Number(r.deadline_at) };
  return { state: r.state, escalatedAt: r.escalated_at === null ? null : Number(r.escalated_at) };
}

function appealView(
  r: AppealRow,
  now: number,
  memberId: string | null,
  attachments: AppealViewT['attachments'],
): AppealViewT {
  const { state, escalatedAt } = stateAt(r, now);
  return {
    appealId: r.id,
    memberId,
    fact: JSON.parse(r.fact) as ColourInputT,
    explanation: r.explanation,
    state,
    deadline: time(Number(r.deadline_at)),
    escalatedAt: timeOrNull(escalatedAt),
    answer: r.answer,
    outcome: r.outcome,
    factAction: r.fact_action,
    answeredAt: timeOrNull(r.answered_at === null ? null : Number(r.answered_at)),
    createdAt: time(Number(r.created_at)),
    attachments,
  };
}

/**
 * A resident (or the proxy of a family member) disputes one input of the colour, with an
 * explanation and optional attachments. The office of the resident's division has until the
 * deadline the policy sets (services.appealDeadlineHours, 24 h by default); then it escalates.
 */
export async function fileAppeal(
  p: Platform,
  principal: Principal,
  input: FileAppealRequest,
): Promise<AppealViewT> {
  const me = authorize(principal, 'fileAppeal');
  const now = p.clock.now();
  const { resident, filer, memberId } = await subjectOf(p, me.accountId, input.memberId);
  const explanation = requireText(input.explanation, 'explanation', 'Say why this input is wrong.');
  const attachments = await checkAttachments(input.attachments);
  const fact = (await colourInputsOf(p, resident)).find((f) => f.factId === input.factId);
  if (fact === undefined)
    throw new AppError('fact_not_found', 'No input of this colour has this id (see getMyColourInputs).', [
      { path: 'factId', code: 'fact_not_found', message: 'Choose an input from getMyColourInputs.' },
    ]);
  const row: AppealRow = {
    id: randomUUID(),
    resident_id: resident.id,
    filed_by_resident_id: filer.id,
    division_code: resident.addressDivision,
    fact_id: fact.factId,
    fact: JSON.stringify(fact),
    explanation,
    state: 'open',
    deadline_at: now + (await appealDeadlineHours(p, now)) * HOUR_MS,
    escalated_at: null,
    answer: null,
    outcome: null,
    fact_action: null,
    answered_by: null,
    answered_at: null,
    created_at: now,
    updated_at: now,
  };
  await p.db.transaction().execute(async (trx) => {
    await insertAppeal(trx, row);
    await insertAttachments(trx, 'appeal', row.id, attachments, now);
  });
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: me.accountId,
    action: 'file_appeal',
    residentId: resident.id,
    detail: {
      appealId: row.id,
      factId: fact.factId,
      byProxy: memberId !== null,
      attachments: attachments.length,
    },
  });
  return appealView(row, now, memberId, attachmentsOf(attachments));
}

/** The resident's feedback and appeals (theirs, and those they filed for family members). */
export async function listMyFeedback(p: Platform, principal: Principal): Promise<MyFeedbackListResponse> {
  const me = authorize(principal, 'listMyFeedback');
  const now = p.clock.now();
  const resident = await getMyApplication(p, me.accountId);
  const [feedback, appeals, members] = await Promise.all([
    listFeedbackOfResident(p.db, resident.id, 100),
    listAppealsOfResidents(p.db, [resident.id], 100),
    listActiveBindings(p.db, 'proxy', resident.id),
  ]);
  const bindingOf = new Map(members.map((b) => [Number(b.memberResidentId), b.id]));
  const [feedbackFiles, appealFiles] = await Promise.all([
    attachmentMap(
      p,
      'feedback',
      feedback.map((f) => f.id),
    ),
    attachmentMap(
      p,
      'appeal',
      appeals.map((a) => a.id),
    ),
  ]);
  return {
    feedback: feedback.map((f) => feedbackView(f, feedbackFiles.get(f.id) ?? [])),
    appeals: appeals.map((a) =>
      appealView(
        a,
        now,
        Number(a.resident_id) === resident.id ? null : (bindingOf.get(Number(a.resident_id)) ?? null),
        appealFiles.get(a.id) ?? [],
      ),
    ),
  };
}

/** The appeals queue of the officer's jurisdiction (admins: the province, escalated ones included). */
export async function listAppeals(
  p: Platform,
  principal: Principal,
  filter: { state?: AppealRow['state'] | undefined },
): Promise<AppealListResponse> {
  const staff = authorize(principal, 'listAppeals');
  const now = p.clock.now();
  const rows = await listAppealsInJurisdiction(
    p.db,
    coveredDivisionsPatterns(staff.divisionCodes),
    filter.state,
    now,
    200,
  );
  const [files, names] = await Promise.all([
    attachmentMap(
      p,
      'appeal',
      rows.map((r) => r.id),
    ),
    namesOfResidents(
      p.db,
      rows.map((r) => Number(r.resident_id)),
    ),
  ]);
  return {
    appeals: rows.map((r) => ({
      ...appealView(r, now, null, files.get(r.id) ?? []),
      divisionCode: r.division_code,
      maskedName: maskName(names.get(Number(r.resident_id)) ?? ''),
    })),
  };
}

/**
 * An officer of the resident's division answers an open appeal; once escalated, only a provincial
 * admin can. Upheld, the disputed fact may be ended or withdrawn through endResidentFact (its
 * jurisdiction check, correction, reassessment and audit entry), before the appeal is marked.
 */
export async function answerAppeal(
  p: Platform,
  principal: Principal,
  appealId: string,
  input: AnswerAppealRequest,
): Promise<AppealViewT> {
  const staff = authorize(principal, 'answerAppeal');
  const now = p.clock.now();
  const issues: FieldIssue[] = [];
  const answer = input.answer.trim();
  if (answer.length === 0)
    issues.push({
      path: 'answer',
      code: 'field_required',
      message: 'Write the answer the resident will read.',
    });
  const action = input.factAction ?? null;
  if (action !== null && input.outcome !== 'upheld')
    issues.push({
      path: 'factAction',
      code: 'field_not_allowed',
      message: 'Only an upheld appeal ends or withdraws the fact.',
    });
  let endedAt: EpochMs | undefined;
  if (input.factEndedAt !== undefined) {
    const at = action === 'end' ? parseInstant(input.factEndedAt) : null;
    if (action !== 'end')
      issues.push({ path: 'factEndedAt', code: 'field_not_allowed', message: 'Only with factAction end.' });
    else if (at === null)
      issues.push({
        path: 'factEndedAt',
        code: 'date_invalid',
        message: 'Use YYYY-MM-DD or an ISO date-time with offset.',
      });
    else if (at > now)
      issues.push({
        path: 'factEndedAt',
        code: 'date_in_future',
        message: 'A fact cannot be ended in the future.',
      });
    else endedAt = at;
  }
  if (issues.length > 0) throw invalid(issues);
  const row = await findAppeal(p.db, appealId);
  if (row === null || !jurisdictionCovers(staff.divisionCodes, row.division_code))
    throw new AppError('appeal_not_found', 'No appeal with this id in your jurisdiction.');
  const { state } = stateAt(row, now);
  if (state === 'answered') throw new AppError('appeal_already_answered', 'This appeal has been answered.');
  if (state === 'escalated' && staff.role !== 'admin')
    throw new AppError(
      'appeal_escalated',
      'The deadline passed: this appeal is in the provincial queue, for a provincial admin to answer.',
    );
  const resident = await findResidentById(p.db, Number(row.resident_id));
  if (resident === null) throw new AppError('appeal_not_found', 'The resident of this appeal is gone.');
  if (action !== null) {
    await endResidentFact(p, principal, {
      factId: row.fact_id,
      documentType: resident.documentType,
      documentNumber: resident.documentNumber,
      recordedInError: action === 'withdraw' ? true : undefined,
      to: endedAt === undefined ? undefined : input.factEndedAt,
      reason: `appeal ${row.id}: ${answer}`,
    });
  }
  const expected: AppealRow['state'][] = staff.role === 'admin' ? ['open', 'escalated'] : ['open'];
  const done = await p.db.transaction().execute(async (trx) => {
    const answered = await answerAppealRow(trx, row.id, expected, {
      answer,
      outcome: input.outcome,
      factAction: action,
      staffId: staff.staffId,
      at: now,
    });
    if (!answered) return false;
    await insertNotice(trx, {
      residentId: resident.id,
      kind: 'appeal_answered',
      detail: { appealId: row.id },
      at: now,
    });
    return true;
  });
  if (!done)
    throw new AppError('appeal_already_answered', 'This appeal was answered or escalated meanwhile.');
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'answer_appeal',
    residentId: resident.id,
    detail: {
      appealId: row.id,
      outcome: input.outcome,
      factAction: action,
      escalated: state === 'escalated',
    },
  });
  const updated = (await findAppeal(p.db, row.id)) ?? row;
  return appealView(updated, now, null, (await attachmentMap(p, 'appeal', [row.id])).get(row.id) ?? []);
}

/**
 * The scheduled escalation (P4): open appeals past their deadline move to the provincial queue,
 * and each resident is told once. Reads compute the same state, so nothing waits for this job.
 */
export async function escalateAppeals(p: Platform): Promise<number> {
  const now = p.clock.now();
  let moved = 0;
  for (;;) {
    const batch = await p.db.transaction().execute(async (trx) => {
      const escalated = await escalateDueAppeals(trx, now, 200);
      for (const a of escalated)
        await insertNotice(trx, {
          residentId: a.residentId,
          kind: 'appeal_escalated',
          detail: { appealId: a.id },
          at: now,
        });
      return escalated.length;
    });
    moved += batch;
    if (batch < 200) return moved;
  }
}
