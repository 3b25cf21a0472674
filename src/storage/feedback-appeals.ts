import type { EpochMs } from '../domain/types.ts';
import type { Db } from './database.ts';
import type { AppealsTable, FeedbackTable } from './schema.ts';

/** Feedback (S14), appeals (P4) and their attachments (issue 10 item 4). */

export interface NewAttachment {
  readonly id: string;
  readonly mediaType: string;
  readonly size: number;
  readonly sha256: string;
  readonly bytes: Buffer;
}

export interface AttachmentInfo {
  readonly attachmentId: string;
  readonly ownerId: string;
  readonly mediaType: string;
  readonly size: number;
  readonly sha256: string;
}

export type FeedbackRow = FeedbackTable;
export type AppealRow = AppealsTable;

export async function insertAttachments(
  db: Db,
  ownerKind: 'feedback' | 'appeal',
  ownerId: string,
  attachments: readonly NewAttachment[],
  now: EpochMs,
): Promise<void> {
  if (attachments.length === 0) return;
  await db
    .insertInto('attachments')
    .values(
      attachments.map((a, position) => ({
        id: a.id,
        owner_kind: ownerKind,
        owner_id: ownerId,
        position,
        media_type: a.mediaType,
        size: a.size,
        sha256: a.sha256,
        bytes: a.bytes,
        created_at: now,
      })),
    )
    .execute();
}

/** What the lists show of the attachments of some feedback or appeals (not their bytes). */
export async function listAttachmentInfo(
  db: Db,
  ownerKind: 'feedback' | 'appeal',
  ownerIds: readonly string[],
): Promise<AttachmentInfo[]> {
  if (ownerIds.length === 0) return [];
  const rows = await db
    .selectFrom('attachments')
    .select(['id', 'owner_id', 'media_type', 'size', 'sha256'])
    .where('owner_kind', '=', ownerKind)
    .where('owner_id', 'in', ownerIds)
    .orderBy('owner_id')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    attachmentId: r.id,
    ownerId: r.owner_id,
    mediaType: r.media_type,
    size: Number(r.size),
    sha256: r.sha256,
  }));
}

