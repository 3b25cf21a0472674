import type { HealthStatus } from '../domain/health-status.ts';
import type { Reason } from '../domain/colour/index.ts';
import type { Colour, EpochMs, ResidentId } from '../domain/types.ts';
import type { Database, Db } from './database.ts';
import type { ResidentsTable } from './schema.ts';

/** The colour last assessed for a resident, with what it rests on (P2). */
export interface StoredColour {
  readonly colour: Colour;
  readonly until: EpochMs | null;
  /** Reasons as assessColour produced them, stored as JSON. */
  readonly reasons: readonly Reason[];
  readonly policyVersion: string;
  readonly assessedAt: EpochMs;
}

export interface Resident {
  readonly id: ResidentId;
  readonly accountId: number;
  readonly documentType: string;
  readonly documentNumber: string;
  readonly name: string;
  readonly mobile: string;
  readonly nationality: string;
  readonly addressDivision: string;
  readonly addressDetail: string;
  readonly contactHistory: unknown;
  readonly healthCardId: string;
  readonly pledgedAt: EpochMs;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
  readonly codesValidAfter: EpochMs;
  readonly colour: StoredColour;
  /** Keyed hash of the document: imported records are matched by it. */
  readonly documentKey: string;
  /** Has stays, so risk-area changes may change the colour. */
  readonly areaDependent: boolean;
  readonly healthStatus: HealthStatus;
}

type Row = {
  [K in keyof ResidentsTable]: K extends 'id' | 'area_dependent' | 'vaccine_doses'
    ? number
    : ResidentsTable[K];
};

function statusOf(
  row: Pick<Row, 'last_negative_test_at' | 'vaccine_doses' | 'last_vaccine_at'>,
): HealthStatus {
  return {
    lastNegativeTestAt:
      row.last_negative_test_at === null ? null : (Number(row.last_negative_test_at) as EpochMs),
    vaccineDoses: Number(row.vaccine_doses),
    lastVaccineAt: row.last_vaccine_at === null ? null : (Number(row.last_vaccine_at) as EpochMs),
  };
}

function rowToResident(row: Row): Resident {
  return {
    id: Number(row.id) as ResidentId,
    accountId: Number(row.account_id),
    documentType: row.document_type,
    documentNumber: row.document_number,
    name: row.name,
    mobile: row.mobile,
    nationality: row.nationality,
    addressDivision: row.address_division,
    addressDetail: row.address_detail,
    contactHistory: JSON.parse(row.contact_history) as unknown,
    healthCardId: row.health_card_id,
    pledgedAt: row.pledged_at as EpochMs,
    createdAt: row.created_at as EpochMs,
    updatedAt: row.updated_at as EpochMs,
    codesValidAfter: row.codes_valid_after as EpochMs,
    colour: {
      colour: row.colour,
      until: row.colour_until as EpochMs | null,
      reasons: JSON.parse(row.colour_reasons) as Reason[],
      policyVersion: row.colour_policy_version,
      assessedAt: row.colour_assessed_at as EpochMs,
    },
    documentKey: row.document_key,
    areaDependent: Number(row.area_dependent) === 1,
    healthStatus: statusOf(row),
  };
}

export async function findResidentById(db: Db, id: number): Promise<Resident | null> {
  const row = await db.selectFrom('residents').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : rowToResident(row);
}

export async function findResidentByAccount(db: Db, accountId: number): Promise<Resident | null> {
  const row = await db
    .selectFrom('residents')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row === undefined ? null : rowToResident(row);
}

/** Every column of `residents`; the type check below fails when a migration adds one. */
const RESIDENT_COLUMNS = [
  'id',
  'account_id',
  'document_key',
  'document_type',
  'document_number',
  'name',
  'mobile',
  'nationality',
  'address_division',
  'address_detail',
  'contact_history',
  'health_card_id',
  'pledged_at',
  'created_at',
  'updated_at',
  'codes_valid_after',
  'colour',
  'colour_until',
  'colour_reasons',
  'colour_policy_version',
  'colour_assessed_at',
  'area_dependent',
  'last_negative_test_at',
  'vaccine_doses',
  'last_vaccine_at',
] as const satisfies readonly (keyof ResidentsTable)[];
const allResidentColumns: Exclude<keyof ResidentsTable, (typeof RESIDENT_COLUMNS)[number]> extends never
  ? true
  : never = true;
