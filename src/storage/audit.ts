import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Db } from './database.ts';

export interface VerificationRecord {
  readonly at: number;
  readonly staffId: number;
  readonly residentId: number | null;
  readonly kid: string | null;
  readonly valid: boolean;
  readonly reason: string | null;
  readonly colour: string | null;
}

const VERIFICATION_COLUMNS = ['at', 'staff_id', 'resident_id', 'kid', 'valid', 'reason', 'colour'] as const;
const VERIFICATION_PG_TYPES = ['bigint', 'bigint', 'bigint', 'text', 'integer', 'text', 'text'] as const;

/**
 * A writer for the verification log, prepared once per database (it runs on every scan): one
 * multi-row insert per group-commit batch.
 */
export function verificationInserter(
  database: Database,
): (rows: readonly VerificationRecord[]) => Promise<void> {
  const insert = database.prepareBatchInsert('verifications', VERIFICATION_COLUMNS, VERIFICATION_PG_TYPES);
  return (rows) =>
    insert(rows.map((r) => [r.at, r.staffId, r.residentId, r.kid, r.valid ? 1 : 0, r.reason, r.colour]));
}

export async function listVerificationsByStaff(
  db: Db,
  staffId: number,
  limit = 100,
): Promise<VerificationRecord[]> {
  const rows = await db
    .selectFrom('verifications')
    .selectAll()
    .where('staff_id', '=', staffId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    at: r.at,
    staffId: Number(r.staff_id),
    residentId: r.resident_id === null ? null : Number(r.resident_id),
    kid: r.kid,
    valid: r.valid === 1,
    reason: r.reason,
    colour: r.colour,
  }));
}

export interface AuditEntry {
  readonly at: number;
  readonly actorKind: 'staff' | 'resident' | 'system';
  readonly actorId: number | null;
  /** verb-noun, e.g. 'add_resident_fact', 'read_resident' */
  readonly action: string;
  readonly residentId: number | null;
  readonly detail: unknown;
}

/** Any number, the same on every node: serialises audit writers across PostgreSQL nodes. */
const AUDIT_CHAIN_LOCK = 7_300_301;

/**
 * The hashed content of an audit row. Fields are joined with a unit separator after JSON-encoding
 * each, so no choice of values can make two different rows hash alike.
 */
export function auditRowHash(
  prevHash: string,
  row: {
    at: number;
    actor_kind: string;
    actor_id: number | null;
    action: string;
    resident_id: number | null;
    detail: string;
  },
): string {
  const content = [prevHash, row.at, row.actor_kind, row.actor_id, row.action, row.resident_id, row.detail]
    .map((v) => JSON.stringify(v))
    .join('\u001f');
  return createHash('sha256').update(content).digest('hex');
}

/**
 * Appends entries to the audit log as links of its hash chain (P3), in one transaction. On
 * PostgreSQL a transaction-scoped advisory lock makes nodes append one after another, so the chain
 * has a single head.
 */
export async function insertAuditEntries(database: Database, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await database.db.transaction().execute(async (trx) => {
    if (database.dialect === 'postgres') {
      await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(trx);
    }
    const head = await trx
      .selectFrom('audit_log')
      .select('hash')
      .where('hash', 'is not', null)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    let prev = head?.hash ?? '';
    const rows = entries.map((e) => {
      const row = {
        at: e.at,
        actor_kind: e.actorKind,
        actor_id: e.actorId,
        action: e.action,
        resident_id: e.residentId,
        detail: JSON.stringify(e.detail),
      };
      const hash = auditRowHash(prev, row);
      const linked = { ...row, prev_hash: prev, hash };
      prev = hash;
      return linked;
    });
    await trx.insertInto('audit_log').values(rows).execute();
  });
}

export interface AuditChainReport {
  /** Rows checked (chained rows). */
  readonly rows: number;
  /** Rows from before the chain existed (null hash), not verifiable. */
  readonly unchained: number;
  /** The hash of the last row: publish it somewhere else to make truncation detectable. */
  readonly head: string | null;
  /** The first row whose hash or link does not match, or null when the chain is intact. */
  readonly broken: { readonly id: number; readonly reason: string } | null;
}

/**
 * Recomputes the chain from the first row: a changed row no longer matches its hash; a deleted or
 * inserted row breaks the link of the row after it. Reads in pages of 5,000 rows.
 */
export async function verifyAuditChain(db: Db): Promise<AuditChainReport> {
  let rows = 0;
  let unchained = 0;
  let prev: string | null = null;
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(5000)
      .execute();
    if (page.length === 0) break;
    for (const r of page) {
      const id = Number(r.id);
      after = id;
      if (r.hash === null) {
        if (prev !== null)
          return { rows, unchained, head: prev, broken: { id, reason: 'row has no hash inside the chain' } };
        unchained++;
        continue;
      }
      const expectedPrev = prev ?? '';
      if ((r.prev_hash ?? '') !== expectedPrev) {
        return {
          rows,
          unchained,
          head: prev,
          broken: { id, reason: 'link to the previous row does not match (a row was removed or inserted)' },
        };
      }
      const row = {
        at: Number(r.at),
        actor_kind: r.actor_kind,
        actor_id: r.actor_id === null ? null : Number(r.actor_id),
        action: r.action,
        resident_id: r.resident_id === null ? null : Number(r.resident_id),
        detail: r.detail,
      };
      if (auditRowHash(expectedPrev, row) !== r.hash) {
        return {
          rows,
          unchained,
          head: prev,
          broken: { id, reason: 'row content does not match its hash (it was changed)' },
        };
      }
      prev = r.hash;
      rows++;
    }
  }
  return { rows, unchained, head: prev, broken: null };
}

export async function listAuditEntries(db: Db, residentId: number): Promise<AuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('resident_id', '=', residentId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    at: r.at,
    actorKind: r.actor_kind,
    actorId: r.actor_id === null ? null : Number(r.actor_id),
    action: r.action,
    residentId: r.resident_id === null ? null : Number(r.resident_id),
    detail: JSON.parse(r.detail) as unknown,
  }));
}

export interface AuditRow extends AuditEntry {
  readonly id: number;
  readonly hash: string | null;
}

/** A page of the audit log, oldest first, for auditors: by time and action, keyset-paged by id. */
export async function listAuditPage(
  db: Db,
  f: { from?: number; to?: number; action?: string; afterId?: number; limit: number },
): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
  const rows = await q.orderBy('id').limit(f.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actorKind: r.actor_kind,
    actorId: r.actor_id === null ? null : Number(r.actor_id),
    action: r.action,
    residentId: r.resident_id === null ? null : Number(r.resident_id),
    detail: JSON.parse(r.detail) as unknown,
    hash: r.hash,
  }));
}
