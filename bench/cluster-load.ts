/**
 * Issue 12 item 6, "Capacity, measured and modelled": bounded load through HAProxy against the
 * local cluster (scripts/cluster/local-cluster.ts: etcd, three PostgreSQL 15 nodes under Patroni
 * with a synchronous standby, HAProxy, two API nodes), and the province model computed from it.
 *
 * It brings the cluster up on ports of its own in a temporary directory (or reuses the cluster
 * running in HEALTHCODE_CLUSTER_DIR / .cluster when its healthz answers), seeds residents through
 * the API, signs in a checkpoint account and a venue gate account, then runs, each for
 * BENCH_CLUSTER_SECONDS (default 15) after a 3 s warm-up, on loopback only:
 *   verifyCode (POST /api/v1/verifications), recordCheckpointCheck (POST /api/v1/venues/:id/checks)
 *   and getMyCode (GET /api/v1/me/code),
 * measuring requests/s, p50/p99, errors, and the CPU (utime + stime from /proc) that the API nodes,
 * HAProxy and each PostgreSQL node (the postmaster and all its children) used per request, with
 * pg_stat_statements, pg_stat_wal and pg_stat_database on the primary. The machine's two cores are
 * shared by everything, the load generator included, so the figures that carry over are CPU per
 * request, not requests/s. The cluster it started is taken down (and its data removed) at the end.
 *
 * `npm run bench` runs it as the suite `cluster` (BENCH_SUITES=cluster for this one alone); run
 * alone (`node --import tsx bench/cluster-load.ts`) it prints progress on stderr. Its last line on
 * stdout is JSON: { marker, section } (the markdown for docs/benchmarks.md) or { skipped }.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  APP_DATABASE,
  NODE_NAMES,
  ROOT,
  clusterDown,
  clusterInfo,
  clusterStatus,
  clusterUp,
  describeMembers,
  leaderOf,
  missingClusterPackages,
  installCommand,
  patroniMembers,
  postmasterPid,
  type ClusterInfo,
  clusterPorts,
  type ClusterPorts,
  type NodeName,
} from '../scripts/cluster/local-cluster.ts';
import { uuid7 } from '../src/domain/uuid7.ts';
import { DEMO_STAFF } from '../src/use-cases/demo.ts';
import { residentIdNumber } from '../test/support/platform.ts';

export const CLUSTER_MARKER = '## Cluster capacity and the province model (issue 12)';

const SECONDS = Number(process.env['BENCH_CLUSTER_SECONDS'] ?? '15');
const CONNECTIONS = Number(process.env['BENCH_CLUSTER_CONNECTIONS'] ?? '32');
const RESIDENTS = Number(process.env['BENCH_CLUSTER_RESIDENTS'] ?? '2000');
/** The province's morning peak (issue 12) and the headroom the model keeps. */
const TARGET_SCANS = 50_000;
const TARGET_DISPLAYS = 30_000;
const HEADROOM = 2;

/** Ports of its own, clear of `npm run cluster` (slot 0) and the failover test (slot 1). */
const BENCH_PORTS: ClusterPorts = clusterPorts(2);

const log = (line: string) => process.stderr.write(`cluster bench: ${line}\n`);
const TICKS = 100; // USER_HZ on Linux

// ---------------------------------------------------------------------------------------------
// CPU from /proc

interface ProcInfo {
  readonly ppid: number;
  readonly ticks: number;
}

function readProcs(): Map<number, ProcInfo> {
  const procs = new Map<number, ProcInfo>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: state(0) ppid(1) … utime(11) stime(12)
      procs.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // ended meanwhile
    }
  }
  return procs;
}

/** `root` and all its descendants alive now. */
function tree(procs: Map<number, ProcInfo>, root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, p] of procs) if (p.ppid === out[i] && !out.includes(pid)) out.push(pid);
  }
  return out.filter((pid) => procs.has(pid));
}

/**
 * `control`: Patroni's own processes and etcd (the cluster's background, not per request);
 * `pg1/walwriter` etc.: one role of a PostgreSQL node's processes (see pgRole).
 */
type Tier = 'api' | 'haproxy' | 'control' | NodeName | `${NodeName}/${PgRole}`;

/** The PostgreSQL processes that are one process each (their work cannot spread over cores), and the rest. */
type PgRole = 'startup' | 'walreceiver' | 'walsender' | 'walwriter' | 'backend' | 'other';