void allResidentColumns;

const byAccountLookups = new WeakMap<Database, (accountId: number) => Promise<Row | undefined>>();

/**
 * findResidentByAccount outside a transaction, through a prepared key lookup (batched per turn on
 * PostgreSQL): every getMyCode and place-code scan reads the caller's own record, and the query
 * builder costs more than the read.
 */
export async function readResidentByAccount(database: Database, accountId: number): Promise<Resident | null> {
  let lookup = byAccountLookups.get(database);
  if (lookup === undefined) {
    lookup = database.prepareKeyLookup<Row>('residents', RESIDENT_COLUMNS, 'account_id');
    byAccountLookups.set(database, lookup);
  }
  const row = await lookup(accountId);
  return row === undefined ? null : rowToResident(row);
}

export async function findResidentByDocumentKey(db: Db, documentKey: string): Promise<Resident | null> {
  const row = await db
    .selectFrom('residents')
    .selectAll()
    .where('document_key', '=', documentKey)
    .executeTakeFirst();
  return row === undefined ? null : rowToResident(row);
}

/** What the checkpoint path needs, and no more: one indexed read per scan. */
export interface ResidentForCheck {
  readonly id: ResidentId;
  readonly name: string;
  readonly codesValidAfter: EpochMs;
  readonly colour: Colour;
  readonly colourUntil: EpochMs | null;
  readonly colourPolicyVersion: string;
  readonly colourAssessedAt: EpochMs;
  readonly areaDependent: boolean;
  readonly healthStatus: HealthStatus;
}

const RESIDENT_FOR_CHECK_COLUMNS = [
  'id',
  'name',
  'codes_valid_after',
  'colour',
  'colour_until',
  'colour_policy_version',
  'colour_assessed_at',
  'area_dependent',
  'last_negative_test_at',
  'vaccine_doses',
  'last_vaccine_at',
] as const;

type ResidentForCheckRow = Pick<
  ResidentsTable,
  | 'name'
  | 'codes_valid_after'
  | 'colour'
  | 'colour_until'
  | 'colour_policy_version'
  | 'colour_assessed_at'
  | 'last_negative_test_at'
  | 'last_vaccine_at'
> & { id: number; area_dependent: number; vaccine_doses: number };

const checkLookups = new WeakMap<Database, (id: number) => Promise<ResidentForCheckRow | undefined>>();

export async function findResidentForCheck(database: Database, id: number): Promise<ResidentForCheck | null> {
  let lookup = checkLookups.get(database);
  if (lookup === undefined) {
    lookup = database.prepareKeyLookup<ResidentForCheckRow>('residents', RESIDENT_FOR_CHECK_COLUMNS, 'id');
    checkLookups.set(database, lookup);
  }
  const row = await lookup(id);
  if (row === undefined) return null;
  return {
    id: Number(row.id) as ResidentId,
    name: row.name,
    codesValidAfter: Number(row.codes_valid_after) as EpochMs,
    colour: row.colour,
    colourUntil: row.colour_until === null ? null : (Number(row.colour_until) as EpochMs),
    colourPolicyVersion: row.colour_policy_version,
    colourAssessedAt: Number(row.colour_assessed_at) as EpochMs,
    areaDependent: Number(row.area_dependent) === 1,
    healthStatus: statusOf(row),
  };
}

export interface ResidentFields {
  readonly documentKey: string;
  readonly documentType: string;
  readonly documentNumber: string;
  readonly name: string;
  readonly mobile: string;
  readonly nationality: string;
  readonly addressDivision: string;
  readonly addressDetail: string;
  readonly contactHistory: unknown;
  readonly healthCardId: string;
  readonly pledgedAt: number;
}

