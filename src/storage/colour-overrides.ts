import type { ColourOverride } from '../domain/colour/index.ts';
import type { Colour, EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from './database.ts';

/** One stored override request, approved or not (issue 10 item 4). */
export interface StoredOverride {
  readonly id: string;
  readonly residentId: ResidentId;
  readonly divisionCode: string;
  readonly colour: Colour;
  readonly reason: string;
  readonly endsAt: EpochMs;
  readonly requestedBy: number;
  readonly requestedAt: EpochMs;
  readonly approvedBy: number | null;
  readonly approvedAt: EpochMs | null;
}

export async function insertOverride(
  db: Db,
  o: Omit<StoredOverride, 'approvedBy' | 'approvedAt'>,
): Promise<void> {
  await db
    .insertInto('colour_overrides')
    .values({
      id: o.id,
      resident_id: o.residentId,
      division_code: o.divisionCode,
      colour: o.colour,
      reason: o.reason,
      ends_at: o.endsAt,
      requested_by: o.requestedBy,
      requested_at: o.requestedAt,
      approved_by: null,
      approved_at: null,
    })
    .execute();
}

type Row = {
  id: string;
  resident_id: number | string;
  division_code: string;
  colour: Colour;
  reason: string;
  ends_at: number | string;
  requested_by: number | string;
  requested_at: number | string;
  approved_by: number | string | null;
  approved_at: number | string | null;
};

const toOverride = (r: Row): StoredOverride => ({
  id: r.id,
  residentId: Number(r.resident_id) as ResidentId,
  divisionCode: r.division_code,
  colour: r.colour,
  reason: r.reason,
  endsAt: Number(r.ends_at) as EpochMs,
  requestedBy: Number(r.requested_by),
  requestedAt: Number(r.requested_at) as EpochMs,
  approvedBy: r.approved_by === null ? null : Number(r.approved_by),
  approvedAt: r.approved_at === null ? null : (Number(r.approved_at) as EpochMs),
});

export async function findOverride(db: Db, id: string): Promise<StoredOverride | null> {
  const row = await db.selectFrom('colour_overrides').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toOverride(row);
}

/** Approves a pending override; false when it was approved meanwhile (two approvers at once). */
export async function approveOverrideRow(
  db: Db,
  id: string,
  approval: { approvedBy: number; approvedAt: EpochMs },
): Promise<boolean> {
  const r = await db
    .updateTable('colour_overrides')
    .set({ approved_by: approval.approvedBy, approved_at: approval.approvedAt })
    .where('id', '=', id)
    .where('approved_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** The resident's approved overrides that have not ended at `now`: what the colour engine reads. */
export async function listApprovedOverrides(
  db: Db,
  residentId: ResidentId,
  now: EpochMs,
): Promise<ColourOverride[]> {
  const rows = await db
    .selectFrom('colour_overrides')
    .select(['id', 'colour', 'reason', 'approved_at', 'ends_at'])
    .where('resident_id', '=', residentId)
    .where('approved_at', 'is not', null)
    .where('ends_at', '>', now)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    colour: r.colour,
    reason: r.reason,
    from: Number(r.approved_at) as EpochMs,
    to: Number(r.ends_at) as EpochMs,
  }));
}

/** Every override of a resident, approved or not, newest first (the resident's view of them). */
export async function listResidentOverrides(db: Db, residentId: ResidentId): Promise<StoredOverride[]> {
  const rows = await db
    .selectFrom('colour_overrides')
    .selectAll()
    .where('resident_id', '=', residentId)
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toOverride);
}

/**
 * Overrides of residents living in the divisions `like` the patterns (null: everywhere), newest
 * request first; `status` as the API defines it at `now` (pending, in_force, ended).
 */
export async function listOverridesInDivisions(
  db: Db,
  patterns: readonly string[] | null,
  status: 'pending' | 'in_force' | 'ended' | undefined,
  now: EpochMs,
  limit: number,
): Promise<StoredOverride[]> {
  let q = db
    .selectFrom('colour_overrides')
    .selectAll()
    .orderBy('requested_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (patterns !== null) q = q.where((eb) => eb.or(patterns.map((p) => eb('division_code', 'like', p))));
  if (status === 'pending') q = q.where('approved_at', 'is', null).where('ends_at', '>', now);
  else if (status === 'in_force') q = q.where('approved_at', 'is not', null).where('ends_at', '>', now);
  else if (status === 'ended') q = q.where('ends_at', '<=', now);
  return (await q.execute()).map(toOverride);
}
