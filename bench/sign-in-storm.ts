/**
 * Issue 8 finding 1: concurrent wrong staff passwords beside the checkpoint endpoints. The platform
 * listens on 127.0.0.1 (production mode, SQLite unless DATABASE_URL); each storm sends N sign-ins
 * with wrong passwords at once, while a verifyCode and a recordCheckpointCheck leave every 10 ms
 * (on a schedule, so a stuck call cannot hide the ones behind it), each timed to its answer.
 *
 *   node --import tsx bench/sign-in-storm.ts
 *
 * Prints one JSON line of measurements.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { buildApp } from '../src/http/app.ts';
import { CONCURRENT_HASHES, HASH_QUEUE_MAX, hashPassword } from '../src/use-cases/passwords.ts';
import { insertStaff } from '../src/storage/staff.ts';
import { setUpBenchPlatform } from './servers/bench-platform.ts';

// Client addresses come from X-Forwarded-For, as behind the proxy production runs behind.
process.env['TRUST_PROXY'] = '1';
const bench = await setUpBenchPlatform();
const app = await buildApp(bench.p);
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

/**
 * The checkpoint devices keep their own connections (one keep-alive agent); every storm try opens
 * its own. With one shared client pool a scan could wait on a connection that a sign-in held.
 */
const checkpointAgent = new http.Agent({ keepAlive: true });

function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  agent: http.Agent | false = false,
): Promise<{ status: number; json: () => unknown }> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      `${base}${url}`,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: () => JSON.parse(text) as unknown });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function timed(send: () => Promise<{ status: number }>): Promise<number> {
  const start = performance.now();
  const r = await send();
  if (r.status !== 200 && r.status !== 201) throw new Error(`answered ${r.status}`);
  return performance.now() - start;
}

const verify = () =>
  post(
    '/api/v1/verifications',
    { code: bench.code },
    { authorization: `Bearer ${bench.staffToken}` },
    checkpointAgent,
  );
const check = () =>
  post(
    `/api/v1/venues/${bench.venueId}/checks`,
    { clientCheckId: randomUUID(), code: bench.code, temperature: 36.5, maskWorn: true },
    { authorization: `Bearer ${bench.gateToken}` },
    checkpointAgent,
  );

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

interface Storm {
  readonly shape: 'one account, one address' | 'one account per try, one address per try';
  readonly tries: number;
  readonly stormMs: number;
  readonly answers: Record<string, number>;
  readonly verifyCode: { calls: number; p50: number; p99: number };
  readonly recordCheckpointCheck: { calls: number; p50: number; p99: number };
  /** The longest the event loop was held while the storm ran (clients included: same process). */
  readonly loopDelayMaxMs: number;
}

let block = 0;
async function storm(shape: Storm['shape'], tries: number): Promise<Storm> {
  block++;
  const username = `target-${block}`;
  await insertStaff(bench.p.db, {
    username,
    displayName: username,
    passwordHash: await hashPassword('the right one'),
    role: 'checkpoint',
    divisionCode: '370102',
    createdAt: bench.p.clock.now(),
  });
  const answers: Record<string, number> = {};
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const started = performance.now();
  const sent = Promise.all(
    Array.from({ length: tries }, async (_, i) => {
      const one = shape === 'one account, one address';
      const r = await post(
        '/api/v1/staff-sessions',
        { username: one ? username : `${username}-${i}`, password: `wrong ${i}` },
        { 'x-forwarded-for': one ? `10.${block}.0.1` : `10.${block}.${i >> 8}.${i & 255}` },
      );
      const body = r.json() as { error?: { code: string } };
      const key = `${r.status} ${body.error?.code ?? ''}`.trim();
      answers[key] = (answers[key] ?? 0) + 1;
    }),
  );
  let done = false;
  let stormMs = 0;
  void sent.finally(() => {
    done = true;
    stormMs = performance.now() - started;
  });
  const verifies: Promise<number>[] = [];
  const checks: Promise<number>[] = [];
  while (!done || verifies.length < 20) {
    verifies.push(timed(verify));
    checks.push(timed(check));
    await new Promise((r) => setTimeout(r, 10));
  }
  await sent;
  const v = await Promise.all(verifies);
  const c = await Promise.all(checks);
  loop.disable();
  return {
    shape,
    tries,
    stormMs: Math.round(stormMs),
    answers,
    verifyCode: { calls: v.length, p50: quantile(v, 0.5), p99: quantile(v, 0.99) },
    recordCheckpointCheck: { calls: c.length, p50: quantile(c, 0.5), p99: quantile(c, 0.99) },
    loopDelayMaxMs: loop.max / 1e6,
  };
}

const quiet = await storm('one account, one address', 0);
const storms: Storm[] = [quiet];
for (const tries of [10, 50, 200]) storms.push(await storm('one account, one address', tries));
storms.push(await storm('one account per try, one address per try', 200));
checkpointAgent.destroy();
await app.close();
await bench.dispose();
console.log(
  JSON.stringify({
    dialect: bench.p.database.dialect,
    concurrentHashes: CONCURRENT_HASHES,
    hashQueueMax: HASH_QUEUE_MAX,
    storms,
  }),
);
