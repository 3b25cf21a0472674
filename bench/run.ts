/**
 * `npm run bench`: measures verifyCode and getMyCode beside two baselines measured in the same run
 * on the same machine (a bare Fastify GET hello-world and a Fastify POST that only validates the
 * verifyCode body). Servers run on core 0, the load generator on core 1 (when taskset exists).
 * Loopback only; every run is bounded in time. Writes docs/benchmarks.md.
 *
 * Options (env): BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 50), DATABASE_URL (run the
 * platform on PostgreSQL instead of SQLite).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import readline from 'node:readline';
import autocannon from 'autocannon';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? '10');
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? '50');
// After the re-exec below this process sees only core 1, so the decision is passed down in BENCH_PINNED.
const hasTaskset =
  process.env['BENCH_PINNED'] === '1' ||
  (spawnSync('taskset', ['--version']).status === 0 && os.availableParallelism() >= 2);

if (hasTaskset && process.env['BENCH_PINNED'] !== '1') {
  // Re-run this script pinned to core 1 so the load generator does not share the server's core.
  const r = spawnSync(
    'taskset',
    ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, BENCH_PINNED: '1' },
    },
  );
  process.exit(r.status ?? 1);
}

async function startServer(script: string): Promise<{ child: ChildProcess; info: Record<string, unknown> }> {
  const args = ['--import', 'tsx', script];
  const child = hasTaskset
    ? spawn('taskset', ['-c', '0', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const stdout = child.stdout;
  if (stdout === null) throw new Error('no stdout');
  const line = await new Promise<string>((resolve, reject) => {
    const rl = readline.createInterface({ input: stdout });
    rl.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as Record<string, unknown> };
}

interface Measured {
  readonly name: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

async function measure(
  name: string,
  opts: { url: string; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string },
): Promise<Measured> {
  // Warm-up: let V8 optimise and the statement caches fill before measuring.
  await autocannon({ ...opts, connections: CONNECTIONS, duration: 2 });
  const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: SECONDS });
  const m = {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
  console.log(
    `${name.padEnd(44)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  non-2xx ${m.non2xx}  errors ${m.errors}`,
  );
  return m;
}

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
console.log(`machine: ${machine}`);
console.log(
  `each: ${CONNECTIONS} connections, ${SECONDS} s after a 2 s warm-up; server ${hasTaskset ? 'pinned to core 0, load generator to core 1' : 'not pinned (no taskset)'}`,
);

const results: Measured[] = [];
const baseline = await startServer('bench/servers/baselines.ts');
const platform = await startServer('bench/servers/platform.ts');
try {
  const b = `http://127.0.0.1:${String(baseline.info['port'])}`;
  const verifyBody = JSON.stringify({ code: platform.info['code'] });
  results.push(await measure('baseline: Fastify GET hello-world', { url: `${b}/hello` }));
  results.push(
    await measure('baseline: Fastify POST, validate body only', {
      url: `${b}/verify-shape`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: verifyBody,
    }),
  );
  baseline.child.kill('SIGTERM');
  const u = `http://127.0.0.1:${String(platform.info['port'])}`;
  results.push(
    await measure(`verifyCode (${String(platform.info['database'])})`, {
      url: `${u}/api/v1/verifications`,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${String(platform.info['staffToken'])}`,
      },
      body: verifyBody,
    }),
  );
  results.push(
    await measure(`getMyCode (${String(platform.info['database'])})`, {
      url: `${u}/api/v1/me/code`,
      headers: { authorization: `Bearer ${String(platform.info['residentToken'])}` },
    }),
  );
} finally {
  baseline.child.kill('SIGTERM');
  platform.child.kill('SIGTERM');
}

const post = results[1]?.rps ?? 1;
const hello = results[0]?.rps ?? 1;
const rows = results.map(
  (r) =>
    `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${((100 * r.rps) / hello).toFixed(0)} % | ${((100 * r.rps) / post).toFixed(0)} % | ${r.non2xx + r.errors} |`,
);
const verify = results[2];
const section = [
  `## Core: verifyCode and getMyCode (${new Date().toISOString().slice(0, 10)})`,
  '',
  `Machine: ${machine}. Command: \`npm run bench\`. ${CONNECTIONS} connections, ${SECONDS} s per row after a 2 s warm-up; ${hasTaskset ? 'server on core 0, autocannon on core 1' : 'no CPU pinning'}.`,
  '',
  '| scenario | req/s | p50 ms | p99 ms | vs GET hello | vs POST baseline | non-2xx + errors |',
  '|---|---:|---:|---:|---:|---:|---:|',
  ...rows,
  '',
  `Target: verifyCode at 70 % or more of the POST baseline — measured ${verify === undefined ? '?' : ((100 * verify.rps) / post).toFixed(0)} %.`,
  'verifyCode does every check: session lookup, HPC1 parse, online tag (HMAC) or Ed25519, key status, subject unsealing, the resident’s colour now from the database, and a durable verification record (group commit) before it answers.',
  '',
].join('\n');

const file = 'docs/benchmarks.md';
const header =
  '# Benchmarks\n\nMeasured by `npm run bench` (see bench/). Figures are from the machine named in each section; these machines are noisy (±5–25 %), so compare rows of the same run only.\n\n';
const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : header;
const marker = '## Core: verifyCode and getMyCode';
const start = existing.indexOf(marker);
let updated: string;
if (start === -1) updated = existing.trimEnd() + '\n\n' + section;
else {
  const next = existing.indexOf('\n## ', start + marker.length);
  updated = existing.slice(0, start) + section + (next === -1 ? '' : existing.slice(next + 1));
}
fs.writeFileSync(file, updated.startsWith('# Benchmarks') ? updated : header + updated);
console.log(`wrote ${file}`);
