import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { countProgress } from '../../src/cli/progress.ts';
import { parseResidentList } from '../../src/cli/resident-list.ts';
import { loadConfig } from '../../src/config.ts';
import { gb11643CheckCharacter } from '../../src/domain/identity/index.ts';
import { createPlatform } from '../../src/platform.ts';
import { verifyCode } from '../../src/use-cases/checkpoint.ts';
import { DEMO_RESIDENTS } from '../../src/use-cases/demo.ts';
import type { Principal } from '../../src/use-cases/sign-in.ts';
import { needsTools, runTool } from '../support/machine.ts';

/** Runs the real CLI, as an operator would, on the test's data directory. */
function healthcode(args: string[], dataDir: string) {
  const r = spawnSync(process.execPath, ['bin/healthcode.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const idOf = (body: string) => body + gb11643CheckCharacter(body);
// Demo residents: 张三 lives in 历下区 370102, 李小红 in 市中区 370103 (both in 济南市 370100).
const [ZHANG, LI] = DEMO_RESIDENTS;
const ZHANG_DOC = idOf(ZHANG.idBody);
const LI_DOC = idOf(LI.idBody);
/** A valid number nobody applied with. */
const UNKNOWN_DOC = idOf('37010219500101001');
/** 张三's number with a wrong last character. */
const BAD_CHECK_DOC = ZHANG_DOC.slice(0, 17) + (ZHANG_DOC.endsWith('0') ? '1' : '0');

/** The QR texts of a PDF's pages, in page order, as a camera reads them from the paper. */
function qrTextsOf(file: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paper-pages-'));
  runTool('pdftoppm', ['-r', '150', '-png', file, path.join(dir, 'page')]);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .map((f) => runTool('zbarimg', ['--nodbus', '--quiet', '--raw', path.join(dir, f)]));
}

function auditRows(dataDir: string) {
  const db = new Sqlite(path.join(dataDir, 'healthcode.sqlite'), { readonly: true });
  try {
    return db
      .prepare('select actor_kind, actor_id, action, resident_id, detail from audit_log order by id')
      .all() as {
      actor_kind: string;
      actor_id: number | null;
      action: string;
      resident_id: number | null;
      detail: string;
    }[];
  } finally {
    db.close();
  }
}

function staffId(dataDir: string, username: string): number {
  const db = new Sqlite(path.join(dataDir, 'healthcode.sqlite'), { readonly: true });
  try {
    return (db.prepare('select id from staff where username = ?').get(username) as { id: number }).id;
  } finally {
    db.close();
  }
}

describe('healthcode paper-codes print', () => {
  let root = '';
  let dataDir = '';
  const list = (name: string, lines: string[]) => {
    const file = path.join(root, name);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'paper-cli-'));
    dataDir = path.join(root, 'data');
    const seeded = healthcode(['demo', '--seed-only'], dataDir);
    assert.equal(seeded.status, 0, seeded.stderr);
    const lixia = healthcode(
      [
        'staff',
        'create',
        '--username',
        'lixia',
        '--role',
        'officer',
        '--division',
        '370102',
        '--name',
        '历下区防控办',
      ],
      dataDir,
    );
    assert.equal(lixia.status, 0, lixia.stderr);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test(
    'two of four lines print: one page each, QRs verify as paper codes, masked names only, failures listed, exit 1',
    needsTools('pdftoppm', 'pdftotext', 'pdfinfo', 'zbarimg'),
    async () => {
      const file = list('residents.csv', [
        'documentType,documentNumber',
        `resident_id_card,${ZHANG_DOC}`,
        `resident_id_card,${UNKNOWN_DOC}`,
        '',
        `resident_id_card,${LI_DOC}`,
        `resident_id_card,${BAD_CHECK_DOC}`,
      ]);
      const out = path.join(root, 'batch.pdf');
      const r = healthcode(
        ['paper-codes', 'print', file, '--staff', 'officer', '--out', out, '--size', 'A6'],
        dataDir,
      );
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /printed 2 of 4 line\(s\)/);
      assert.match(r.stderr, /line 3: resident_not_found/);
      assert.match(r.stderr, /line 6: document_check_digit/);
      assert.doesNotMatch(r.stderr, /line [25]:/, 'the printed lines are not listed as failures');

      assert.equal(fs.statSync(out).mode & 0o777, 0o600, 'owner-only: the pages carry live codes');
      assert.match(runTool('pdfinfo', [out]), /^Pages:\s+2$/m);
      const text = runTool('pdftotext', [out, '-']);
      const pages = text.split('\f').filter((pg) => pg.trim() !== '');
      assert.equal(pages.length, 2);
      assert.match(pages[0] ?? '', /张\*/);
      assert.match(pages[1] ?? '', /李\*红/);
      for (const full of [ZHANG.name, LI.name, ZHANG_DOC, LI_DOC]) {
        assert.ok(!text.includes(full), `never ${full} on paper`);
        assert.ok(!r.stdout.includes(full) && !r.stderr.includes(full), `never ${full} in the summary`);
      }

      const qrs = qrTextsOf(out);
      assert.equal(qrs.length, 2);
      const p = await createPlatform(loadConfig({ DATA_DIR: dataDir }));
      try {
        const checker: Principal = {
          kind: 'staff',
          staffId: staffId(dataDir, 'officer'),
          role: 'officer',
          divisionCode: '370100',
          divisionCodes: ['370100'],
          displayName: 'test',
          tokenHash: '',
        };
        const verified = await Promise.all(qrs.map((q) => verifyCode(p, checker, q)));
        assert.deepEqual(
          verified.map((v) => (v.valid ? [v.kind, v.maskedName] : [v.reason])),
          [
            ['paper', '张*'],
            ['paper', '李*红'],
          ],
        );
      } finally {
        await p.close();
      }

      // Audited like printPaperCode, with the officer as actor, and the run itself once.
      const officer = staffId(dataDir, 'officer');
      const prints = auditRows(dataDir).filter((a) => a.action === 'print_paper_code');
      assert.equal(prints.length, 2);
      for (const a of prints) {
        assert.equal(a.actor_kind, 'staff');
        assert.equal(a.actor_id, officer);
        assert.notEqual(a.resident_id, null);
      }
      const runs = auditRows(dataDir).filter((a) => a.action === 'print_paper_codes_in_bulk');
      assert.equal(runs.length, 1);
      assert.equal((JSON.parse(runs[0]?.detail ?? '{}') as { printed: number }).printed, 2);

      // Printing again ends the codes of the first batch.
      const again = healthcode(
        [
          'paper-codes',
          'print',
          list('zhang.csv', [`resident_id_card,${ZHANG_DOC}`]),
          '--staff',
          'officer',
          '--out',
          path.join(root, 'again.pdf'),
          '--json',
        ],
        dataDir,
      );
      assert.equal(again.status, 0, again.stderr);
      const summary = JSON.parse(again.stdout) as {
        printed: { line: number; maskedName: string }[];
        skipped: unknown[];
      };
      assert.deepEqual(
        summary.printed.map((x) => [x.line, x.maskedName]),
        [[1, '张*']],
      );
      assert.deepEqual(summary.skipped, []);
      const p2 = await createPlatform(loadConfig({ DATA_DIR: dataDir }));
      try {
        const checker: Principal = {
          kind: 'staff',
          staffId: officer,
          role: 'officer',
          divisionCode: '370100',
          divisionCodes: ['370100'],
          displayName: 'test',
          tokenHash: '',
        };
        const old = await verifyCode(p2, checker, qrs[0] ?? '');
        assert.equal(old.valid ? 'valid' : old.reason, 'paper_replaced');
        const li = await verifyCode(p2, checker, qrs[1] ?? '');
        assert.equal(li.valid, true, 'the other resident keeps hers');
      } finally {
        await p2.close();
      }
    },
  );

  test('a resident outside the officer’s jurisdiction is refused; nothing is written', () => {
    const file = list('li.csv', [`resident_id_card,${LI_DOC}`]);
    const out = path.join(root, 'outside.pdf');
    const r = healthcode(['paper-codes', 'print', file, '--staff', 'lixia', '--out', out], dataDir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /line 1: out_of_jurisdiction/);
    assert.match(r.stdout, /printed nothing/);
    assert.equal(fs.existsSync(out), false, 'no PDF when nothing printed');
    const inside = healthcode(
      [
        'paper-codes',
        'print',
        list('zhang2.csv', [`resident_id_card,${ZHANG_DOC}`]),
        '--staff',
        'lixia',
        '--out',
        out,
      ],
      dataDir,
    );
    assert.equal(inside.status, 0, inside.stderr);
    assert.match(inside.stdout, /printed 1 of 1 line/);
  });

  test('only officers and admins print in bulk', () => {
    const file = list('one.csv', [`resident_id_card,${ZHANG_DOC}`]);
    const out = path.join(root, 'checkpoint.pdf');
    const r = healthcode(['paper-codes', 'print', file, '--staff', 'checkpoint', '--out', out], dataDir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /forbidden: printPaperCodesInBulk is for district officers, provincial admins/);
    assert.equal(fs.existsSync(out), false);
    const unknown = healthcode(['paper-codes', 'print', file, '--staff', 'nobody', '--out', out], dataDir);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /not_found: There is no staff account "nobody"/);
  });

  test('bad arguments exit 2 with a clear message and print nothing', () => {
    const file = list('args.csv', [`resident_id_card,${ZHANG_DOC}`]);
    const out = path.join(root, 'args.pdf');
    const before = auditRows(dataDir).length;
    const cases: [string[], RegExp][] = [
      [
        ['paper-codes', 'print', file, '--staff', 'officer', '--out', out, '--size', 'A5'],
        /--size must be A4 or A6/,
      ],
      [
        ['paper-codes', 'print', path.join(root, 'missing.csv'), '--staff', 'officer', '--out', out],
        /Cannot read .*missing\.csv: ENOENT/,
      ],
      [
        ['paper-codes', 'print', list('empty.csv', ['# nobody', '']), '--staff', 'officer', '--out', out],
        /lists no resident/,
      ],
      [
        ['paper-codes', 'print', list('wrong.csv', ['a;b;c']), '--staff', 'officer', '--out', out],
        /line 1: line_format/,
      ],
      [['paper-codes', 'print', file, '--staff', 'officer', '--out', file], /exists; choose a new file/],
      [
        ['paper-codes', 'print', file, '--staff', 'officer', '--out', path.join(root, 'no', 'dir.pdf')],
        /Cannot write .*: ENOENT/,
      ],
      [['paper-codes', 'print', file, '--staff', 'Bad Name!', '--out', out], /validation_failed/],
    ];
    for (const [args, message] of cases) {
      const r = healthcode(args, dataDir);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(fs.existsSync(out), false);
    }
    const missing = healthcode(['paper-codes', 'print', file, '--out', out], dataDir);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /required option '--staff <username>' not specified/);
    assert.equal(auditRows(dataDir).length, before, 'no code was issued');
  });
});

