import type { FactCorrection } from '../domain/colour/index.ts';
import type { EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from './database.ts';

export async function listFactCorrections(db: Db, residentId: ResidentId): Promise<FactCorrection[]> {
  const rows = await db
    .selectFrom('fact_corrections')
    .select(['fact_id', 'action', 'to_ms'])
    .where('resident_id', '=', residentId)
    .execute();
  return rows.map((r) =>
    r.action === 'end' && r.to_ms !== null
      ? { factId: r.fact_id, action: 'end', to: r.to_ms as EpochMs }
      : { factId: r.fact_id, action: 'withdraw' },
  );
}

/** One statement on both databases: a second correction of the same fact replaces the first. */
export async function saveFactCorrection(
  db: Db,
  row: {
    residentId: ResidentId;
    correction: FactCorrection;
    reason: string;
    staffId: number;
    at: EpochMs;
  },
): Promise<void> {
  const values = {
    action: row.correction.action,
    to_ms: row.correction.action === 'end' ? row.correction.to : null,
    reason: row.reason,
    staff_id: row.staffId,
    corrected_at: row.at,
  };
  await db
    .insertInto('fact_corrections')
    .values({ resident_id: row.residentId, fact_id: row.correction.factId, ...values })
    .onConflict((oc) => oc.columns(['resident_id', 'fact_id']).doUpdateSet(values))
    .execute();
}
