import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { type Database } from '../../src/storage/database.ts';
import { loadConfig } from '../../src/config.ts';
import { createPlatform } from '../../src/platform.ts';
import { ManualClock } from '../../src/use-cases/clock.ts';
import type { Platform } from '../../src/use-cases/platform.ts';
import { MemorySmsSender } from '../../src/use-cases/sms.ts';
import { dialectSuiteOptions, DIALECTS, openCliDatabase, TEST_EPOCH } from '../support/platform.ts';

/**
 * Issue 10 acceptance: rows of the audit table edited, deleted and inserted directly in the
 * database; `healthcode audit verify`, run as an operator runs it, reports each (exit 1, the row
 * named on stderr) and nothing on an untouched log (exit 0, the head hash on stdout).
 */
async function auditVerify(
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/healthcode.js', 'audit', 'verify'], {
    env: { ...process.env, DATABASE_URL: undefined, DATA_DIR: undefined, ...env },
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.end();
  const status = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { status, stdout, stderr };
}

interface Report {
  rows: number;
  head: string | null;
  broken: { id: number; reason: string } | null;
}

for (const dialect of DIALECTS) {
  describe(`healthcode audit verify (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let env: Record<string, string>;
    let database: Database;
    let platform: Platform;
    let dispose: () => Promise<void>;
    const clock = new ManualClock(TEST_EPOCH);

    /** A fresh chain of `n` entries, as the platform writes them. */
    const freshChain = async (n: number) => {
      await platform.db.deleteFrom('audit_log').execute();
      for (let i = 0; i < n; i++) {
        await platform.auditLog.write({
          at: clock.now() + i,
          actorKind: 'staff',
          actorId: 1,
          action: 'read_resident',
          residentId: i + 1,
          detail: { reason: 'case follow-up', i },
        });
      }
      const rows = await platform.db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id').execute();
      return rows.map((r) => ({ id: Number(r.id), hash: r.hash }));
    };
    const expectUntouched = async (rows: number) => {
      const r = await auditVerify(env);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', 'nothing reported on an untouched log');
      const report = JSON.parse(r.stdout) as Report;
      assert.equal(report.broken, null);
      assert.equal(report.rows, rows);
      assert.match(report.head ?? '', /\S{16,}/);
    };
    const expectBroken = async (id: number, reason: RegExp) => {
      const r = await auditVerify(env);
      assert.equal(r.status, 1, `exit 1 expected; stdout ${r.stdout}`);
      assert.match(r.stderr, new RegExp(`audit log broken at row ${id}: `));
      assert.match(r.stderr, reason);
      assert.equal((JSON.parse(r.stdout) as Report).broken?.id, id);
    };

    before(async () => {
      const config = loadConfig({}, { mode: 'production', dataDir: os.tmpdir() });
      ({ database, env, dispose } = await openCliDatabase(dialect));
      platform = await createPlatform(config, { clock, sms: new MemorySmsSender(), database });
    });
    after(async () => {
      await platform.close();
      await database.close();
      await dispose();
    });

    test('an untouched log: exit 0, nothing on stderr, the head hash printed', async () => {
      const rows = await freshChain(6);
      await expectUntouched(rows.length);
    });

    test('an edited row is reported at that row; put back, the log verifies again', async () => {
      const rows = await freshChain(6);
      const target = rows[2]?.id ?? 0;
      const { detail } = await platform.db
        .selectFrom('audit_log')
        .select('detail')
        .where('id', '=', target)
        .executeTakeFirstOrThrow();
      await platform.db
        .updateTable('audit_log')
        .set({ detail: detail.replace('case follow-up', 'nothing to see') })
        .where('id', '=', target)
        .execute();
      await expectBroken(target, /changed/);
      await platform.db.updateTable('audit_log').set({ detail }).where('id', '=', target).execute();
      await expectUntouched(rows.length);
    });

    test('a deleted row is reported at the row after it', async () => {
      const rows = await freshChain(6);
      await platform.db
        .deleteFrom('audit_log')
        .where('id', '=', rows[3]?.id ?? 0)
        .execute();
      await expectBroken(rows[4]?.id ?? 0, /removed or inserted/);
    });

    test('an inserted row, even one copying a real row’s link and hash, is reported at itself', async () => {
      const rows = await freshChain(6);
      const first = rows[0];
      assert.ok(first);
      const forgedId = (rows.at(-1)?.id ?? 0) + 100;
      await platform.db
        .insertInto('audit_log')
        .values({
          id: forgedId,
          at: clock.now() + 60_000,
          actor_kind: 'staff',
          actor_id: 1,
          action: 'read_resident',
          resident_id: 1,
          detail: '{}',
          prev_hash: first.hash,
          hash: first.hash,
        } as never)
        .execute();
      await expectBroken(forgedId, /./);
    });
  });
}
