import { sql } from 'kysely';
import type { Db } from './database.ts';

/** Partner channels (issue 11 item 1, S2): registrations, client secrets and per-minute usage. */

export interface ChannelRow {
  readonly id: number;
  readonly clientId: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly rateLimitPerMinute: number;
  readonly createdAt: number;
  readonly disabledAt: number | null;
}

export interface ChannelUsage {
  /** Requests in the minutes that started within the last hour (the current one included). */
  readonly requestsLastHour: number;
  readonly requestsLast24Hours: number;
  readonly refusedLast24Hours: number;
  /** The start of the last minute with a request (epoch ms), or null. */
  readonly lastUsedAt: number | null;
  /** Resident sessions the channel opened that have not ended. */
  readonly openSessions: number;
}

export interface ChannelListing extends ChannelRow {
  readonly usage: ChannelUsage;
  /** When the newest rotated-out secret stops working, if one still works. */
  readonly previousSecretExpiresAt: number | null;
}

const parseScopes = (text: string): string[] => {
  const v = JSON.parse(text) as unknown;
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
};

const CHANNEL_COLUMNS = [
  'id',
  'client_id',
  'name',
  'scopes',
  'rate_limit_per_minute',
  'created_at',
  'disabled_at',
] as const;

function toRow(r: {
  id: number;
  client_id: string;
  name: string;
  scopes: string;
  rate_limit_per_minute: number;
  created_at: number;
  disabled_at: number | null;
}): ChannelRow {
  return {
    id: Number(r.id),
    clientId: r.client_id,
    name: r.name,
    scopes: parseScopes(r.scopes),
    rateLimitPerMinute: Number(r.rate_limit_per_minute),
    createdAt: Number(r.created_at),
    disabledAt: r.disabled_at === null ? null : Number(r.disabled_at),
  };
}

/** Registers a channel with its first secret, in one transaction; returns its id. */
export async function insertChannel(
  db: Db,
  c: {
    clientId: string;
    name: string;
    scopes: readonly string[];
    rateLimitPerMinute: number;
    secretHash: string;
    createdAt: number;
    createdBy: number | null;
  },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('channels')
      .values({
        client_id: c.clientId,
        name: c.name,
        scopes: JSON.stringify(c.scopes),
        rate_limit_per_minute: c.rateLimitPerMinute,
        created_at: c.createdAt,
        created_by: c.createdBy,
        disabled_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(inserted.id);
    await trx
      .insertInto('channel_secrets')
      .values({ channel_id: id, secret_hash: c.secretHash, created_at: c.createdAt, expires_at: null })
      .execute();
    return id;
  });
}

export async function findChannelByClientId(db: Db, clientId: string): Promise<ChannelRow | null> {
  const row = await db
    .selectFrom('channels')
    .select(CHANNEL_COLUMNS)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row === undefined ? null : toRow(row);
}

export async function findChannelById(db: Db, id: number): Promise<ChannelRow | null> {
  const row = await db.selectFrom('channels').select(CHANNEL_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toRow(row);
}

/**
 * The channel a client id and secret hash belong to, when that secret still works at `now` (the
 * current one, or a rotated-out one inside its overlap); null otherwise.
 */
export async function findChannelBySecret(
  db: Db,
  clientId: string,
  secretHash: string,
  now: number,
): Promise<ChannelRow | null> {
  const row = await db
    .selectFrom('channel_secrets')
    .innerJoin('channels', 'channels.id', 'channel_secrets.channel_id')
    .select([
      'channels.id',
      'channels.client_id',
      'channels.name',
      'channels.scopes',
      'channels.rate_limit_per_minute',
      'channels.created_at',
      'channels.disabled_at',
    ])
    .where('channel_secrets.secret_hash', '=', secretHash)
    .where('channels.client_id', '=', clientId)
    .where((eb) =>
      eb.or([eb('channel_secrets.expires_at', 'is', null), eb('channel_secrets.expires_at', '>', now)]),
    )
    .executeTakeFirst();
  return row === undefined ? null : toRow(row);
}

/**
 * A new current secret; every secret that works now keeps working until `overlapEnd` (an earlier
 * end already set is kept). One transaction, so there is always exactly one current secret.
 */
export async function rotateChannelSecret(
  db: Db,
  channelId: number,
  secretHash: string,
  now: number,
  overlapEnd: number,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('channel_secrets')
      .set({ expires_at: overlapEnd })
      .where('channel_id', '=', channelId)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', overlapEnd)]))
      .execute();
    await trx
      .insertInto('channel_secrets')
      .values({ channel_id: channelId, secret_hash: secretHash, created_at: now, expires_at: null })
      .execute();
  });
}

