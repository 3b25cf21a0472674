import type { ArrivalDeclaration, TransportMode } from '../domain/arrivals.ts';
import type { EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from './database.ts';

/** One stored declaration: what was declared, for whom, by whom. */
export interface StoredArrivalDeclaration {
  readonly id: string;
  readonly groupId: string;
  readonly residentId: ResidentId;
  readonly declaredByResidentId: ResidentId;
  readonly declaration: ArrivalDeclaration;
  readonly createdAt: EpochMs;
}

export async function insertArrivalDeclarations(
  db: Db,
  rows: readonly StoredArrivalDeclaration[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('arrival_declarations')
    .values(
      rows.map(({ id, groupId, residentId, declaredByResidentId, declaration: d, createdAt }) => ({
        id,
        group_id: groupId,
        resident_id: residentId,
        declared_by_resident_id: declaredByResidentId,
        kind: d.kind,
        origin_division: d.originDivisionCode,
        countries: JSON.stringify(d.countries),
        departed_on: d.departedOn,
        arrived_on: d.arrivedOn,
        transport_mode: d.transport.mode,
        transport_number: d.transport.number,
        companions: JSON.stringify({ familyMemberIds: d.familyMemberIds, names: d.companionNames }),
        home_code_colour: d.homeCodeColour,
        created_at: createdAt,
      })),
    )
    .execute();
}

/** Declarations made for the resident or by them (for their family members), newest first. */
export async function listArrivalDeclarations(
  db: Db,
  residentId: ResidentId,
  limit: number,
): Promise<StoredArrivalDeclaration[]> {
  const rows = await db
    .selectFrom('arrival_declarations')
    .selectAll()
    .where((eb) =>
      eb.or([eb('resident_id', '=', residentId), eb('declared_by_resident_id', '=', residentId)]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const companions = JSON.parse(r.companions) as { familyMemberIds: string[]; names: string[] };
    return {
      id: r.id,
      groupId: r.group_id,
      residentId: Number(r.resident_id) as ResidentId,
      declaredByResidentId: Number(r.declared_by_resident_id) as ResidentId,
      createdAt: Number(r.created_at) as EpochMs,
      declaration: {
        kind: r.kind,
        originDivisionCode: r.origin_division,
        countries: JSON.parse(r.countries) as string[],
        departedOn: Number(r.departed_on) as EpochMs,
        arrivedOn: Number(r.arrived_on) as EpochMs,
        transport: { mode: r.transport_mode as TransportMode, number: r.transport_number },
        familyMemberIds: companions.familyMemberIds,
        companionNames: companions.names,
        homeCodeColour: r.home_code_colour,
      },
    };
  });
}
