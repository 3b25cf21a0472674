import { randomUUID } from 'node:crypto';
import type { EpochMs } from '../domain/types.ts';
import type { Db } from './database.ts';
import type { NoticesTable } from './schema.ts';

/** The residents' in-app inbox and the SMS outbox that tells them to look (issue 10 item 8). */

export type NoticeKind = NoticesTable['kind'];

export interface StoredNotice {
  readonly id: string;
  readonly residentId: number;
  readonly kind: NoticeKind;
  readonly detail: Record<string, unknown>;
  readonly createdAt: EpochMs;
  readonly readAt: EpochMs | null;
}

/**
 * Stores a notice and queues its SMS in the same transaction as the change it tells of. Only two
 * inserts: a bulk reassessment that changes 10⁵ colours queues 10⁵ SMS for the drain job, it does
 * not send them.
 */
export async function insertNotice(
  db: Db,
  n: { residentId: number; kind: NoticeKind; detail: Record<string, unknown>; at: EpochMs },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('notices')
    .values({
      id,
      resident_id: n.residentId,
      kind: n.kind,
      detail: JSON.stringify(n.detail),
      created_at: n.at,
      read_at: null,
    })
    .execute();
  await db
    .insertInto('notice_outbox')
    .values({ resident_id: n.residentId, notice_id: id, next_attempt_at: n.at, created_at: n.at })
    .execute();
  return id;
}

export async function listNotices(
  db: Db,
  residentIds: readonly number[],
  limit: number,
): Promise<StoredNotice[]> {
  if (residentIds.length === 0) return [];
  const rows = await db
    .selectFrom('notices')
    .selectAll()
    .where('resident_id', 'in', residentIds)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    residentId: Number(r.resident_id),
    kind: r.kind,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    createdAt: Number(r.created_at) as EpochMs,
    readAt: r.read_at === null ? null : (Number(r.read_at) as EpochMs),
  }));
}

/** How many notices of these residents are unread, without marking any (the app's badge). */
export async function countUnreadNotices(db: Db, residentIds: readonly number[]): Promise<number> {
  if (residentIds.length === 0) return 0;
  const row = await db
    .selectFrom('notices')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('resident_id', 'in', residentIds)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

export async function markNoticesRead(db: Db, ids: readonly string[], at: EpochMs): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notices')
    .set({ read_at: at })
    .where('id', 'in', ids)
    .where('read_at', 'is', null)
    .execute();
}

export interface DueSms {
  readonly id: number;
  readonly residentId: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

export async function dueNoticeSms(db: Db, now: EpochMs, limit: number): Promise<DueSms[]> {
  const rows = await db
    .selectFrom('notice_outbox')
    .select(['id', 'resident_id', 'attempts', 'next_attempt_at'])
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    residentId: Number(r.resident_id),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
  }));
}

/** Takes an entry for this node until `leaseUntil`; false when another node took it first. */
export async function claimNoticeSms(db: Db, row: DueSms, leaseUntil: number): Promise<boolean> {
  const r = await db
    .updateTable('notice_outbox')
    .set({ next_attempt_at: leaseUntil })
    .where('id', '=', row.id)
    .where('next_attempt_at', '=', row.nextAttemptAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function settleNoticeSms(
  db: Db,
  ids: readonly number[],
  s: { sentAt: number | null; nextAttemptAt: number | null; error: string | null; attempts: number },
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('notice_outbox')
    .set({ sent_at: s.sentAt, next_attempt_at: s.nextAttemptAt, last_error: s.error, attempts: s.attempts })
    .where('id', 'in', ids)
    .execute();
}

/** The SMS outbox of one resident (tests, operators). */
export async function listNoticeSms(db: Db, residentId: number) {
  return db
    .selectFrom('notice_outbox')
    .selectAll()
    .where('resident_id', '=', residentId)
    .orderBy('id')
    .execute();
}

/** The mobile numbers SMS go to. */
export async function mobilesOfResidents(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('residents').select(['id', 'mobile']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [Number(r.id), r.mobile]));
}