/** What a PostgreSQL process is, from the title it sets (`postgres: healthcode: walwriter`). */
function pgRole(pid: number): PgRole {
  let title: string;
  try {
    title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  for (const role of ['startup', 'walreceiver', 'walsender', 'walwriter'] as const) {
    if (title.includes(`: ${role}`) || title.includes(` ${role} `)) return role;
  }
  // A client backend names its client's address: "postgres: healthcode: user db 127.0.0.1(51234) idle".
  return /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(title) ? 'backend' : 'other';
}

/**
 * CPU ticks per tier, per PID (so a backend that starts or ends during the window counts only what
 * it used inside it: ticks of PIDs seen at the end minus what they had at the start, 0 if new).
 */
function snapshot(cluster: ClusterInfo, dir: string): Map<Tier, Map<number, number>> {
  const procs = readProcs();
  const out = new Map<Tier, Map<number, number>>();
  const add = (tier: Tier, pids: number[]) => {
    const m = out.get(tier) ?? new Map<number, number>();
    for (const pid of pids) m.set(pid, procs.get(pid)?.ticks ?? 0);
    out.set(tier, m);
  };
  for (const p of cluster.processes) {
    if (p.kind === 'api') add('api', tree(procs, p.pid));
    if (p.kind === 'haproxy') add('haproxy', tree(procs, p.pid));
    // Patroni's own process only: PostgreSQL, its child, is counted per node below.
    if (p.kind === 'patroni') add('control', [p.pid]);
    if (p.kind === 'etcd') add('control', tree(procs, p.pid));
  }
  for (const node of NODE_NAMES) {
    const pid = postmasterPid(dir, node);
    if (pid === null) continue;
    const pids = tree(procs, pid);
    add(node, pids);
    for (const child of pids) add(`${node}/${pgRole(child)}`, [child]);
  }
  return out;
}

/** CPU seconds per tier between two snapshots, and the busiest single process of each. */
function cpuSecondsBetween(
  before: Map<Tier, Map<number, number>>,
  after: Map<Tier, Map<number, number>>,
): Map<Tier, { seconds: number; busiest: number }> {
  const out = new Map<Tier, { seconds: number; busiest: number }>();
  for (const [tier, pids] of after) {
    let ticks = 0;
    let busiest = 0;
    for (const [pid, t] of pids) {
      const used = t - (before.get(tier)?.get(pid) ?? 0);
      ticks += used;
      busiest = Math.max(busiest, used);
    }
    out.set(tier, { seconds: ticks / TICKS, busiest: busiest / TICKS });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP

type Json = Record<string, unknown>;

async function call(url: string, method: string, body?: unknown, token?: string): Promise<Json> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`${method} ${url}: ${response.status} ${text.slice(0, 300)}`);
  }
  return (text === '' ? {} : JSON.parse(text)) as Json;
}

interface Resident {
  readonly token: string;
  readonly code: string;
}

/** Residents through the API: a sign-in code (demo mode shows it), a session, an application, the code. */
async function seedResidents(apiUrl: string, n: number): Promise<Resident[]> {
  // A base of this run's own, so a reused cluster never meets an earlier run's numbers or documents.
  const base = randomBytes(3).readUIntBE(0, 3) * 8;
  const surnames = '王李张刘陈杨黄赵吴周';
  const given = '伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚';
  const residents: Resident[] = [];
  let next = 0;
  const one = async (i: number) => {
    const k = base + i;
    const mobile = `+86137${String(k % 100_000_000).padStart(8, '0')}`;
    const sent = await call(`${apiUrl}/api/v1/sign-in-codes`, 'POST', { mobile });
    const session = await call(`${apiUrl}/api/v1/sessions`, 'POST', { mobile, code: sent['devCode'] });
    const token = String(session['token']);
    const birth = `${1940 + (k % 60)}${String(1 + (Math.floor(k / 60) % 12)).padStart(2, '0')}${String(1 + (Math.floor(k / 720) % 28)).padStart(2, '0')}`;
    await call(
      `${apiUrl}/api/v1/me/application`,
      'PUT',
      {
        name: `${surnames[i % 10] ?? '王'}${given[i % 20] ?? '伟'}${given[Math.floor(i / 20) % 20] ?? '芳'}`,
        documentType: 'resident_id_card',
        documentNumber: residentIdNumber(
          `370102${birth}${String(Math.floor(k / 20_160) % 1000).padStart(3, '0')}`,
        ),
        mobile,
        nationality: 'CN',
        address: { divisionCode: '370102', detail: `泉城路 ${i} 号` },
        contactHistory: {},
        pledge: true,
      },
      token,
    );
    const code = await call(`${apiUrl}/api/v1/me/code`, 'GET', undefined, token);
    residents.push({ token, code: String(code['code']) });
  };
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let i = next++; i < n; i = next++) await one(i);
    }),
  );
  return residents;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL counters on the primary

