import { coveredDivisionsPatterns } from '../domain/jurisdiction.ts';
import type { VenueKind } from '../domain/venues/index.ts';
import type { Database, Db } from './database.ts';
import type { VenuesTable } from './schema.ts';

export interface VenueRow {
  readonly id: number;
  readonly name: string;
  readonly kind: VenueKind;
  readonly divisionCode: string;
  readonly addressDetail: string;
  readonly contactName: string;
  readonly contactMobile: string;
  readonly managerAccountId: number;
  readonly status: 'pending' | 'approved';
  readonly createdAt: number;
  readonly approvedAt: number | null;
  readonly approvedBy: number | null;
  readonly placeCodeVersion: number;
  readonly placeCodeIssuedAt: number | null;
  readonly placeCode: string | null;
}

type Row = { [K in keyof VenuesTable]: K extends 'id' | 'place_code_version' ? number : VenuesTable[K] };

function toVenue(row: Row): VenueRow {
  return {
    id: Number(row.id),
    name: row.name,
    kind: row.kind as VenueKind,
    divisionCode: row.division_code,
    addressDetail: row.address_detail,
    contactName: row.contact_name,
    contactMobile: row.contact_mobile,
    managerAccountId: Number(row.manager_account_id),
    status: row.status,
    createdAt: Number(row.created_at),
    approvedAt: row.approved_at === null ? null : Number(row.approved_at),
    approvedBy: row.approved_by === null ? null : Number(row.approved_by),
    placeCodeVersion: Number(row.place_code_version),
    placeCodeIssuedAt: row.place_code_issued_at === null ? null : Number(row.place_code_issued_at),
    placeCode: row.place_code,
  };
}

