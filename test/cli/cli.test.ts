import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs the real CLI as a user would, in its own process. */
function healthcode(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, ['bin/healthcode.js', ...args], {
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('healthcode CLI', () => {
  test('rules eval: one JSON line out per line in, results and errors', () => {
    const input = [
      JSON.stringify({ logic: { '+': [1, 2] }, data: {} }),
      JSON.stringify({ logic: { var: 'fact.kind' }, data: { fact: { kind: 'confirmed' } } }),
      JSON.stringify({ logic: { plusTime: ['2020-02-01', 14, 'day'] }, data: {} }),
      JSON.stringify({ logic: { nope: [1] }, data: {} }),
      '{not json',
    ].join('\n');
    const r = healthcode(['rules', 'eval'], { input });
    assert.equal(r.status, 0, r.stderr);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { result?: unknown; error?: string });
    assert.equal(out.length, 5);
    assert.deepEqual(out[0], { result: 3 });
    assert.deepEqual(out[1], { result: 'confirmed' });
    assert.match(String(out[2]?.result), /^2020-02-15T00:00:00/);
    assert.equal(typeof out[3]?.error, 'string');
    assert.equal(typeof out[4]?.error, 'string');
  });

  test('migrate, keys generate, rotate and list on a fresh data directory', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-cli-'));
    const env = { DATA_DIR: dataDir };
    try {
      assert.equal(healthcode(['migrate'], { env }).status, 0);
      const generated = healthcode(['keys', 'generate'], { env });
      assert.equal(generated.status, 0, generated.stderr);
      const kid = /generated key (\S+)/.exec(generated.stdout)?.[1];
      assert.ok(kid);
      const rotated = healthcode(['keys', 'rotate'], { env });
      assert.equal(rotated.status, 0, rotated.stderr);
      assert.match(rotated.stdout, new RegExp(`active key: ${kid.replace(/[-]/g, '\\-')}`));
      const listed = healthcode(['keys', 'list'], { env });
      assert.match(listed.stdout, new RegExp(`${kid.replace(/[-]/g, '\\-')}\\s+active`));
      const second = healthcode(['keys', 'rotate'], { env });
      assert.match(second.stdout, /retired: /);
      const again = healthcode(['keys', 'list'], { env });
      assert.match(again.stdout, /retired/);
      const activeRevoke = healthcode(['keys', 'revoke', kid], { env });
      assert.equal(activeRevoke.status, 0, 'the first key was retired by the second rotation');
      assert.match(
        healthcode(['keys', 'list'], { env }).stdout,
        new RegExp(`${kid.replace(/[-]/g, '\\-')}\\s+revoked`),
      );
      const current = /^(\S+)\s+active/m.exec(healthcode(['keys', 'list'], { env }).stdout)?.[1];
      assert.ok(current);
      const refused = healthcode(['keys', 'revoke', current], { env });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /rotate/);
      const unknown = healthcode(['keys', 'revoke', 'no-such-kid'], { env });
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /no signing key/);
      // Key ids are base64url: one that begins with '-' is the kid, not an unknown option.
      const dashed = healthcode(['keys', 'revoke', '-RfTFELBSaI'], { env });
      assert.equal(dashed.status, 1);
      assert.match(dashed.stderr, /no signing key/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('bad configuration fails fast listing every problem', () => {
    const r = healthcode(['migrate'], {
      env: { PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' },
    });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /PORT/);
    assert.match(r.stderr, /DATABASE_URL/);
    assert.match(r.stderr, /LOG_LEVEL/);
  });

  test('kek generate writes an owner-only key once; the server then seals keys with it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-kek-'));
    const file = path.join(dir, 'kek');
    try {
      const made = healthcode(['kek', 'generate', file]);
      assert.equal(made.status, 0, made.stderr);
      assert.equal(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64').length, 32);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      const again = healthcode(['kek', 'generate', file]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /never overwritten/);
      const env = { DATA_DIR: path.join(dir, 'data'), KEY_ENCRYPTION_KEY_FILE: file };
      const generated = healthcode(['keys', 'generate'], { env });
      assert.equal(generated.status, 0, generated.stderr);
      const listed = healthcode(['keys', 'list'], { env: { DATA_DIR: env.DATA_DIR } });
      assert.equal(listed.status, 0, 'listing needs no key material');
      const rotated = healthcode(['keys', 'rotate'], { env: { DATA_DIR: env.DATA_DIR } });
      assert.notEqual(rotated.status, 0, 'rotating without the key-encryption key fails');
      assert.match(rotated.stderr, /KEY_ENCRYPTION_KEY_FILE/);
      const next = path.join(dir, 'kek-2');
      assert.equal(healthcode(['kek', 'generate', next]).status, 0);
      const resealed = healthcode(['kek', 'rotate', next], { env });
      assert.equal(resealed.status, 0, resealed.stderr);
      assert.match(resealed.stdout, /re-sealed \d+ stored values/);
      const withOld = healthcode(['keys', 'rotate'], { env });
      assert.notEqual(withOld.status, 0);
      assert.match(withOld.stderr, /wrong key/);
      const withNew = healthcode(['keys', 'rotate'], { env: { ...env, KEY_ENCRYPTION_KEY_FILE: next } });
      assert.equal(withNew.status, 0, withNew.stderr);
      fs.writeFileSync(path.join(dir, 'short'), 'c2hvcnQ=\n');
      const bad = healthcode(['migrate'], {
        env: { ...env, KEY_ENCRYPTION_KEY_FILE: path.join(dir, 'short') },
      });
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /32 random bytes/);
      const missing = healthcode(['migrate'], {
        env: { ...env, KEY_ENCRYPTION_KEY_FILE: path.join(dir, 'nope') },
      });
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /cannot be read \(ENOENT\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('backup copies the embedded database consistently and never overwrites', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-backup-'));
    const env = { DATA_DIR: path.join(dir, 'data') };
    try {
      assert.equal(healthcode(['keys', 'generate'], { env }).status, 0);
      const keys = healthcode(['keys', 'list'], { env }).stdout;
      const copy = path.join(dir, 'copy.sqlite');
      const made = healthcode(['backup', copy], { env });
      assert.equal(made.status, 0, made.stderr);
      assert.match(made.stdout, /backed up .* pages\)/);
      fs.mkdirSync(path.join(dir, 'restored'));
      fs.copyFileSync(copy, path.join(dir, 'restored', 'healthcode.sqlite'));
      assert.equal(
        healthcode(['keys', 'list'], { env: { DATA_DIR: path.join(dir, 'restored') } }).stdout,
        keys,
      );
      const again = healthcode(['backup', copy], { env });
      assert.equal(again.status, 1);
      assert.match(again.stderr, /never overwrites/);
      const onPostgres = healthcode(['backup', path.join(dir, 'x')], {
        env: { ...env, DATABASE_URL: 'postgres://127.0.0.1:1/none' },
      });
      assert.equal(onPostgres.status, 2);
      assert.match(onPostgres.stderr, /pg_dump/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown command is refused with help', () => {
    const r = healthcode(['frobnicate']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unknown command/);
  });
});
