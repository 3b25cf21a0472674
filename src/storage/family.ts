import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from './database.ts';
import type { FamilyBindingsTable } from './schema.ts';

export interface FamilyBinding {
  readonly id: string;
  readonly proxyResidentId: ResidentId;
  readonly memberResidentId: ResidentId;
  readonly relationship: string;
  readonly pledgedAt: EpochMs;
  readonly createdAt: EpochMs;
}

const BINDING_COLUMNS = [
  'id',
  'proxy_resident_id',
  'member_resident_id',
  'relationship',
  'pledged_at',
  'created_at',
] as const;

type BindingRow = Pick<FamilyBindingsTable, (typeof BINDING_COLUMNS)[number]>;

const toBinding = (r: BindingRow): FamilyBinding => ({
  id: r.id,
  proxyResidentId: Number(r.proxy_resident_id) as ResidentId,
  memberResidentId: Number(r.member_resident_id) as ResidentId,
  relationship: r.relationship,
  pledgedAt: r.pledged_at as EpochMs,
  createdAt: r.created_at as EpochMs,
});

/** Creates the stand-in account that holds a family member's record; it can never sign in. */
export async function insertStandInAccount(db: Db, now: EpochMs): Promise<number> {
  const row = await db
    .insertInto('accounts')
    .values({ mobile: `stand-in:${randomUUID()}`, created_at: now, kind: 'stand_in' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function isStandInAccount(db: Db, accountId: number): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('kind').where('id', '=', accountId).executeTakeFirst();
  return row?.kind === 'stand_in';
}

/** The member signed in with their own number: their record moves to that account. */
export async function moveResidentToAccount(
  db: Db,
  residentId: ResidentId,
  fromAccountId: number,
  toAccountId: number,
): Promise<void> {
  await db.updateTable('residents').set({ account_id: toAccountId }).where('id', '=', residentId).execute();
  await db.deleteFrom('accounts').where('id', '=', fromAccountId).where('kind', '=', 'stand_in').execute();
}

/**
 * PostgreSQL: locks the residents' rows for the rest of the transaction, in id order (so two
 * bindings of the same pair cannot deadlock), making count-then-insert atomic. SQLite transactions
 * are serial already.
 */
export async function lockResidents(db: Db, ids: readonly ResidentId[], lock: boolean): Promise<void> {
  if (!lock) return;
  await db
    .selectFrom('residents')
    .select('id')
    .where(
      'id',
      'in',
      [...ids].sort((a, b) => a - b),
    )
    .orderBy('id')
    .forUpdate()
    .execute();
}

export async function countActiveBindings(
  db: Db,
  side: 'proxy' | 'member',
  residentId: ResidentId,
): Promise<number> {
  const row = await db
    .selectFrom('family_bindings')
    .select(sql<number>`count(*)`.as('n'))
    .where(side === 'proxy' ? 'proxy_resident_id' : 'member_resident_id', '=', residentId)
    .where('removed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertBinding(db: Db, b: Omit<FamilyBinding, 'id'>): Promise<FamilyBinding> {
  const id = randomUUID();
  await db
    .insertInto('family_bindings')
    .values({
      id,
      proxy_resident_id: b.proxyResidentId,
      member_resident_id: b.memberResidentId,
      relationship: b.relationship,
      pledged_at: b.pledgedAt,
      created_at: b.createdAt,
      removed_at: null,
      removed_by: null,
    })
    .execute();
  return { id, ...b };
}

export async function findActiveBinding(db: Db, id: string): Promise<FamilyBinding | null> {
  const row = await db
    .selectFrom('family_bindings')
    .select(BINDING_COLUMNS)
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? null : toBinding(row);
}

export async function findActivePair(
  db: Db,
  proxyResidentId: ResidentId,
  memberResidentId: ResidentId,
): Promise<FamilyBinding | null> {
  const row = await db
    .selectFrom('family_bindings')
    .select(BINDING_COLUMNS)
    .where('proxy_resident_id', '=', proxyResidentId)
    .where('member_resident_id', '=', memberResidentId)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return row === undefined ? null : toBinding(row);
}

/** Active bindings where the resident is the proxy (their members) or the member (their proxies). */
export async function listActiveBindings(
  db: Db,
  side: 'proxy' | 'member',
  residentId: ResidentId,
): Promise<FamilyBinding[]> {
  const rows = await db
    .selectFrom('family_bindings')
    .select(BINDING_COLUMNS)
    .where(side === 'proxy' ? 'proxy_resident_id' : 'member_resident_id', '=', residentId)
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toBinding);
}

/** Ends a binding; false when it was already ended (by the other side, or a second click). */
export async function endBinding(db: Db, id: string, by: 'proxy' | 'member', now: EpochMs): Promise<boolean> {
  const result = await db
    .updateTable('family_bindings')
    .set({ removed_at: now, removed_by: by })
    .where('id', '=', id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
