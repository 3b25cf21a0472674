/**
 * Declaring a county medium-risk among 1,000,000 residents, 100,000 of whom stayed there: how long
 * until getMyCode shows the new colour, and how long the background sweep takes to reassess (and
 * record events for) all of them. Then the same for lifting it. Embedded SQLite, one process.
 *
 *   node --import tsx bench/risk-area.ts [--residents 1000000] [--affected 100000]
 *
 * Prints one JSON line of measurements.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { DEFAULT_POLICY } from '../src/domain/colour/index.ts';
import {
  deriveDocumentKey,
  deriveHealthCardId,
  gb11643CheckCharacter,
} from '../src/domain/identity/index.ts';
import { DAY_MS } from '../src/domain/types.ts';
import { openSqlite } from '../src/storage/database.ts';
import { getMyCode } from '../src/use-cases/health-code.ts';
import { createPlatform } from '../src/platform.ts';
import { declareRiskArea, liftRiskArea } from '../src/use-cases/risk-areas.ts';
import type { Principal } from '../src/use-cases/sign-in.ts';

const { values } = parseArgs({
  options: {
    residents: { type: 'string', default: '1000000' },
    affected: { type: 'string', default: '100000' },
  },
});
const N = Number(values.residents);
const AFFECTED = Number(values.affected);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-risk-bench-'));
const database = await openSqlite({ file: path.join(dataDir, 'healthcode.sqlite') });
const p = await createPlatform(loadConfig({}, { mode: 'production', dataDir }), { database });
const now = p.clock.now();
const COUNTY = '370103';
const HOME = ['370102', '370104', '370105', '370112', '370202', '370203'];

const t0 = Date.now();
const insertAccounts = database.prepareBatchInsert('accounts', ['mobile', 'created_at']);
const insertResidents = database.prepareBatchInsert('residents', [
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
]);
const insertFacts = database.prepareBatchInsert('facts', [
  'id',
  'resident_id',
  'kind',
  'from_ms',
  'to_ms',
  'attributes',
  'source',
  'source_ref',
  'created_at',
  'division_code',
]);
const stayFrom = now - 5 * DAY_MS;
const stayTo = now - 4 * DAY_MS;
for (let start = 1; start <= N; start += 10_000) {
  const accounts: unknown[][] = [];
  const residents: unknown[][] = [];
  const facts: unknown[][] = [];
  for (let id = start; id < Math.min(start + 10_000, N + 1); id++) {
    const mobile = `+86139${String(id).padStart(8, '0')}`;
    const body = `${HOME[id % HOME.length]}1980${String((id % 12) + 1).padStart(2, '0')}${String((id % 28) + 1).padStart(2, '0')}${String(id % 1000).padStart(3, '0')}`;
    const number = body + gb11643CheckCharacter(body);
    const doc = { type: 'resident_id_card' as const, number };
    const affected = id % Math.round(N / AFFECTED) === 0;
    accounts.push([mobile, now]);
    residents.push([
      id,
      `${deriveDocumentKey(p.secrets.identityPepper, doc)}-${id}`,
      'resident_id_card',
      number,
      '张三',
      mobile,
      'CN',
      HOME[id % HOME.length],
      '1 号',
      affected ? JSON.stringify({ epidemicAreaStays: [{ divisionCode: COUNTY }] }) : '{}',
      `${deriveHealthCardId(p.secrets.identityPepper, doc)}${id}`,
      now,
      now,
      now,
      0,
      'green',
      null,
      '[]',
      DEFAULT_POLICY.version,
      now,
      affected ? 1 : 0,
    ]);
    if (affected) {
      facts.push([
        `bench-${id}`,
        id,
        'stay',
        stayFrom,
        stayTo,
        JSON.stringify({ divisionCode: COUNTY, subArea: null }),
        'application',
        'application',
        now,
        COUNTY,
      ]);
    }
  }
  await insertAccounts(accounts);
  await insertResidents(residents);
  await insertFacts(facts);
}
const seeded = (Date.now() - t0) / 1000;
const affectedIds: number[] = [];
for (let id = Math.round(N / AFFECTED); id <= N; id += Math.round(N / AFFECTED)) affectedIds.push(id);
const probe = affectedIds[Math.floor(affectedIds.length / 2)] ?? 1;
const bystander = probe + 1;

const admin: Principal = {
  kind: 'staff',
  staffId: 0,
  role: 'admin',
  divisionCode: '000000',
  divisionCodes: ['000000'],
  displayName: 'bench',
  tokenHash: '',
};

async function until(colour: string, accountId: number, started: number): Promise<number> {
  for (;;) {
    if ((await getMyCode(p, accountId)).colour === colour) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const d0 = Date.now();
const declared = await declareRiskArea(p, admin, {
  divisionCode: COUNTY,
  level: 'medium',
  from: new Date(now - 10 * DAY_MS).toISOString(),
});
const declareReturnedMs = Date.now() - d0;
const declareVisibleMs = await until('yellow', probe, d0);
const bystanderColour = (await getMyCode(p, bystander)).colour;
const declareSweep = await declared.sweep;
const declareSweepMs = Date.now() - d0;

const l0 = Date.now();
const lifted = await liftRiskArea(p, admin, declared.riskArea.riskAreaId, {
  at: new Date(now - 9 * DAY_MS).toISOString(),
});
const liftReturnedMs = Date.now() - l0;
const liftVisibleMs = await until('green', probe, l0);
const liftSweep = await lifted.sweep;
const liftSweepMs = Date.now() - l0;

const yellowNow = await p.db
  .selectFrom('residents')
  .select((eb) => eb.fn.countAll<number>().as('n'))
  .where('colour', '=', 'yellow')
  .executeTakeFirstOrThrow();
await p.close();
await database.close();
fs.rmSync(dataDir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({
    residents: N,
    affected: declared.residentsToReassess,
    seededSeconds: seeded,
    declare: {
      returnedMs: declareReturnedMs,
      visibleInGetMyCodeMs: declareVisibleMs,
      sweepMs: declareSweepMs,
      changed: declareSweep.changed,
      bystanderColour,
    },
    lift: {
      returnedMs: liftReturnedMs,
      visibleInGetMyCodeMs: liftVisibleMs,
      sweepMs: liftSweepMs,
      changed: liftSweep.changed,
    },
    yellowAfterLift: Number(yellowNow.n),
  }) + '\n',
);
