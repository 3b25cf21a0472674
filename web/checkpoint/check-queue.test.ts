import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  QUEUE_KEY,
  enqueueCheck,
  queuedChecks,
  uploadQueue,
  type QueueStore,
  type QueuedCheck,
  type UploadOutcome,
} from './check-queue.ts';
import type { ErrorCode } from '../../src/contracts/errors.ts';
import type { ApiFailure } from '../api.ts';
import { uploadOutcome } from './checkpoint-api.ts';

/** The offline queue: nothing leaves it before the server has it, nothing is in it twice. */

function memoryStore(): QueueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    read: (k) => map.get(k) ?? null,
    write: (k, v) => void (v === null ? map.delete(k) : map.set(k, v)),
  };
}

const check = (id: string): QueuedCheck => ({
  venueId: '7',
  body: {
    clientCheckId: id,
    code: `HPC1:${id}`,
    temperature: 36.5,
    maskWorn: true,
    checkedAt: '2026-11-25T10:00:00+08:00',
    offline: { valid: true, colour: 'green' },
  },
});
const ids = (store: QueueStore) => queuedChecks(store).map((c) => c.body.clientCheckId);

describe('enqueueCheck', () => {
  test('keeps order and stores each clientCheckId once', () => {
    const store = memoryStore();
    assert.equal(enqueueCheck(check('a'), store), 1);
    assert.equal(enqueueCheck(check('b'), store), 2);
    assert.equal(enqueueCheck(check('a'), store), 2);
    assert.deepEqual(ids(store), ['a', 'b']);
  });

  test('a damaged stored queue reads as empty rather than breaking the page', () => {
    const store = memoryStore();
    store.write(QUEUE_KEY, '{not json');
    assert.deepEqual(queuedChecks(store), []);
    store.write(QUEUE_KEY, JSON.stringify([check('a'), { venueId: 1 }, null]));
    assert.deepEqual(ids(store), ['a']);
  });
});

describe('uploadQueue', () => {
  test('removes exactly the checks the server stored, in order', async () => {
    const store = memoryStore();
    for (const id of ['a', 'b', 'c']) enqueueCheck(check(id), store);
    const sent: string[] = [];
    const report = await uploadQueue(async (c) => {
      sent.push(c.body.clientCheckId);
      return { kind: 'stored' };
    }, store);
    assert.deepEqual(sent, ['a', 'b', 'c']);
    assert.deepEqual(report, { stored: 3, rejected: 0, remaining: 0, stoppedBy: null });
    assert.equal(store.map.has(QUEUE_KEY), false, 'an empty queue leaves nothing in storage');
  });

  test('stops at the first network failure and keeps the rest, untouched', async () => {
    const store = memoryStore();
    for (const id of ['a', 'b', 'c']) enqueueCheck(check(id), store);
    const answers: UploadOutcome[] = [{ kind: 'stored' }, { kind: 'stop', why: 'network' }];
    const sent: string[] = [];
    const report = await uploadQueue(async (c) => {
      sent.push(c.body.clientCheckId);
      return answers.shift() ?? assert.fail('nothing is sent after a network failure');
    }, store);
    assert.deepEqual(sent, ['a', 'b']);
    assert.deepEqual(report, { stored: 1, rejected: 0, remaining: 2, stoppedBy: 'network' });
    assert.deepEqual(queuedChecks(store), [check('b'), check('c')]);
  });

  test('a check the server refuses stays, with the reason, and does not block the others', async () => {
    const store = memoryStore();
    for (const id of ['a', 'b']) enqueueCheck(check(id), store);
    const report = await uploadQueue(
      async (c) =>
        c.body.clientCheckId === 'a'
          ? { kind: 'rejected', code: 'venue_not_approved', message: 'not yet' }
          : { kind: 'stored' },
      store,
    );
    assert.deepEqual(report, { stored: 1, rejected: 1, remaining: 1, stoppedBy: null });
    assert.deepEqual(queuedChecks(store), [
      { ...check('a'), lastError: { code: 'venue_not_approved', message: 'not yet' } },
    ]);
  });

  test('checks queued while an upload runs are kept', async () => {
    const store = memoryStore();
    enqueueCheck(check('a'), store);
    await uploadQueue(async () => {
      enqueueCheck(check('late'), store);
      return { kind: 'stored' };
    }, store);
    assert.deepEqual(ids(store), ['late']);
  });
});

describe('uploadOutcome', () => {
  const api = (status: number, code: ErrorCode): ApiFailure => ({
    kind: 'api',
    status,
    error: { code, message: code, requestId: 'r' },
  });
  const cases: [string, ApiFailure, UploadOutcome][] = [
    ['no answer', { kind: 'network' }, { kind: 'stop', why: 'network' }],
    ['session gone', api(401, 'session_expired'), { kind: 'stop', why: 'session' }],
    ['server trouble', api(503, 'service_unavailable'), { kind: 'stop', why: 'server' }],
    ['rate limited', api(429, 'rate_limited'), { kind: 'stop', why: 'server' }],
    [
      'this check refused',
      api(400, 'check_time_invalid'),
      { kind: 'rejected', code: 'check_time_invalid', message: 'check_time_invalid' },
    ],
    [
      'staff of another venue',
      api(403, 'not_venue_staff'),
      { kind: 'rejected', code: 'not_venue_staff', message: 'not_venue_staff' },
    ],
  ];
  for (const [name, failure, expected] of cases) {
    test(name, () => assert.deepEqual(uploadOutcome(failure), expected));
  }
});
