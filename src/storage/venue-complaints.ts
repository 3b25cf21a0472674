import type { EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from './database.ts';

export type VenueComplaintKind = 'does_not_check' | 'records_health_info' | 'turns_green_away';

/** One complaint about a venue (issue 10 item 5, S16). */
export interface StoredComplaint {
  readonly id: string;
  readonly venueId: number;
  readonly divisionCode: string;
  readonly residentId: ResidentId;
  readonly kind: VenueComplaintKind;
  readonly text: string;
  readonly filedAt: EpochMs;
}

export async function insertComplaint(db: Db, c: StoredComplaint): Promise<void> {
  await db
    .insertInto('venue_complaints')
    .values({
      id: c.id,
      venue_id: c.venueId,
      division_code: c.divisionCode,
      resident_id: c.residentId,
      kind: c.kind,
      text: c.text,
      filed_at: c.filedAt,
    })
    .execute();
}

/** Complaints about venues of a jurisdiction, newest first; `beforeFiledAt`/`beforeId` page back. */
export async function listComplaints(
  db: Db,
  filter: {
    /** coveredDivisionsPatterns of the officer's jurisdiction (null: the whole platform). */
    readonly patterns: readonly string[] | null;
    readonly venueId?: number;
    readonly before?: { readonly filedAt: number; readonly id: string };
    readonly limit: number;
  },
): Promise<StoredComplaint[]> {
  let q = db.selectFrom('venue_complaints').selectAll();
  const patterns = filter.patterns;
  if (patterns !== null) q = q.where((eb) => eb.or(patterns.map((p) => eb('division_code', 'like', p))));
  if (filter.venueId !== undefined) q = q.where('venue_id', '=', filter.venueId);
  const before = filter.before;
  if (before !== undefined) {
    q = q.where((eb) =>
      eb.or([
        eb('filed_at', '<', before.filedAt),
        eb.and([eb('filed_at', '=', before.filedAt), eb('id', '<', before.id)]),
      ]),
    );
  }
  const rows = await q.orderBy('filed_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    venueId: Number(r.venue_id),
    divisionCode: r.division_code,
    residentId: Number(r.resident_id) as ResidentId,
    kind: r.kind,
    text: r.text,
    filedAt: Number(r.filed_at) as EpochMs,
  }));
}

/** How many complaints each of the venues got since `since`; venues without any are absent. */
export async function countComplaintsSince(
  db: Db,
  venueIds: readonly number[],
  since: number,
): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (venueIds.length === 0) return counts;
  const rows = await db
    .selectFrom('venue_complaints')
    .select(['venue_id', (eb) => eb.fn.countAll().as('n')])
    .where('venue_id', 'in', [...new Set(venueIds)])
    .where('filed_at', '>=', since)
    .groupBy('venue_id')
    .execute();
  for (const r of rows) counts.set(Number(r.venue_id), Number(r.n));
  return counts;
}
