import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import {
  TEST_PORTS,
  clusterDown,
  clusterProcesses,
  clusterUp,
  describeMembers,
  isAlive,
  leaderOf,
  patroniMembers,
  postmasterPid,
  waitForWriteRoute,
  waitUntilWhole,
  type ClusterInfo,
} from '../../scripts/cluster/local-cluster.ts';
import { DEMO_STAFF } from '../../src/use-cases/demo.ts';
import { needsTools } from '../support/machine.ts';

/**
 * Issue 12, acceptance: a real cluster (etcd, three PostgreSQL 15 nodes under Patroni with
 * synchronous_mode, HAProxy, two API nodes) on loopback. Under a bounded load of
 * recordCheckpointCheck through HAProxy, from clients that retry each check with its clientCheckId
 * until it is acknowledged, the primary's postmaster is killed with SIGKILL. Then: how long writes
 * were unavailable (reported), every check acknowledged with a 2xx is in the new primary exactly
 * once, no answer was a 500, and once the old primary has come back as a standby the cluster is
 * whole again (one leader, two replicas, one of them the synchronous standby).
 */

const CLIENTS = 6;
/** Each client pauses this long between checks: the load is bounded (a few hundred a second). */
const PAUSE_MS = 20;
const WARM_UP_MS = 4_000;
/** After the first acknowledgement that follows the kill, the load runs this much longer. */
const AFTER_RECOVERY_MS = 4_000;
/** The load stops at the latest this long after the kill, recovered or not. */
const MAX_OUTAGE_MS = 60_000;
/** A check not acknowledged this long after the load stopped is abandoned (and fails the test). */
const RETRY_GRACE_MS = 30_000;

