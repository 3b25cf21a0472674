import type { FactSource } from '../domain/colour/facts.ts';
import type { Db } from './database.ts';
import { findResidentById, type Resident } from './residents.ts';

/** What an officer's lookup (lookupResident) and a resident's access log read (issue 10). */

/** Residents who gave this mobile number (E.164) in their application: a few at most. */
export async function findResidentsByMobile(db: Db, mobile: string, limit = 10): Promise<Resident[]> {
  const rows = await db
    .selectFrom('residents')
    .select('id')
    .where('mobile', '=', mobile)
    .limit(limit)
    .execute();
  const out: Resident[] = [];
  for (const r of rows) {
    const resident = await findResidentById(db, Number(r.id));
    if (resident !== null) out.push(resident);
  }
  return out;
}

export interface FactWithSource {
  readonly id: string;
  readonly kind: string;
  readonly from: number;
  readonly to: number | null;
  readonly source: FactSource;
  readonly sourceRef: string;
  readonly recordedAt: number;
}

/** A resident's facts with where each came from (the import, the officer, the application). */
export async function listFactsWithSources(db: Db, residentId: number): Promise<FactWithSource[]> {
  const rows = await db
    .selectFrom('facts')
    .select(['id', 'kind', 'from_ms', 'to_ms', 'source', 'source_ref', 'created_at'])
    .where('resident_id', '=', residentId)
    .orderBy('from_ms')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    from: Number(r.from_ms),
    to: r.to_ms === null ? null : Number(r.to_ms),
    source: r.source,
    sourceRef: r.source_ref,
    recordedAt: Number(r.created_at),
  }));
}

export interface CheckOfResident {
  readonly venueId: number;
  readonly venueName: string;
  readonly checkedAt: number;
  readonly outcome: 'pass' | 'refuse';
}

/** The checkpoint checks of a resident's code (S6), newest first. */
export async function listChecksOfResident(
  db: Db,
  residentId: number,
  limit: number,
): Promise<CheckOfResident[]> {
  const rows = await db
    .selectFrom('checkpoint_checks')
    .innerJoin('venues', 'venues.id', 'checkpoint_checks.venue_id')
    .select([
      'checkpoint_checks.venue_id',
      'venues.name',
      'checkpoint_checks.checked_at',
      'checkpoint_checks.outcome',
    ])
    .where('checkpoint_checks.resident_id', '=', residentId)
    .orderBy('checkpoint_checks.checked_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    venueId: Number(r.venue_id),
    venueName: r.name,
    checkedAt: Number(r.checked_at),
    outcome: r.outcome,
  }));
}
