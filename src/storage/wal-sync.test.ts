import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openSqlite } from './database.ts';
import { FileDatasync, WalSync } from './wal-sync.ts';

/** A datasync the test finishes by hand, counting calls; `changes` is a counter the test moves. */
function harness(minIntervalMs = 0) {
  let changes = 0;
  const calls: { resolve: () => void; reject: (e: Error) => void; at: number }[] = [];
  const sync = new WalSync(
    () => changes,
    () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject, at: performance.now() })),
    minIntervalMs,
  );
  const settled = (p: Promise<void>) => {
    const state = { done: false, failed: null as Error | null };
    p.then(
      () => (state.done = true),
      (e: unknown) => (state.failed = e as Error),
    );
    return state;
  };
  const tick = () => new Promise((r) => setImmediate(r));
  return {
    sync,
    calls,
    settled,
    tick,
    write: () => void changes++,
  };
}

void describe('WalSync', () => {
  void test('nothing written since the last sync: resolves at once, no fdatasync', async () => {
    const h = harness();
    await h.sync.sync();
    assert.equal(h.calls.length, 0);
  });

  void test('callers during a sync share exactly one next sync, and wait for it', async () => {
    const h = harness();
    h.write();
    const first = h.settled(h.sync.sync());
    assert.equal(h.calls.length, 1);
    h.write();
    const second = h.settled(h.sync.sync());
    const third = h.settled(h.sync.sync());
    assert.equal(h.calls.length, 1, 'no second fdatasync while one runs');
    h.calls[0]?.resolve();
    await h.tick();
    assert.equal(first.done, true);
    assert.equal(second.done, false, 'a sync that began before this write does not cover it');
    assert.equal(third.done, false);
    assert.equal(h.calls.length, 2, 'one more fdatasync for everyone who waited');
    h.calls[1]?.resolve();
    await h.tick();
    assert.equal(second.done, true);
    assert.equal(third.done, true);
    await h.sync.sync();
    assert.equal(h.calls.length, 2, 'all covered: the next call needs no fdatasync');
  });

  void test('under load a new fdatasync starts at most every minIntervalMs', async () => {
    const h = harness(30);
    h.write();
    const first = h.sync.sync();
    h.calls[0]?.resolve();
    await first;
    h.write();
    const second = h.settled(h.sync.sync());
    await h.tick();
    assert.equal(h.calls.length, 1, 'the next fdatasync waits for the interval');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.calls.length, 2);
    const gap = (h.calls[1]?.at ?? 0) - (h.calls[0]?.at ?? 0);
    assert.ok(gap >= 29, `started ${gap.toFixed(1)} ms after the previous one`);
    h.calls[1]?.resolve();
    await h.tick();
    assert.equal(second.done, true);
  });

  void test('a failed fdatasync fails its callers, and the next call tries again', async () => {
    const h = harness();
    h.write();
    const failing = h.settled(h.sync.sync());
    h.calls[0]?.reject(new Error('EIO'));
    await h.tick();
    assert.equal(failing.failed?.message, 'EIO');
    const retry = h.settled(h.sync.sync());
    assert.equal(h.calls.length, 2, 'the write is still not durable: sync again');
    h.calls[1]?.resolve();
    await h.tick();
    assert.equal(retry.done, true);
  });
});

void describe('durable() on a real SQLite file', () => {
  void test('syncs the WAL after a write; a missing file is nothing to sync', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-sync-'));
    const database = await openSqlite({ file: path.join(dir, 'db.sqlite') });
    try {
      await sql`create table t (x integer)`.execute(database.db);
      await sql`insert into t values (1)`.execute(database.db);
      assert.ok(fs.existsSync(path.join(dir, 'db.sqlite-wal')), 'WAL mode writes a -wal file');
      await database.durable();
      await Promise.all([database.durable(), database.durable()]);
      const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(database.db);
      assert.equal(rows.rows[0]?.n, 1);
    } finally {
      await database.close();
    }
    const missing = new FileDatasync(path.join(dir, 'no-such-file-wal'));
    await missing.datasync();
    await missing.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  void test('a WAL sync does not wait for libuv’s thread pool, even when every pool thread is busy', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wal-sync-'));
    const database = await openSqlite({ file: path.join(dir, 'db.sqlite') });
    try {
      await sql`create table t (x integer)`.execute(database.db);
      await sql`insert into t values (1)`.execute(database.db);
      await database.durable();
      // Twice as many long hashes as the pool has threads (4 unless UV_THREADPOOL_SIZE says more):
      // a sync queued in the pool would finish only after the first of them.
      const threads = Number(process.env['UV_THREADPOOL_SIZE'] ?? '4');
      let firstHashDone = false;
      const hashes = Array.from(
        { length: 2 * threads },
        () =>
          new Promise<void>((resolve, reject) =>
            pbkdf2('x', 'salt', 300_000, 32, 'sha512', (error) => {
              firstHashDone = true;
              if (error) reject(error);
              else resolve();
            }),
          ),
      );
      await sql`insert into t values (2)`.execute(database.db);
      await database.durable();
      assert.equal(firstHashDone, false, 'the sync finished before any of the hashes in the pool');
      await Promise.all(hashes);
    } finally {
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
