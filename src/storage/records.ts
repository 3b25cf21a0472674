import type { ImportKind, RecordAttributes } from '../domain/imports/index.ts';
import type { EpochMs, ResidentId } from '../domain/types.ts';
import type { Database, Db } from './database.ts';

/** A record ready for `epidemic_records`: kind, source id, document key, from, to, division, attributes JSON. */
export type RecordTuple = [string, string, string, number, number | null, string | null, string];

const RECORD_COLUMNS = [
  'kind',
  'source_id',
  'document_key',
  'from_ms',
  'to_ms',
  'division_code',
  'attributes',
  'import_id',
  'jurisdiction',
  'created_at',
] as const;

/** A record as stored: the document is kept only as its keyed hash. */
export interface StoredRecord {
  readonly kind: ImportKind;
  readonly sourceId: string;
  readonly documentKey: string;
  readonly from: EpochMs;
  readonly to: EpochMs | null;
  readonly attributes: RecordAttributes;
  /** The division it was imported for ('000000': the whole province); it applies only there. */
  readonly jurisdiction: string;
}

/**
 * Inserts records; one already stored with the same (kind, sourceId) and content is skipped, one
 * with other content is replaced. Resolves to how many were new or changed. One transaction per call.
 */
export function recordInserter(
  database: Database,
): (importId: string, jurisdiction: string, rows: readonly RecordTuple[], now: number) => Promise<number> {
  // The same record again changes nothing; the same source id with other content is a correction
  // from the provider and replaces what was stored.
  const insert = database.prepareBatchInsertIgnore(
    'epidemic_records',
    RECORD_COLUMNS,
    ['kind', 'source_id'],
    // A correction from another jurisdiction takes the record over: it then applies only there.
    ['document_key', 'from_ms', 'to_ms', 'division_code', 'attributes', 'jurisdiction'],
  );
  return (importId, jurisdiction, rows, now) => insert(rows.map((r) => [...r, importId, jurisdiction, now]));
}

export async function listRecordsForDocument(db: Db, documentKey: string): Promise<StoredRecord[]> {
  const rows = await db
    .selectFrom('epidemic_records')
    .select(['kind', 'source_id', 'document_key', 'from_ms', 'to_ms', 'attributes', 'jurisdiction'])
    .where('document_key', '=', documentKey)
    .orderBy('from_ms')
    .execute();
  return rows.map((r) => ({
    kind: r.kind as ImportKind,
    sourceId: r.source_id,
    documentKey: r.document_key,
    from: r.from_ms as EpochMs,
    to: r.to_ms as EpochMs | null,
    attributes: JSON.parse(r.attributes) as RecordAttributes,
    jurisdiction: r.jurisdiction,
  }));
}

/** Registered residents holding any of these documents, by document key, with the division they live in. */
export async function residentsHoldingDocuments(
  db: Db,
  keys: readonly string[],
): Promise<Map<string, { readonly id: ResidentId; readonly addressDivision: string }>> {
  const out = new Map<string, { id: ResidentId; addressDivision: string }>();
  for (let i = 0; i < keys.length; i += 5000) {
    const rows = await db
      .selectFrom('residents')
      .select(['id', 'document_key', 'address_division'])
      .where('document_key', 'in', keys.slice(i, i + 5000))
      .execute();
    for (const r of rows) {
      out.set(r.document_key, { id: Number(r.id) as ResidentId, addressDivision: r.address_division });
    }
  }
  return out;
}

/** Registered residents holding any of these documents. */
export async function residentsByDocumentKeys(db: Db, keys: readonly string[]): Promise<ResidentId[]> {
  const out: ResidentId[] = [];
  // Bounded IN lists: SQLite allows 32766 parameters, PostgreSQL 65535.
  for (let i = 0; i < keys.length; i += 5000) {
    const rows = await db
      .selectFrom('residents')
      .select('id')
      .where('document_key', 'in', keys.slice(i, i + 5000))
      .execute();
    for (const r of rows) out.push(Number(r.id) as ResidentId);
  }
  return out;
}

/**
 * Residents with a stay (applied, officer-added or imported) in `divisionCode` or under it: the
 * people a risk area there can change. Province xx0000 and city xxxx00 codes match by prefix.
 */
export async function residentsWithStaysIn(db: Db, divisionCode: string): Promise<ResidentId[]> {
  const prefix = divisionCode.endsWith('0000')
    ? divisionCode.slice(0, 2)
    : divisionCode.endsWith('00')
      ? divisionCode.slice(0, 4)
      : divisionCode;
  const pattern = prefix.length === 6 ? prefix : `${prefix}%`;
  // A stay recorded only at city or province level may fall in the area too; the policy decides.
  const ancestors = [`${divisionCode.slice(0, 2)}0000`, `${divisionCode.slice(0, 4)}00`];
  const fromFacts = await db
    .selectFrom('facts')
    .select('resident_id')
    .distinct()
    .where('kind', '=', 'stay')
    .where((eb) => eb.or([eb('division_code', 'like', pattern), eb('division_code', 'in', ancestors)]))
    .execute();
  const fromRecords = await db
    .selectFrom('epidemic_records')
    .innerJoin('residents', 'residents.document_key', 'epidemic_records.document_key')
    .select('residents.id')
    .distinct()
    .where('epidemic_records.kind', '=', 'stay')
    .where((eb) =>
      eb.or([
        eb('epidemic_records.division_code', 'like', pattern),
        eb('epidemic_records.division_code', 'in', ancestors),
      ]),
    )
    .execute();
  const ids = new Set<number>();
  for (const r of fromFacts) ids.add(Number(r.resident_id));
  for (const r of fromRecords) ids.add(Number(r.id));
  return [...ids].sort((a, b) => a - b) as ResidentId[];
}
