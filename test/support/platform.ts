import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { openPostgres, openSqlite, sqliteFileIn, type Database } from '../../src/storage/database.ts';
import { ManualClock } from '../../src/use-cases/clock.ts';
import { createPlatform } from '../../src/platform.ts';
import type { Platform } from '../../src/use-cases/platform.ts';
import { MemorySmsSender } from '../../src/use-cases/sms.ts';
import { buildApp } from '../../src/http/app.ts';
import { gb11643CheckCharacter } from '../../src/domain/identity/index.ts';
import type { StaffRole } from '../../src/domain/types.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import {
  enrolTotpSecret,
  findStaffByUsername,
  insertStaff,
  openTotpSecret,
} from '../../src/storage/staff.ts';
import { SECOND_FACTOR_ROLES, totpAt } from '../../src/use-cases/second-factor.ts';
import { authenticator } from 'otplib';

/**
 * Test harness: a real platform on a real database — SQLite always, PostgreSQL when one answers.
 * Each PostgreSQL suite gets its own schema, dropped at the end.
 */
export const POSTGRES_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

let postgresProbe: Promise<string | null> | null = null;

/** null when PostgreSQL answers, else the reason it does not. A refused connection fails at once; the
 * long timeout is for a loaded machine, where a live server can take seconds to accept. */
export function postgresUnavailable(): Promise<string | null> {
  postgresProbe ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 15_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (error) {
      return `PostgreSQL at ${POSTGRES_URL} does not answer (${(error as Error).message})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgresProbe;
}

export type DialectName = 'sqlite' | 'postgres';
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

/**
 * Options for `describe` per dialect: PostgreSQL suites are reported as SKIPPED (never passed) with
 * the reason when no server answers — except in CI, where a missing server fails the run.
 */
export async function dialectSuiteOptions(dialect: DialectName): Promise<{ skip?: string }> {
  if (dialect === 'sqlite') return {};
  const reason = await postgresUnavailable();
  if (reason === null) return {};
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI must have PostgreSQL`);
  console.log(`# SKIPPING PostgreSQL tests: ${reason}`);
  // A skipped suite counts under "suites", not "skipped": one skipped test makes the summary say so.
  void test(`PostgreSQL tests of this file`, { skip: reason }, () => {
    assert.fail('a skipped test ran');
  });
  return { skip: reason };
}

