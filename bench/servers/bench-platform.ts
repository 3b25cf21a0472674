/**
 * The platform as the benchmarks use it: production mode on SQLite in a temp dir (or DATABASE_URL,
 * in a schema of its own), with one resident and their code, one checkpoint account, and an
 * approved venue with one gate account. Shared by the HTTP bench server and bench/scan-parts.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { openPostgres } from '../../src/storage/database.ts';
import { createPlatform } from '../../src/platform.ts';
import type { Platform } from '../../src/use-cases/platform.ts';
import { MemorySmsSender } from '../../src/use-cases/sms.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import { insertStaff } from '../../src/storage/staff.ts';
import { upsertAccount } from '../../src/storage/accounts.ts';
import { submitApplication } from '../../src/use-cases/application.ts';
import { requestSignInCode, signIn, staffSignIn } from '../../src/use-cases/sign-in.ts';
import { getMyCode } from '../../src/use-cases/health-code.ts';
import { addVenueStaff, approveVenue, registerVenue } from '../../src/use-cases/venues.ts';
import { residentIdNumber } from '../../test/support/platform.ts';

export interface BenchPlatform {
  readonly p: Platform;
  /** The first resident's code (the venue's manager). */
  readonly code: string;
  /** Every bench resident's current code and session, the first resident's first. */
  readonly codes: readonly string[];
  readonly residentTokens: readonly string[];
  readonly residentToken: string;
  readonly staffToken: string;
  readonly gateToken: string;
  readonly venueId: number;
  /** Drains what is queued, closes the platform and removes its data. */
  dispose(): Promise<void>;
}

export async function setUpBenchPlatform(): Promise<BenchPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-bench-'));
  // Production as it should run: keys sealed with a key-encryption key (made up for the run).
  const config = loadConfig(process.env, { mode: 'production', dataDir, keyEncryptionKey: randomBytes(32) });
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
  const staff = await staffSignIn(p, 'bench', 'bench', '127.0.0.1');
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
      divisionCodes: ['000000'],
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
  const gate = await staffSignIn(p, 'bench-gate', 'bench-gate-password', '127.0.0.1');
  const code = (await getMyCode(p, account.id)).code;
  // More residents, so that scans read different rows (and PostgreSQL batches hold different keys),
  // as at a real door; BENCH_RESIDENTS sets how many (default 2000).
  const codes = [code];
  const residentTokens = [session.token];
  const residents = Number(process.env['BENCH_RESIDENTS'] ?? '2000');
  const surnames = '王李张刘陈杨黄赵吴周';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚';
  for (let i = 1; i < residents; i++) {
    const other = `+86139${String(i).padStart(8, '0')}`;
    await requestSignInCode(p, other);
    const otherSession = await signIn(p, other, sms.sent.get(other) ?? '');
    const otherAccount = await upsertAccount(p.db, other, now);
    await submitApplication(p, otherAccount.id, {
      name: `${surnames[i % 10] ?? '王'}${given[i % 20] ?? '伟'}${given[Math.floor(i / 20) % 20] ?? '芳'}`,
      documentType: 'resident_id_card',
      documentNumber: residentIdNumber(
        `370102${1950 + (Math.floor(i / 1000) % 50)}0101${String(i % 1000).padStart(3, '0')}`,
      ),
      mobile: other,
      nationality: 'CN',
      address: { divisionCode: '370102', detail: `泉城路 ${i} 号` },
      contactHistory: {},
      pledge: true,
    });
    codes.push((await getMyCode(p, otherAccount.id)).code);
    residentTokens.push(otherSession.token);
  }
  return {
    p,
    code,
    codes,
    residentTokens,
    residentToken: session.token,
    staffToken: staff.token,
    gateToken: gate.token,
    venueId: venue.venueId,
    async dispose() {
      await p.close();
      await database?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (config.databaseUrl !== null) {
        const client = new pg.Client({ connectionString: config.databaseUrl });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
    },
  };
}
