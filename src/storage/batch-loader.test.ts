import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchLoader } from './batch-loader.ts';

void describe('BatchLoader', () => {
  void test('lookups of one turn go as one query of distinct keys; each caller gets its row', async () => {
    const queries: number[][] = [];
    const loader = new BatchLoader<number, string>(async (keys) => {
      queries.push([...keys]);
      return new Map(keys.filter((k) => k !== 404).map((k) => [k, `row ${k}`]));
    });
    const got = await Promise.all([1, 2, 1, 404, 3].map((k) => loader.load(k)));
    assert.deepEqual(got, ['row 1', 'row 2', 'row 1', undefined, 'row 3']);
    assert.deepEqual(queries, [[1, 2, 404, 3]]);
    assert.equal(await loader.load(2), 'row 2');
    assert.equal(queries.length, 2, 'a later turn is a new query');
  });

  void test('a failed query fails its callers only; the next batch works', async () => {
    let fail = true;
    const loader = new BatchLoader<number, number>(async (keys) => {
      if (fail) throw new Error('connection lost');
      return new Map(keys.map((k) => [k, k * 10]));
    });
    await assert.rejects(Promise.all([loader.load(1), loader.load(2)]), /connection lost/);
    fail = false;
    assert.equal(await loader.load(3), 30);
  });

  void test('at most maxBatch keys a query', async () => {
    const sizes: number[] = [];
    const loader = new BatchLoader<number, number>(async (keys) => {
      sizes.push(keys.length);
      return new Map(keys.map((k) => [k, k]));
    }, 2);
    assert.deepEqual(await Promise.all([1, 2, 3, 4, 5].map((k) => loader.load(k))), [1, 2, 3, 4, 5]);
    assert.deepEqual(sizes, [2, 2, 1]);
  });
});
