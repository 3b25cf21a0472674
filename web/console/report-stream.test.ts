import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventStream } from './report-stream.ts';

test('parseEventStream: whole events out, the unfinished rest kept for the next chunk', () => {
  const first = parseEventStream('retry: 2000\n\nevent: report\nid: 7\ndata: {"reportId":7}\n\nevent: rep');
  assert.deepEqual(first.events, [
    { event: 'message', id: null, data: '', retry: 2000 },
    { event: 'report', id: '7', data: '{"reportId":7}', retry: null },
  ]);
  assert.equal(first.rest, 'event: rep');
  const second = parseEventStream(`${first.rest}ort\nid: 8\ndata: {"reportId":8}\n\n`);
  assert.deepEqual(second.events, [{ event: 'report', id: '8', data: '{"reportId":8}', retry: null }]);
  assert.equal(second.rest, '');
});

test('parseEventStream: heartbeat comments are no events; CRLF and multi-line data are read', () => {
  assert.deepEqual(parseEventStream(': heartbeat\n\n').events, []);
  const { events } = parseEventStream('event: report\r\ndata: a\r\ndata: b\r\n\r\n');
  assert.deepEqual(events, [{ event: 'report', id: null, data: 'a\nb', retry: null }]);
});
