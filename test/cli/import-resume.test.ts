import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { gb11643CheckCharacter } from '../../src/domain/identity/index.ts';
import { DEMO_RESIDENTS } from '../../src/use-cases/demo.ts';

const ROWS = 100_000;

function run(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, ['bin/healthcode.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir },
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What an import decides: the records, the residents' colours and the colour events. */
function snapshot(dataDir: string) {
  const db = new Sqlite(path.join(dataDir, 'healthcode.sqlite'), { readonly: true });
  try {
    return {
      records: db
        .prepare(
          'select kind, source_id, document_key, from_ms, to_ms, division_code, attributes from epidemic_records order by kind, source_id',
        )
        .all(),
      residents: db
        .prepare(
          'select id, colour, colour_until, colour_policy_version, area_dependent from residents order by id',
        )
        .all(),
      events: db
        .prepare(
          'select resident_id, from_colour, to_colour, rule_id, policy_version from colour_events order by id',
        )
        .all(),
    };
  } finally {
    db.close();
  }
}

function countRecords(dataDir: string): number {
  const file = path.join(dataDir, 'healthcode.sqlite');
  try {
    const db = new Sqlite(file, { readonly: true, timeout: 1000 });
    try {
      return (db.prepare('select count(*) as n from epidemic_records').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

describe('healthcode import', () => {
  test('killed half way (SIGKILL) and run again, it ends exactly like one uninterrupted run', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'import-resume-'));
    const killed = path.join(root, 'killed');
    const whole = path.join(root, 'whole');
    try {
      // The same starting database (same secrets, same demo residents) for both runs.
      assert.equal(run(['demo', '--seed-only'], killed).status, 0);
      fs.cpSync(killed, whole, { recursive: true });

      const file = path.join(root, 'contacts.csv');
      const gen = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/gen-close-contacts.ts',
          '--rows',
          String(ROWS),
          '--format',
          'csv',
          '--invalid-every',
          '997',
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      assert.equal(gen.status, 0, String(gen.stderr));
      // Two registered residents are among the contacts, near the end of the file.
      const extra = DEMO_RESIDENTS.slice(0, 2).map(
        (r, i) =>
          `demo-${i},resident_id_card,${r.idBody}${gb11643CheckCharacter(r.idBody)},home,${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)},,`,
      );
      fs.writeFileSync(file, Buffer.concat([gen.stdout, Buffer.from(extra.join('\n') + '\n')]));

      const child = spawn(
        process.execPath,
        ['bin/healthcode.js', 'import', file, '--kind', 'closeContact', '--batch-rows', '5000'],
        {
          env: { ...process.env, DATA_DIR: killed },
          stdio: 'ignore',
        },
      );
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      let seen = 0;
      const deadline = Date.now() + 60_000;
      while (seen < 10_000 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        seen = countRecords(killed);
      }
      child.kill('SIGKILL');
      await exited;
      const partial = countRecords(killed);
      assert.ok(partial > 0 && partial < ROWS, `killed half way: ${partial} of ${ROWS} records were stored`);

      const again = run(['import', file, '--kind', 'closeContact'], killed);
      assert.equal(again.status, 3, again.stderr); // 3: done, some rows invalid (by design of the file)
      const once = run(['import', file, '--kind', 'closeContact'], whole);
      assert.equal(once.status, 3, once.stderr);

      const a = snapshot(killed);
      const b = snapshot(whole);
      assert.ok(a.records.length > ROWS * 0.99, `${a.records.length} records`);
      assert.deepEqual(a.records, b.records);
      assert.deepEqual(a.residents, b.residents);
      assert.deepEqual(a.events, b.events);
      // The two registered contacts (the first two demo residents) were reassessed: red.
      const colours = (a.residents as { id: number; colour: string }[]).map((r) => r.colour);
      assert.deepEqual(colours.slice(0, 2), ['red', 'red']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
