import type { Colour, EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from './database.ts';
import type { PaperCodesTable } from './schema.ts';

export interface PaperCode {
  readonly id: string;
  readonly residentId: ResidentId;
  /** The token's iat, whole seconds. */
  readonly issuedAtS: number;
  readonly expiresAt: EpochMs;
  readonly colour: Colour;
  readonly endedAt: EpochMs | null;
  readonly endReason: 'reprinted' | 'revoked' | null;
}

const COLUMNS = [
  'id',
  'resident_id',
  'issued_at_s',
  'expires_at',
  'colour',
  'ended_at',
  'end_reason',
] as const;

type Row = Pick<PaperCodesTable, (typeof COLUMNS)[number]>;

const toPaperCode = (r: Row): PaperCode => ({
  id: r.id,
  residentId: Number(r.resident_id) as ResidentId,
  issuedAtS: Number(r.issued_at_s),
  expiresAt: Number(r.expires_at) as EpochMs,
  colour: r.colour,
  endedAt: r.ended_at === null ? null : (Number(r.ended_at) as EpochMs),
  endReason: r.end_reason,
});

/** The paper code a scanned paper token names, by its resident and iat; null when none was printed. */
export async function findPaperCode(
  db: Db,
  residentId: ResidentId,
  issuedAtS: number,
): Promise<PaperCode | null> {
  const row = await db
    .selectFrom('paper_codes')
    .select(COLUMNS)
    .where('resident_id', '=', residentId)
    .where('issued_at_s', '=', issuedAtS)
    .executeTakeFirst();
  return row === undefined ? null : toPaperCode(row);
}

/** The latest paper code printed for the resident, in force or not. */
export async function latestPaperCode(db: Db, residentId: ResidentId): Promise<PaperCode | null> {
  const row = await db
    .selectFrom('paper_codes')
    .select(COLUMNS)
    .where('resident_id', '=', residentId)
    .orderBy('issued_at_s', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : toPaperCode(row);
}

/** Ends every paper code of the resident still in force; returns how many it ended. */
export async function endPaperCodes(
  db: Db,
  residentId: ResidentId,
  reason: 'reprinted' | 'revoked',
  now: EpochMs,
): Promise<string[]> {
  const rows = await db
    .updateTable('paper_codes')
    .set({ ended_at: now, end_reason: reason })
    .where('resident_id', '=', residentId)
    .where('ended_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function insertPaperCode(
  db: Db,
  code: Omit<PaperCode, 'endedAt' | 'endReason'> & {
    printedByResidentId: ResidentId | null;
    printedByStaffId: number | null;
  },
): Promise<void> {
  await db
    .insertInto('paper_codes')
    .values({
      id: code.id,
      resident_id: code.residentId,
      issued_at_s: code.issuedAtS,
      expires_at: code.expiresAt,
      colour: code.colour,
      printed_by_resident_id: code.printedByResidentId,
      printed_by_staff_id: code.printedByStaffId,
      ended_at: null,
      end_reason: null,
    })
    .execute();
}