export async function insertVenue(
  db: Db,
  v: {
    name: string;
    kind: VenueKind;
    divisionCode: string;
    addressDetail: string;
    contactName: string;
    contactMobile: string;
    managerAccountId: number;
    createdAt: number;
  },
): Promise<VenueRow> {
  const row = await db
    .insertInto('venues')
    .values({
      name: v.name,
      kind: v.kind,
      division_code: v.divisionCode,
      address_detail: v.addressDetail,
      contact_name: v.contactName,
      contact_mobile: v.contactMobile,
      manager_account_id: v.managerAccountId,
      status: 'pending',
      created_at: v.createdAt,
      approved_at: null,
      approved_by: null,
      place_code_issued_at: null,
      place_code: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toVenue(row);
}

export async function findVenue(db: Db, id: number): Promise<VenueRow | null> {
  if (!Number.isSafeInteger(id) || id < 1) return null;
  const row = await db.selectFrom('venues').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toVenue(row);
}

/**
 * A division filter in the GB/T 2260 hierarchy: a province code (xx0000) covers its cities and
 * counties, a city code (xxxx00) its counties, a county code only itself; '000000' covers all.
 */
export function divisionPattern(code: string): { exact: string } | { prefix: string } | null {
  if (code === '000000') return null;
  if (code.endsWith('0000')) return { prefix: code.slice(0, 2) };
  if (code.endsWith('00')) return { prefix: code.slice(0, 4) };
  return { exact: code };
}

export interface VenueFilter {
  readonly managerAccountId?: number;
  /** Jurisdictions the venue must lie in (all must cover it). */
  readonly divisions?: readonly string[];
  /** The caller's jurisdiction: any of its divisions must cover the venue. */
  readonly jurisdiction?: readonly string[];
  readonly status?: 'pending' | 'approved';
  /** Keyset paging: only venues with a larger id. */
  readonly afterId?: number;
  readonly limit?: number;
}

export async function listVenues(db: Db, filter: VenueFilter): Promise<VenueRow[]> {
  let q = db.selectFrom('venues').selectAll();
  if (filter.managerAccountId !== undefined) q = q.where('manager_account_id', '=', filter.managerAccountId);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.afterId !== undefined) q = q.where('id', '>', filter.afterId);
  for (const code of filter.divisions ?? []) {
    const pattern = divisionPattern(code);
    if (pattern === null) continue;
    q =
      'exact' in pattern
        ? q.where('division_code', '=', pattern.exact)
        : q.where('division_code', 'like', `${pattern.prefix}%`);
  }
  const patterns = filter.jurisdiction === undefined ? null : coveredDivisionsPatterns(filter.jurisdiction);
  if (patterns !== null) {
    q = q.where((eb) => eb.or(patterns.map((pattern) => eb('division_code', 'like', pattern))));
  }
  const rows = await q
    .orderBy('id')
    .limit(filter.limit ?? 1000)
    .execute();
  return rows.map(toVenue);
}

/** Approves a pending venue and stores its first place code; false if it was not pending. */
export async function approveVenueRow(
  db: Db,
  id: number,
  a: { approvedAt: number; approvedBy: number; placeCode: string },
): Promise<boolean> {
  const r = await db
    .updateTable('venues')
    .set({
      status: 'approved',
      approved_at: a.approvedAt,
      approved_by: a.approvedBy,
      place_code_version: 1,
      place_code_issued_at: a.approvedAt,
      place_code: a.placeCode,
    })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Replaces the place code with the next version, if the stored version is still `fromVersion`
 * (two revocations at once: one wins, the other retries).
 */
export async function replacePlaceCode(
  db: Db,
  id: number,
  r: { fromVersion: number; issuedAt: number; placeCode: string },
): Promise<boolean> {
  const result = await db
    .updateTable('venues')
    .set({ place_code_version: r.fromVersion + 1, place_code_issued_at: r.issuedAt, place_code: r.placeCode })
    .where('id', '=', id)
    .where('place_code_version', '=', r.fromVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface VenueStaffRow {
  readonly id: number;
  readonly username: string;
  readonly displayName: string;
  readonly venueId: number | null;
  readonly disabled: boolean;
}

export async function insertVenueStaff(
  db: Db,
  s: {
    venueId: number;
    username: string;
    displayName: string;
    passwordHash: string;
    divisionCode: string;
    createdAt: number;
  },
): Promise<number> {
  const row = await db
    .insertInto('staff')
    .values({
      username: s.username,
      display_name: s.displayName,
      password_hash: s.passwordHash,
      role: 'checkpoint',
      division_code: s.divisionCode,
      created_at: s.createdAt,
      disabled_at: null,
      venue_id: s.venueId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function findStaffVenue(db: Db, staffId: number): Promise<VenueStaffRow | null> {
  const row = await db
    .selectFrom('staff')
    .select(['id', 'username', 'display_name', 'venue_id', 'disabled_at'])
    .where('id', '=', staffId)
    .executeTakeFirst();
  return row === undefined
    ? null
    : {
        id: Number(row.id),
        username: row.username,
        displayName: row.display_name,
        venueId: row.venue_id === null ? null : Number(row.venue_id),
        disabled: row.disabled_at !== null,
      };
}

/** Disables a venue's staff member and revokes their sessions, in one transaction. */
export async function disableVenueStaff(
  db: Db,
  venueId: number,
  staffId: number,
  now: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('staff')
      .set({ disabled_at: now })
      .where('id', '=', staffId)
      .where('venue_id', '=', venueId)
      .where('disabled_at', 'is', null)
      .execute();
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('staff_id', '=', staffId)
      .where('revoked_at', 'is', null)
      .execute();
  });
}

export interface VisitRecord {
  readonly residentId: number;
  readonly venueId: number;
  readonly at: number;
}

/**
 * The batch writer behind the group commit of place-code visits (one per resident scan, the
 * platform's largest table with checks and verifications): one multi-row insert per batch.
 */
export function visitInserter(database: Database): (rows: readonly VisitRecord[]) => Promise<void> {
  const insert = database.prepareBatchInsert(
    'visits',
    ['resident_id', 'venue_id', 'at'],
    ['bigint', 'bigint', 'bigint'],
  );
  return (rows) => insert(rows.map((v) => [v.residentId, v.venueId, v.at]));
}

export interface VisitRow {
  readonly residentId: number;
  readonly name: string;
  readonly at: number;
}

/** Visits of a venue in [from, to), oldest first, with the visitor's name (masked by the caller). */
export async function listVisits(
  db: Db,
  venueId: number,
  from: number,
  to: number,
  limit = 10_000,
): Promise<VisitRow[]> {
  const rows = await db
    .selectFrom('visits')
    .innerJoin('residents', 'residents.id', 'visits.resident_id')
    .select(['visits.resident_id', 'residents.name', 'visits.at'])
    .where('visits.venue_id', '=', venueId)
    .where('visits.at', '>=', from)
    .where('visits.at', '<', to)
    .orderBy('visits.at')
    .orderBy('visits.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ residentId: Number(r.resident_id), name: r.name, at: Number(r.at) }));
}
