import type { Colour, EpochMs } from '../domain/types.ts';
import type { Db } from './database.ts';

/** A change of a resident's colour (S13), for statistics and for telling the resident. */
export interface ColourEvent {
  readonly residentId: number;
  readonly divisionCode: string;
  readonly from: Colour | null;
  readonly to: Colour;
  readonly ruleId: string | null;
  readonly policyVersion: string;
  readonly at: EpochMs;
}

export async function insertColourEvent(db: Db, e: ColourEvent): Promise<void> {
  await db
    .insertInto('colour_events')
    .values({
      resident_id: e.residentId,
      division_code: e.divisionCode,
      from_colour: e.from,
      to_colour: e.to,
      rule_id: e.ruleId,
      policy_version: e.policyVersion,
      at: e.at,
    })
    .execute();
}

export async function listColourEvents(
  db: Db,
  filter: { residentId?: number; since?: number; limit?: number } = {},
): Promise<ColourEvent[]> {
  let q = db
    .selectFrom('colour_events')
    .select(['resident_id', 'division_code', 'from_colour', 'to_colour', 'rule_id', 'policy_version', 'at'])
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.residentId !== undefined) q = q.where('resident_id', '=', filter.residentId);
  if (filter.since !== undefined) q = q.where('at', '>=', filter.since);
  const rows = await q.execute();
  return rows.map((r) => ({
    residentId: Number(r.resident_id),
    divisionCode: r.division_code,
    from: r.from_colour,
    to: r.to_colour,
    ruleId: r.rule_id,
    policyVersion: r.policy_version,
    at: r.at as EpochMs,
  }));
}
