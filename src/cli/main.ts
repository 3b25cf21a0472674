import { ALL_DIVISIONS } from '../domain/jurisdiction.ts';
import { randomBytes } from 'node:crypto';
import readline from 'node:readline';
import { Command } from 'commander';
import { ConfigError, loadConfig, readKeyEncryptionKey, type Config } from '../config.ts';
import { evaluateRuleLine } from '../domain/certlogic/index.ts';
import { backupSqlite, openDatabase, sqliteFileIn } from '../storage/database.ts';
import { listSigningKeyInfo } from '../storage/signing-keys.ts';
import { KEY_ENCRYPTION_KEY_BYTES, ValueSealer } from '../storage/sealing.ts';
import { resealStoredValues, sealStoredValues } from '../storage/sealed-values.ts';
import { verifyAuditChain } from '../storage/audit.ts';
import { systemClock } from '../use-cases/clock.ts';
import { generateSigningKey, rotateSigningKey } from '../use-cases/keyring.ts';
import { announceOn } from '../use-cases/changes.ts';
import { stderrLogger } from '../use-cases/platform.ts';
import { revokeKeyAndReissuePlaceCodes } from '../use-cases/venues.ts';
import { createPlatform } from '../platform.ts';
import { seedDemoData } from '../use-cases/demo.ts';
import { startServer } from '../http/server.ts';
import fs from 'node:fs';
import path from 'node:path';
import { IMPORT_KINDS } from '../domain/imports/index.ts';
import { getImportStatus, runImport } from '../use-cases/imports.ts';
import { purge } from '../use-cases/retention.ts';
import { AppError } from '../use-cases/errors.ts';
import {
  createStaffAccount,
  disableStaffAccount,
  enableStaffAccount,
  listStaffAccounts,
  resetStaffPassword,
  staffPrincipalForCli,
} from '../use-cases/staff-admin.ts';
import { BULK_PRINT_MAX_LINES, printPaperCodesInBulk } from '../use-cases/paper-codes.ts';
import { SECOND_FACTOR_ROLES } from '../use-cases/second-factor.ts';
import { issueSetupLinkFromCli } from '../use-cases/staff-accounts.ts';
import { PAPER_SIZES } from '../poster/index.ts';
import { countProgress, formatDuration, importProgress } from './progress.ts';
import { parseResidentList } from './resident-list.ts';

