import type { RefusalReason } from '../domain/venues/index.ts';
import type { Colour } from '../domain/types.ts';
import type { Database, Db } from './database.ts';

export interface CheckRecord {
  readonly id: string;
  readonly clientCheckId: string;
  readonly venueId: number;
  readonly staffId: number;
  readonly residentId: number | null;
  readonly checkedAt: number;
  readonly recordedAt: number;
  readonly outcome: 'pass' | 'refuse';
  readonly reasons: readonly RefusalReason[];
  readonly colour: Colour | null;
  readonly maskedName: string | null;
  readonly temperatureDeciC: number | null;
  readonly maskWorn: boolean | null;
  readonly codeStatus: 'valid' | 'invalid' | 'none';
  readonly codeReason: string | null;
  /** What the page decided offline (as sent), or null for an online check. */
  readonly offline: unknown;
  readonly policyVersion: string;
}

const COLUMNS = [
  'id',
  'client_check_id',
  'venue_id',
  'staff_id',
  'resident_id',
  'checked_at',
  'recorded_at',
  'outcome',
  'reasons',
  'colour',
  'masked_name',
  'temperature_deci_c',
  'mask_worn',
  'code_status',
  'code_reason',
  'offline',
  'policy_version',
] as const;

/** A row to store; `inserted` is set by the inserter: false when its clientCheckId was already stored. */
export interface PendingCheck {
  readonly record: CheckRecord;
  inserted?: boolean;
}

/**
 * The batch writer behind the group commit of checks. Duplicates of a clientCheckId (a replayed
 * upload racing the first one) are skipped by the unique index; only then is the batch re-read to
 * tell which rows were the skipped ones, so the common case costs one statement.
 */
export function checkInserter(database: Database): (rows: readonly PendingCheck[]) => Promise<void> {
  const insert = database.prepareBatchInsertIgnore('checkpoint_checks', COLUMNS, ['client_check_id']);
  return async (rows) => {
    const inserted = await insert(
      rows.map(({ record: r }) => [
        r.id,
        r.clientCheckId,
        r.venueId,
        r.staffId,
        r.residentId,
        r.checkedAt,
        r.recordedAt,
        r.outcome,
        JSON.stringify(r.reasons),
        r.colour,
        r.maskedName,
        r.temperatureDeciC,
        r.maskWorn === null ? null : r.maskWorn ? 1 : 0,
        r.codeStatus,
        r.codeReason,
        r.offline === null ? null : JSON.stringify(r.offline),
        r.policyVersion,
      ]),
    );
    if (inserted === rows.length) {
      for (const row of rows) row.inserted = true;
      return;
    }
    const stored = new Set(
      (
        await database.db
          .selectFrom('checkpoint_checks')
          .select('id')
          .where(
            'id',
            'in',
            rows.map((r) => r.record.id),
          )
          .execute()
      ).map((r) => r.id),
    );
    for (const row of rows) row.inserted = stored.has(row.record.id);
  };
}

type Row = {
  id: string;
  client_check_id: string;
  venue_id: number;
  staff_id: number;
  resident_id: number | null;
  checked_at: number;
  recorded_at: number;
  outcome: 'pass' | 'refuse';
  reasons: string;
  colour: Colour | null;
  masked_name: string | null;
  temperature_deci_c: number | null;
  mask_worn: number | null;
  code_status: 'valid' | 'invalid' | 'none';
  code_reason: string | null;
  offline: string | null;
  policy_version: string;
};

function toRecord(r: Row): CheckRecord {
  return {
    id: r.id,
    clientCheckId: r.client_check_id,
    venueId: Number(r.venue_id),
    staffId: Number(r.staff_id),
    residentId: r.resident_id === null ? null : Number(r.resident_id),
    checkedAt: Number(r.checked_at),
    recordedAt: Number(r.recorded_at),
    outcome: r.outcome,
    reasons: JSON.parse(r.reasons) as RefusalReason[],
    colour: r.colour,
    maskedName: r.masked_name,
    temperatureDeciC: r.temperature_deci_c === null ? null : Number(r.temperature_deci_c),
    maskWorn: r.mask_worn === null ? null : Number(r.mask_worn) === 1,
    codeStatus: r.code_status,
    codeReason: r.code_reason,
    offline: r.offline === null ? null : (JSON.parse(r.offline) as unknown),
    policyVersion: r.policy_version,
  };
}

const BY_CLIENT_ID_SQL = `select ${COLUMNS.join(', ')} from checkpoint_checks where client_check_id = ?`;
const byClientIdLookups = new WeakMap<Database, (params: readonly unknown[]) => Promise<Row | undefined>>();

/** The stored check with this clientCheckId; every check looks once, so the statement is prepared. */
export async function findCheckByClientId(
  database: Database,
  clientCheckId: string,
): Promise<CheckRecord | null> {
  let lookup = byClientIdLookups.get(database);
  if (lookup === undefined) {
    lookup = database.prepareFirst<Row>(BY_CLIENT_ID_SQL);
    byClientIdLookups.set(database, lookup);
  }
  const row = await lookup([clientCheckId]);
  return row === undefined ? null : toRecord(row);
}

/** Checks of a venue in [from, to), newest first. */
export async function listChecks(
  db: Db,
  venueId: number,
  from: number,
  to: number,
  limit: number,
): Promise<CheckRecord[]> {
  const rows = await db
    .selectFrom('checkpoint_checks')
    .select(COLUMNS)
    .where('venue_id', '=', venueId)
    .where('checked_at', '>=', from)
    .where('checked_at', '<', to)
    .orderBy('checked_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toRecord);
}