describe('the resident list and the progress line', () => {
  test('one documentType,documentNumber a line; header, comments, BOM, CRLF and quotes allowed', () => {
    const { entries, problems } = parseResidentList(
      '\uFEFFdocumentType,documentNumber\r\n# 3 楼\r\n"resident_id_card", "370102194001010025"\r\n\r\npassport,E12345678\r\nonly-one\r\na,b,c\r\n',
    );
    assert.deepEqual(entries, [
      { line: 3, documentType: 'resident_id_card', documentNumber: '370102194001010025' },
      { line: 5, documentType: 'passport', documentNumber: 'E12345678' },
    ]);
    assert.deepEqual(
      problems.map((x) => [x.line, x.code]),
      [
        [6, 'line_format'],
        [7, 'line_format'],
      ],
    );
  });

  test('n/total, rate, ETA and skipped on a terminal; nothing when stderr is not one', () => {
    let t = 0;
    const written: string[] = [];
    const tty = countProgress({ isTTY: true, write: (s: string) => written.push(s) }, () => t);
    tty.update({ label: 'issuing', done: 0, total: 10, skipped: 0 });
    t = 2000;
    tty.update({ label: 'issuing', done: 4, total: 10, skipped: 1 });
    tty.done();
    assert.match(written[1] ?? '', /\[#+\.+\]\s+40 %\s+issuing 4\/10\s+2\.0\/s\s+ETA 0:03\s+skipped 1/);
    assert.equal(written.at(-1), '\n');
    const silent: string[] = [];
    const pipe = countProgress({ isTTY: false, write: (s: string) => silent.push(s) }, () => t);
    pipe.update({ label: 'issuing', done: 1, total: 1, skipped: 0 });
    pipe.done();
    assert.deepEqual(silent, []);
  });
});