interface PgCounters {
  readonly walRecords: number;
  readonly walBytes: number;
  readonly walWrite: number;
  readonly walSync: number;
  readonly commits: number;
  readonly backends: number;
}

async function pgCounters(client: pg.Client): Promise<PgCounters> {
  const wal = await client.query<{ r: string; b: string; w: string; s: string }>(
    'select wal_records as r, wal_bytes as b, wal_write as w, wal_sync as s from pg_stat_wal',
  );
  const db = await client.query<{ c: string; n: string }>(
    'select xact_commit as c, numbackends as n from pg_stat_database where datname = $1',
    [APP_DATABASE],
  );
  await client.query('select pg_stat_clear_snapshot()');
  return {
    walRecords: Number(wal.rows[0]?.r),
    walBytes: Number(wal.rows[0]?.b),
    walWrite: Number(wal.rows[0]?.w),
    walSync: Number(wal.rows[0]?.s),
    commits: Number(db.rows[0]?.c),
    backends: Number(db.rows[0]?.n),
  };
}

interface Statement {
  readonly query: string;
  readonly calls: number;
  readonly ms: number;
}

async function topStatements(
  client: pg.Client | null,
): Promise<{ calls: number; ms: number; top: Statement[] } | null> {
  if (client === null) return null;
  const r = await client.query<{ query: string; calls: string; ms: number }>(
    `select s.query, s.calls, s.total_exec_time as ms
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
      where d.datname = $1 order by s.total_exec_time desc`,
    [APP_DATABASE],
  );
  const rows = r.rows.map((x) => ({ query: x.query, calls: Number(x.calls), ms: Number(x.ms) }));
  return {
    calls: rows.reduce((a, x) => a + x.calls, 0),
    ms: rows.reduce((a, x) => a + x.ms, 0),
    top: rows.slice(0, 3),
  };
}

// ---------------------------------------------------------------------------------------------
// A measured scenario

interface Scenario {
  readonly name: string;
  readonly kind: 'scan' | 'display';
  readonly rps: number;
  readonly total: number;
  readonly ok: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly seconds: number;
  /** CPU µs per request, per tier. */
  readonly cpuUs: Record<string, number>;
  /** Share of one core used, per tier. */
  readonly cpuShare: Record<string, number>;
  /** CPU µs per request of the busiest single process of each tier. */
  readonly busiestUs: Record<string, number>;
  readonly wal: { bytes: number; records: number; syncs: number; writes: number; commits: number };
  readonly statements: { calls: number; ms: number; top: Statement[] } | null;
  readonly backends: number;
}

async function run(
  name: string,
  kind: 'scan' | 'display',
  cluster: ClusterInfo,
  dir: string,
  primary: NodeName,
  stats: { counters: pg.Client; statements: pg.Client | null },
  opts: autocannon.Options,
): Promise<Scenario> {
  await autocannon({ ...opts, connections: CONNECTIONS, duration: 3 });
  if (stats.statements !== null) await stats.statements.query('select pg_stat_statements_reset()');
  const c0 = await pgCounters(stats.counters);
  const s0 = snapshot(cluster, dir);
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: SECONDS });
  const seconds = (performance.now() - t0) / 1000;
  const u1 = process.cpuUsage(u0);
  const s1 = snapshot(cluster, dir);
  const c1 = await pgCounters(stats.counters);
  const statements = await topStatements(stats.statements);
  const cpu = cpuSecondsBetween(s0, s1);
  const total = r.requests.total;
  const cpuUs: Record<string, number> = {};
  const cpuShare: Record<string, number> = {};
  const busiestUs: Record<string, number> = {};
  for (const [tier, { seconds: s, busiest }] of cpu) {
    const label = tier === primary ? `${tier} (primary)` : tier;
    cpuUs[label] = total === 0 ? 0 : (s * 1e6) / total;
    cpuShare[label] = s / seconds;
    busiestUs[label] = total === 0 ? 0 : (busiest * 1e6) / total;
  }
  // The load generator (this process: autocannon) shares the cores too.
  cpuShare['load generator'] = (u1.user + u1.system) / 1e6 / seconds;
  const m: Scenario = {
    name,
    kind,
    rps: total / seconds,
    total,
    ok: total - r.non2xx - r.errors,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    seconds,
    cpuUs,
    cpuShare,
    busiestUs,
    wal: {
      bytes: c1.walBytes - c0.walBytes,
      records: c1.walRecords - c0.walRecords,
      syncs: c1.walSync - c0.walSync,
      writes: c1.walWrite - c0.walWrite,
      commits: c1.commits - c0.commits,
    },
    statements,
    backends: c1.backends,
  };
  log(
    `${name}: ${m.rps.toFixed(0)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, non-2xx ${m.non2xx}, errors ${m.errors}; CPU µs/req ${Object.entries(
      cpuUs,
    )
      .filter(([k]) => !k.includes('/'))
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}; WAL syncs ${m.wal.syncs}, commits ${m.wal.commits}`,
  );
  return m;
}

