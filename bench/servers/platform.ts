/**
 * The real platform (production mode, SQLite in a temp dir or DATABASE_URL) with one resident and one
 * checkpoint account, for the load generator; and an approved venue with one gate account for
 * recordCheckpointCheck. Prints {port, residentToken, staffToken, code, venueId, gateToken}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { openPostgres } from '../../src/storage/database.ts';
import { createPlatform } from '../../src/use-cases/platform.ts';
import { MemorySmsSender } from '../../src/use-cases/sms.ts';
import { buildApp } from '../../src/http/app.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import { insertStaff } from '../../src/storage/staff.ts';
import { upsertAccount } from '../../src/storage/accounts.ts';
import { submitApplication } from '../../src/use-cases/application.ts';
import { requestSignInCode, signIn, staffSignIn } from '../../src/use-cases/sign-in.ts';
import { getMyCode } from '../../src/use-cases/health-code.ts';
import { addVenueStaff, approveVenue, registerVenue } from '../../src/use-cases/venues.ts';
import { drainCheckpoint } from '../../src/use-cases/checkpoint.ts';
import { residentIdNumber } from '../../test/support/platform.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-bench-'));
const config = loadConfig(process.env, { mode: 'production', dataDir });
const sms = new MemorySmsSender();
// PostgreSQL: a schema of its own, dropped on exit, so runs never meet each other's rows.
const schema = `bench_${randomBytes(4).toString('hex')}`;
const database =
  config.databaseUrl === null ? undefined : await openPostgres({ url: config.databaseUrl, schema });
const p = await createPlatform(config, { sms, ...(database === undefined ? {} : { database }) });
const now = p.clock.now();
await insertStaff(p.db, {
  username: 'bench',
  displayName: 'bench',
  passwordHash: await hashPassword('bench'),
  role: 'checkpoint',
  divisionCode: '370102',
  createdAt: now,
});
const mobile = '+8613800138000';
await requestSignInCode(p, mobile);
const session = await signIn(p, mobile, sms.sent.get(mobile) ?? '');
const account = await upsertAccount(p.db, mobile, now);
await submitApplication(p, account.id, {
  name: '张小三',
  documentType: 'resident_id_card',
  documentNumber: residentIdNumber('37010219900307123'),
  mobile,
  nationality: 'CN',
  address: { divisionCode: '370102', detail: '泉城路 1 号' },
  contactHistory: {},
  pledge: true,
});
const staff = await staffSignIn(p, 'bench', 'bench');
// recordCheckpointCheck: an approved venue managed by the bench resident, with one gate account.
const adminId = await insertStaff(p.db, {
  username: 'bench-admin',
  displayName: 'bench admin',
  passwordHash: await hashPassword('bench-admin'),
  role: 'admin',
  divisionCode: '000000',
  createdAt: now,
});
const manager = { kind: 'resident', accountId: account.id, tokenHash: '' } as const;
const venue = await registerVenue(p, manager, {
  name: '压测商场 Bench mall',
  kind: 'mallOrSupermarket',
  address: { divisionCode: '370102', detail: '泉城路 1 号' },
  contact: { name: '张小三', mobile },
});
await approveVenue(
  p,
  {
    kind: 'staff',
    staffId: adminId,
    role: 'admin',
    divisionCode: '000000',
    displayName: 'bench admin',
    tokenHash: '',
  },
  venue.venueId,
);
await addVenueStaff(p, manager, venue.venueId, {
  username: 'bench-gate',
  displayName: 'bench gate',
  password: 'bench-gate-password',
});
const gate = await staffSignIn(p, 'bench-gate', 'bench-gate-password');
const code = (await getMyCode(p, account.id)).code;
const app = await buildApp(p, { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  JSON.stringify({
    port: typeof address === 'object' && address !== null ? address.port : 0,
    residentToken: session.token,
    staffToken: staff.token,
    venueId: venue.venueId,
    gateToken: gate.token,
    code,
    database: p.database.dialect,
  }) + '\n',
);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => drainCheckpoint(p))
    .then(() => p.close())
    .then(async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (config.databaseUrl !== null) {
        const client = new pg.Client({ connectionString: config.databaseUrl });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
      process.exit(0);
    });
});
