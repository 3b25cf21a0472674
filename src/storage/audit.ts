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

/** A writer for the verification log, prepared once per database (it runs on every scan). */
export function verificationInserter(
  database: Database,
): (rows: readonly VerificationRecord[]) => Promise<void> {
  const insert = database.prepareBatchInsert('verifications', VERIFICATION_COLUMNS);
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

export async function insertAuditEntries(db: Db, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      entries.map((e) => ({
        at: e.at,
        actor_kind: e.actorKind,
        actor_id: e.actorId,
        action: e.action,
        resident_id: e.residentId,
        detail: JSON.stringify(e.detail),
      })),
    )
    .execute();
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