export async function openTestDatabase(
  dialect: DialectName,
): Promise<{ database: Database; dispose: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-test-'));
    const database = await openSqlite({ file: path.join(dir, 'test.sqlite') });
    return {
      database,
      dispose: async () => {
        await database.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const database = await openPostgres({ url: POSTGRES_URL, schema, poolSize: 4 });
  return {
    database,
    dispose: async () => {
      await database.close();
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/**
 * A database that a `healthcode` process reaches too, as an operator's would: an SQLite file in a
 * data directory (DATA_DIR), or a PostgreSQL schema named in DATABASE_URL's search_path. `env` is
 * what to give the process.
 */
export async function openCliDatabase(
  dialect: DialectName,
): Promise<{ database: Database; env: Record<string, string>; dispose: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-cli-'));
    const database = await openSqlite({ file: sqliteFileIn(dir) });
    return {
      database,
      env: { DATA_DIR: dir },
      dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const database = await openPostgres({ url: POSTGRES_URL, schema, poolSize: 4 });
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    database,
    env: { DATABASE_URL: url.toString() },
    dispose: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

/** 2026-11-25T02:00:00Z = 10:00 in China. */
export const TEST_EPOCH = Date.parse('2026-11-25T02:00:00Z');

export interface TestPlatform {
  readonly platform: Platform;
  readonly clock: ManualClock;
  readonly sms: MemorySmsSender;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function createTestPlatform(
  dialect: DialectName,
  options: {
    mode?: Config['mode'];
    webRoot?: string | null;
    now?: number;
    /** Configuration as if read from these environment variables (e.g. SUPPORT_PHONE). */
    env?: Readonly<Record<string, string>>;
  } = {},
): Promise<TestPlatform> {
  const { database, dispose } = await openTestDatabase(dialect);
  const clock = new ManualClock(options.now ?? TEST_EPOCH);
  const sms = new MemorySmsSender();
  const config = loadConfig(options.env ?? {}, { mode: options.mode ?? 'demo', dataDir: os.tmpdir() });
  const platform = await createPlatform(config, { clock, sms, database });
  const app = await buildApp(platform, { webRoot: options.webRoot ?? null });
  return {
    platform,
    clock,
    sms,
    app,
    async close() {
      await app.close();
      await platform.close();
      await dispose();
    },
  };
}

/** Signs a resident in through the API (requestSignInCode + signIn) and returns the bearer token. */
export async function signInResident(t: TestPlatform, mobile: string): Promise<string> {
  const sent = await t.app.inject({ method: 'POST', url: '/api/v1/sign-in-codes', payload: { mobile } });
  if (sent.statusCode !== 200) throw new Error(`requestSignInCode: ${sent.statusCode} ${sent.body}`);
  const code = t.sms.sent.get(normalizeForSms(mobile));
  if (code === undefined) throw new Error('no code was sent');
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { mobile, code } });
  if (res.statusCode !== 200) throw new Error(`signIn: ${res.statusCode} ${res.body}`);
  return res.json<{ token: string }>().token;
}

function normalizeForSms(mobile: string): string {
  const digits = mobile.replace(/[\s-]/g, '');
  if (digits.startsWith('+')) return digits;
  if (digits.startsWith('86') && digits.length === 13) return `+${digits}`;
  return `+86${digits}`;
}

/** A valid resident ID number from its first 17 digits (check character computed), so tests copy nobody's. */
export function residentIdNumber(first17: string): string {
  return first17 + gb11643CheckCharacter(first17);
}

export function sampleApplication(overrides: Record<string, unknown> = {}) {
  return {
    name: '张小三',
    documentType: 'resident_id_card',
    documentNumber: residentIdNumber('37010219900307123'),
    mobile: '13800138000',
    nationality: 'CN',
    address: { divisionCode: '370102', detail: '泉城路 1 号' },
    contactHistory: {},
    pledge: true,
    ...overrides,
  };
}

/** Staff accounts (password 'pw') inserted straight into storage, for suites that need a few roles. */
/**
 * Staff accounts with the password 'pw'. On a platform in production mode, officers, admins and
 * auditors get an enrolled second factor (production refuses them without one); `staffToken`
 * then sends its current code.
 */
export async function addStaff(
  t: TestPlatform,
  staff: readonly { username: string; role: StaffRole; divisionCode: string }[],
): Promise<void> {
  const passwordHash = await hashPassword('pw');
  for (const s of staff) {
    const staffId = await insertStaff(t.platform.db, {
      username: s.username,
      role: s.role,
      divisionCode: s.divisionCode,
      displayName: s.username,
      passwordHash,
      createdAt: t.clock.now(),
    });
    if (t.platform.config.mode === 'production' && SECOND_FACTOR_ROLES.includes(s.role))
      await enrolTotpSecret(t.platform.db, t.platform.sealer, staffId, authenticator.generateSecret());
  }
}

/** The base32 TOTP secret a staff account enrolled, or null. */
export async function staffTotpSecret(t: TestPlatform, username: string): Promise<string | null> {
  const staff = await findStaffByUsername(t.platform.db, username);
  return staff?.totpSecret == null ? null : openTotpSecret(t.platform.sealer, staff.id, staff.totpSecret);
}

/** Signs a staff account (password 'pw', and its TOTP code if enrolled) in and returns the bearer token. */
export async function staffToken(t: TestPlatform, username: string): Promise<string> {
  const secret = await staffTotpSecret(t, username);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/staff-sessions',
    payload: {
      username,
      password: 'pw',
      ...(secret === null ? {} : { totp: totpAt(secret, t.clock.now()) }),
    },
  });
  if (res.statusCode !== 200) throw new Error(`staffSignIn ${username}: ${res.statusCode} ${res.body}`);
  return res.json<{ token: string }>().token;
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

/** The error code of a JSON error answer, or undefined. */
export function errorCode(res: { json<T>(): T }): string | undefined {
  try {
    return res.json<{ error?: { code?: string } }>().error?.code;
  } catch {
    return undefined;
  }
}