function config(overrides: Partial<Config> = {}): Config {
  try {
    return loadConfig(process.env, overrides);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

const program = new Command()
  .name('healthcode')
  .description('Health pass code platform: server, database, keys and rules tools.')
  .showHelpAfterError();

program
  .command('serve')
  .description('Start the platform in production mode (no demo data, no development features).')
  .action(async () => {
    await startServer(config({ mode: 'production' }));
  });

program
  .command('demo')
  .description(
    'Start in DEMO mode: embedded database under ./data, demo accounts and data, sign-in codes shown in responses.',
  )
  .option('--seed-only', 'only create the demo data, do not start the server')
  .action(async (opts: { seedOnly?: boolean }) => {
    const c = config({ mode: 'demo' });
    if (opts.seedOnly === true) {
      const p = await createPlatform(c);
      const { created } = await seedDemoData(p);
      await p.close();
      console.log(created ? 'demo data created' : 'demo data already present');
      return;
    }
    await startServer(c);
  });

program
  .command('migrate')
  .description('Create or upgrade the database schema (SQLite file under DATA_DIR, or DATABASE_URL).')
  .action(async () => {
    const c = config();
    const database = await openDatabase(c);
    await database.close();
    console.log(`database schema is up to date (${database.dialect})`);
  });

const keys = program.command('keys').description('Code-signing keys (Ed25519).');
keys
  .command('list')
  .description('List keys with their status (next, active, retired, revoked).')
  .action(async () => {
    const database = await openDatabase(config());
    const rows = await listSigningKeyInfo(database.db);
    await database.close();
    for (const k of rows) {
      console.log(
        [
          k.kid,
          k.status.padEnd(8),
          new Date(k.createdAt).toISOString(),
          k.retiredAt === null ? '' : `retired ${new Date(k.retiredAt).toISOString()}`,
        ].join('  '),
      );
    }
    if (rows.length === 0) console.log('no keys yet: the first start generates one');
  });
keys
  .command('generate')
  .description(
    'Add a key with status "next": published so offline checkpoints fetch it before it starts signing.',
  )
  .action(async () => {
    const c = config();
    const database = await openDatabase(c);
    const sealer = new ValueSealer(c.keyEncryptionKey);
    await sealStoredValues(database.db, sealer);
    const kid = await generateSigningKey(database.db, sealer, 'next', systemClock.now());
    // Running nodes publish it at once (PostgreSQL), not at their next re-read.
    await announceOn(database, `cli-${process.pid}`, { kind: 'signing_keys' }, stderrLogger);
    await database.close();
    console.log(`generated key ${kid} (next); run "healthcode keys rotate" to start signing with it`);
  });
keys
  .command('rotate')
  .description(
    'Activate the newest "next" key (or a new one) and retire the active key; its codes stay valid until they expire.',
  )
  .action(async () => {
    const c = config();
    const database = await openDatabase(c);
    const sealer = new ValueSealer(c.keyEncryptionKey);
    await sealStoredValues(database.db, sealer);
    const r = await rotateSigningKey(database.db, sealer, systemClock.now());
    // Running nodes sign with the new key at once (PostgreSQL), not at their next re-read.
    await announceOn(database, `cli-${process.pid}`, { kind: 'signing_keys' }, stderrLogger);
    await database.close();
    console.log(`active key: ${r.activated}${r.retired === null ? '' : `; retired: ${r.retired}`}`);
  });

keys
  .command('revoke')
  .argument('<kid>', 'the key id, as keys list shows it')
  // Key ids are base64url and may begin with '-': an unknown "option" here is the kid.
  .allowUnknownOption()
  .option('--json', 'print {kid, reissued: [{venueId, name, divisionCode, addressDetail, version}]}')
  .description(
    'Revoke a key that may have leaked: codes it signed are refused as revoked and it is no longer published. Every place code it signed is reissued with the active key, and the venues whose posters must be reprinted are listed. Rotate first if it is the active key. Run it again to finish a run that was cut short.',
  )
  .action(async (kid: string, opts: { json?: boolean }) => {
    const p = await createPlatform(config());
    try {
      const r = await revokeKeyAndReissuePlaceCodes(p, kid);
      if (opts.json === true) {
        console.log(JSON.stringify(r));
        return;
      }
      console.log(`revoked key ${kid}`);
      if (r.reissued.length === 0) {
        console.log('no place code was signed with it: no poster needs reprinting');
        return;
      }
      console.log(
        `reissued ${r.reissued.length} place code(s) signed with it; these venues must print their new poster (the old one now scans as withdrawn):`,
      );
      console.log(['venue', 'division', 'version', 'name'].join('\t'));
      for (const v of r.reissued) {
        console.log([v.venueId, v.divisionCode, v.version, `${v.name} (${v.addressDetail})`].join('\t'));
      }
    } finally {
      await p.close();
    }
  });

/** Reads the whole of stdin; one trailing newline (as `echo` and most editors add) is dropped. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) console.error('Type the password, then Enter and Ctrl-D:');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Runs a staff command on the configured database. Exit codes: 0 done; 2 invalid input (every
 * problem listed); 1 refused (unknown or taken username) or failed.
 */
async function staffCommand(run: (database: Awaited<ReturnType<typeof openDatabase>>) => Promise<void>) {
  const database = await openDatabase(config());
  try {
    await run(database);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    console.error(`${error.code}: ${error.message}`);
    if (error.issues.length > 1) for (const i of error.issues) console.error(`  ${i.path}: ${i.message}`);
    process.exitCode = error.code === 'validation_failed' ? 2 : 1;
  } finally {
    await database.close();
  }
}

function printPassword(password: string | null): void {
  if (password === null) return;
  console.log(`password: ${password}`);
  console.error('The password is shown this once and stored only as a hash: hand it over now.');
}

const staff = program
  .command('staff')
  .description(
    'Staff accounts (admins, officers, checkpoint staff). Passwords never go on the command line: --password-stdin reads one, otherwise one is generated and printed once. Exit 0: done; 2: invalid input; 1: refused or failed.',
  );
staff
  .command('create')
  .description('Create a staff account, e.g. the first provincial admin of a fresh install.')
  .requiredOption('--username <name>', '3–32 of a–z, 0–9, . _ -, starting with a letter or digit')
  .requiredOption('--role <role>', 'admin, officer, auditor, checkpoint or hospital')
  .option(
    '--division <code>',
    'GB/T 2260 code of the jurisdiction (000000: the whole platform); not for hospital',
  )
  .option(
    '--venue <id>',
    'hospital staff: the id of their approved hospital venue (its district is the jurisdiction)',
  )
  .requiredOption('--name <display name>', 'shown to colleagues and in the audit log')
  .option('--password-stdin', 'read the password from stdin instead of generating one')
  .action(
    async (opts: {
      username: string;
      role: string;
      division?: string;
      venue?: string;
      name: string;
      passwordStdin?: boolean;
    }) => {
      const password = opts.passwordStdin === true ? await readPasswordFromStdin() : undefined;
      await staffCommand(async (database) => {
        const created = await createStaffAccount(
          database,
          {
            username: opts.username,
            role: opts.role,
            divisionCode: opts.division,
            venueId:
              opts.venue === undefined
                ? undefined
                : /^\d{1,15}$/.test(opts.venue)
                  ? Number(opts.venue)
                  : Number.NaN,
            displayName: opts.name,
            ...(password === undefined ? {} : { password }),
          },
          systemClock.now(),
        );
        console.log(
          `created ${created.role} ${created.username} (id ${created.staffId}, division ${created.divisionCode})`,
        );
        printPassword(created.generatedPassword);
        if ((SECOND_FACTOR_ROLES as readonly string[]).includes(created.role))
          console.error(
            `In production a${created.role === 'admin' ? 'n' : ''} ${created.role} signs in only with an authenticator app: run "healthcode staff setup-link --username ${created.username}" and follow the link.`,
          );
      });
    },
  );
staff
  .command('setup-link')
  .description(
    'Issue a one-time link (valid 72 hours) with which the staff member sets a password and enrols an authenticator app. In production, officers, admins and auditors sign in only with that second factor: the first admin of a fresh install follows one of these.',
  )
  .requiredOption('--username <name>', 'the account')
  .action(async (opts: { username: string }) => {
    const c = config();
    await staffCommand(async (database) => {
      const link = await issueSetupLinkFromCli(database, c, opts.username, systemClock.now());
      console.log(`setup link for ${opts.username} (${link.role}), valid until ${link.expiresAt}:`);
      console.log(link.url);
      console.error('Hand the link over privately: whoever opens it first sets the password.');
    });
  });
staff
  .command('disable')
  .description('Disable an account: it can no longer sign in, and its open sessions end at once.')
  .requiredOption('--username <name>', 'the account')
  .action(async (opts: { username: string }) => {
    await staffCommand(async (database) => {
      const r = await disableStaffAccount(database, opts.username, systemClock.now());
      console.log(
        r.alreadyDisabled
          ? `${opts.username} was already disabled`
          : `disabled ${opts.username}; ended ${r.sessionsRevoked} open session(s)`,
      );
    });
  });
staff
  .command('enable')
  .description('Re-enable a disabled account; it signs in with its current password.')
  .requiredOption('--username <name>', 'the account')
  .action(async (opts: { username: string }) => {
    await staffCommand(async (database) => {
      const r = await enableStaffAccount(database, opts.username, systemClock.now());
      console.log(r.alreadyEnabled ? `${opts.username} is not disabled` : `enabled ${opts.username}`);
    });
  });
staff
  .command('reset-password')
  .description(
    'Set a new password (generated and printed once, or --password-stdin) and end every open session.',
  )
  .requiredOption('--username <name>', 'the account')
  .option('--password-stdin', 'read the new password from stdin instead of generating one')
  .action(async (opts: { username: string; passwordStdin?: boolean }) => {
    const password = opts.passwordStdin === true ? await readPasswordFromStdin() : undefined;
    await staffCommand(async (database) => {
      const r = await resetStaffPassword(database, opts.username, password, systemClock.now());
      console.log(
        `new password set for ${opts.username}; ended ${r.sessionsRevoked} open session(s)${r.disabled ? '; the account is still disabled ("healthcode staff enable")' : ''}`,
      );
      printPassword(r.generatedPassword);
    });
  });
staff
  .command('list')
  .description('List staff accounts: id, username, role, division, status, display name.')
  .option('--json', 'one JSON array')
  .action(async (opts: { json?: boolean }) => {
    await staffCommand(async (database) => {
      const rows = await listStaffAccounts(database);
      if (opts.json === true) {
        console.log(JSON.stringify(rows));
        return;
      }
      for (const s of rows) {
        console.log(
          [
            String(s.id).padStart(5),
            s.username.padEnd(32),
            s.role.padEnd(10),
            s.divisionCode,
            (s.disabled ? 'disabled' : 'active').padEnd(8),
            s.venueId === null ? '' : `venue ${s.venueId}`,
            s.displayName,
          ]
            .filter((c) => c !== '')
            .join('  '),
        );
      }
      if (rows.length === 0) console.log('no staff accounts yet: "healthcode staff create --role admin …"');
    });
  });

const kek = program
  .command('kek')
  .description('The key-encryption key that seals signing keys and secrets in the database.');
kek
  .command('generate')
  .argument('<file>', 'where to write it (must not exist yet)')
  .description(
    'Write 32 random bytes in base64 to FILE, readable by its owner only; point KEY_ENCRYPTION_KEY_FILE at it. Keep a copy apart from database backups: without it sealed keys cannot be opened.',
  )
  .action((file: string) => {
    try {
      fs.writeFileSync(file, randomBytes(KEY_ENCRYPTION_KEY_BYTES).toString('base64') + '\n', {
        flag: 'wx',
        mode: 0o600,
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      console.error(
        code === 'EEXIST'
          ? `${file} exists; a key-encryption key is never overwritten (it would make sealed keys unreadable)`
          : `cannot write ${file}: ${code ?? String(error)}`,
      );
      process.exit(1);
    }
    console.log(`wrote a key-encryption key to ${file}; set KEY_ENCRYPTION_KEY_FILE=${file}`);
  });

kek
  .command('rotate')
  .argument('<new-file>', 'the new key-encryption key (from "healthcode kek generate")')
  .description(
    'Re-seal every signing key and secret under the key in NEW-FILE, in one transaction (opened with KEY_ENCRYPTION_KEY_FILE, or unsealed values when it is not set). Then point KEY_ENCRYPTION_KEY_FILE at NEW-FILE and restart the nodes; running nodes keep the keys they hold until then.',
  )
  .action(async (newFile: string) => {
    const c = config();
    const problems: string[] = [];
    const next = readKeyEncryptionKey(newFile, problems);
    if (next === null) {
      console.error(problems.join('\n') || `${newFile}: no key-encryption key`);
      process.exit(2);
    }
    const database = await openDatabase(c);
    try {
      const written = await resealStoredValues(
        database.db,
        new ValueSealer(c.keyEncryptionKey),
        new ValueSealer(next),
      );
      console.log(
        `re-sealed ${written} stored values with ${newFile}; set KEY_ENCRYPTION_KEY_FILE=${newFile} and restart every node`,
      );
    } finally {
      await database.close();
    }
  });

const rules = program.command('rules').description('Colour-rule (CertLogic) tools for rule authors.');
rules
  .command('eval')
  .description(
    'Read JSON Lines {"logic": …, "data": …} on stdin; print {"result": …} or {"error": "…"} per line.',
  )
  .action(async () => {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      process.stdout.write(evaluateRuleLine(line) + '\n');
    }
  });

program
  .command('import')
  .description(
    'Import a file of epidemic records (docs/imports.md). Rows already imported change nothing, so a killed import is completed by running it again. Exit 0: done; 3: done, some rows invalid; 1: failed.',
  )
  .argument('<file>', 'CSV (header per kind) or JSON Lines file')
  .requiredOption('--kind <kind>', `record kind: ${IMPORT_KINDS.join(', ')}`)
  .option('--format <format>', 'csv or jsonl (default: from the file extension)')
  .option('--strict', 'write nothing unless every row is valid (stops at the first error)')
  .option('--json', 'print the final status as JSON')
  .option(
    '--batch-rows <n>',
    'rows per transaction (default 50000; smaller holds the database lock for less time)',
  )
  .action(
    async (
      file: string,
      opts: { kind: string; format?: string; strict?: boolean; json?: boolean; batchRows?: string },
    ) => {
      const batchRows = opts.batchRows === undefined ? undefined : Number(opts.batchRows);
      if (
        batchRows !== undefined &&
        (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 1_000_000)
      ) {
        console.error('--batch-rows must be a whole number from 1 to 1000000.');
        process.exit(2);
      }
      const format = opts.format ?? (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv');
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        console.error(`Cannot read ${file}: no such file.`);
        process.exit(2);
      }
      const p = await createPlatform(config());
      const startedAt = Date.now();
      const progress = importProgress(process.stderr, startedAt);
      try {
        const status = await runImport(
          p,
          { file },
          {
            kind: opts.kind,
            format,
            strict: opts.strict === true,
            fileName: path.basename(file),
            bytesTotal: size,
            createdBy: null,
            jurisdiction: ALL_DIVISIONS,
            onProgress: (s) => progress.update(s),
          },
        );
        progress.done();
        const seconds = (Date.now() - startedAt) / 1000;
        const detail = await getImportStatus(p, ALL_DIVISIONS, status.importId, 20);
        if (opts.json === true) console.log(JSON.stringify(detail));
        else {
          console.log(
            `${status.status}: ${status.rowsRead.toLocaleString('en')} rows read, ${status.rowsImported.toLocaleString('en')} imported, ${status.rowsDuplicate.toLocaleString('en')} already present, ${status.rowsInvalid.toLocaleString('en')} invalid, ${status.residentsMatched.toLocaleString('en')} registered residents reassessed — ${formatDuration(seconds)} (${Math.round(status.rowsRead / Math.max(seconds, 0.001)).toLocaleString('en')} rows/s). Import ${status.importId}.`,
          );
          if (status.error !== null) console.error(`${status.error.code}: ${status.error.message}`);
          for (const e of detail.errors)
            console.error(`  line ${e.line} ${e.field || '(row)'}: ${e.code} — ${e.message}`);
          if (status.rowsInvalid > detail.errors.length)
            console.error(`  … and more; see getImportStatus ${status.importId}`);
        }
        process.exitCode = status.status === 'failed' ? 1 : status.rowsInvalid > 0 ? 3 : 0;
      } catch (error) {
        progress.done();
        if (error instanceof AppError) {
          console.error(`${error.code}: ${error.message}`);
          process.exitCode = 2;
        } else throw error;
      } finally {
        await p.close();
      }
    },
  );

const paperCodes = program
  .command('paper-codes')
  .description('Paper health codes (S3) for residents without a phone.');
paperCodes
  .command('print')
  .description(
    `Print paper codes in bulk for a list of residents (a community office printing for its elderly), as one PDF with one page per resident in the order of the list. Each is a new paper code that ends the resident's previous one; the run acts as the staff account given (an officer or admin), only for residents of its jurisdiction, and every print is audited with it as actor. FILE: UTF-8, one "documentType,documentNumber" a line (e.g. "resident_id_card,370102194001010025"; an optional header line "documentType,documentNumber", blank lines and lines starting with # are ignored; at most ${BULK_PRINT_MAX_LINES} lines). A progress line on a terminal. Lines that print nothing (unknown document, bad check digit, outside the jurisdiction, the same resident twice, not two fields) are listed on stderr. Exit 0: all printed; 1: some lines printed nothing, or refused or failed; 2: invalid arguments.`,
  )
  .argument('<file>', 'the list of residents: documentType,documentNumber per line')
  .requiredOption('--staff <username>', 'the officer (or admin) printing: the audit log names them')
  .requiredOption('--out <file.pdf>', 'where to write the PDF (must not exist yet; written owner-only)')
  .option('--size <size>', 'A4 or A6', 'A4')
  .option(
    '--json',
    'print {file, printed: [{line, serial, maskedName, colour, validUntil}], skipped: [{line, code, message}]}',
  )
  .action(async (file: string, opts: { staff: string; out: string; size: string; json?: boolean }) => {
    const bad = (message: string): never => {
      console.error(message);
      process.exit(2);
    };
    const c = config();
    const size = opts.size.toUpperCase();
    if (!(PAPER_SIZES as readonly string[]).includes(size))
      bad(`--size must be A4 or A6, not "${opts.size}".`);
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      bad(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`);
    }
    const list = parseResidentList(text);
    if (list.entries.length === 0) {
      for (const s of list.problems) console.error(`  line ${s.line}: ${s.code} — ${s.message}`);
      bad(`${file} lists no resident: one "documentType,documentNumber" a line.`);
    }
    if (list.entries.length > BULK_PRINT_MAX_LINES)
      bad(`${file} lists ${list.entries.length} residents; at most ${BULK_PRINT_MAX_LINES} a run: split it.`);
    // Opened before any code is issued (issuing ends the residents' previous codes): a path that
    // cannot be written fails now, not after. Owner-only: the pages carry names and live codes.
    let fd = -1;
    try {
      fd = fs.openSync(opts.out, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      bad(
        code === 'EEXIST'
          ? `${opts.out} exists; choose a new file (a PDF of paper codes is never overwritten).`
          : `Cannot write ${opts.out}: ${code ?? String(error)}.`,
      );
    }
    let written = false;
    let p: Awaited<ReturnType<typeof createPlatform>>;
    try {
      p = await createPlatform(c);
    } catch (error) {
      fs.closeSync(fd);
      fs.rmSync(opts.out, { force: true });
      throw error;
    }
    const startedAt = Date.now();
    const progress = countProgress(process.stderr);
    try {
      const principal = await staffPrincipalForCli(p.database, opts.staff);
      const r = await printPaperCodesInBulk(p, principal, {
        entries: list.entries,
        size,
        onProgress: (s) =>
          progress.update({ ...s, label: s.phase, skipped: s.skipped + list.problems.length }),
      });
      progress.done();
      if (r.pdf !== null) {
        fs.writeFileSync(fd, r.pdf);
        written = true;
      }
      const skipped = [...list.problems, ...r.skipped].sort((a, b) => a.line - b.line);
      const lines = list.entries.length + list.problems.length;
      if (opts.json === true) {
        console.log(
          JSON.stringify({
            file: written ? opts.out : null,
            size,
            printed: r.printed.map((x) => ({
              line: x.line,
              serial: x.serial,
              maskedName: x.maskedName,
              colour: x.colour,
              validUntil: x.validUntil,
            })),
            skipped,
          }),
        );
      } else {
        const seconds = (Date.now() - startedAt) / 1000;
        console.log(
          written
            ? `printed ${r.printed.length} of ${lines} line(s) to ${opts.out} (${size}, one page each, in the order of the list)${skipped.length > 0 ? `; ${skipped.length} printed nothing` : ''} — ${formatDuration(seconds)}`
            : `printed nothing: none of the ${lines} line(s) could be printed; no PDF written`,
        );
      }
      for (const s of skipped) console.error(`  line ${s.line}: ${s.code} — ${s.message}`);
      process.exitCode = skipped.length > 0 ? 1 : 0;
    } catch (error) {
      progress.done();
      if (!(error instanceof AppError)) throw error;
      console.error(`${error.code}: ${error.message}`);
      process.exitCode = error.code === 'validation_failed' ? 2 : 1;
    } finally {
      fs.closeSync(fd);
      if (!written) fs.rmSync(opts.out, { force: true });
      await p.close();
    }
  });

const audit = program
  .command('audit')
  .description('The audit log of personal-data reads and staff actions (P3).');
audit
  .command('verify')
  .description(
    'Recompute the audit log hash chain; exit 1 at the first changed, removed or inserted row. Prints the head hash: keep it elsewhere, so that cutting rows off the end is detected too.',
  )
  .action(async () => {
    const c = config();
    const database = await openDatabase(c);
    try {
      const report = await verifyAuditChain(database.db);
      console.log(JSON.stringify(report));
      if (report.broken !== null) {
        console.error(`audit log broken at row ${report.broken.id}: ${report.broken.reason}`);
        process.exitCode = 1;
      }
    } finally {
      await database.close();
    }
  });

program
  .command('backup')
  .argument('<file>', 'where to write the copy (must not exist yet)')
  .description(
    'Copy the embedded SQLite database online, consistently, beside a running server. With DATABASE_URL use pg_dump instead. Keys inside stay sealed: keep KEY_ENCRYPTION_KEY_FILE apart from backups.',
  )
  .action(async (file: string) => {
    const c = config();
    if (c.databaseUrl !== null) {
      console.error('DATABASE_URL is set: back PostgreSQL up with pg_dump (or your provider’s snapshots)');
      process.exit(2);
    }
    try {
      const { pages } = await backupSqlite(sqliteFileIn(c.dataDir), file);
      console.log(`backed up ${sqliteFileIn(c.dataDir)} to ${file} (${pages} pages)`);
    } catch (error) {
      console.error((error as Error).message);
      process.exit(1);
    }
  });

program
  .command('purge')
  .description('Delete personal data past the retention of the policy in force (P5) and record the purge.')
  .action(async () => {
    const p = await createPlatform(config());
    try {
      const result = await purge(p, 'cli');
      console.log(JSON.stringify(result));
    } finally {
      await p.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