/**
 * Disables (`at`) or enables (null) a channel. Disabling also ends the resident sessions it opened,
 * in the same transaction, so enabling it again does not bring them back. Returns false for an
 * unknown channel.
 */
export async function setChannelDisabled(db: Db, channelId: number, at: number | null): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('channels')
      .set({ disabled_at: at })
      .where('id', '=', channelId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    if (at !== null) {
      await trx
        .updateTable('sessions')
        .set({ revoked_at: at })
        .where('channel_id', '=', channelId)
        .where('revoked_at', 'is', null)
        .execute();
    }
    return true;
  });
}

const U = 'channel_usage';
const ucol = (name: string) => sql.ref(`${U}.${name}`);

/**
 * Counts one request of a channel in the minute starting at `minute`, in one atomic upsert (one
 * statement on both dialects, so concurrent requests on any number of nodes each get their own
 * count). A request beyond `limit` is counted as refused too. Returns this request's number.
 */
export async function countChannelRequest(
  db: Db,
  channelId: number,
  minute: number,
  limit: number,
): Promise<{ readonly requests: number; readonly allowed: boolean }> {
  const row = await db
    .insertInto(U)
    .values({ channel_id: channelId, minute, requests: 1, refused: limit < 1 ? 1 : 0 })
    .onConflict((oc) =>
      oc.columns(['channel_id', 'minute']).doUpdateSet({
        requests: sql<number>`${ucol('requests')} + 1`,
        refused: sql<number>`${ucol('refused')} + case when ${ucol('requests')} + 1 > ${limit} then 1 else 0 end`,
      }),
    )
    .returning(['requests'])
    .executeTakeFirstOrThrow();
  const requests = Number(row.requests);
  return { requests, allowed: requests <= limit };
}

/** Every channel with its usage figures at `now`, newest first. */
export async function listChannelsWithUsage(db: Db, now: number): Promise<ChannelListing[]> {
  const hour = now - 60 * 60_000;
  const day = now - 24 * 60 * 60_000;
  const channels = await db.selectFrom('channels').select(CHANNEL_COLUMNS).orderBy('id', 'desc').execute();
  const usage = await db
    .selectFrom(U)
    .select((eb) => [
      'channel_id',
      eb.fn.sum<number>('requests').as('day_requests'),
      eb.fn.sum<number>('refused').as('day_refused'),
      eb.fn
        .sum<number>(eb.case().when('minute', '>=', hour).then(eb.ref('requests')).else(0).end())
        .as('hour_requests'),
    ])
    .where('minute', '>=', day)
    .groupBy('channel_id')
    .execute();
  const last = await db
    .selectFrom(U)
    .select((eb) => ['channel_id', eb.fn.max('minute').as('last_minute')])
    .groupBy('channel_id')
    .execute();
  const sessions = await db
    .selectFrom('sessions')
    .select((eb) => ['channel_id', eb.fn.countAll<number>().as('n')])
    .where('channel_id', 'is not', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .groupBy('channel_id')
    .execute();
  const previous = await db
    .selectFrom('channel_secrets')
    .select((eb) => ['channel_id', eb.fn.max('expires_at').as('until')])
    .where('expires_at', '>', now)
    .groupBy('channel_id')
    .execute();
  const byId = <T extends { channel_id: number | null }>(rows: T[]) =>
    new Map(rows.map((r) => [Number(r.channel_id), r]));
  const u = byId(usage);
  const l = byId(last);
  const s = byId(sessions);
  const pv = byId(previous);
  return channels.map((c) => {
    const row = toRow(c);
    const used = u.get(row.id);
    const lastMinute = l.get(row.id)?.last_minute;
    const until = pv.get(row.id)?.until;
    return {
      ...row,
      usage: {
        requestsLastHour: Number(used?.hour_requests ?? 0),
        requestsLast24Hours: Number(used?.day_requests ?? 0),
        refusedLast24Hours: Number(used?.day_refused ?? 0),
        lastUsedAt: lastMinute === undefined || lastMinute === null ? null : Number(lastMinute),
        openSessions: Number(s.get(row.id)?.n ?? 0),
      },
      previousSecretExpiresAt: until === undefined || until === null ? null : Number(until),
    };
  });
}
