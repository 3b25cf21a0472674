import type { RiskArea, RiskLevel } from '../domain/colour/facts.ts';
import type { EpochMs } from '../domain/types.ts';
import type { Selectable } from 'kysely';
import type { Db } from './database.ts';
import type { RiskAreasTable } from './schema.ts';

/** Every declared area, lifted ones included: a stay is judged by the areas in force during it. */
export async function listRiskAreas(db: Db): Promise<RiskArea[]> {
  const rows = await db
    .selectFrom('risk_areas')
    .select(['id', 'division_code', 'sub_area', 'level', 'from_ms', 'to_ms'])
    .orderBy('from_ms')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    divisionCode: r.division_code,
    subArea: r.sub_area,
    level: r.level,
    from: r.from_ms as EpochMs,
    to: r.to_ms as EpochMs | null,
  }));
}

export async function insertRiskArea(
  db: Db,
  a: {
    id: string;
    divisionCode: string;
    subArea: string | null;
    level: RiskLevel;
    from: number;
    to: number | null;
    note: string;
    createdAt: number;
    createdBy: number | null;
  },
): Promise<void> {
  await db
    .insertInto('risk_areas')
    .values({
      id: a.id,
      division_code: a.divisionCode,
      sub_area: a.subArea,
      level: a.level,
      from_ms: a.from,
      to_ms: a.to,
      note: a.note,
      created_at: a.createdAt,
      created_by: a.createdBy,
    })
    .execute();
}

/**
 * The latest moment, not after `now`, at which the areas in force changed: a declaration or lift
 * was recorded, or an area's start or end time was reached. 0 when nothing ever changed.
 */
export async function riskAreasChangedAt(db: Db, now: number): Promise<number> {
  const row = await db
    .selectFrom('risk_areas')
    .select((eb) => [
      eb.fn.max('created_at').as('declared'),
      eb.fn.max('lifted_at').as('lifted'),
      eb.fn.max(eb.case().when('from_ms', '<=', now).then(eb.ref('from_ms')).end()).as('started'),
      eb.fn.max(eb.case().when('to_ms', '<=', now).then(eb.ref('to_ms')).end()).as('ended'),
    ])
    .executeTakeFirst();
  return Math.max(
    Number(row?.declared ?? 0),
    Number(row?.lifted ?? 0),
    Number(row?.started ?? 0),
    Number(row?.ended ?? 0),
  );
}

export type RiskAreaRow = Selectable<RiskAreasTable>;

export async function findRiskAreaRow(db: Db, id: string): Promise<RiskAreaRow | null> {
  return (await db.selectFrom('risk_areas').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Every declared area as stored, newest declaration first. */
export async function listRiskAreaRows(db: Db): Promise<RiskAreaRow[]> {
  return db.selectFrom('risk_areas').selectAll().orderBy('created_at', 'desc').execute();
}

/** Lifts an area still in force; resolves to false when it was lifted already (by another node). */
export async function liftRiskAreaRow(
  db: Db,
  id: string,
  lift: { to: number; liftedAt: number; liftedBy: number; note: string },
): Promise<boolean> {
  const r = await db
    .updateTable('risk_areas')
    .set({ to_ms: lift.to, lifted_at: lift.liftedAt, lifted_by: lift.liftedBy, note: lift.note })
    .where('id', '=', id)
    .where('to_ms', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
