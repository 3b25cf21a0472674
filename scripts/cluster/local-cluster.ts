import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * A province-shaped cluster on one machine (issue 12): etcd, three PostgreSQL 15 nodes under
 * Patroni (a primary, a synchronous standby, a replica), HAProxy routing writes to whichever node
 * Patroni calls primary, and two API nodes behind HAProxy — all from Debian's packages, on
 * loopback, with their data and logs in one directory. `npm run cluster` (scripts/cluster.ts) and
 * the failover test (test/cluster/failover.test.ts) both start and stop it through this module.
 *
 * The configuration comes from the templates in deploy/cluster/, the same an operator deploys on
 * real machines (docs/operations.md, "Province").
 */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEMPLATE_DIR = path.join(ROOT, 'deploy/cluster');

/** The machine programs the cluster runs; each path can be pointed elsewhere by its variable. */
export const CLUSTER_TOOLS = {
  patroni: { env: 'HEALTHCODE_PATRONI', path: '/usr/bin/patroni', debian: 'patroni' },
  etcd: { env: 'HEALTHCODE_ETCD', path: '/usr/bin/etcd', debian: 'etcd-server' },
  haproxy: { env: 'HEALTHCODE_HAPROXY', path: '/usr/sbin/haproxy', debian: 'haproxy' },
  postgres: {
    env: 'HEALTHCODE_POSTGRES',
    path: '/usr/lib/postgresql/15/bin/postgres',
    debian: 'postgresql-15',
  },
} as const;

export type ClusterTool = keyof typeof CLUSTER_TOOLS;

export function clusterToolPath(tool: ClusterTool): string {
  const spec = CLUSTER_TOOLS[tool];
  return process.env[spec.env] ?? spec.path;
}

