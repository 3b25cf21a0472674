import type { Db } from './database.ts';

export interface SessionRow {
  readonly kind: 'resident' | 'staff';
  readonly accountId: number | null;
  readonly staffId: number | null;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  /** A session a partner channel opened for the resident (issue 11): the channel and the scopes. */
  readonly channel: SessionChannel | null;
}

export interface SessionChannel {
  readonly id: number;
  readonly clientId: string;
  /** The scopes of the access token that opened the session that the channel still holds. */
  readonly scopes: readonly string[];
  readonly rateLimitPerMinute: number;
  readonly disabled: boolean;
}

const scopeList = (text: string | null): string[] => {
  if (text === null) return [];
  const v = JSON.parse(text) as unknown;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};

export async function insertSession(
  db: Db,
  s: {
    tokenHash: string;
    kind: 'resident' | 'staff';
    accountId: number | null;
    staffId: number | null;
    createdAt: number;
    expiresAt: number;
    /** A partner channel opening the session for a resident (issue 11), with the token's scopes. */
    channel?: { readonly id: number; readonly scopes: readonly string[] };
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
      ...(s.channel === undefined
        ? {}
        : { channel_id: s.channel.id, channel_scopes: JSON.stringify(s.channel.scopes) }),
    })
    .execute();
}

export async function findSession(db: Db, tokenHash: string): Promise<SessionRow | null> {
  const row = await db
    .selectFrom('sessions')
    .leftJoin('channels', 'channels.id', 'sessions.channel_id')
    .select([
      'sessions.kind',
      'sessions.account_id',
      'sessions.staff_id',
      'sessions.expires_at',
      'sessions.revoked_at',
      'sessions.channel_scopes',
      'channels.id as channel_id',
      'channels.client_id',
      'channels.scopes',
      'channels.rate_limit_per_minute',
      'channels.disabled_at',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (row === undefined) return null;
  let channel: SessionChannel | null = null;
  if (row.channel_id !== null && row.client_id !== null && row.scopes !== null) {
    const held = new Set(scopeList(row.scopes));
    channel = {
      id: Number(row.channel_id),
      clientId: row.client_id,
      scopes: scopeList(row.channel_scopes).filter((scope) => held.has(scope)),
      rateLimitPerMinute: Number(row.rate_limit_per_minute),
      disabled: row.disabled_at !== null,
    };
  }
  return {
    channel,
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
