import type { Db } from './database.ts';

export interface SessionRow {
  readonly kind: 'resident' | 'staff';
  readonly accountId: number | null;
  readonly staffId: number | null;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

export async function insertSession(
  db: Db,
  s: {
    tokenHash: string;
    kind: 'resident' | 'staff';
    accountId: number | null;
    staffId: number | null;
    createdAt: number;
    expiresAt: number;
  },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      token_hash: s.tokenHash,
      kind: s.kind,
      account_id: s.accountId,
      staff_id: s.staffId,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      revoked_at: null,
    })
    .execute();
}

export async function findSession(db: Db, tokenHash: string): Promise<SessionRow | null> {
  const row = await db
    .selectFrom('sessions')
    .select(['kind', 'account_id', 'staff_id', 'expires_at', 'revoked_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    kind: row.kind,
    accountId: row.account_id === null ? null : Number(row.account_id),
    staffId: row.staff_id === null ? null : Number(row.staff_id),
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export async function revokeSession(db: Db, tokenHash: string, now: number): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now }).where('token_hash', '=', tokenHash).execute();
}

/** Ends every open session of a staff member; returns how many there were. */
export async function revokeStaffSessions(db: Db, staffId: number, now: number): Promise<number> {
  const r = await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('staff_id', '=', staffId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Sessions past expiry are useless; deleting them keeps the table small (retention, P5). */
export async function deleteExpiredSessions(db: Db, now: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
  return Number(r.numDeletedRows);
}