/** The Debian packages whose programs are missing here (empty when all are installed). */
export function missingClusterPackages(): string[] {
  const missing = (Object.keys(CLUSTER_TOOLS) as ClusterTool[]).filter((tool) => {
    try {
      fs.accessSync(clusterToolPath(tool), fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
  return [...new Set(missing.map((tool) => CLUSTER_TOOLS[tool].debian))];
}

/** The exact command that installs them. */
export function installCommand(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

export interface ClusterPorts {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly postgres: readonly [number, number, number];
  readonly patroni: readonly [number, number, number];
  readonly haproxyPrimary: number;
  readonly haproxyReplicas: number;
  readonly haproxyApi: number;
  readonly haproxyStats: number;
  readonly api: readonly [number, number];
}

/**
 * The ports of cluster number `slot` on one machine, ten apart so several run side by side: 0 is
 * `npm run cluster` (clear of the machine's own PostgreSQL on 5432 and etcd's 2379/2380), 1 the
 * failover test, 2 the cluster bench.
 */
export function clusterPorts(slot: number): ClusterPorts {
  const o = 10 * slot;
  return {
    etcdClient: 23790 + slot,
    etcdPeer: 23800 + slot,
    postgres: [54321 + o, 54322 + o, 54323 + o],
    patroni: [28008 + o, 28009 + o, 28010 + o],
    haproxyPrimary: 54320 + o,
    haproxyReplicas: 54324 + o,
    haproxyApi: 3100 + o,
    haproxyStats: 54329 + o,
    api: [3101 + o, 3102 + o],
  };
}

/** `npm run cluster`. */
export const DEFAULT_PORTS: ClusterPorts = clusterPorts(0);

/** The failover test's own ports, so it runs beside a cluster started by hand. */
export const TEST_PORTS: ClusterPorts = clusterPorts(1);

const HOST = '127.0.0.1';
const SCOPE = 'healthcode';
export const NODE_NAMES = ['pg1', 'pg2', 'pg3'] as const;
export type NodeName = (typeof NODE_NAMES)[number];
const API_NAMES = ['api1', 'api2'] as const;
/** The database and role the API nodes use (created once, through HAProxy). */
export const APP_DATABASE = 'healthcode';
const APP_ROLE = 'healthcode';

/** Patroni's timing: the leader lock lives TTL s; loop_wait + 2 × retry_timeout ≤ TTL. */
const PATRONI_TIMING = { TTL: '10', LOOP_WAIT: '2', RETRY_TIMEOUT: '4' };

export type ProcessKind = 'etcd' | 'patroni' | 'haproxy' | 'api';

export interface ProcessRecord {
  readonly name: string;
  readonly kind: ProcessKind;
  readonly pid: number;
  readonly log: string;
}

interface ClusterState {
  readonly ports: ClusterPorts;
  processes: ProcessRecord[];
}

interface Secrets {
  readonly superuser: string;
  readonly replication: string;
  readonly rewind: string;
  readonly app: string;
}

/** Where everything is, once the cluster is up. */
export interface ClusterInfo {
  readonly dir: string;
  readonly ports: ClusterPorts;
  /** The API through HAProxy. */
  readonly apiUrl: string;
  readonly apiNodeUrls: readonly string[];
  /** For the API nodes: writes through HAProxy to the primary. */
  readonly databaseUrl: string;
  /** A superuser URL to one node directly (not through HAProxy). */
  nodeUrl(node: NodeName, database?: string): string;
  readonly processes: readonly ProcessRecord[];
}

export interface ClusterOptions {
  /** Data, configuration, logs and the state file (created; data of an earlier run is reused). */
  readonly dir: string;
  readonly ports?: ClusterPorts;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export class ClusterError extends Error {
  override name = 'ClusterError';
}

// ---------------------------------------------------------------------------------------------
// Files

/** Fills `{{NAME}}` placeholders; a placeholder without a value is an error, never left in. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new ClusterError(`template value ${key} is missing`);
    return value;
  });
}

const stateFile = (dir: string) => path.join(dir, 'state.json');

function readState(dir: string): ClusterState | null {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), 'utf8')) as ClusterState;
  } catch {
    return null;
  }
}

function writeState(dir: string, state: ClusterState): void {
  fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2) + '\n');
}

function loadSecrets(dir: string): Secrets {
  const file = path.join(dir, 'secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Secrets;
  const make = () => randomBytes(18).toString('hex');
  const secrets: Secrets = { superuser: make(), replication: make(), rewind: make(), app: make() };
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return secrets;
}

/** The account PostgreSQL, Patroni and etcd run as: `postgres` when we are root (PostgreSQL refuses root). */
interface ServiceUser {
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly name: string;
}

function serviceUser(): ServiceUser | null {
  if (process.getuid?.() !== 0) return null;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const fields = line?.split(':');
  if (fields === undefined || fields.length < 6) {
    throw new ClusterError(
      'running as root, but there is no "postgres" user to run PostgreSQL as (apt-get install postgresql-15 creates it)',
    );
  }
  return { name: 'postgres', uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '/' };
}

/** Fails, saying what to do, when the service user cannot write `folder` (a parent it cannot enter). */
function assertReachable(folder: string, user: ServiceUser | null): void {
  if (user === null) return;
  const reach = spawnSync('test', ['-w', folder], { uid: user.uid, gid: user.gid });
  if (reach.status !== 0) {
    throw new ClusterError(
      `the ${user.name} user cannot write ${folder}: choose a directory it can reach (HEALTHCODE_CLUSTER_DIR)`,
    );
  }
}

function chownTree(target: string, user: ServiceUser | null): void {
  if (user === null) return;
  fs.chownSync(target, user.uid, user.gid);
  if (fs.statSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), user);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The variable every process of a cluster carries, naming its directory: how `down` finds strays. */
const MARKER = 'HEALTHCODE_CLUSTER_MEMBER';

function processState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

/** Alive and not a zombie waiting for its parent. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = processState(pid);
  return state !== null && state !== 'Z' && state !== 'X';
}

/**
 * Whether `pid` is a process of the cluster in `dir` (not a stranger that reuses the number): it
 * carries the marker, which every process started here passes on to its children (Patroni to
 * PostgreSQL, PostgreSQL to its backends).
 */
function belongsTo(pid: number, dir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${MARKER}=${dir}`);
  } catch {
    return false;
  }
}

/** Every live process of the cluster in `dir`, whoever started it. */
export function clusterProcesses(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    if (belongsTo(pid, dir) && isAlive(pid)) pids.push(pid);
  }
  return pids;
}

/** The directories of every cluster with live processes on this machine, with their PIDs. */
export function markedClusters(): Map<string, number[]> {
  const clusters = new Map<string, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let environ: string[];
    try {
      environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const marker = environ.find((e) => e.startsWith(`${MARKER}=`));
    if (marker === undefined || !isAlive(Number(entry))) continue;
    const dir = marker.slice(MARKER.length + 1);
    clusters.set(dir, [...(clusters.get(dir) ?? []), Number(entry)]);
  }
  return clusters;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sends `signal` and waits up to `ms` for the process to end; false when it is still there. */
async function stopProcess(pid: number, signal: NodeJS.Signals, ms: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch {
    return true;
  }
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/** SIGTERM (or `signal`), then SIGKILL after `ms`. */
async function endProcess(pid: number, ms: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!isAlive(pid)) return;
  if (await stopProcess(pid, signal, ms)) return;
  await stopProcess(pid, 'SIGKILL', 5_000);
}

interface StartSpec {
  readonly name: string;
  readonly kind: ProcessKind;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly user: ServiceUser | null;
  readonly cwd: string;
}

function startProcess(dir: string, state: ClusterState, spec: StartSpec): ProcessRecord {
  const log = path.join(dir, 'logs', `${spec.name}.log`);
  const fd = fs.openSync(log, 'a');
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...spec.env, [MARKER]: dir },
    ...(spec.user === null ? {} : { uid: spec.user.uid, gid: spec.user.gid }),
  });
  fs.closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new ClusterError(`${spec.name} did not start (${spec.command})`);
  const record: ProcessRecord = { name: spec.name, kind: spec.kind, pid: child.pid, log };
  state.processes.push(record);
  writeState(dir, state);
  return record;
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `probe` until it returns a value (not undefined), or fails naming `what` and the log. */
async function waitFor<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | undefined>,
  record?: ProcessRecord,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    if (record !== undefined && !isAlive(record.pid)) {
      throw new ClusterError(
        `${record.name} stopped while waiting for ${what}; ${record.log}:\n${tail(record.log)}`,
      );
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? ` (last: ${last.message})` : '';
      const log = record === undefined ? '' : `; ${record.log}:\n${tail(record.log)}`;
      throw new ClusterError(`timed out after ${ms / 1000} s waiting for ${what}${why}${log}`);
    }
    await sleep(250);
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body };
}

async function portFree(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function allPorts(ports: ClusterPorts): number[] {
  return [
    ports.etcdClient,
    ports.etcdPeer,
    ...ports.postgres,
    ...ports.patroni,
    ports.haproxyPrimary,
    ports.haproxyReplicas,
    ports.haproxyApi,
    ports.haproxyStats,
    ...ports.api,
  ];
}

// ---------------------------------------------------------------------------------------------
// Patroni

export interface PatroniMember {
  readonly name: string;
  readonly role: string;
  readonly state: string;
  readonly host?: string;
  readonly port?: number;
  readonly timeline?: number;
  readonly lag?: number | string;
}

/** The members as Patroni's REST API on any answering node reports them. */
export async function patroniMembers(ports: ClusterPorts): Promise<PatroniMember[]> {
  let last: unknown = null;
  for (const port of ports.patroni) {
    try {
      const { status, body } = await getJson(`http://${HOST}:${port}/cluster`);
      if (status === 200 && typeof body === 'object' && body !== null) {
        return ((body as { members?: PatroniMember[] }).members ?? []).map((m) => ({ ...m }));
      }
    } catch (error) {
      last = error;
    }
  }
  throw new ClusterError(
    `no Patroni REST API answers (${last instanceof Error ? last.message : 'no answer'})`,
  );
}

/** The name of the node holding the leader lock with PostgreSQL running, or null. */
export function leaderOf(members: readonly PatroniMember[]): NodeName | null {
  const leader = members.find((m) => m.role === 'leader' && m.state === 'running');
  return leader === undefined ? null : (leader.name as NodeName);
}

/**
 * Whole: one leader running, the two others replicas that replicate (running or streaming) on the
 * leader's timeline, one of them the synchronous standby. Returns what is missing, or null.
 */
export function notWhole(members: readonly PatroniMember[]): string | null {
  const leader = members.find((m) => m.role === 'leader');
  if (leader === undefined || leader.state !== 'running') return 'no running leader';
  const replicas = members.filter((m) => m !== leader);
  if (members.length !== 3) return `${members.length} members, not 3`;
  for (const r of replicas) {
    if (r.role !== 'replica' && r.role !== 'sync_standby') return `${r.name} is ${r.role}`;
    if (r.state !== 'running' && r.state !== 'streaming') return `${r.name} is ${r.state}`;
    if (leader.timeline !== undefined && r.timeline !== leader.timeline) {
      return `${r.name} is on timeline ${r.timeline ?? '?'}, the leader on ${leader.timeline}`;
    }
    if (typeof r.lag !== 'number') return `${r.name} has lag ${String(r.lag)}`;
  }
  if (!replicas.some((r) => r.role === 'sync_standby')) return 'no synchronous standby';
  return null;
}

export function describeMembers(members: readonly PatroniMember[]): string {
  return members
    .map((m) => `${m.name} ${m.role} ${m.state}${m.timeline === undefined ? '' : ` tl${m.timeline}`}`)
    .join(', ');
}

/** Waits until the cluster is whole (see notWhole). */
export async function waitUntilWhole(ports: ClusterPorts, ms: number): Promise<PatroniMember[]> {
  let why = '';
  try {
    return await waitFor('the cluster to be whole', ms, async () => {
      const members = await patroniMembers(ports);
      why = `${notWhole(members) ?? ''}: ${describeMembers(members)}`;
      return notWhole(members) === null ? members : undefined;
    });
  } catch (error) {
    throw new ClusterError(`${(error as Error).message}; last seen ${why}`);
  }
}

/** The servers of each HAProxy proxy with their state (UP, DOWN, …), from its stats page. */
export async function haproxyServers(ports: ClusterPorts): Promise<Map<string, Map<string, string>>> {
  const response = await fetch(`http://${HOST}:${ports.haproxyStats}/;csv`, {
    signal: AbortSignal.timeout(2_000),
  });
  const [header = '', ...rows] = (await response.text()).trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const proxyAt = columns.indexOf('pxname');
  const serverAt = columns.indexOf('svname');
  const statusAt = columns.indexOf('status');
  const proxies = new Map<string, Map<string, string>>();
  for (const row of rows) {
    const cells = row.split(',');
    const [proxy, server, status] = [cells[proxyAt], cells[serverAt], cells[statusAt]];
    if (proxy === undefined || server === undefined || status === undefined) continue;
    if (server === 'FRONTEND' || server === 'BACKEND') continue;
    if (!proxies.has(proxy)) proxies.set(proxy, new Map());
    proxies.get(proxy)?.set(server, status);
  }
  return proxies;
}

/** Waits until HAProxy sends writes to `leader` and to no other node. */
export async function waitForWriteRoute(ports: ClusterPorts, leader: NodeName, ms: number): Promise<void> {
  await waitFor(`HAProxy to send writes to ${leader} only`, ms, async () => {
    const primary = (await haproxyServers(ports)).get('postgres_primary');
    if (primary === undefined) return undefined;
    const up = [...primary].filter(([, status]) => status.startsWith('UP')).map(([server]) => server);
    return up.length === 1 && up[0] === leader ? true : undefined;
  });
}

/** The PID of a node's postmaster, from its data directory (null when PostgreSQL is not running). */
export function postmasterPid(dir: string, node: NodeName): number | null {
  try {
    const pid = Number(
      fs.readFileSync(path.join(dir, node, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
    );
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Up

function info(
  dir: string,
  ports: ClusterPorts,
  secrets: Secrets,
  processes: readonly ProcessRecord[],
): ClusterInfo {
  return {
    dir,
    ports,
    apiUrl: `http://${HOST}:${ports.haproxyApi}`,
    apiNodeUrls: ports.api.map((p) => `http://${HOST}:${p}`),
    databaseUrl: `postgres://${APP_ROLE}:${secrets.app}@${HOST}:${ports.haproxyPrimary}/${APP_DATABASE}`,
    nodeUrl: (node, database = APP_DATABASE) =>
      `postgres://postgres:${secrets.superuser}@${HOST}:${ports.postgres[NODE_NAMES.indexOf(node)] ?? 0}/${database}`,
    processes,
  };
}

/** The information of a cluster started earlier in `dir` (for the test and `status`). */
export function clusterInfo(dir: string): ClusterInfo | null {
  const state = readState(dir);
  if (state === null || !fs.existsSync(path.join(dir, 'secrets.json'))) return null;
  return info(dir, state.ports, loadSecrets(dir), state.processes);
}

/**
 * Brings the cluster up in `dir` and resolves once `healthz` answers through HAProxy. Fails, after
 * stopping whatever it had started, when a package is missing, a port is taken, or a part does not
 * come up in time (the message names its log).
 */
export async function clusterUp(options: ClusterOptions): Promise<ClusterInfo> {
  const dir = path.resolve(options.dir);
  const ports = options.ports ?? DEFAULT_PORTS;
  const log = options.log ?? (() => undefined);
  const missing = missingClusterPackages();
  if (missing.length > 0) {
    throw new ClusterError(
      `missing Debian packages: ${missing.join(' ')}. Install them with: ${installCommand(missing)}`,
    );
  }
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const running = clusterProcesses(dir);
  if (running.length > 0) {
    throw new ClusterError(
      `a cluster is already running in ${dir} (processes ${running.join(', ')}): "npm run cluster status" shows it, "npm run cluster down" stops it`,
    );
  }
  const taken: number[] = [];
  for (const port of allPorts(ports)) if (!(await portFree(port))) taken.push(port);
  if (taken.length > 0) {
    const others = [...markedClusters().keys()].filter((d) => d !== dir);
    const hint = others.map(
      (d) => `; a cluster left in ${d} may hold them: HEALTHCODE_CLUSTER_DIR=${d} npm run cluster down`,
    );
    throw new ClusterError(`ports already in use on ${HOST}: ${taken.join(', ')}${hint.join('')}`);
  }

  const state: ClusterState = { ports, processes: [] };
  writeState(dir, state);
  try {
    return await bringUp(dir, ports, state, log);
  } catch (error) {
    log(`failed: ${(error as Error).message}`);
    log('stopping what was started');
    await clusterDown({ dir, log });
    throw error;
  }
}

async function bringUp(
  dir: string,
  ports: ClusterPorts,
  state: ClusterState,
  log: (line: string) => void,
): Promise<ClusterInfo> {
  const user = serviceUser();
  const secrets = loadSecrets(dir);
  const template = (name: string) => fs.readFileSync(path.join(TEMPLATE_DIR, name), 'utf8');
  const serviceEnv: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
    HOME: user?.home ?? process.env['HOME'] ?? dir,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
  };
  const pgBinDir = path.dirname(clusterToolPath('postgres'));

  // The service user must reach its folders inside `dir` (a mkdtemp folder is root's only).
  if (user !== null) fs.chmodSync(dir, 0o755);

  // etcd
  const etcdDir = path.join(dir, 'etcd');
  fs.mkdirSync(etcdDir, { recursive: true });
  const etcdConfig = path.join(etcdDir, 'etcd.yml');
  fs.writeFileSync(
    etcdConfig,
    renderTemplate(template('etcd.yml'), {
      ETCD_NAME: 'etcd1',
      ETCD_DATA_DIR: path.join(etcdDir, 'data'),
      ETCD_HOST: HOST,
      ETCD_CLIENT_PORT: String(ports.etcdClient),
      ETCD_PEER_PORT: String(ports.etcdPeer),
      SCOPE,
    }),
  );
  chownTree(etcdDir, user);
  assertReachable(etcdDir, user);
  log(`starting etcd on ${HOST}:${ports.etcdClient}`);
  const etcd = startProcess(dir, state, {
    name: 'etcd',
    kind: 'etcd',
    command: clusterToolPath('etcd'),
    args: ['--config-file', etcdConfig],
    env: serviceEnv,
    user,
    cwd: etcdDir,
  });
  await waitFor(
    'etcd to be healthy',
    30_000,
    async () => {
      const { status, body } = await getJson(`http://${HOST}:${ports.etcdClient}/health`);
      return status === 200 && (body as { health?: string }).health === 'true' ? true : undefined;
    },
    etcd,
  );

  // PostgreSQL under Patroni, three nodes
  const patronis: ProcessRecord[] = [];
  for (const [i, node] of NODE_NAMES.entries()) {
    const nodeDir = path.join(dir, node);
    fs.mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
    if (Buffer.byteLength(path.join(nodeDir, '.s.PGSQL.00000')) > 100) {
      throw new ClusterError(
        `${nodeDir} is too long a path for PostgreSQL's socket; choose a shorter directory`,
      );
    }
    const config = path.join(nodeDir, 'patroni.yml');
    fs.writeFileSync(
      config,
      renderTemplate(template('patroni.yml'), {
        SCOPE,
        NODE_NAME: node,
        HOST,
        REST_PORT: String(ports.patroni[i]),
        PG_PORT: String(ports.postgres[i]),
        ETCD_HOSTS: `${HOST}:${ports.etcdClient}`,
        ...PATRONI_TIMING,
        MAX_CONNECTIONS: '200',
        DATA_DIR: path.join(nodeDir, 'data'),
        NODE_DIR: nodeDir,
        SOCKET_DIR: nodeDir,
        PG_BIN_DIR: pgBinDir,
        SUPERUSER_PASSWORD: secrets.superuser,
        REPLICATION_PASSWORD: secrets.replication,
        REWIND_PASSWORD: secrets.rewind,
        CLIENT_NETWORK: `${HOST}/32`,
      }),
      { mode: 0o600 },
    );
    chownTree(nodeDir, user);
    assertReachable(nodeDir, user);
    log(
      `starting Patroni ${node}: PostgreSQL on ${HOST}:${ports.postgres[i]}, REST on ${HOST}:${ports.patroni[i]}`,
    );
    patronis.push(
      startProcess(dir, state, {
        name: node,
        kind: 'patroni',
        command: clusterToolPath('patroni'),
        args: [config],
        env: serviceEnv,
        user,
        cwd: nodeDir,
      }),
    );
  }
  const leader = await waitFor('a PostgreSQL leader', 120_000, async () => {
    for (const p of patronis) {
      if (!isAlive(p.pid)) throw new ClusterError(`${p.name} stopped; ${p.log}:\n${tail(p.log)}`);
    }
    return leaderOf(await patroniMembers(ports)) ?? undefined;
  });
  log(`${leader} is the primary`);

  // HAProxy
  const haproxyDir = path.join(dir, 'haproxy');
  fs.mkdirSync(haproxyDir, { recursive: true });
  const haproxyConfig = path.join(haproxyDir, 'haproxy.cfg');
  const nodeValues: Record<string, string> = {};
  for (const [i, node] of NODE_NAMES.entries()) {
    nodeValues[`PG${i + 1}_NAME`] = node;
    nodeValues[`PG${i + 1}_HOST`] = HOST;
    nodeValues[`PG${i + 1}_PORT`] = String(ports.postgres[i]);
    nodeValues[`PG${i + 1}_REST_PORT`] = String(ports.patroni[i]);
  }
  for (const [i, api] of API_NAMES.entries()) {
    nodeValues[`API${i + 1}_NAME`] = api;
    nodeValues[`API${i + 1}_HOST`] = HOST;
    nodeValues[`API${i + 1}_PORT`] = String(ports.api[i]);
  }
  fs.writeFileSync(
    haproxyConfig,
    renderTemplate(template('haproxy.cfg'), {
      ...nodeValues,
      HAPROXY_HOST: HOST,
      HAPROXY_PRIMARY_PORT: String(ports.haproxyPrimary),
      HAPROXY_REPLICA_PORT: String(ports.haproxyReplicas),
      HAPROXY_API_PORT: String(ports.haproxyApi),
      HAPROXY_STATS_PORT: String(ports.haproxyStats),
      API_ERRORFILE_503: path.join(TEMPLATE_DIR, 'api-503.http'),
      HAPROXY_SOCKET: path.join(haproxyDir, 'haproxy.sock'),
    }),
  );
  const checked = spawnSync(clusterToolPath('haproxy'), ['-c', '-q', '-f', haproxyConfig], {
    encoding: 'utf8',
  });
  if (checked.status !== 0)
    throw new ClusterError(`haproxy.cfg is invalid:\n${checked.stderr}${checked.stdout}`);
  log(`starting HAProxy: writes on ${HOST}:${ports.haproxyPrimary}, API on ${HOST}:${ports.haproxyApi}`);
  const haproxy = startProcess(dir, state, {
    name: 'haproxy',
    kind: 'haproxy',
    command: clusterToolPath('haproxy'),
    args: ['-db', '-f', haproxyConfig],
    env: serviceEnv,
    user: null,
    cwd: haproxyDir,
  });
  await waitFor(
    'HAProxy',
    30_000,
    async () => ((await haproxyServers(ports)).size > 0 ? true : undefined),
    haproxy,
  );
  // HAProxy takes every server for up until its first checks: wait for them.
  await waitForWriteRoute(ports, leader, 30_000);
  const cluster = info(dir, ports, secrets, state.processes);
  const superuserThroughProxy = `postgres://postgres:${secrets.superuser}@${HOST}:${ports.haproxyPrimary}/postgres`;
  await waitFor(
    'PostgreSQL through HAProxy',
    30_000,
    async () => {
      const client = new pg.Client({
        connectionString: superuserThroughProxy,
        connectionTimeoutMillis: 2_000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const r = await client.query<{ ro: boolean }>('select pg_is_in_recovery() as ro');
        return r.rows[0]?.ro === false ? true : undefined;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    haproxy,
  );
  await createAppDatabase(superuserThroughProxy, secrets.app);
  const members = await waitUntilWhole(ports, 120_000);
  log(`PostgreSQL: ${describeMembers(members)}`);

  // API nodes: the web app built once, demo data seeded once, then two nodes
  if (!fs.existsSync(path.join(ROOT, 'dist/web/index.html'))) {
    log('building the web app (dist/web)');
    const { buildWeb } = await import('../build-web.ts');
    await buildWeb();
  }
  const apiEnv = (i: number): Record<string, string> => ({
    PATH: process.env['PATH'] ?? serviceEnv['PATH'] ?? '',
    HOME: process.env['HOME'] ?? dir,
    TZ: process.env['TZ'] ?? 'UTC',
    DATABASE_URL: cluster.databaseUrl,
    HOST,
    PORT: String(ports.api[i] ?? 0),
    PUBLIC_ORIGIN: cluster.apiUrl,
    TRUST_PROXY: '1',
    DATA_DIR: path.join(dir, API_NAMES[i] ?? 'api'),
    LOG_LEVEL: 'warn',
  });
  log('seeding demo data');
  const seeded = spawnSync(process.execPath, ['bin/healthcode.js', 'demo', '--seed-only'], {
    cwd: ROOT,
    env: { ...apiEnv(0), [MARKER]: dir },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (seeded.status !== 0)
    throw new ClusterError(`demo data could not be seeded:\n${seeded.stderr}${seeded.stdout}`);
  const apis: ProcessRecord[] = [];
  for (const [i, api] of API_NAMES.entries()) {
    log(`starting API node ${api} on ${HOST}:${ports.api[i]}`);
    apis.push(
      startProcess(dir, state, {
        name: api,
        kind: 'api',
        command: process.execPath,
        args: ['bin/healthcode.js', 'demo'],
        env: apiEnv(i),
        user: null,
        cwd: ROOT,
      }),
    );
  }
  for (const [i, api] of apis.entries()) {
    await waitFor(
      `${api.name} /healthz`,
      90_000,
      async () =>
        (await getJson(`${cluster.apiNodeUrls[i] ?? ''}/healthz`)).status === 200 ? true : undefined,
      api,
    );
  }
  await waitFor(
    'healthz through HAProxy',
    30_000,
    async () => ((await getJson(`${cluster.apiUrl}/healthz`)).status === 200 ? true : undefined),
    haproxy,
  );
  return info(dir, ports, secrets, state.processes);
}

/** The API nodes' role and database, created once through HAProxy on the primary. */
async function createAppDatabase(superuserUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: superuserUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const role = await client.query('select 1 from pg_roles where rolname = $1', [APP_ROLE]);
    if (role.rowCount === 0) {
      await client.query(`create role ${APP_ROLE} login password ${client.escapeLiteral(password)}`);
    }
    const database = await client.query('select 1 from pg_database where datname = $1', [APP_DATABASE]);
    if (database.rowCount === 0) await client.query(`create database ${APP_DATABASE} owner ${APP_ROLE}`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Down and status

/**
 * Stops the cluster in `dir`: API nodes (gracefully: requests in flight finish), HAProxy, the
 * Patroni replicas and then the leader (each stops its PostgreSQL), etcd; anything of the cluster
 * still alive after that is killed by its PID. Data is kept for the next `up`; `wipe` removes it.
 * Resolves to the processes that had to be killed as strays.
 */
export async function clusterDown(options: {
  dir: string;
  log?: (line: string) => void;
  wipe?: boolean;
}): Promise<{ strays: number[] }> {
  const dir = path.resolve(options.dir);
  const log = options.log ?? (() => undefined);
  const state = readState(dir);
  const processes = state?.processes ?? [];
  const of = (kind: ProcessKind) =>
    processes.filter((p) => p.kind === kind && isAlive(p.pid) && belongsTo(p.pid, dir));
  for (const p of of('api')) {
    log(`stopping ${p.name}`);
  }
  await Promise.all(of('api').map((p) => endProcess(p.pid, 20_000)));
  for (const p of of('haproxy')) {
    log('stopping HAProxy');
    await endProcess(p.pid, 10_000, 'SIGUSR1');
  }
  // Replicas first, so the leader's stop starts no failover.
  let leader: string | null = null;
  if (state !== null) {
    try {
      leader = leaderOf(await patroniMembers(state.ports));
    } catch {
      leader = null;
    }
  }
  const patronis = of('patroni').sort((a, b) => Number(a.name === leader) - Number(b.name === leader));
  for (const p of patronis) {
    log(`stopping Patroni ${p.name} and its PostgreSQL`);
    await endProcess(p.pid, 60_000);
  }
  for (const node of NODE_NAMES) {
    const pid = postmasterPid(dir, node);
    if (pid !== null && belongsTo(pid, dir)) {
      log(`stopping PostgreSQL of ${node} (left by Patroni)`);
      // SIGINT is PostgreSQL's fast shutdown.
      await endProcess(pid, 30_000, 'SIGINT');
    }
  }
  for (const p of of('etcd')) {
    log('stopping etcd');
    await endProcess(p.pid, 15_000);
  }
  const strays = clusterProcesses(dir);
  for (const pid of strays) {
    log(`killing stray process ${pid}`);
    await stopProcess(pid, 'SIGKILL', 5_000);
  }
  if (state !== null) writeState(dir, { ...state, processes: [] });
  if (options.wipe === true) fs.rmSync(dir, { recursive: true, force: true });
  return { strays };
}

export interface ClusterStatus {
  readonly processes: readonly (ProcessRecord & { alive: boolean })[];
  readonly members: readonly PatroniMember[] | null;
  readonly healthz: number | null;
}

export async function clusterStatus(dir: string): Promise<ClusterStatus | null> {
  const state = readState(path.resolve(dir));
  if (state === null) return null;
  let members: PatroniMember[] | null = null;
  try {
    members = await patroniMembers(state.ports);
  } catch {
    members = null;
  }
  let healthz: number | null = null;
  try {
    healthz = (await getJson(`http://${HOST}:${state.ports.haproxyApi}/healthz`)).status;
  } catch {
    healthz = null;
  }
  return {
    processes: state.processes.map((p) => ({ ...p, alive: isAlive(p.pid) })),
    members,
    healthz,
  };
}
