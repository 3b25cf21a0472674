import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, test } from 'node:test';
import pg from 'pg';
import { dialectSuiteOptions, POSTGRES_URL } from '../../test/support/platform.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

/** The error a promise rejects with (fails when it resolves). */
async function errorOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** Issue 12: which real errors of a real PostgreSQL and of pg count as "the database is unreachable". */
describe('isDatabaseUnavailable on real errors', await dialectSuiteOptions('postgres'), () => {
  test('a refused connection (ECONNREFUSED) is', async () => {
    const client = new pg.Client({
      connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
    });
    const error = await errorOf(client.connect());
    assert.equal((error as { code?: string }).code, 'ECONNREFUSED');
    assert.ok(isDatabaseUnavailable(error));
  });

  test('a session ended by the server (57P01 admin_shutdown) is, and so is the next query on it', async () => {
    const victim = new pg.Client({ connectionString: POSTGRES_URL });
    const killer = new pg.Client({ connectionString: POSTGRES_URL });
    // A pg client reports its broken connection as an 'error' event too (the pool hears these).
    victim.on('error', () => undefined);
    await victim.connect();
    await killer.connect();
    try {
      const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]?.pid;
      const ended = errorOf(victim.query('select pg_sleep(30)'));
      await killer.query('select pg_terminate_backend($1)', [pid]);
      const error = await ended;
      assert.equal((error as { code?: string }).code, '57P01');
      assert.ok(isDatabaseUnavailable(error));
      const next = await errorOf(victim.query('select 1'));
      assert.ok(isDatabaseUnavailable(next), String(next));
    } finally {
      await killer.end();
      await victim.end().catch(() => undefined);
    }
  });

  test('a write in a read-only transaction (25006, as on a standby) is', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query('begin transaction read only');
      const error = await errorOf(client.query('create temporary table t_unavailable (x int)'));
      assert.equal((error as { code?: string }).code, '25006');
      assert.ok(isDatabaseUnavailable(error));
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  test('errors of the request or of our SQL are not: syntax (42601), unique violation (23505)', async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const syntax = await errorOf(client.query('selec 1'));
      assert.equal((syntax as { code?: string }).code, '42601');
      assert.equal(isDatabaseUnavailable(syntax), false);
      await client.query('create temporary table t_unique (x int primary key)');
      await client.query('insert into t_unique values (1)');
      const unique = await errorOf(client.query('insert into t_unique values (1)'));
      assert.equal((unique as { code?: string }).code, '23505');
      assert.equal(isDatabaseUnavailable(unique), false);
      assert.equal(isDatabaseUnavailable(new Error('something of ours')), false);
      assert.equal(isDatabaseUnavailable(null), false);
    } finally {
      await client.end();
    }
  });
});
