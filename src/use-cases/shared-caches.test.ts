import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimedCache } from './shared-caches.ts';

void test('a load under way when the data changes is not cached as fresh after invalidate', async () => {
  let data = 'old';
  const pending: (() => void)[] = [];
  const cache = new TimedCache(
    () =>
      new Promise<string>((resolve) => {
        const read = data; // the load reads the data when it starts
        pending.push(() => resolve(read));
      }),
  );
  const first = cache.get(1_000);
  // The data changes on this node while the load is under way, and the change invalidates.
  data = 'new';
  cache.invalidate();
  const second = cache.get(1_001);
  for (const release of pending.splice(0)) release();
  assert.equal(await first, 'old', 'the caller before the change gets what was read');
  assert.equal(await second, 'new', 'a caller after the change gets a new read');
  assert.equal(cache.peek(1_002), 'new');
  assert.equal(await cache.get(1_002), 'new');
});

void test('fresh values are served without a load; stale ones are re-read', async () => {
  let loads = 0;
  const cache = new TimedCache(() => Promise.resolve(++loads));
  assert.equal(await cache.get(0), 1);
  assert.equal(await cache.get(1_999), 1);
  assert.equal(await cache.get(2_000), 2);
  cache.invalidate();
  assert.equal(cache.peek(2_001), undefined);
  assert.equal(await cache.get(2_001), 3);
});