interface Answer {
  readonly at: number;
  readonly status: number;
  readonly retryAfter: string | null;
  /** A 503 from HAProxy itself (no API node in service), not from a node. */
  readonly fromProxy: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function staffSession(apiUrl: string): Promise<{ token: string; venueId: number }> {
  const gate = DEMO_STAFF.find((s) => s.venueStaff === true);
  assert.ok(gate);
  const response = await fetch(`${apiUrl}/api/v1/staff-sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: gate.username, password: gate.password }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { token: string; venueId: number };
}

const options = needsTools('patroni', 'etcd', 'haproxy', 'postgres');

void test(
  'PostgreSQL primary killed under load: acknowledged checks survive once, no 500, the cluster heals',
  { ...options, timeout: 240_000 },
  async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-cluster-'));
    let cluster: ClusterInfo | null = null;
    try {
      const upAt = Date.now();
      cluster = await clusterUp({ dir, ports: TEST_PORTS, log: (line) => t.diagnostic(line) });
      t.diagnostic(`cluster up in ${((Date.now() - upAt) / 1000).toFixed(1)} s`);
      const { apiUrl } = cluster;
      const { token, venueId } = await staffSession(apiUrl);

      // The load: each client records a check, retrying that same clientCheckId until a 2xx.
      const acknowledged = new Map<string, { checkId: string; at: number }>();
      const answers: Answer[] = [];
      const abandoned: string[] = [];
      const unexpected: string[] = [];
      let stop = false;
      let stoppedAt = Infinity;
      const client = async () => {
        while (!stop) {
          const clientCheckId = randomUUID();
          for (;;) {
            if (Date.now() > stoppedAt + RETRY_GRACE_MS) {
              abandoned.push(clientCheckId);
              break;
            }
            let status = 0;
            let retryAfter: string | null = null;
            let body: { checkId?: string; clientCheckId?: string; error?: { message?: string } } = {};
            try {
              const response = await fetch(`${apiUrl}/api/v1/venues/${venueId}/checks`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                body: JSON.stringify({ clientCheckId, code: null, temperature: 36.6, maskWorn: true }),
                signal: AbortSignal.timeout(30_000),
              });
              status = response.status;
              retryAfter = response.headers.get('retry-after');
              const text = await response.text();
              try {
                body = JSON.parse(text) as typeof body;
              } catch {
                body = {};
              }
              if (status !== 200 && status !== 201 && status !== 503) {
                unexpected.push(`${status} ${text.slice(0, 300)}`);
              }
            } catch (error) {
              unexpected.push(`no answer: ${(error as Error).message}`);
            }
            const fromProxy = body.error?.message?.startsWith('No API node') === true;
            answers.push({ at: Date.now(), status, retryAfter, fromProxy });
            if (status === 200 || status === 201) {
              assert.equal(body.clientCheckId, clientCheckId);
              assert.ok(typeof body.checkId === 'string');
              acknowledged.set(clientCheckId, { checkId: body.checkId, at: Date.now() });
              break;
            }
            // Honour Retry-After, but try at least every second so the outage is measured finely.
            await sleep(Math.min(1_000, Number(retryAfter ?? '1') * 1_000));
          }
          await sleep(PAUSE_MS);
        }
      };
      const clients = Array.from({ length: CLIENTS }, () => client());

      await sleep(WARM_UP_MS);
      const before = await patroniMembers(cluster.ports);
      const oldLeader = leaderOf(before);
      assert.ok(oldLeader !== null, describeMembers(before));
      const postmaster = postmasterPid(dir, oldLeader);
      assert.ok(postmaster !== null, `no postmaster for ${oldLeader}`);
      const ackedBeforeKill = acknowledged.size;
      assert.ok(ackedBeforeKill > 0, 'no check was acknowledged before the kill');
      const killedAt = Date.now();
      process.kill(postmaster, 'SIGKILL');
      t.diagnostic(`killed the postmaster (pid ${postmaster}) of the primary ${oldLeader} with SIGKILL`);

      // Run until writes have been back for a while (or give up), then let retries finish.
      const firstAckAfterKill = () =>
        Math.min(...[...acknowledged.values()].map((a) => a.at).filter((at) => at > killedAt + 50));
      while (Date.now() - killedAt < MAX_OUTAGE_MS) {
        const first = firstAckAfterKill();
        if (Number.isFinite(first) && Date.now() - first > AFTER_RECOVERY_MS) break;
        await sleep(200);
      }
      stop = true;
      stoppedAt = Date.now();
      await Promise.all(clients);

      // What the clients saw.
      const statuses = new Map<number, number>();
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      const ackTimes = [...acknowledged.values()].map((a) => a.at).sort((a, b) => a - b);
      let longestGap = 0;
      for (let i = 1; i < ackTimes.length; i++) {
        longestGap = Math.max(longestGap, (ackTimes[i] ?? 0) - (ackTimes[i - 1] ?? 0));
      }
      const firstAfter = firstAckAfterKill();
      t.diagnostic(
        `writes unavailable for ${(longestGap / 1000).toFixed(1)} s (longest gap between acknowledged checks); ` +
          `first acknowledgement ${((firstAfter - killedAt) / 1000).toFixed(1)} s after the kill`,
      );
      t.diagnostic(
        `${acknowledged.size} checks acknowledged (${ackedBeforeKill} before the kill), answers by status: ${[
          ...statuses,
        ]
          .map(([s, n]) => `${s === 0 ? 'none' : s}×${n}`)
          .join(
            ', ',
          )} (${answers.filter((a) => a.fromProxy).length} of the 503s from HAProxy, no node in service)`,
      );
      console.log(
        `# failover: writes unavailable ${(longestGap / 1000).toFixed(1)} s; first ack ${((firstAfter - killedAt) / 1000).toFixed(1)} s after SIGKILL; ${acknowledged.size} checks acknowledged`,
      );
      assert.equal(statuses.get(500) ?? 0, 0, 'an answer was a 500');
      assert.deepEqual(unexpected, [], 'answers other than 200, 201 and 503');
      for (const a of answers)
        if (a.status === 503) assert.ok(a.retryAfter !== null, '503 without Retry-After');
      assert.deepEqual(abandoned, [], 'checks never acknowledged');
      assert.ok(Number.isFinite(firstAfter), 'writes never came back');
      assert.ok(acknowledged.size > ackedBeforeKill, 'nothing was acknowledged after the kill');

      // A new primary, and every acknowledged check in it exactly once, with the id it was given.
      const after = await patroniMembers(cluster.ports);
      const newLeader = leaderOf(after);
      assert.ok(newLeader !== null && newLeader !== oldLeader, `no failover: ${describeMembers(after)}`);
      t.diagnostic(`${newLeader} was promoted`);
      await waitForWriteRoute(cluster.ports, newLeader, 30_000);
      const db = new pg.Client({ connectionString: cluster.nodeUrl(newLeader) });
      await db.connect();
      try {
        const ids = [...acknowledged.keys()];
        const rows = (
          await db.query<{ client_check_id: string; id: string; n: string }>(
            `select client_check_id, min(id) as id, count(*) as n from checkpoint_checks
             where client_check_id = any($1::text[]) group by client_check_id`,
            [ids],
          )
        ).rows;
        const stored = new Map(rows.map((r) => [r.client_check_id, r]));
        const missing = ids.filter((id) => !stored.has(id));
        assert.deepEqual(missing, [], `${missing.length} acknowledged checks are not in the new primary`);
        for (const [clientCheckId, ack] of acknowledged) {
          const row = stored.get(clientCheckId);
          assert.equal(Number(row?.n), 1, `${clientCheckId} stored ${row?.n ?? 0} times`);
          assert.equal(row?.id, ack.checkId, `${clientCheckId} stored under another check id`);
        }
        const recovery = (await db.query<{ ro: boolean }>('select pg_is_in_recovery() as ro')).rows[0];
        assert.equal(recovery?.ro, false);
      } finally {
        await db.end();
      }

      // The old primary comes back as a standby (Patroni, with pg_rewind where needed): whole again.
      const healedFrom = Date.now();
      const whole = await waitUntilWhole(cluster.ports, 90_000);
      const old = whole.find((m) => m.name === oldLeader);
      assert.ok(old !== undefined && old.role !== 'leader', describeMembers(whole));
      t.diagnostic(
        `whole again ${((Date.now() - healedFrom) / 1000).toFixed(1)} s after the load: ${describeMembers(whole)}`,
      );
      const rewound = fs
        .readFileSync(path.join(dir, 'logs', `${oldLeader}.log`), 'utf8')
        .includes('running pg_rewind from');
      t.diagnostic(`${oldLeader} ${rewound ? 'was rewound with pg_rewind' : 'rejoined without pg_rewind'}`);

      // Both API nodes rode through it.
      for (const p of cluster.processes.filter((p) => p.kind === 'api')) {
        assert.ok(isAlive(p.pid), `API node ${p.name} died: see ${p.log}`);
      }
      const health = await fetch(`${apiUrl}/healthz`);
      assert.equal(health.status, 200);
    } finally {
      const { strays } = await clusterDown({ dir, log: (line) => t.diagnostic(line) });
      const left = clusterProcesses(dir);
      fs.rmSync(dir, { recursive: true, force: true });
      assert.deepEqual(left, [], 'processes left after down');
      if (cluster !== null) assert.deepEqual(strays, [], 'down had to kill strays');
    }
  },
);
