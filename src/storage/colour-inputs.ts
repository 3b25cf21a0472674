import type { Db } from './database.ts';

/**
 * Where each input of a colour came from (issue 10 item 4, P2): the rows behind facts and records
 * with who or what recorded them, for the resident's appeal view.
 */

export interface FactOrigin {
  readonly factId: string;
  readonly sourceRef: string;
  readonly createdAt: number;
}

export async function listFactOrigins(db: Db, residentId: number): Promise<FactOrigin[]> {
  const rows = await db
    .selectFrom('facts')
    .select(['id', 'source_ref', 'created_at'])
    .where('resident_id', '=', residentId)
    .execute();
  return rows.map((r) => ({ factId: r.id, sourceRef: r.source_ref, createdAt: Number(r.created_at) }));
}

export interface RecordOrigin {
  readonly kind: string;
  readonly sourceId: string;
  readonly importId: string;
  readonly importedAt: number;
  readonly jurisdiction: string;
}

/** The import that brought each record under a document (the last one to write it). */
export async function listRecordOrigins(db: Db, documentKey: string): Promise<RecordOrigin[]> {
  const rows = await db
    .selectFrom('epidemic_records')
    .select(['kind', 'source_id', 'import_id', 'created_at', 'jurisdiction'])
    .where('document_key', '=', documentKey)
    .execute();
  return rows.map((r) => ({
    kind: r.kind,
    sourceId: r.source_id,
    importId: r.import_id,
    importedAt: Number(r.created_at),
    jurisdiction: r.jurisdiction,
  }));
}

export interface StaffOrigin {
  readonly role: string;
  readonly divisionCode: string;
}

/** Role and office of staff accounts (never their names: residents see offices, not people). */
export async function staffOrigins(db: Db, ids: readonly number[]): Promise<Map<number, StaffOrigin>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('staff')
    .select(['id', 'role', 'division_code'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [Number(r.id), { role: r.role, divisionCode: r.division_code }]));
}

export interface CorrectionOrigin {
  readonly factId: string;
  readonly action: 'end' | 'withdraw';
  readonly to: number | null;
  readonly reason: string;
  readonly at: number;
}

export async function listCorrectionOrigins(db: Db, residentId: number): Promise<CorrectionOrigin[]> {
  const rows = await db
    .selectFrom('fact_corrections')
    .select(['fact_id', 'action', 'to_ms', 'reason', 'corrected_at'])
    .where('resident_id', '=', residentId)
    .execute();
  return rows.map((r) => ({
    factId: r.fact_id,
    action: r.action,
    to: r.to_ms === null ? null : Number(r.to_ms),
    reason: r.reason,
    at: Number(r.corrected_at),
  }));
}
