import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { authenticator } from 'otplib';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { ManualClock } from '../../src/use-cases/clock.ts';
import { createPlatform } from '../../src/platform.ts';
import type { Platform } from '../../src/use-cases/platform.ts';
import { MemorySmsSender } from '../../src/use-cases/sms.ts';
import { checkDisplayName } from '../../src/use-cases/staff-admin.ts';
import { dialectSuiteOptions, DIALECTS, openCliDatabase } from '../support/platform.ts';

/**
 * `healthcode staff …` run as an operator runs it — its own process, on the configured database —
 * and the accounts it makes then used through the real API of a platform on that same database.
 */
async function healthcode(
  env: Record<string, string>,
  args: string[],
  input = '',
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronous, so the platform under test (and its database pool) keeps running meanwhile.
  const child = spawn(process.execPath, ['bin/healthcode.js', ...args], {
    env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: undefined, ...env },
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end(input);
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { status, stdout, stderr };
}

const printedPassword = (stdout: string): string => {
  const m = /^password: (\S+)$/m.exec(stdout);
  assert.ok(m?.[1], `no password printed in:\n${stdout}`);
  return m[1];
};

for (const dialect of DIALECTS) {
  describe(`healthcode staff CLI (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let env: Record<string, string>;
    let platform: Platform;
    let app: FastifyInstance;
    let dispose: () => Promise<void>;
    const clock = new ManualClock(Date.now());
    const run = (args: string[], input?: string) => healthcode(env, ['staff', ...args], input);

    const signIn = (username: string, password: string) =>
      app.inject({ method: 'POST', url: '/api/v1/staff-sessions', payload: { username, password } });
    /** A staff-only read with the token; the clock moves past the session cache first, as seconds pass. */
    const venues = (token: string) => {
      clock.advance(10_000);
      return app.inject({
        method: 'GET',
        url: '/api/v1/venues',
        headers: { authorization: `Bearer ${token}` },
      });
    };

    /** The same database served in production mode, where officers and admins need a second factor. */
    let production: { platform: Platform; app: FastifyInstance };

    before(async () => {
      // Demo mode, where a password alone signs an officer in: these tests are about the accounts
      // the CLI manages. The production rule (a second factor first) has its own test below.
      const config = loadConfig({}, { mode: 'demo', dataDir: os.tmpdir() });
      const opened = await openCliDatabase(dialect);
      env = opened.env;
      dispose = opened.dispose;
      platform = await createPlatform(config, {
        clock,
        sms: new MemorySmsSender(),
        database: opened.database,
      });
      app = await buildApp(platform, { webRoot: null });
      const productionPlatform = await createPlatform(
        loadConfig({}, { mode: 'production', dataDir: os.tmpdir() }),
        { clock, sms: new MemorySmsSender(), database: platform.database },
      );
      production = {
        platform: productionPlatform,
        app: await buildApp(productionPlatform, { webRoot: null }),
      };
    });

    after(async () => {
      await production.app.close();
      await production.platform.close();
      await app.close();
      await platform.close();
      await platform.database.close();
      await dispose();
    });

    test('a fresh install gets its first admin; the generated password is printed once and signs in', async () => {
      const listed = await run(['list']);
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, /no staff accounts yet/);

      const r = await run([
        'create',
        '--username',
        'shandong-admin',
        '--role',
        'admin',
        '--division',
        '370000',
        '--name',
        '山东省卫健委 Admin',
      ]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /created admin shandong-admin \(id \d+, division 370000\)/);
      const password = printedPassword(r.stdout);
      assert.ok(password.length >= 20);

      const session = await signIn('shandong-admin', password);
      assert.equal(session.statusCode, 200, session.body);
      assert.deepEqual(
        {
          role: session.json<{ role: string }>().role,
          division: session.json<Record<string, string>>()['divisionCode'],
        },
        { role: 'admin', division: '370000' },
      );
      assert.equal((await signIn('shandong-admin', 'not-the-password')).statusCode, 401);

      const again = await run(['list']);
      assert.match(again.stdout, /shandong-admin\s+admin\s+370000\s+active\s+山东省卫健委 Admin/);
      assert.doesNotMatch(again.stdout, new RegExp(password), 'the password is never shown again');
      const json = JSON.parse((await run(['list', '--json'])).stdout) as Record<string, unknown>[];
      assert.equal(json.length, 1);
      assert.equal(json[0]?.['username'], 'shandong-admin');
      assert.equal(json[0]?.['passwordHash'], undefined, 'the hash stays in the database');

      const audit = await platform.db
        .selectFrom('audit_log')
        .select(['action', 'actor_kind', 'detail'])
        .where('action', '=', 'create_staff')
        .execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]?.actor_kind, 'system');
      assert.deepEqual((JSON.parse(audit[0]?.detail ?? '{}') as { via?: string }).via, 'cli');
    });

    test('--password-stdin takes the password from stdin; there is no way to put it in argv', async () => {
      const password = 'jinan officer pass 2026';
      const r = await run(
        [
          'create',
          '--username',
          'jinan.officer',
          '--role',
          'officer',
          '--division',
          '370100',
          '--name',
          '济南 Officer',
          '--password-stdin',
        ],
        `${password}\n`,
      );
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stdout, /password:/, 'nothing generated, nothing printed');
      assert.equal((await signIn('jinan.officer', password)).statusCode, 200);

      const argv = await run([
        'create',
        '--username',
        'x-officer',
        '--role',
        'officer',
        '--division',
        '370100',
        '--name',
        'X',
        '--password',
        'in-argv-1234',
      ]);
      assert.equal(argv.status, 1);
      assert.match(argv.stderr, /unknown option '--password'/);

      const short = await run(
        [
          'create',
          '--username',
          'y-officer',
          '--role',
          'officer',
          '--division',
          '370100',
          '--name',
          'Y',
          '--password-stdin',
        ],
        'short\n',
      );
      assert.equal(short.status, 2);
      assert.match(short.stderr, /at least 10 characters/);
      const twoLines = await run(
        [
          'create',
          '--username',
          'y-officer',
          '--role',
          'officer',
          '--division',
          '370100',
          '--name',
          'Y',
          '--password-stdin',
        ],
        'first line is long\nsecond\n',
      );
      assert.equal(twoLines.status, 2);
      assert.match(twoLines.stderr, /control character/);
      assert.doesNotMatch((await run(['list'])).stdout, /y-officer|x-officer/);
    });

    test('invalid input is refused with every problem named, exit 2; a taken username exit 1', async () => {
      const bad = await run([
        'create',
        '--username',
        'Bad Name',
        '--role',
        'superuser',
        '--division',
        '3701',
        '--name',
        'Eve\u202Enimda',
      ]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /validation_failed: 4 fields are invalid/);
      assert.match(bad.stderr, /username: Use 3–32 characters/);
      assert.match(bad.stderr, /role: The role must be one of checkpoint, officer, admin/);
      assert.match(bad.stderr, /divisionCode: The division must be a 6-digit/);
      assert.match(bad.stderr, /displayName: .*U\+202E/);

      // A trailing BOM would vanish in trim(): it must be refused, not silently dropped.
      const bom = await run([
        'create',
        '--username',
        'hidden',
        '--role',
        'officer',
        '--division',
        '370100',
        '--name',
        'Bom\uFEFF',
      ]);
      assert.equal(bom.status, 2);
      assert.match(bom.stderr, /U\+FEFF/);
      for (const [name, cp] of [
        ['Zero\u200Bwidth', '200B'],
        ['Joiner\u200D', '200D'],
        ['Iso\u2066late\u2069', '2066'],
        ['Mark\u200F', '200F'],
        ['\u2028Line', '2028'],
        ['Bell\u0007', '0007'],
        ['Tab\tName', '0009'],
        ['Private\uE000', 'E000'],
      ] as const) {
        const checked = checkDisplayName(name);
        assert.ok('issue' in checked, name);
        assert.match(checked.issue.message, new RegExp(`U\\+${cp}`));
      }
      assert.deepEqual(checkDisplayName('  济南市  疫情\u3000防控办 '), { value: '济南市 疫情 防控办' });
      const unknownDivision = await run([
        'create',
        '--username',
        'nowhere',
        '--role',
        'officer',
        '--division',
        '379999',
        '--name',
        'N',
      ]);
      assert.equal(unknownDivision.status, 2);
      assert.match(unknownDivision.stderr, /379999 is not a current division code/);

      const taken = await run([
        'create',
        '--username',
        'shandong-admin',
        '--role',
        'officer',
        '--division',
        '370100',
        '--name',
        'Dup',
      ]);
      assert.equal(taken.status, 1);
      assert.match(taken.stderr, /staff_username_taken: The username "shandong-admin" is taken/);
      const missing = await run(['create', '--username', 'no-role']);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /required option '--role <role>' not specified/);
      assert.doesNotMatch((await run(['list'])).stdout, /hidden|nowhere|no-role/);
    });

    test('disable ends open sessions and refuses sign-in; enable lets the account back in', async () => {
      const created = await run([
        'create',
        '--username',
        'lixia-desk',
        '--role',
        'checkpoint',
        '--division',
        '370102',
        '--name',
        '历下 Desk',
      ]);
      assert.equal(created.status, 0, created.stderr);
      const password = printedPassword(created.stdout);
      const token = (await signIn('lixia-desk', password)).json<{ token: string }>().token;
      assert.equal((await venues(token)).statusCode, 200);

      const disabled = await run(['disable', '--username', 'lixia-desk']);
      assert.equal(disabled.status, 0, disabled.stderr);
      assert.match(disabled.stdout, /disabled lixia-desk; ended 1 open session/);
      const refused = await venues(token);
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'unauthenticated');
      const signInRefused = await signIn('lixia-desk', password);
      assert.equal(signInRefused.statusCode, 401);
      assert.equal(signInRefused.json<{ error: { code: string } }>().error.code, 'invalid_credentials');
      assert.match((await run(['list'])).stdout, /lixia-desk\s+checkpoint\s+370102\s+disabled/);
      assert.match((await run(['disable', '--username', 'lixia-desk'])).stdout, /already disabled/);

      const unknown = await run(['disable', '--username', 'nobody-here']);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /not_found: There is no staff account "nobody-here"/);

      assert.equal((await run(['enable', '--username', 'lixia-desk'])).status, 0);
      const back = await signIn('lixia-desk', password);
      assert.equal(back.statusCode, 200, back.body);
      assert.equal((await venues(token)).statusCode, 401, 'a session ended by disabling stays ended');
    });

    test('reset-password: the old password and its sessions stop working, the new one signs in', async () => {
      const old = 'jinan officer pass 2026';
      const token = (await signIn('jinan.officer', old)).json<{ token: string }>().token;
      assert.equal((await venues(token)).statusCode, 200);

      const r = await run(['reset-password', '--username', 'jinan.officer']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(
        r.stdout,
        /new password set for jinan\.officer; ended 2 open sessions?/,
        'signed in here and in the stdin test',
      );
      const fresh = printedPassword(r.stdout);
      assert.equal((await venues(token)).statusCode, 401);
      assert.equal((await signIn('jinan.officer', old)).statusCode, 401);
      assert.equal((await signIn('jinan.officer', fresh)).statusCode, 200);

      const chosen = 'a password the officer chose';
      const viaStdin = await run(
        ['reset-password', '--username', 'jinan.officer', '--password-stdin'],
        chosen,
      );
      assert.equal(viaStdin.status, 0, viaStdin.stderr);
      assert.doesNotMatch(viaStdin.stdout, /password:/);
      assert.equal((await signIn('jinan.officer', fresh)).statusCode, 401);
      assert.equal((await signIn('jinan.officer', chosen)).statusCode, 200);

      const actions = await platform.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', 'in', ['reset_staff_password', 'disable_staff', 'enable_staff'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        actions.map((a) => a.action),
        ['disable_staff', 'enable_staff', 'reset_staff_password', 'reset_staff_password'],
      );
    });

    test('production: a CLI-made admin signs in only after a setup link enrols the authenticator', async () => {
      const created = await run([
        'create',
        '--username',
        'prod-admin',
        '--role',
        'admin',
        '--division',
        '370000',
        '--name',
        'Prod Admin',
      ]);
      assert.equal(created.status, 0, created.stderr);
      assert.match(created.stderr, /healthcode staff setup-link --username prod-admin/);
      const password = printedPassword(created.stdout);
      const prodSignIn = (body: Record<string, string>) =>
        production.app.inject({ method: 'POST', url: '/api/v1/staff-sessions', payload: body });

      const refused = await prodSignIn({ username: 'prod-admin', password });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'second_factor_not_enrolled');
      assert.match(refused.body, /setup-link --username prod-admin/);
      // Not a failed guess: the account is not brought nearer its lock-out.
      for (let i = 0; i < 6; i++)
        assert.equal((await prodSignIn({ username: 'prod-admin', password })).statusCode, 403);

      const unknown = await run(['setup-link', '--username', 'nobody-here']);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /not_found: There is no staff account "nobody-here"/);

      const linked = await run(['setup-link', '--username', 'prod-admin']);
      assert.equal(linked.status, 0, linked.stderr);
      assert.match(linked.stdout, /setup link for prod-admin \(admin\), valid until \d{4}-\d\d-\d\dT/);
      const token = /\/staff\/setup#token=([\w-]+)/.exec(linked.stdout)?.[1];
      assert.ok(token, linked.stdout);

      const chosen = 'prod admin chosen 2026';
      const set = await production.app.inject({
        method: 'POST',
        url: '/api/v1/staff-password-setups',
        payload: { token, password: chosen },
      });
      assert.equal(set.statusCode, 200, set.body);
      const secret = set.json<{ secondFactor: { secret: string } | null }>().secondFactor?.secret;
      assert.ok(secret, 'production enrols the second factor');

      assert.equal((await prodSignIn({ username: 'prod-admin', password: chosen })).statusCode, 401);
      const ok = await prodSignIn({
        username: 'prod-admin',
        password: chosen,
        totp: authenticator.clone({ epoch: clock.now() }).generate(secret),
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json<{ role: string }>().role, 'admin');

      const audit = await platform.db
        .selectFrom('audit_log')
        .select('detail')
        .where('action', '=', 'issue_staff_setup_link')
        .execute();
      assert.equal(audit.length, 1);
      assert.match(audit[0]?.detail ?? '', /"via":"cli"/);
    });
  });
}
