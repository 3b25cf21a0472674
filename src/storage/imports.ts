import type { Insertable, Selectable, Updateable } from 'kysely';
import { coveredDivisionsPatterns, type Jurisdiction } from '../domain/jurisdiction.ts';
import type { Db } from './database.ts';
import type { ImportsTable } from './schema.ts';

export type ImportRow = Selectable<ImportsTable>;

export interface StoredImportError {
  readonly line: number;
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export async function insertImport(db: Db, row: Insertable<ImportsTable>): Promise<void> {
  await db.insertInto('imports').values(row).execute();
}

export async function updateImport(db: Db, importId: string, set: Updateable<ImportsTable>): Promise<void> {
  await db.updateTable('imports').set(set).where('id', '=', importId).execute();
}

export async function findImport(db: Db, importId: string): Promise<ImportRow | null> {
  return (await db.selectFrom('imports').selectAll().where('id', '=', importId).executeTakeFirst()) ?? null;
}

/** The latest imports whose jurisdiction lies within `jurisdiction` (all of them for the whole platform). */
export async function listImportRows(
  db: Db,
  jurisdiction: Jurisdiction,
  limit: number,
): Promise<ImportRow[]> {
  const patterns = coveredDivisionsPatterns(jurisdiction);
  let query = db.selectFrom('imports').selectAll();
  if (patterns !== null)
    query = query.where((eb) => eb.or(patterns.map((pattern) => eb('jurisdiction', 'like', pattern))));
  return query.orderBy('started_at', 'desc').limit(limit).execute();
}

/** Stores the invalid rows of an import, in statements of at most 1,000 rows. */
export async function insertImportErrors(
  db: Db,
  importId: string,
  errors: readonly StoredImportError[],
): Promise<void> {
  const values = errors.map((e) => ({ import_id: importId, ...e }));
  for (let i = 0; i < values.length; i += 1000) {
    await db
      .insertInto('import_errors')
      .values(values.slice(i, i + 1000))
      .execute();
  }
}

export async function listImportErrors(
  db: Db,
  importId: string,
  limit: number,
): Promise<StoredImportError[]> {
  const rows = await db
    .selectFrom('import_errors')
    .select(['line', 'field', 'code', 'message'])
    .where('import_id', '=', importId)
    .orderBy('line')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((e) => ({ ...e, line: Number(e.line) }));
}
