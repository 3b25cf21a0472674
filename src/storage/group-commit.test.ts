import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroupCommitWriter } from './group-commit.ts';

const turn = () => new Promise((r) => setImmediate(r));
async function turns(n: number) {
  for (let i = 0; i < n; i++) await turn();
}

/** A `durable` the test finishes by hand. */
function manualDurable() {
  const waiting: { resolve: () => void; reject: (e: Error) => void }[] = [];
  return {
    waiting,
    durable: () => new Promise<void>((resolve, reject) => waiting.push({ resolve, reject })),
  };
}

function track(p: Promise<void>) {
  const s = { done: false, error: null as Error | null };
  p.then(
    () => (s.done = true),
    (e: unknown) => (s.error = e as Error),
  );
  return s;
}

void describe('GroupCommitWriter', () => {
  void test('rows written together are stored in one batch, acknowledged after it is stored', async () => {
    const batches: number[][] = [];
    const writer = new GroupCommitWriter<number>(async (rows) => void batches.push([...rows]));
    await Promise.all([1, 2, 3].map((n) => writer.write(n)));
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  void test('with durable: acknowledged only once durable, while the next batch already commits', async () => {
    const batches: number[][] = [];
    const d = manualDurable();
    const writer = new GroupCommitWriter<number>(async (rows) => void batches.push([...rows]), {
      durable: d.durable,
      windowMs: 0,
    });
    const first = track(writer.write(1));
    await turns(5);
    assert.deepEqual(batches, [[1]], 'committed');
    assert.equal(first.done, false, 'not acknowledged before it is durable');
    const second = track(writer.write(2));
    await turns(5);
    assert.deepEqual(batches, [[1], [2]], 'the next batch commits while the first waits for its sync');
    d.waiting[0]?.resolve();
    await turns(2);
    assert.equal(first.done, true);
    assert.equal(second.done, false);
    const drained = track(writer.drain());
    await turns(5);
    assert.equal(drained.done, false, 'drain waits for the sync too');
    d.waiting[1]?.resolve();
    await turns(5);
    assert.equal(second.done, true);
    assert.equal(drained.done, true);
  });

  void test('a failed store or a failed sync fails the writers of that batch only', async () => {
    let failStore = true;
    const d = manualDurable();
    const writer = new GroupCommitWriter<number>(
      async () => {
        if (failStore) throw new Error('disk full');
      },
      { durable: d.durable, windowMs: 0 },
    );
    await assert.rejects(writer.write(1), /disk full/);
    failStore = false;
    const unsynced = track(writer.write(2));
    await turns(5);
    d.waiting[0]?.reject(new Error('EIO'));
    await turns(2);
    assert.equal(unsynced.error?.message, 'EIO', 'committed but not known durable: not acknowledged');
    const ok = track(writer.write(3));
    await turns(5);
    d.waiting[1]?.resolve();
    await turns(2);
    assert.equal(ok.done, true);
  });
});
