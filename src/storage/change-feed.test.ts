import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import net from 'node:net';
import pg from 'pg';
import { dialectSuiteOptions, openTestDatabase, POSTGRES_URL } from '../../test/support/platform.ts';
import { ChangeListener, parseChange, publishChange, type Change } from './change-feed.ts';
import { openPostgres, type Database } from './database.ts';

/** What a listener reported, in order, with a way to wait for the next matching event. */
function recorder() {
  const events: (
    | { type: 'change'; change: Change }
    | { type: 'listening'; reconnected: boolean }
    | { type: 'lost'; message: string; retryInMs: number }
  )[] = [];
  return {
    events,
    handlers: {
      change: (change: Change) => events.push({ type: 'change', change }),
      listening: (reconnected: boolean) => events.push({ type: 'listening', reconnected }),
      lost: (error: Error, retryInMs: number) =>
        events.push({ type: 'lost', message: error.message, retryInMs }),
    },
    /** Resolves with the index of the first event from `from` on that matches; fails after `ms`. */
    async until(match: (e: (typeof events)[number]) => boolean, from = 0, ms = 10_000): Promise<number> {
      const started = Date.now();
      for (;;) {
        const i = events.findIndex((e, n) => n >= from && match(e));
        if (i !== -1) return i;
        if (Date.now() - started > ms)
          throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

void test('parseChange reads what publishChange sends and nothing else', () => {
  assert.deepEqual(parseChange('{"o":"n1","k":"policies"}'), { origin: 'n1', change: { kind: 'policies' } });
  assert.deepEqual(parseChange('{"o":"n1","k":"report","id":7}'), {
    origin: 'n1',
    change: { kind: 'report', id: 7 },
  });
  for (const junk of [
    undefined,
    '',
    'not json',
    '[]',
    '{"k":"policies"}',
    '{"o":"n1","k":"venues"}',
    '{"o":"n1","k":"report"}',
    '{"o":"n1","k":"report","id":-1}',
    '{"o":"n1","k":"report","id":1.5}',
  ])
    assert.equal(parseChange(junk), null, String(junk));
});

void test('on SQLite there is no feed: publishing does nothing and a listener never listens', async () => {
  const { database, dispose } = await openTestDatabase('sqlite');
  try {
    await publishChange(database, 'n1', { kind: 'policies' });
    const r = recorder();
    const listener = new ChangeListener(database, r.handlers, { origin: 'n1' });
    listener.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(listener.listening, false);
    assert.deepEqual(r.events, []);
    await listener.close();
  } finally {
    await dispose();
  }
});

describe('the change feed on PostgreSQL', await dialectSuiteOptions('postgres'), () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let a: Database;
  let b: Database;
  let other: { database: Database; dispose: () => Promise<void> };
  before(async () => {
    // Two nodes' databases on one schema, and a third schema on the same server.
    a = await openPostgres({ url: POSTGRES_URL, schema, poolSize: 2 });
    b = await openPostgres({ url: POSTGRES_URL, schema, poolSize: 2 });
    other = await openTestDatabase('postgres');
  });
  after(async () => {
    await a.close();
    await b.close();
    await other.dispose();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  test('a change published by one node reaches the other; its own and another schema’s do not', async () => {
    const rb = recorder();
    const listenerB = new ChangeListener(b, rb.handlers, { origin: 'node-b' });
    const rOther = recorder();
    const listenerOther = new ChangeListener(other.database, rOther.handlers, { origin: 'node-x' });
    try {
      listenerB.start();
      listenerOther.start();
      await rb.until((e) => e.type === 'listening');
      await rOther.until((e) => e.type === 'listening');
      assert.deepEqual(rb.events[0], { type: 'listening', reconnected: false });
      assert.equal(listenerB.listening, true);
      assert.equal(typeof listenerB.backendPid, 'number');

      // B's own announcement (through B's pool) is not handed back to B.
      await publishChange(b, 'node-b', { kind: 'risk_areas' });
      await publishChange(a, 'node-a', { kind: 'policies' });
      await publishChange(a, 'node-a', { kind: 'report', id: 42 });
      const last = await rb.until((e) => e.type === 'change' && e.change.kind === 'report');
      assert.deepEqual(
        rb.events.slice(1, last + 1).map((e) => (e.type === 'change' ? e.change : e)),
        [{ kind: 'policies' }, { kind: 'report', id: 42 }],
      );
      // The other schema's listener heard nothing of this schema's changes, and the reverse.
      await publishChange(other.database, 'node-y', { kind: 'signing_keys' });
      await rOther.until((e) => e.type === 'change');
      assert.deepEqual(
        rOther.events.filter((e) => e.type === 'change').map((e) => e.change),
        [{ kind: 'signing_keys' }],
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(rb.events.filter((e) => e.type === 'change').length, 2);
    } finally {
      await listenerB.close();
      await listenerOther.close();
    }
  });

  test('a dropped connection is reported, retried, listened on again, and what comes after is heard', async () => {
    const rb = recorder();
    const listenerB = new ChangeListener(b, rb.handlers, { origin: 'node-b', minRetryMs: 100 });
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      listenerB.start();
      await rb.until((e) => e.type === 'listening');
      const pid = listenerB.backendPid;
      assert.ok(pid !== null);
      // The server ends the listening backend, as a failover or a restart would.
      await admin.query('select pg_terminate_backend($1)', [pid]);
      const lost = await rb.until((e) => e.type === 'lost');
      assert.equal(listenerB.listening, false);
      const again = await rb.until((e) => e.type === 'listening', lost);
      assert.deepEqual(rb.events[again], { type: 'listening', reconnected: true });
      assert.notEqual(listenerB.backendPid, pid);
      await publishChange(a, 'node-a', { kind: 'checkpoint_policies' });
      await rb.until((e) => e.type === 'change' && e.change.kind === 'checkpoint_policies', again);
    } finally {
      await admin.end();
      await listenerB.close();
    }
  });

  test('a server that refuses connections is retried with growing delays, never thrown', async () => {
    // A database whose URL points at a port where nothing listens: every attempt fails.
    const broken: Database = {
      ...b,
      dedicatedClient: () => new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:9/test' }),
    };
    const r = recorder();
    const listener = new ChangeListener(broken, r.handlers, { origin: 'n', minRetryMs: 10, maxRetryMs: 40 });
    try {
      listener.start();
      await r.until((e) => e.type === 'lost' && e.retryInMs === 40);
      const delays = r.events.flatMap((e) => (e.type === 'lost' ? [e.retryInMs] : []));
      assert.deepEqual(delays.slice(0, 3), [10, 20, 40]);
      assert.equal(listener.listening, false);
    } finally {
      await listener.close();
    }
    const count = r.events.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(r.events.length, count, 'nothing more after close');
  });

  test('a connection that goes silent (no reset: a machine lost) is found by its ping and replaced', async () => {
    // A TCP relay to the server whose open connections can be frozen: bytes stop, nothing closes.
    const target = new URL(POSTGRES_URL);
    const relayed: { client: net.Socket; server: net.Socket }[] = [];
    const relay = net.createServer((client) => {
      const server = net.connect(Number(target.port || 5432), target.hostname);
      client.pipe(server);
      server.pipe(client);
      const drop = () => {
        client.destroy();
        server.destroy();
      };
      client.on('error', drop);
      server.on('error', drop);
      relayed.push({ client, server });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const port = (relay.address() as net.AddressInfo).port;
    const url = new URL(POSTGRES_URL);
    url.host = `127.0.0.1:${port}`;
    url.searchParams.set('options', `-c search_path=${schema}`);
    const viaRelay: Database = {
      ...b,
      dedicatedClient: () => new pg.Client({ connectionString: url.toString() }),
    };
    const r = recorder();
    const listener = new ChangeListener(viaRelay, r.handlers, {
      origin: 'node-b',
      minRetryMs: 50,
      pingMs: 100,
      pingTimeoutMs: 300,
    });
    try {
      listener.start();
      await r.until((e) => e.type === 'listening');
      const frozen = relayed.length;
      for (const { client, server } of relayed) {
        client.unpipe(server);
        server.unpipe(client);
        client.pause();
        server.pause();
      }
      const lost = await r.until((e) => e.type === 'lost');
      assert.equal(frozen, 1);
      const event = r.events[lost];
      assert.ok(event?.type === 'lost' && /did not come back/.test(event.message), JSON.stringify(event));
      const again = await r.until((e) => e.type === 'listening', lost);
      await publishChange(a, 'node-a', { kind: 'signing_keys' });
      await r.until((e) => e.type === 'change' && e.change.kind === 'signing_keys', again);
    } finally {
      await listener.close();
      for (const { client, server } of relayed) {
        client.destroy();
        server.destroy();
      }
      await new Promise((resolve) => relay.close(resolve));
    }
  });

  test('a connection that takes LISTEN but delivers nothing (a pooler in transaction mode) never counts as listening', async () => {
    // The server takes LISTEN, but no notification reaches the client, as through a pooler that
    // hands the server connection to someone else after each statement.
    class Deaf extends pg.Client {
      override emit(event: string | symbol, ...args: unknown[]): boolean {
        return event === 'notification' ? false : super.emit(event, ...args);
      }
    }
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const deaf: Database = { ...b, dedicatedClient: () => new Deaf({ connectionString: url.toString() }) };
    const r = recorder();
    const listener = new ChangeListener(deaf, r.handlers, {
      origin: 'n',
      minRetryMs: 50,
      pingTimeoutMs: 200,
    });
    try {
      listener.start();
      const lost = await r.until((e) => e.type === 'lost');
      const event = r.events[lost];
      assert.ok(event?.type === 'lost' && /did not come back/.test(event.message), JSON.stringify(event));
      await r.until((e) => e.type === 'lost', lost + 1);
      assert.equal(listener.listening, false);
      assert.ok(!r.events.some((e) => e.type === 'listening'), JSON.stringify(r.events));
    } finally {
      await listener.close();
    }
  });
});
