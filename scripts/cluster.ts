/**
 * `npm run cluster [up|down|status]` (issue 12): the province-shaped cluster on this machine —
 * etcd, three PostgreSQL nodes under Patroni, HAProxy and two API nodes — from Debian's packages.
 * Data, configuration and logs go to .cluster/ in the checkout, or HEALTHCODE_CLUSTER_DIR.
 *
 *   npm run cluster               bring it up (installs the Debian packages first when root)
 *   npm run cluster status        what runs, Patroni's view, healthz through HAProxy
 *   npm run cluster down          stop everything; data is kept for the next up
 *   npm run cluster down -- --wipe   stop and delete the data
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { DEMO_RESIDENTS, DEMO_STAFF } from '../src/use-cases/demo.ts';
import {
  ClusterError,
  DEFAULT_PORTS,
  NODE_NAMES,
  ROOT,
  clusterDown,
  clusterStatus,
  clusterUp,
  describeMembers,
  installCommand,
  missingClusterPackages,
  type ClusterInfo,
} from './cluster/local-cluster.ts';

const dir = path.resolve(process.env['HEALTHCODE_CLUSTER_DIR'] ?? path.join(ROOT, '.cluster'));
const log = (line: string) => console.log(`cluster: ${line}`);

/** Installs the missing Debian packages when root; otherwise says exactly what to run. */
function ensurePackages(): boolean {
  const missing = missingClusterPackages();
  if (missing.length === 0) return true;
  if (process.getuid?.() !== 0) {
    console.error(`cluster: missing Debian packages: ${missing.join(' ')}`);
    console.error(
      `cluster: install them as root, then run this again:\n  sudo apt-get update && sudo ${installCommand(missing)}`,
    );
    return false;
  }
  log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install =
    update.status === 0
      ? spawnSync(
          'apt-get',
          ['install', '-y', '-qq', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...missing],
          { stdio: 'inherit', env },
        )
      : update;
  if (install.status !== 0 || missingClusterPackages().length > 0) {
    console.error(
      `cluster: the install failed; run it by hand:\n  apt-get update && ${installCommand(missing)}`,
    );
    return false;
  }
  return true;
}

function printInfo(c: ClusterInfo): void {
  const p = c.ports;
  const masked = c.databaseUrl.replace(/:[^:@/]+@/, ':…@');
  const lines = [
    '',
    `  Health pass code cluster — data, configuration and logs in ${c.dir}`,
    '',
    `  API through HAProxy   ${c.apiUrl}   (health: ${c.apiUrl}/healthz, web app: ${c.apiUrl}/)`,
    `  API nodes             ${c.apiNodeUrls.join('  ')}   (demo mode)`,
    `  PostgreSQL writes     127.0.0.1:${p.haproxyPrimary} → the primary (HAProxy asks Patroni's GET /primary)`,
    `  PostgreSQL reads      127.0.0.1:${p.haproxyReplicas} → the replicas`,
    `  DATABASE_URL          ${masked}   (passwords in ${path.join(c.dir, 'secrets.json')})`,
    `  PostgreSQL nodes      ${NODE_NAMES.map((n, i) => `${n} 127.0.0.1:${p.postgres[i]} (Patroni REST :${p.patroni[i]})`).join(', ')}`,
    `  etcd                  http://127.0.0.1:${p.etcdClient}`,
    `  HAProxy stats         http://127.0.0.1:${p.haproxyStats}/`,
    `  Patroni               patronictl -c ${path.join(c.dir, 'pg1', 'patroni.yml')} list`,
    `  logs                  ${path.join(c.dir, 'logs')}/`,
    '',
    '  Demo staff (username / password): ' +
      DEMO_STAFF.map((s) => `${s.username} / ${s.password}`).join(', '),
    '  Demo residents sign in with ' +
      DEMO_RESIDENTS.map((r) => r.mobile).join(', ') +
      ' (the code is shown in demo mode)',
    '',
    '  Stop it with: npm run cluster down',
    '',
  ];
  console.log(lines.join('\n'));
}

async function main(command: string, args: readonly string[]): Promise<number> {
  switch (command) {
    case 'up': {
      if (!ensurePackages()) return 2;
      const cluster = await clusterUp({ dir, ports: DEFAULT_PORTS, log });
      printInfo(cluster);
      return 0;
    }
    case 'down': {
      const { strays } = await clusterDown({ dir, log, wipe: args.includes('--wipe') });
      log(strays.length === 0 ? 'stopped; no process left' : `stopped; killed strays ${strays.join(', ')}`);
      return 0;
    }
    case 'status': {
      const status = await clusterStatus(dir);
      if (status === null) {
        log(`no cluster in ${dir}`);
        return 1;
      }
      for (const p of status.processes)
        log(`${p.name.padEnd(8)} pid ${p.pid} ${p.alive ? 'running' : 'stopped'}`);
      log(`PostgreSQL: ${status.members === null ? 'no Patroni answers' : describeMembers(status.members)}`);
      log(`healthz through HAProxy: ${status.healthz ?? 'no answer'}`);
      return status.healthz === 200 ? 0 : 1;
    }
    default:
      console.error('usage: npm run cluster [up|down|status] (down -- --wipe deletes the data)');
      return 2;
  }
}

const [command = 'up', ...rest] = process.argv.slice(2);
try {
  process.exitCode = await main(command, rest);
} catch (error) {
  // A ClusterError says what to do; anything else is shown whole.
  console.error(
    `cluster: failed: ${error instanceof ClusterError ? error.message : String((error as Error).stack)}`,
  );
  process.exitCode = 1;
}
