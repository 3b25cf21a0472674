import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_POLICY } from '../../src/domain/colour/index.ts';
import { formatChinaTime } from '../../src/domain/china-time.ts';
import type { EpochMs } from '../../src/domain/types.ts';
import type { Database } from '../../src/storage/database.ts';
import { DEMO_RESIDENTS } from '../../src/use-cases/demo.ts';
import { startApiNode, type ApiNode } from '../support/api-nodes.ts';
import { DIALECTS, dialectSuiteOptions, openCliDatabase } from '../support/platform.ts';

/**
 * Several API nodes, one database (issue 12, item 2): two real server processes on 127.0.0.1 ports
 * sharing one PostgreSQL schema, as an operator runs them behind a balancer. Sessions, policies and
 * reports cross from one to the other; killing one under load loses nothing it acknowledged.
 */

type Json = Record<string, unknown>;

interface Answer {
  readonly status: number;
  readonly body: Json;
}

async function call(
  node: ApiNode,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<Answer> {
  const response = await fetch(`${node.url}${url}`, {
    method,
    headers: {
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: options.signal ?? AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

async function ok(
  node: ApiNode,
  method: string,
  url: string,
  options: { token?: string; body?: unknown } = {},
) {
  const answer = await call(node, method, url, options);
  assert.ok(
    answer.status >= 200 && answer.status < 300,
    `${method} ${url} on ${node.name}: ${answer.status} ${JSON.stringify(answer.body)}`,
  );
  return answer.body;
}

async function residentToken(node: ApiNode, mobile: string): Promise<string> {
  const sent = await ok(node, 'POST', '/api/v1/sign-in-codes', { body: { mobile } });
  const signedIn = await ok(node, 'POST', '/api/v1/sessions', { body: { mobile, code: sent['devCode'] } });
  return String(signedIn['token']);
}

async function staffToken(node: ApiNode, username: string, password: string): Promise<string> {
  return String(
    (await ok(node, 'POST', '/api/v1/staff-sessions', { body: { username, password } }))['token'],
  );
}

/** Server-sent events read with fetch, as a browser's EventSource would. */
async function openStream(node: ApiNode, token: string) {
  const controller = new AbortController();
  const response = await fetch(`${node.url}/api/v1/reports/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  assert.equal(response.status, 200);
  const events: { data: Json; at: number }[] = [];
  const reader = response.body?.getReader();
  void (async () => {
    if (reader === undefined) return;
    const decoder = new TextDecoder();
    let text = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) !== -1) {
          const data = text
            .slice(0, end)
            .split('\n')
            .find((l) => l.startsWith('data: '));
          text = text.slice(end + 2);
          if (data !== undefined) events.push({ data: JSON.parse(data.slice(6)) as Json, at: Date.now() });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    close: () => controller.abort(),
  };
}

/** Polls `check` every 20 ms until it holds; the time it took, or a failure after `ms`. */
async function within(ms: number, what: string, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const [GREEN, , RED] = DEMO_RESIDENTS;

for (const dialect of DIALECTS) {
  describe(`two API node processes on one database (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let shared: { database: Database; env: Record<string, string>; dispose: () => Promise<void> };
    let a: ApiNode;
    let b: ApiNode;
    const nodes: ApiNode[] = [];
    before(async () => {
      shared = await openCliDatabase(dialect);
      // A seeds the demo data (accounts, residents, the demo venue); B starts on what A made.
      a = await startApiNode('A', shared.env);
      nodes.push(a);
      b = await startApiNode('B', shared.env);
      nodes.push(b);
    });
    after(async () => {
      await Promise.all(nodes.map((n) => n.stop()));
      await shared.database.close();
      await shared.dispose();
    });

    test('a resident and a staff member signed in on A are signed in on B; signed out on A, refused on B', async () => {
      assert.ok(GREEN !== undefined);
      const resident = await residentToken(a, GREEN.mobile);
      const code = await ok(b, 'GET', '/api/v1/me/code', { token: resident });
      assert.equal(code['colour'], 'green');
      const officer = await staffToken(a, 'officer', 'demo-officer');
      await ok(b, 'GET', '/api/v1/reports', { token: officer });

      await ok(a, 'DELETE', '/api/v1/sessions/current', { token: resident });
      const ms = await within(5_000, 'B refuses the ended session', async () => {
        const answer = await call(b, 'GET', '/api/v1/me/code', { token: resident });
        return answer.status === 401;
      });
      console.log(`session ended on A refused on B after ${ms} ms`);
    });

    test('a policy published on A is applied by B within 5 seconds', async () => {
      assert.ok(GREEN !== undefined);
      const resident = await residentToken(b, GREEN.mobile);
      const admin = await staffToken(a, 'admin', 'demo-admin');
      // B has the policy in force in its cache: it has just used it.
      const before = await ok(b, 'GET', '/api/v1/me/code', { token: resident });
      const version = `${DEFAULT_POLICY.version}.nodes-${Date.now()}`;
      assert.notEqual(before['policyVersion'], version);
      await ok(a, 'POST', '/api/v1/policies', {
        token: admin,
        body: {
          policy: { ...DEFAULT_POLICY, version, effectiveFrom: formatChinaTime(Date.now() as EpochMs) },
        },
      });
      const published = Date.now();
      await within(5_000, 'B applies the new policy', async () => {
        const code = await ok(b, 'GET', '/api/v1/me/code', { token: resident });
        return code['policyVersion'] === version;
      });
      const ms = Date.now() - published;
      console.log(`policy published on A applied by B after ${ms} ms`);
      assert.ok(ms <= 5_000, `${ms} ms`);
    });

    test('a report created on A reaches an officer streaming from B within a second', async () => {
      assert.ok(RED !== undefined);
      const officer = await staffToken(b, 'officer', 'demo-officer');
      const gate = await staffToken(a, 'venue-gate', 'demo-venue-gate');
      const holder = await residentToken(a, RED.mobile);
      const qr = String((await ok(a, 'GET', '/api/v1/me/code', { token: holder }))['code']);
      const stream = await openStream(b, officer);
      try {
        const sent = Date.now();
        const check = await ok(a, 'POST', '/api/v1/venues/1/checks', {
          token: gate,
          body: { clientCheckId: randomUUID(), code: qr, temperature: null, maskWorn: null },
        });
        const answered = Date.now();
        assert.ok((check['reasons'] as string[]).includes('red_code'), JSON.stringify(check));
        await within(5_000, 'the report on B’s stream', () =>
          stream.events.some((e) => e.data['checkId'] === check['checkId']),
        );
        const event = stream.events.find((e) => e.data['checkId'] === check['checkId']);
        assert.ok(event !== undefined);
        assert.equal(event.data['kind'], 'red_code');
        const ms = event.at - sent;
        console.log(
          `report created on A on B's stream ${ms} ms after the check was sent (${event.at - answered} ms after A answered)`,
        );
        // PostgreSQL: announced through the change feed, the acceptance's second. SQLite has no feed;
        // its streams poll the file every 500 ms, so a second there is a poll late on a busy machine.
        const limit = dialect === 'postgres' ? 1_000 : 2_000;
        assert.ok(ms <= limit, `${ms} ms`);
      } finally {
        stream.close();
      }
    });

    test('A killed with SIGKILL under load: B keeps serving, and every acknowledged check is stored exactly once', async () => {
      assert.ok(GREEN !== undefined);
      const gate = await staffToken(a, 'venue-gate', 'demo-venue-gate');
      const holder = await residentToken(b, GREEN.mobile);
      const qr = String((await ok(b, 'GET', '/api/v1/me/code', { token: holder }))['code']);
      const WORKERS = 6;
      const LOAD_MS = 4_000;
      const KILL_AT_MS = 1_500;
      const acknowledged = new Map<
        string,
        { checkId: string; node: string; status: number; duplicate: boolean }
      >();
      const attempted = new Set<string>();
      const failedOnA: string[] = [];
      const statuses = new Map<string, number>();
      const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
      let killedAt: number | null = null;
      let servedByBAfterKill = 0;
      const started = Date.now();

      /** One check, to `first`; on anything but an answer (A gone) the same check again on B until it is. */
      async function oneCheck(first: ApiNode): Promise<void> {
        const clientCheckId = randomUUID();
        attempted.add(clientCheckId);
        const body = { clientCheckId, code: qr, temperature: 36.6, maskWorn: true };
        let node = first;
        for (let attempt = 0; attempt < 20; attempt++) {
          let answer: Answer;
          try {
            answer = await call(node, 'POST', '/api/v1/venues/1/checks', { token: gate, body });
          } catch {
            // No answer: the node died with the check in flight. It may or may not have stored it.
            count(`${node.name} no answer`);
            if (node === a) failedOnA.push(clientCheckId);
            node = b;
            continue;
          }
          count(`${node.name} ${answer.status}`);
          if (answer.status === 200 || answer.status === 201) {
            acknowledged.set(clientCheckId, {
              checkId: String(answer.body['checkId']),
              node: node.name,
              status: answer.status,
              duplicate: answer.body['duplicate'] === true,
            });
            if (node === b && killedAt !== null) servedByBAfterKill += 1;
            return;
          }
          assert.ok(
            answer.status >= 500,
            `a refusal is no fault: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
          assert.notEqual(answer.status, 500, `${node.name} answered 500: ${JSON.stringify(answer.body)}`);
          node = b;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`check ${clientCheckId} was never acknowledged`);
      }

      const killer = (async () => {
        await new Promise((r) => setTimeout(r, KILL_AT_MS));
        killedAt = Date.now();
        await a.kill();
      })();
      await Promise.all(
        Array.from({ length: WORKERS }, async (_, w) => {
          for (let i = 0; Date.now() - started < LOAD_MS; i++) {
            // Spread over both nodes, as a balancer does; once A is known dead, only B.
            await oneCheck(killedAt === null && (w + i) % 2 === 0 ? a : b);
          }
        }),
      );
      await killer;
      const exit = await a.exited;
      assert.equal(exit.signal, 'SIGKILL');

      // Everything the nodes acknowledged is stored, once, as acknowledged; nothing else is.
      const ids = [...attempted];
      const rows = await shared.database.db
        .selectFrom('checkpoint_checks')
        .select(['client_check_id', 'id'])
        .where('client_check_id', 'in', ids)
        .execute();
      const stored = new Map<string, string[]>();
      for (const row of rows)
        stored.set(row.client_check_id, [...(stored.get(row.client_check_id) ?? []), row.id]);
      assert.equal(
        acknowledged.size,
        attempted.size,
        'every check was acknowledged in the end (retried on B)',
      );
      for (const [clientCheckId, ack] of acknowledged) {
        assert.deepEqual(
          stored.get(clientCheckId),
          [ack.checkId],
          `check ${clientCheckId} (${JSON.stringify(ack)})`,
        );
      }
      assert.equal(rows.length, acknowledged.size, 'no row that was not acknowledged');
      // B went on serving after A died, and never failed.
      assert.ok(servedByBAfterKill > 0, 'B served checks after A was killed');
      for (const key of statuses.keys()) assert.ok(!/^B (5\d\d|no answer)$/.test(key), `B: ${key}`);
      // B still answers.
      await ok(b, 'GET', '/healthz');

      const retried = failedOnA.length;
      const replays = [...acknowledged.values()].filter((x) => x.duplicate).length;
      console.log(
        `kill under load: ${acknowledged.size} checks acknowledged in ${Date.now() - started} ms by ${WORKERS} workers; A killed at ${KILL_AT_MS} ms; ` +
          `${retried} in flight on A retried on B (${replays} of them A had stored: B answered the stored check); ` +
          `${servedByBAfterKill} served by B after the kill; answers ${JSON.stringify(Object.fromEntries(statuses))}`,
      );
    });
  });
}
