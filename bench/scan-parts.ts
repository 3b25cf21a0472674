/**
 * What the parts of a scan cost, in process, without HTTP: `node --import tsx bench/scan-parts.ts`
 * (pinned with `taskset -c 0` for steadier figures). Each line is the mean over many calls after a
 * warm-up; the two scans that write run 50 calls at once, as 50 connections do, so group commit
 * batches them. The last lines are the parts of a display.
 * Prints only: the figures are quoted, with this command, in docs/benchmarks.md.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { maskName } from '../src/domain/identity/index.ts';
import { encodeHealthCode, verifyHealthCode } from '../src/domain/token/index.ts';
import { uuid7 } from '../src/domain/uuid7.ts';
import { findResidentForCheck } from '../src/storage/residents.ts';
import { recordCheckpointCheck } from '../src/use-cases/checkpoint.ts';
import { checkPersonalCode, getMyCode } from '../src/use-cases/health-code.ts';
import { verifyCode } from '../src/use-cases/checkpoint.ts';
import { authenticate } from '../src/use-cases/sign-in.ts';
import { setUpBenchPlatform } from './servers/bench-platform.ts';

const bench = await setUpBenchPlatform();
const { p, code } = bench;
const N = Number(process.env['SCAN_PARTS_CALLS'] ?? '200000');

async function time(name: string, calls: number, batch: number, f: () => unknown): Promise<void> {
  const round = async () => {
    if (batch === 1) await f();
    else await Promise.all(Array.from({ length: batch }, f));
  };
  for (let i = 0; i < 20_000 / batch; i++) await round();
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls / batch; i++) await round();
  const us = Number(process.hrtime.bigint() - start) / calls / 1000;
  console.log(`${name.padEnd(48)} ${us.toFixed(2).padStart(7)} µs`);
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`${cpu}, Node ${process.version}, ${p.database.dialect}, ${N} calls a line`);
const now = p.clock.now();
const resident = await checkPersonalCode(p, code, now);
if (!resident.ok) throw new Error(`the bench code does not verify: ${resident.reason}`);
const staff = await authenticate(p, bench.staffToken);
const gate = await authenticate(p, bench.gateToken);
if (staff.kind !== 'staff') throw new Error('bench staff is not staff');

await time('verifyHealthCode (parse, online tag, times)', N, 1, () =>
  verifyHealthCode(code, p.keyring.lookup, now),
);
await time('findResidentForCheck (one row by id)', N, 1, () =>
  findResidentForCheck(p.database, resident.resident.id),
);
await time('maskName', N, 1, () => maskName(resident.resident.name));
await time('checkPersonalCode (all checks, colour now)', N, 1, () => checkPersonalCode(p, code, now));
await time('verifyCode, 50 at once (+ verification record)', N, 50, () => verifyCode(p, staff, code));
await time('recordCheckpointCheck, 50 at once (+ check row)', N / 2, 50, () =>
  recordCheckpointCheck(p, gate, bench.venueId, {
    clientCheckId: uuid7(Date.now(), randomBytes(10)),
    code,
    temperature: 36.5,
    maskWorn: true,
  }),
);
// Displays (issue 12): the signature is made once per code and minute, then reused.
const account = await authenticate(p, bench.residentToken);
if (account.kind !== 'resident') throw new Error('bench resident is not a resident');
const parsed = verifyHealthCode(code, p.keyring.lookup, now);
if (!parsed.ok) throw new Error('the bench code does not parse');
const key = p.keyring.activeKey();
await time('encodeHealthCode (Ed25519 signature, online tag)', N / 10, 1, () =>
  encodeHealthCode(parsed.claims, key),
);
await time('getMyCode, signed code reused (same minute)', N / 2, 1, () => getMyCode(p, account.accountId));
await bench.dispose();
