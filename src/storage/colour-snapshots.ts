import type { Colour } from '../domain/types.ts';
import type { Db } from './database.ts';

/** Residents per county and stored colour, right now. */
export async function countResidentsByDivisionAndColour(
  db: Db,
): Promise<{ divisionCode: string; colour: Colour; residents: number }[]> {
  const rows = await db
    .selectFrom('residents')
    .select((eb) => ['address_division', 'colour', eb.fn.countAll<number>().as('n')])
    .groupBy(['address_division', 'colour'])
    .execute();
  return rows.map((r) => ({ divisionCode: r.address_division, colour: r.colour, residents: Number(r.n) }));
}

export interface SnapshotRow {
  readonly day: string;
  readonly divisionCode: string;
  readonly colour: Colour;
  readonly residents: number;
}

/** The daily snapshots of days `from`–`to` (YYYY-MM-DD, China time), oldest first. */
export async function listColourSnapshots(db: Db, from: string, to: string): Promise<SnapshotRow[]> {
  const rows = await db
    .selectFrom('colour_snapshots')
    .select(['day', 'division_code', 'colour', 'residents'])
    .where('day', '>=', from)
    .where('day', '<=', to)
    .orderBy('day')
    .execute();
  return rows.map((r) => ({
    day: r.day,
    divisionCode: r.division_code,
    colour: r.colour,
    residents: Number(r.residents),
  }));
}

/** Replaces the snapshot of one day, in one transaction. */
export async function replaceColourSnapshot(
  db: Db,
  day: string,
  rows: readonly Omit<SnapshotRow, 'day'>[],
  takenAt: number,
): Promise<void> {
  const values = rows.map((r) => ({
    day,
    division_code: r.divisionCode,
    colour: r.colour,
    residents: r.residents,
    taken_at: takenAt,
  }));
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('colour_snapshots').where('day', '=', day).execute();
    for (let i = 0; i < values.length; i += 500) {
      await trx
        .insertInto('colour_snapshots')
        .values(values.slice(i, i + 500))
        .execute();
    }
  });
}
