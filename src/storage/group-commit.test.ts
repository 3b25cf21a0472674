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

  void test('with durable: acknowledged only once durable; rows written meanwhile commit together once it is', async () => {
    const batches: number[][] = [];
    const d = manualDurable();
    const writer = new GroupCommitWriter<number>(async (rows) => void batches.push([...rows]), {
      durable: d.durable,
    });
    const first = track(writer.write(1));
    await turns(5);
    assert.deepEqual(batches, [[1]], 'committed');
    assert.equal(first.done, false, 'not acknowledged before it is durable');
    const second = track(writer.write(2));
    await turns(3);
    const third = track(writer.write(3));
    await turns(5);
    assert.deepEqual(batches, [[1]], 'the next batch waits for the first one’s sync');
    d.waiting[0]?.resolve();
    await turns(5);
    assert.equal(first.done, true);
    assert.deepEqual(batches, [[1], [2, 3]], 'then what gathered commits as one batch');
    assert.equal(second.done, false);
    const drained = track(writer.drain());
    await turns(5);
    assert.equal(drained.done, false, 'drain waits for the sync too');
    d.waiting[1]?.resolve();
    await turns(5);
    assert.equal(second.done, true);
    assert.equal(third.done, true);
    assert.equal(drained.done, true);
  });

  void test('a full batch commits without waiting for the sync in progress', async () => {
    const batches: number[][] = [];
    const d = manualDurable();
    const writer = new GroupCommitWriter<number>(async (rows) => void batches.push([...rows]), {
      durable: d.durable,
      maxBatch: 2,
    });
    void writer.write(1);
    await turns(5);
    void writer.write(2);
    void writer.write(3);
    await turns(5);
    assert.deepEqual(batches, [[1], [2, 3]]);
    d.waiting[0]?.resolve();
    d.waiting[1]?.resolve();
    await writer.drain();
  });

  void test('a window spaces commits (with a timer)', async () => {
    const batches: number[][] = [];
    const writer = new GroupCommitWriter<number>(async (rows) => void batches.push([...rows]), {
      windowMs: 50,
    });
    await writer.write(1);
    const second = writer.write(2);
    await turns(5);
    assert.deepEqual(batches, [[1]], 'the second commit waits for the window');
    await second;
    assert.deepEqual(batches, [[1], [2]]);
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