/** One attachment with its bytes, and what it is attached to. */
export async function findAttachment(
  db: Db,
  id: string,
): Promise<{ ownerKind: 'feedback' | 'appeal'; ownerId: string; mediaType: string; bytes: Buffer } | null> {
  const row = await db
    .selectFrom('attachments')
    .select(['owner_kind', 'owner_id', 'media_type', 'bytes'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    ownerKind: row.owner_kind,
    ownerId: row.owner_id,
    mediaType: row.media_type,
    bytes: Buffer.from(row.bytes),
  };
}

export async function insertFeedback(db: Db, row: FeedbackRow): Promise<void> {
  await db.insertInto('feedback').values(row).execute();
}

export async function findFeedback(db: Db, id: string): Promise<FeedbackRow | null> {
  return (await db.selectFrom('feedback').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function listFeedbackOfResident(
  db: Db,
  residentId: number,
  limit: number,
): Promise<FeedbackRow[]> {
  return db
    .selectFrom('feedback')
    .selectAll()
    .where('resident_id', '=', residentId)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The queue of a jurisdiction ('000000': everything), newest first. */
/** `patterns`: coveredDivisionsPatterns of the officer's jurisdiction (null: the whole platform). */
export async function listFeedbackInJurisdiction(
  db: Db,
  patterns: readonly string[] | null,
  state: FeedbackRow['state'] | undefined,
  limit: number,
): Promise<FeedbackRow[]> {
  let q = db.selectFrom('feedback').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(limit);
  if (patterns !== null) q = q.where((eb) => eb.or(patterns.map((p) => eb('division_code', 'like', p))));
  if (state !== undefined) q = q.where('state', '=', state);
  return q.execute();
}

/** Answers feedback that is not closed yet; false when it was closed meanwhile. */
export async function answerFeedbackRow(
  db: Db,
  id: string,
  a: { answer: string; state: 'answered' | 'closed'; staffId: number; at: EpochMs },
): Promise<boolean> {
  const r = await db
    .updateTable('feedback')
    .set({ answer: a.answer, state: a.state, answered_by: a.staffId, answered_at: a.at, updated_at: a.at })
    .where('id', '=', id)
    .where('state', '!=', 'closed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertAppeal(db: Db, row: AppealRow): Promise<void> {
  await db.insertInto('appeals').values(row).execute();
}

export async function findAppeal(db: Db, id: string): Promise<AppealRow | null> {
  return (await db.selectFrom('appeals').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Appeals about these residents or filed by one of them, newest first. */
export async function listAppealsOfResidents(
  db: Db,
  residentIds: readonly number[],
  limit: number,
): Promise<AppealRow[]> {
  if (residentIds.length === 0) return [];
  return db
    .selectFrom('appeals')
    .selectAll()
    .where((eb) =>
      eb.or([eb('resident_id', 'in', residentIds), eb('filed_by_resident_id', 'in', residentIds)]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * The appeals queue of a jurisdiction, deadline first. `state` is the state as of `now`: an open
 * appeal past its deadline counts as escalated even before the job has marked it.
 */
/** `patterns`: coveredDivisionsPatterns of the officer's jurisdiction (null: the whole platform). */
export async function listAppealsInJurisdiction(
  db: Db,
  patterns: readonly string[] | null,
  state: AppealRow['state'] | undefined,
  now: EpochMs,
  limit: number,
): Promise<AppealRow[]> {
  let q = db.selectFrom('appeals').selectAll().orderBy('deadline_at').orderBy('id').limit(limit);
  if (patterns !== null) q = q.where((eb) => eb.or(patterns.map((p) => eb('division_code', 'like', p))));
  if (state === 'open') q = q.where('state', '=', 'open').where('deadline_at', '>', now);
  else if (state === 'escalated')
    q = q.where((eb) =>
      eb.or([
        eb('state', '=', 'escalated'),
        eb.and([eb('state', '=', 'open'), eb('deadline_at', '<=', now)]),
      ]),
    );
  else if (state === 'answered') q = q.where('state', '=', 'answered');
  return q.execute();
}

/**
 * Marks the open appeals whose deadline passed as escalated (at their deadline); resolves to the
 * appeals it moved, so each is told once.
 */
export async function escalateDueAppeals(
  db: Db,
  now: EpochMs,
  limit: number,
): Promise<{ id: string; residentId: number }[]> {
  const due = await db
    .selectFrom('appeals')
    .select(['id', 'resident_id', 'deadline_at'])
    .where('state', '=', 'open')
    .where('deadline_at', '<=', now)
    .orderBy('deadline_at')
    .limit(limit)
    .execute();
  const moved: { id: string; residentId: number }[] = [];
  for (const a of due) {
    const r = await db
      .updateTable('appeals')
      .set({ state: 'escalated', escalated_at: a.deadline_at, updated_at: now })
      .where('id', '=', a.id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) moved.push({ id: a.id, residentId: Number(a.resident_id) });
  }
  return moved;
}

/** Answers an appeal still in `expected` state; false when another answer came first. */
export async function answerAppealRow(
  db: Db,
  id: string,
  expected: readonly AppealRow['state'][],
  a: {
    answer: string;
    outcome: 'upheld' | 'rejected';
    factAction: 'end' | 'withdraw' | null;
    staffId: number;
    at: EpochMs;
  },
): Promise<boolean> {
  const r = await db
    .updateTable('appeals')
    .set({
      state: 'answered',
      answer: a.answer,
      outcome: a.outcome,
      fact_action: a.factAction,
      answered_by: a.staffId,
      answered_at: a.at,
      updated_at: a.at,
    })
    .where('id', '=', id)
    .where('state', 'in', expected)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Names of residents, for the masked names of the officers' queues. */
export async function namesOfResidents(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('residents')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}
