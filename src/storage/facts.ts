import type { Fact, FactKind, FactSource } from '../domain/colour/facts.ts';
import type { EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from './database.ts';

/** Kind-specific attributes are one JSON column, so a new fact kind needs no migration. */
type Attributes = Omit<Fact, 'id' | 'kind' | 'from' | 'to' | 'source'>;

export async function listFacts(db: Db, residentId: ResidentId): Promise<Fact[]> {
  const rows = await db
    .selectFrom('facts')
    .select(['id', 'kind', 'from_ms', 'to_ms', 'attributes', 'source'])
    .where('resident_id', '=', residentId)
    .orderBy('from_ms')
    .execute();
  return rows.map((r) => ({
    ...(JSON.parse(r.attributes) as Attributes),
    id: r.id,
    kind: r.kind as FactKind,
    from: r.from_ms as EpochMs,
    to: r.to_ms as EpochMs | null,
    source: r.source,
  }));
}

export async function insertFacts(
  db: Db,
  residentId: ResidentId,
  facts: readonly Fact[],
  sourceRef: string,
  now: number,
): Promise<void> {
  if (facts.length === 0) return;
  await db
    .insertInto('facts')
    .values(
      facts.map(({ id, kind, from, to, source, ...attributes }) => ({
        id,
        resident_id: residentId,
        kind,
        from_ms: from,
        to_ms: to,
        attributes: JSON.stringify(attributes),
        source,
        source_ref: sourceRef,
        created_at: now,
        division_code: kind === 'stay' ? (attributes.divisionCode ?? null) : null,
      })),
    )
    .execute();
}

/** The resident a fact belongs to, or null when there is no fact with this id. */
export async function findFactResident(db: Db, factId: string): Promise<ResidentId | null> {
  const row = await db.selectFrom('facts').select('resident_id').where('id', '=', factId).executeTakeFirst();
  return row === undefined ? null : (Number(row.resident_id) as ResidentId);
}

export async function deleteFactsBySource(db: Db, residentId: ResidentId, source: FactSource): Promise<void> {
  await db.deleteFrom('facts').where('resident_id', '=', residentId).where('source', '=', source).execute();
}