function fieldsToRow(f: ResidentFields) {
  return {
    document_key: f.documentKey,
    document_type: f.documentType,
    document_number: f.documentNumber,
    name: f.name,
    mobile: f.mobile,
    nationality: f.nationality,
    address_division: f.addressDivision,
    address_detail: f.addressDetail,
    contact_history: JSON.stringify(f.contactHistory),
    health_card_id: f.healthCardId,
    pledged_at: f.pledgedAt,
  };
}

function colourToRow(c: StoredColour) {
  return {
    colour: c.colour,
    colour_until: c.until,
    colour_reasons: JSON.stringify(c.reasons),
    colour_policy_version: c.policyVersion,
    colour_assessed_at: c.assessedAt,
  };
}

export async function insertResident(
  db: Db,
  accountId: number,
  fields: ResidentFields,
  colour: StoredColour,
  now: number,
): Promise<ResidentId> {
  const row = await db
    .insertInto('residents')
    .values({
      account_id: accountId,
      ...fieldsToRow(fields),
      created_at: now,
      updated_at: now,
      codes_valid_after: 0,
      ...colourToRow(colour),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id) as ResidentId;
}

export async function updateResidentFields(
  db: Db,
  id: ResidentId,
  fields: ResidentFields,
  now: number,
): Promise<void> {
  await db
    .updateTable('residents')
    .set({ ...fieldsToRow(fields), updated_at: now })
    .where('id', '=', id)
    .execute();
}

export async function updateResidentColour(
  db: Db,
  id: ResidentId,
  colour: StoredColour,
  areaDependent: boolean,
  status: HealthStatus,
): Promise<void> {
  await db
    .updateTable('residents')
    .set({
      ...colourToRow(colour),
      area_dependent: areaDependent ? 1 : 0,
      last_negative_test_at: status.lastNegativeTestAt,
      vaccine_doses: status.vaccineDoses,
      last_vaccine_at: status.lastVaccineAt,
    })
    .where('id', '=', id)
    .execute();
}

/** What reassessing a resident reads besides facts: the current colour, county and document key. */
export async function findResidentForAssessment(
  db: Db,
  id: ResidentId,
  /** `select … for update` (PostgreSQL only; SQLite transactions are serial already). */
  lock = false,
): Promise<{ colour: Colour; policyVersion: string; divisionCode: string; documentKey: string } | null> {
  const query = db
    .selectFrom('residents')
    .select(['colour', 'colour_policy_version', 'address_division', 'document_key'])
    .where('id', '=', id);
  const row = await (lock ? query.forUpdate() : query).executeTakeFirst();
  return row === undefined
    ? null
    : {
        colour: row.colour,
        policyVersion: row.colour_policy_version,
        divisionCode: row.address_division,
        documentKey: row.document_key,
      };
}

/** Whether any resident registered before `at` (a fresh install has nothing to count for a day). */
export async function anyResidentCreatedBefore(db: Db, at: number): Promise<boolean> {
  const row = await db
    .selectFrom('residents')
    .select('id')
    .where('created_at', '<', at)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A page of resident ids after `after`, in id order. */
export async function residentIdsAfter(db: Db, after: number, limit: number): Promise<ResidentId[]> {
  const rows = await db
    .selectFrom('residents')
    .select('id')
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.id) as ResidentId);
}

/** Residents whose expected colour change (`until`) is at or before `at`, soonest first. */
export async function residentsDueBy(db: Db, at: number, limit: number): Promise<ResidentId[]> {
  const rows = await db
    .selectFrom('residents')
    .select('id')
    .where('colour_until', '<=', at)
    .orderBy('colour_until')
    .limit(limit)
    .execute();
  return rows.map((r) => Number(r.id) as ResidentId);
}

/** A page of residents after `after` (id order) with what a policy preview needs. */
export async function residentColoursAfter(db: Db, after: number, limit: number) {
  return db
    .selectFrom('residents')
    .select(['id', 'colour', 'address_division', 'document_key'])
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}