// ---------------------------------------------------------------------------------------------

async function reusable(): Promise<{ dir: string; cluster: ClusterInfo } | null> {
  const dir = path.resolve(process.env['HEALTHCODE_CLUSTER_DIR'] ?? path.join(ROOT, '.cluster'));
  const cluster = clusterInfo(dir);
  if (cluster === null) return null;
  const status = await clusterStatus(dir);
  return status?.healthz === 200 && status.processes.some((p) => p.kind === 'api' && p.alive)
    ? { dir, cluster }
    : null;
}

async function main(): Promise<Json> {
  const missing = missingClusterPackages();
  if (missing.length > 0) {
    return { skipped: `missing Debian packages ${missing.join(' ')} (${installCommand(missing)})` };
  }
  const loadBefore = os.loadavg();
  const reused = await reusable();
  const dir = reused?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hc-bench-cluster-'));
  let cluster: ClusterInfo;
  const upAt = Date.now();
  if (reused !== null) {
    cluster = reused.cluster;
    log(`reusing the cluster running in ${dir}`);
  } else {
    log(`bringing the cluster up in ${dir}`);
    cluster = await clusterUp({ dir, ports: BENCH_PORTS, log });
  }
  const upSeconds = (Date.now() - upAt) / 1000;
  const clients: pg.Client[] = [];
  try {
    const members = await patroniMembers(cluster.ports);
    const primary = leaderOf(members);
    if (primary === null) throw new Error(`no primary: ${describeMembers(members)}`);
    const superuser = async () => {
      const client = new pg.Client({ connectionString: cluster.nodeUrl(primary, APP_DATABASE) });
      client.on('error', () => undefined);
      await client.connect();
      clients.push(client);
      return client;
    };
    const counters = await superuser();
    let statements: pg.Client | null = await superuser();
    let statementsNote = 'pg_stat_statements: on (shared_preload_libraries in deploy/cluster/patroni.yml)';
    try {
      await statements.query('create extension if not exists pg_stat_statements');
      await statements.query('select pg_stat_statements_reset()');
    } catch (error) {
      statementsNote = `pg_stat_statements unavailable (${(error as Error).message}); CPU from /proc only`;
      statements = null;
    }
    const settings = await counters.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings where name in
        ('synchronous_commit', 'synchronous_standby_names', 'max_connections', 'shared_buffers', 'wal_sync_method', 'commit_delay')`,
    );
    const setting = (n: string) => settings.rows.find((r) => r.name === n)?.setting ?? '?';

    const syncStandby = (members.find((m) => m.role === 'sync_standby')?.name ?? null) as NodeName | null;
    log(`seeding ${RESIDENTS} residents through ${cluster.apiUrl}`);
    const seededAt = Date.now();
    const residents = await seedResidents(cluster.apiUrl, RESIDENTS);
    const seedSeconds = (Date.now() - seededAt) / 1000;
    log(`seeded in ${seedSeconds.toFixed(0)} s`);
    const checkpoint = DEMO_STAFF.find((s) => s.role === 'checkpoint' && s.venueStaff !== true);
    const gate = DEMO_STAFF.find((s) => s.venueStaff === true);
    if (checkpoint === undefined || gate === undefined) throw new Error('demo staff missing');
    const staffSession = (s: { username: string; password: string }) =>
      call(`${cluster.apiUrl}/api/v1/staff-sessions`, 'POST', { username: s.username, password: s.password });
    const checkpointToken = String((await staffSession(checkpoint))['token']);
    const gateSession = await staffSession(gate);
    const gateToken = String(gateSession['token']);
    const venueId = Number(gateSession['venueId']);

    let nextCode = 0;
    const anyCode = () => residents[nextCode++ % residents.length]?.code ?? '';
    let nextResident = 0;
    const stats = { counters, statements };
    const results: Scenario[] = [];
    results.push(
      await run('verifyCode', 'scan', cluster, dir, primary, stats, {
        url: `${cluster.apiUrl}/api/v1/verifications`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${checkpointToken}` },
        requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ code: anyCode() }) }) }],
      }),
    );
    results.push(
      await run('recordCheckpointCheck', 'scan', cluster, dir, primary, stats, {
        url: `${cluster.apiUrl}/api/v1/venues/${venueId}/checks`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${gateToken}` },
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({
                clientCheckId: uuid7(Date.now(), randomBytes(10)),
                code: anyCode(),
                temperature: 36.6,
                maskWorn: true,
              }),
            }),
          },
        ],
      }),
    );
    results.push(
      await run('getMyCode', 'display', cluster, dir, primary, stats, {
        url: `${cluster.apiUrl}/api/v1/me/code`,
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              headers: {
                ...req.headers,
                authorization: `Bearer ${residents[nextResident++ % residents.length]?.token ?? ''}`,
              },
            }),
          },
        ],
      }),
    );
    const loadAfter = os.loadavg();
    return {
      marker: CLUSTER_MARKER,
      section: section({
        results,
        primary,
        syncStandby,
        members: describeMembers(await patroniMembers(cluster.ports)),
        reused: reused !== null,
        upSeconds,
        seedSeconds,
        residents: residents.length,
        loadBefore,
        loadAfter,
        statementsNote,
        settings: {
          synchronousCommit: setting('synchronous_commit'),
          standbys: setting('synchronous_standby_names'),
          maxConnections: Number(setting('max_connections')),
          walSyncMethod: setting('wal_sync_method'),
          commitDelay: setting('commit_delay'),
        },
      }),
    };
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
    if (reused === null) {
      log('taking the cluster down');
      await clusterDown({ dir, log, wipe: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The report and the model

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
const f0 = (x: number) => Math.round(x).toLocaleString('en');
const f1 = (x: number) => x.toFixed(1);

function section(r: {
  results: Scenario[];
  primary: NodeName;
  syncStandby: NodeName | null;
  members: string;
  reused: boolean;
  upSeconds: number;
  seedSeconds: number;
  residents: number;
  loadBefore: number[];
  loadAfter: number[];
  statementsNote: string;
  settings: {
    synchronousCommit: string;
    standbys: string;
    maxConnections: number;
    walSyncMethod: string;
    commitDelay: string;
  };
}): string {
  const primaryLabel = `${r.primary} (primary)`;
  const tiers = ['api', 'haproxy', ...NODE_NAMES.map((n) => (n === r.primary ? primaryLabel : n))];
  const tierName = (t: string) =>
    t === 'api' ? 'API nodes (2)' : t === 'haproxy' ? 'HAProxy' : `PostgreSQL ${t}`;
  const us = (s: Scenario, t: string) => s.cpuUs[t] ?? 0;
  const byName = (n: string) => r.results.find((s) => s.name === n);
  const verify = byName('verifyCode');
  const check = byName('recordCheckpointCheck');
  const display = byName('getMyCode');
  if (verify === undefined || check === undefined || display === undefined)
    throw new Error('a scenario is missing');
  // A scan in the model is the dearer of the two on each tier (a door scan is a verification, or a check).
  const scanUs = (t: string) => Math.max(us(verify, t), us(check, t));
  const standbyUs = (s: Scenario) =>
    Math.max(...NODE_NAMES.filter((n) => n !== r.primary).map((n) => us(s, n)));
  const scanStandby = Math.max(standbyUs(verify), standbyUs(check));
  const coresFor = (scan: number, disp: number) =>
    ((TARGET_SCANS * scan + TARGET_DISPLAYS * disp) / 1e6) * HEADROOM;
  const apiCores = coresFor(scanUs('api'), us(display, 'api'));
  const apiNodes = Math.ceil(apiCores / 2);
  const haproxyCores = coresFor(scanUs('haproxy'), us(display, 'haproxy'));
  const pgCores = coresFor(scanUs(primaryLabel), us(display, primaryLabel));
  const standbyCores = coresFor(scanStandby, standbyUs(display));
  const pgSize = [4, 8, 16, 32, 48, 64, 96, 128].find((c) => c >= pgCores) ?? Math.ceil(pgCores);
  const perReq = (s: Scenario, x: number) => (s.total === 0 ? 0 : x / s.total);
  const walBytesPerSec =
    TARGET_SCANS * Math.max(perReq(verify, verify.wal.bytes), perReq(check, check.wal.bytes)) +
    TARGET_DISPLAYS * perReq(display, display.wal.bytes);
  const commitsPerSec =
    TARGET_SCANS * Math.max(perReq(verify, verify.wal.commits), perReq(check, check.wal.commits)) +
    TARGET_DISPLAYS * perReq(display, display.wal.commits);
  const syncsMeasured = (s: Scenario) => s.wal.syncs / s.seconds;
  const rows = r.results.map((s) => {
    const cpu = tiers.map((t) => f0(us(s, t))).join(' | ');
    return `| ${s.name} | ${f0(s.rps)} | ${s.p50} | ${s.p99} | ${s.non2xx + s.errors} | ${cpu} |`;
  });
  const shareTiers = [...tiers, 'control', 'load generator'];
  const shareName = (t: string) =>
    t === 'control'
      ? 'Patroni ×3 + etcd'
      : t === 'load generator'
        ? 'load generator (autocannon)'
        : tierName(t);
  const shareRows = r.results.map((s) => {
    const shares = shareTiers.map((t) => s.cpuShare[t] ?? 0);
    return `| ${s.name} | ${shares.map((x) => `${f0(100 * x)} %`).join(' | ')} | ${f0(100 * shares.reduce((a, x) => a + x, 0))} % |`;
  });
  const walRows = r.results.map(
    (s) =>
      `| ${s.name} | ${f1(perReq(s, s.wal.commits))} | ${f0(perReq(s, s.wal.bytes))} | ${f1(perReq(s, s.wal.records))} | ${f0(syncsMeasured(s))} | ${f1(s.wal.syncs === 0 ? 0 : s.total / s.wal.syncs)} | ${s.statements === null ? '—' : f1(perReq(s, s.statements.calls))} | ${s.statements === null ? '—' : f0((1000 * s.statements.ms) / Math.max(1, s.total))} |`,
  );
  const topLines = r.results.flatMap((s) =>
    s.statements === null
      ? []
      : [
          `- ${s.name}: ${s.statements.top
            .map(
              (t) =>
                `\`${t.query.replace(/\s+/g, ' ').slice(0, 90)}${t.query.length > 90 ? '…' : ''}\` (${f1(t.calls / Math.max(1, s.total))} per request, ${f0((1000 * t.ms) / Math.max(1, t.calls))} µs each)`,
            )
            .join('; ')}`,
        ],
  );
  const singles: [string, string][] = [
    ['primary: WAL writer', `${r.primary}/walwriter`],
    ['primary: WAL sender (the busier of the two)', `${r.primary}/walsender`],
    ...(r.syncStandby === null
      ? []
      : ([
          ['synchronous standby: WAL receiver', `${r.syncStandby}/walreceiver`],
          ['synchronous standby: startup (WAL replay)', `${r.syncStandby}/startup`],
        ] as [string, string][])),
  ];
  const busiest = (s: Scenario, t: string) => s.busiestUs[t] ?? 0;
  const singlePeak = (t: string) =>
    (TARGET_SCANS * Math.max(busiest(verify, t), busiest(check, t)) + TARGET_DISPLAYS * busiest(display, t)) /
    1e6;
  const singleRows = singles.map(
    ([name, t]) =>
      `| ${name} | ${f1(busiest(verify, t))} | ${f1(busiest(check, t))} | ${f1(busiest(display, t))} | ${f0(100 * singlePeak(t))} % |`,
  );
  const worstSingle = singles
    .map(([name, t]) => ({ name, peak: singlePeak(t) }))
    .sort((a, b) => b.peak - a.peak)[0] ?? { name: '?', peak: 0 };
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
  const maxConnectionsNeeded = apiNodes * 16;
  return [
    `${CLUSTER_MARKER} (${new Date().toISOString().slice(0, 10)})`,
    '',
    `Machine: ${machine}. Load average (1 / 5 / 15 min) before: ${load(r.loadBefore)}, after: ${load(r.loadAfter)} — the machine is shared with other work. Command: \`npm run bench\` (suite \`cluster\`, \`bench/cluster-load.ts\`; \`BENCH_SUITES=cluster npm run bench\` runs it alone). The cluster of \`scripts/cluster/local-cluster.ts\` ${r.reused ? 'was already running and was reused' : `was brought up for the run (${f0(r.upSeconds)} s) on ports of its own and taken down after it`}: etcd, three PostgreSQL 15 nodes under Patroni (${r.members}; synchronous_commit ${r.settings.synchronousCommit}, synchronous_standby_names ${r.settings.standbys}, wal_sync_method ${r.settings.walSyncMethod}, max_connections ${r.settings.maxConnections}), HAProxy, and two API nodes (\`healthcode demo\`, pool of 16 connections each) behind HAProxy's API frontend. ${r.residents.toLocaleString('en')} residents were seeded through the API (${f0(r.seedSeconds)} s); scans go round their codes, displays round their sessions. Each row: autocannon, ${CONNECTIONS} connections through HAProxy, ${SECONDS} s after a 3 s warm-up, loopback only.`,
    '',
    '**Everything — the load generator, HAProxy, both API nodes, three PostgreSQL nodes, Patroni and etcd — shares these 2 cores**, so requests/s here say little about the cluster; what carries over to real machines is the CPU each tier spent per request, read from /proc (utime + stime of each API node process, of HAProxy, and of each PostgreSQL node: its postmaster and every child — backends, WAL writer, WAL sender/receiver, checkpointer), over the measured window only.',
    '',
    `| scenario | req/s | p50 ms | p99 ms | non-2xx + errors | ${tiers.map((t) => `${tierName(t)} CPU µs/req`).join(' | ')} |`,
    `|---|---:|---:|---:|---:|${tiers.map(() => '---:').join('|')}|`,
    ...rows,
    '',
    'Share of one core each part used during the row (what is missing from 200 % went to other work on the machine, or was idle):',
    '',
    `| scenario | ${shareTiers.map(shareName).join(' | ')} | sum (the machine has 200 %) |`,
    `|---|${shareTiers.map(() => '---:').join('|')}|---:|`,
    ...shareRows,
    '',
    `On the primary (pg_stat_database, pg_stat_wal, ${r.statementsNote.startsWith('pg_stat_statements: on') ? 'pg_stat_statements' : 'no pg_stat_statements'}):`,
    '',
    '| scenario | transactions/req (read-only too) | WAL bytes/req | WAL records/req | WAL fsyncs/s | requests per fsync | statements/req | statement time µs/req |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...walRows,
    '',
    ...(topLines.length === 0
      ? []
      : ['The dearest statements (by total execution time, wall clock):', '', ...topLines, '']),
    `${r.statementsNote}. Statement time is execution time in the backend (wall clock, includes waiting for locks), not CPU; the CPU columns above are the ones the model uses.`,
    '',
    'PostgreSQL processes that are one process each — their work cannot spread over cores, however large the machine (CPU µs per request of the busiest such process):',
    '',
    '| process | verifyCode | recordCheckpointCheck | getMyCode | one core at the peak (no headroom) |',
    '|---|---:|---:|---:|---:|',
    ...singleRows,
    '',
    '### The province model',
    '',
    `Target: ${TARGET_SCANS.toLocaleString('en')} scans/s and ${TARGET_DISPLAYS.toLocaleString('en')} displays/s at the morning peak, with ${HEADROOM}× headroom (every tier sized to run at half its capacity at the peak). A scan is costed at the dearer of verifyCode and recordCheckpointCheck on each tier; a display is getMyCode. Cores needed = (scans/s × µs per scan + displays/s × µs per display) / 10⁶ × ${HEADROOM}.`,
    '',
    '| tier | µs/scan | µs/display | cores at the peak × 2 | machines |',
    '|---|---:|---:|---:|---|',
    `| API nodes | ${f0(scanUs('api'))} | ${f0(us(display, 'api'))} | ${f1(apiCores)} | **${apiNodes} API nodes of 2 cores** (each running 2 API processes, one per core: a Node process has one main thread) |`,
    `| HAProxy | ${f0(scanUs('haproxy'))} | ${f0(us(display, 'haproxy'))} | ${f1(haproxyCores)} | ${Math.max(2, Math.ceil(haproxyCores / 4))} HAProxy machines of 4 cores (or a layer-4 balancer in front; a pair at least, for failover) |`,
    `| PostgreSQL primary | ${f0(scanUs(primaryLabel))} | ${f0(us(display, primaryLabel))} | ${f1(pgCores)} | **one primary of ${pgSize} cores** |`,
    `| PostgreSQL synchronous standby | ${f0(scanStandby)} | ${f0(standbyUs(display))} | ${f1(standbyCores)} | the same size as the primary (it must be able to become it) |`,
    '',
    `Beyond CPU, at that peak the primary would run about ${f0(commitsPerSec)} transactions/s (most of them reads) and write about ${f1(walBytesPerSec / 2 ** 20)} MiB/s of WAL (from the transactions and WAL bytes per request above). Where the next bottleneck is:`,
    '',
    `- **WAL fsync and the synchronous round trip.** Every acknowledged scan waits for a WAL flush on the primary and for the synchronous standby to confirm it (synchronous_commit on). Here the checks were batched by the platform's group commit (${f1(check.wal.syncs === 0 ? 0 : check.total / check.wal.syncs)} requests per WAL fsync for recordCheckpointCheck in this run, ${f0(syncsMeasured(check))} fsyncs/s). At ${TARGET_SCANS.toLocaleString('en')} scans/s and the same batching that is ${f0(check.wal.syncs === 0 ? 0 : (TARGET_SCANS * check.wal.syncs) / check.total)} fsyncs/s — within what an NVMe device with power-loss protection sustains (tens of thousands a second), far beyond a disk without it (a few hundred); and each group waits one network round trip to the standby (0.1–0.5 ms within a data centre), which is why batches grow as the load grows instead of the rate falling. The standby must be in the same data centre (another rack or room), the third node may be farther and asynchronous.`,
    `- **Connections.** ${apiNodes} API nodes × 2 processes × a pool of 16 = ${f0(maxConnectionsNeeded * 2)} server connections against max_connections ${r.settings.maxConnections} here: raise max_connections (each backend costs a few MiB), or lower the pool per process — group commit needs few connections, since one transaction carries many requests — or put pgbouncer in session mode between them (transaction mode breaks LISTEN/NOTIFY, which the change feed uses, and 1.18 lacks prepared statements there).`,
    `- **WAL volume and replication.** ${f1(walBytesPerSec / 2 ** 20)} MiB/s of WAL is ${f0((walBytesPerSec * 3_600) / 2 ** 30)} GiB an hour at the peak rate to archive and to stream to each standby: the network between primary and standby (≥ 10 Gbit/s) and the WAL archive's bandwidth are sized from it, and the standby's replay (the startup process, one process) must keep up. Of the single processes in the table above, the busiest at the peak would be the ${worstSingle.name} at ${f0(100 * worstSingle.peak)} % of one core${worstSingle.peak >= 0.5 ? ' — more than half a core, so a single process, not the number of cores, is the first limit of one primary and its standby. Their work goes with the number of WAL flushes and messages more than with bytes, so larger group-commit batches under more load should lower it per scan; measure it on the real machines first' : ' — under half a core, so it is not the first limit'}.`,
    `- **Displays need not reach the primary.** getMyCode wrote ${f0(perReq(display, display.wal.bytes))} bytes of WAL per request here (its ${f1(perReq(display, display.wal.commits))} transactions per request are reads: the session, the resident, the policy); those reads could go to the replicas (HAProxy's replica port) once the platform routes reads there, taking ${f1(coresFor(0, us(display, primaryLabel)))} of the primary's ${f1(pgCores)} cores off it and leaving it to the scans.`,
    `- **Beyond one primary.** Scans grow with the province's doors, not with its people; past roughly ${f0((128 / HEADROOM) * (1e6 / Math.max(1, scanUs(primaryLabel))))} scans/s at these costs (and no displays) even a 128-core primary is at half its capacity, and the tables that grow by 10⁸ rows a day would be split by city (one cluster per city or group of cities, the resident's home division choosing the cluster).`,
    '',
    'These figures come from one machine where everything competed for 2 cores (per-request CPU includes the cache and scheduling effects of that crowding, which likely overstates it), over loopback without TLS (real NICs and TLS termination add to HAProxy and the API nodes), with the API nodes in demo mode (`healthcode demo`: sign-in codes are returned and no key-encryption key is set, which changes how keys rest in the database, not the work of a scan or a display). Check the counts on real machines with the same benchmark before ordering them.',
    '',
  ].join('\n');
}

try {
  const out = await main();
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
} catch (error) {
  process.stderr.write(`cluster bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
