import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  residentIdNumber,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { hashPassword } from '../../../use-cases/passwords.ts';
import { insertStaff } from '../../../storage/staff.ts';
import { createPlatform } from '../../../platform.ts';
import { buildApp } from '../../../http/app.ts';
import { configureReportWebhook } from '../../../use-cases/reports.ts';
import { findOutbox } from '../../../storage/reports.ts';

type Json = Record<string, unknown>;

/** A value deep inside a JSON response, by dotted path (`error.code`). */
function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Json)[key] : undefined), value);
}

/** Reads server-sent events from a live server with fetch, as a browser's EventSource would. */
async function openStream(url: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const events: { event: string; id: string; data: Json }[] = [];
  let text = '';
  const reader = response.body?.getReader();
  const pump = (async () => {
    if (reader === undefined) return;
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = text.indexOf('\n\n')) !== -1) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((l) => l.startsWith(`${name}: `))
              ?.slice(name.length + 2);
          const data = field('data');
          if (data !== undefined)
            events.push({
              event: field('event') ?? '',
              id: field('id') ?? '',
              data: JSON.parse(data) as Json,
            });
        }
      }
    } catch {
      // aborted
    }
  })();
  /** Resolves with the first event matching, or rejects after `ms`. */
  const next = async (match: (data: Json) => boolean, ms = 1000) => {
    const started = Date.now();
    for (;;) {
      const found = events.find((e) => match(e.data));
      if (found !== undefined) return { ...found, afterMs: Date.now() - started };
      if (Date.now() - started > ms) throw new Error(`no matching event within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    response,
    events,
    next,
    close: async () => {
      controller.abort();
      await pump;
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`reports (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let base = '';
    const tokens: Record<string, string> = {};
    let venueId = 0;
    const call = (method: 'GET' | 'POST' | 'PUT', url: string, who: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${tokens[who] ?? who}` },
        ...(payload === undefined ? {} : { payload: payload as Json }),
      });
    const expectError = (r: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(r.statusCode, status, r.body);
      assert.equal(at(JSON.parse(r.body), 'error.code'), code, r.body);
    };
    const myCode = async (who: string) =>
      ((await call('GET', '/api/v1/me/code', who)).json() as Json)['code'] as string;
    const check = async (who: string, body: Json = {}) => {
      const r = await call('POST', `/api/v1/venues/${venueId}/checks`, 'gate', {
        clientCheckId: randomUUID(),
        code: await myCode(who),
        temperature: 36.5,
        maskWorn: true,
        ...body,
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json() as Json;
    };

    before(async () => {
      t = await createTestPlatform(dialect);
      const staffToken = async (username: string, password: string) =>
        (
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/v1/staff-sessions',
              payload: { username, password },
            })
          ).json() as { token: string }
        ).token;
      for (const [username, role, divisionCode] of [
        ['officer', 'officer', '370100'],
        ['county', 'officer', '370102'],
        ['far', 'officer', '440300'],
        ['admin', 'admin', '000000'],
      ] as const) {
        await insertStaff(t.platform.db, {
          username,
          role,
          divisionCode,
          displayName: username,
          passwordHash: await hashPassword('pw'),
          createdAt: t.clock.now(),
        });
        tokens[username] = await staffToken(username, 'pw');
      }
      tokens['manager'] = await signInResident(t, '13900139000');
      const v = await call('POST', '/api/v1/venues', 'manager', {
        name: '历下区政务服务大厅',
        kind: 'governmentServiceHall',
        address: { divisionCode: '370102', detail: '解放路 1 号' },
        contact: { name: '赵主任', mobile: '13900139001' },
      });
      venueId = (v.json() as Json)['venueId'] as number;
      await call('POST', `/api/v1/venues/${venueId}/approval`, 'officer', {});
      await call('POST', `/api/v1/venues/${venueId}/staff`, 'manager', {
        username: 'hall-gate',
        displayName: '大厅入口',
        password: 'checkpoint-pw',
      });
      tokens['gate'] = await staffToken('hall-gate', 'checkpoint-pw');
      tokens['green'] = await signInResident(t, '13800138000');
      await call('PUT', '/api/v1/me/application', 'green', sampleApplication());
      tokens['red'] = await signInResident(t, '13800138001');
      const redDoc = residentIdNumber('37010219850101002');
      await call(
        'PUT',
        '/api/v1/me/application',
        'red',
        sampleApplication({ name: '李四', mobile: '13800138001', documentNumber: redDoc }),
      );
      const fact = await call('POST', '/api/v1/facts', 'officer', {
        documentType: 'resident_id_card',
        documentNumber: redDoc,
        fact: { kind: 'closeContact', from: '2026-11-24T10:00:00+08:00', isolation: 'home' },
      });
      assert.equal((fact.json() as Json)['colour'], 'red', fact.body);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      // fetch (undici) opens spare connections that never carry a request; the server's close would
      // wait seconds for them to time out.
      t.app.server.closeAllConnections();
      await t.close();
    });

    test('a red code at the checkpoint reaches a listening officer stream within a second', async () => {
      const stream = await openStream(`${base}/api/v1/reports/stream`, tokens['officer'] ?? '');
      const far = await openStream(`${base}/api/v1/reports/stream`, tokens['far'] ?? '');
      try {
        assert.equal(stream.response.status, 200);
        assert.match(stream.response.headers.get('content-type') ?? '', /^text\/event-stream/);
        const c = await check('red');
        assert.equal(c['outcome'], 'refuse');
        const e = await stream.next((d) => d['checkId'] === c['checkId'], 1000);
        assert.ok(e.afterMs < 1000);
        assert.equal(e.event, 'report');
        assert.equal(e.id, String(e.data['reportId']));
        assert.equal(e.data['kind'], 'red_code');
        assert.equal(e.data['state'], 'new');
        assert.equal(e.data['venueName'], '历下区政务服务大厅');
        assert.equal(e.data['divisionCode'], '370102');
        assert.equal(e.data['maskedName'], '李*');
        // Another area's office hears nothing of it.
        await new Promise((r) => setTimeout(r, 700));
        assert.equal(far.events.length, 0);
      } finally {
        await stream.close();
        await far.close();
      }
    });

    test('a report made on another API node arrives by polling; Last-Event-ID replays what was missed', async () => {
      // A second node: its own Platform and app over the same database.
      const node2 = await createPlatform(t.platform.config, {
        database: t.platform.database,
        clock: t.clock,
        sms: t.sms,
      });
      const app2: FastifyInstance = await buildApp(node2);
      await app2.listen({ host: '127.0.0.1', port: 0 });
      const stream = await openStream(
        `http://127.0.0.1:${(app2.server.address() as AddressInfo).port}/api/v1/reports/stream`,
        tokens['county'] ?? '',
      );
      try {
        const fever = await check('green', { temperature: 38.2 });
        assert.deepEqual(fever['reasons'], ['fever']);
        const e = await stream.next((d) => d['checkId'] === fever['checkId'], 1000);
        assert.equal(e.data['kind'], 'fever');
      } finally {
        await stream.close();
        await app2.close();
        await node2.close();
      }
      const replay = await openStream(`${base}/api/v1/reports/stream`, tokens['admin'] ?? '', {
        'last-event-id': '0',
      });
      try {
        const e = await replay.next((d) => d['kind'] === 'red_code', 1000);
        assert.equal(e.data['reportId'], 1);
      } finally {
        await replay.close();
      }
    });

    test('an open stream sends a heartbeat comment at the configured interval', async () => {
      const app2: FastifyInstance = await buildApp(t.platform, { reportStreamHeartbeatMs: 50 });
      await app2.listen({ host: '127.0.0.1', port: 0 });
      const controller = new AbortController();
      try {
        const response = await fetch(
          `http://127.0.0.1:${(app2.server.address() as AddressInfo).port}/api/v1/reports/stream`,
          {
            headers: { authorization: `Bearer ${tokens['officer'] ?? ''}`, accept: 'text/event-stream' },
            signal: controller.signal,
          },
        );
        assert.equal(response.status, 200);
        const reader = response.body?.getReader();
        assert.ok(reader !== undefined);
        const decoder = new TextDecoder();
        let text = '';
        const deadline = Date.now() + 5_000;
        while ((text.match(/^: heartbeat$/gm) ?? []).length < 2 && Date.now() < deadline) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        assert.ok(text.startsWith('retry: 2000\n\n'), text);
        assert.ok(
          (text.match(/^: heartbeat$/gm) ?? []).length >= 2,
          `stream so far: ${JSON.stringify(text)}`,
        );
      } finally {
        controller.abort();
        await app2.close();
      }
    });

    test('reports move forward only, new → acknowledged → handled, recording who and when', async () => {
      const list = (await call('GET', '/api/v1/reports?state=new', 'officer')).json() as Json;
      const report = (list['reports'] as Json[]).find((r) => r['kind'] === 'red_code');
      assert.ok(report);
      const url = `/api/v1/reports/${String(report['reportId'])}/state`;
      expectError(await call('POST', url, 'far', { state: 'acknowledged' }), 404, 'report_not_found');
      expectError(await call('POST', url, 'gate', { state: 'acknowledged' }), 403, 'forbidden');
      expectError(await call('POST', url, 'officer', { state: 'new' }), 400, 'validation_failed');
      t.clock.advance(60_000);
      const ack = await call('POST', url, 'officer', { state: 'acknowledged', note: '已联系社区' });
      assert.equal(ack.statusCode, 200, ack.body);
      assert.equal((ack.json() as Json)['state'], 'acknowledged');
      assert.equal((ack.json() as Json)['acknowledgedAt'], '2026-11-25T10:01:00+08:00');
      assert.equal(typeof (ack.json() as Json)['acknowledgedBy'], 'number');
      expectError(await call('POST', url, 'county', { state: 'acknowledged' }), 409, 'report_state_invalid');
      const handled = await call('POST', url, 'county', { state: 'handled' });
      assert.equal((handled.json() as Json)['state'], 'handled');
      assert.equal((handled.json() as Json)['note'], '已联系社区');
      expectError(await call('POST', url, 'officer', { state: 'acknowledged' }), 409, 'report_state_invalid');
      const left = (await call('GET', '/api/v1/reports?state=handled', 'admin')).json() as Json;
      assert.deepEqual(
        (left['reports'] as Json[]).map((r) => r['reportId']),
        [report['reportId']],
      );
      assert.deepEqual(((await call('GET', '/api/v1/reports', 'far')).json() as Json)['reports'], []);
      expectError(await call('GET', '/api/v1/reports', 'manager'), 403, 'forbidden');
      expectError(await call('GET', '/api/v1/reports?from=later', 'officer'), 400, 'validation_failed');
      expectError(
        await call('POST', '/api/v1/reports/99999/state', 'admin', { state: 'handled' }),
        404,
        'report_not_found',
      );
    });

    test('reports page back newest first: limit, before and nextBefore', async () => {
      const first = await call('GET', '/api/v1/reports?limit=1000', 'admin');
      assert.equal(first.statusCode, 200, first.body);
      const all = (first.json() as Json)['reports'] as Json[];
      assert.ok(all.length >= 2, `needs two reports, has ${all.length}`);
      const seen: unknown[] = [];
      let before: number | null = null;
      for (let page = 0; page < all.length + 1; page++) {
        const url = `/api/v1/reports?limit=1${before === null ? '' : `&before=${String(before)}`}`;
        const body = (await call('GET', url, 'admin')).json() as Json;
        seen.push(...(body['reports'] as Json[]).map((r) => r['reportId']));
        before = body['nextBefore'] as number | null;
        if (before === null) break;
      }
      // The last full page cannot know it is the last: one more request returns an empty page.
      assert.deepEqual(
        seen,
        all.map((r) => r['reportId']),
      );
      expectError(await call('GET', '/api/v1/reports?limit=0', 'admin'), 400, 'validation_failed');
      expectError(await call('GET', '/api/v1/reports?limit=1001', 'admin'), 400, 'validation_failed');
    });

    test('the webhook receives each report, retried with backoff until the receiver accepts it', async () => {
      const received: Json[] = [];
      let failuresLeft = 2;
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          if (failuresLeft > 0) {
            failuresLeft -= 1;
            res.statusCode = 503;
          } else {
            received.push(JSON.parse(body) as Json);
            res.statusCode = 204;
          }
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reports`;
      await configureReportWebhook(t.platform, { url, retryBaseMs: 1_000, pollMs: 20 });
      try {
        const c = await check('red');
        const started = Date.now();
        while (received.length === 0 && Date.now() - started < 5_000) {
          // The platform clock is manual: move it past each backoff.
          t.clock.advance(1_000);
          await new Promise((r) => setTimeout(r, 30));
        }
        assert.equal(received.length, 1);
        assert.equal(received[0]?.['event'], 'report.created');
        assert.equal(at(received[0], 'report.checkId'), c['checkId']);
        assert.equal(at(received[0], 'report.kind'), 'red_code');
        const reportId = at(received[0], 'report.reportId') as number;
        // The receiver has the POST before the platform has its answer and marks the row delivered.
        let [outbox] = await findOutbox(t.platform.db, reportId);
        for (const from = Date.now(); outbox?.delivered_at == null && Date.now() - from < 3_000;) {
          await new Promise((r) => setTimeout(r, 20));
          [outbox] = await findOutbox(t.platform.db, reportId);
        }
        assert.equal(Number(outbox?.attempts), 3);
        assert.notEqual(outbox?.delivered_at, null);
        assert.equal(outbox?.last_error, null);
        // A state change is delivered too.
        await call('POST', `/api/v1/reports/${reportId}/state`, 'officer', { state: 'acknowledged' });
        const waitFrom = Date.now();
        while (received.length < 2 && Date.now() - waitFrom < 3_000)
          await new Promise((r) => setTimeout(r, 20));
        assert.equal(received[1]?.['event'], 'report.state');
        assert.equal(at(received[1], 'report.state'), 'acknowledged');
      } finally {
        await configureReportWebhook(t.platform, null);
        await new Promise((r) => server.close(r));
      }
    });

    test('a receiver that never accepts: the delivery is given up after maxAttempts, kept with its error', async () => {
      let calls = 0;
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          calls += 1;
          res.statusCode = 500;
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reports`;
      await configureReportWebhook(t.platform, { url, retryBaseMs: 1_000, maxAttempts: 3, pollMs: 20 });
      try {
        const c = await check('red');
        const started = Date.now();
        while (calls < 3 && Date.now() - started < 5_000) {
          t.clock.advance(1_000);
          await new Promise((r) => setTimeout(r, 30));
        }
        // Well past any further backoff: no fourth attempt.
        for (let i = 0; i < 10; i++) {
          t.clock.advance(60_000);
          await new Promise((r) => setTimeout(r, 30));
        }
        assert.equal(calls, 3);
        const list = (await call('GET', '/api/v1/reports?limit=1000', 'admin')).json() as Json;
        const report = (list['reports'] as Json[]).find((r) => r['checkId'] === c['checkId']);
        assert.ok(report);
        const [outbox] = await findOutbox(t.platform.db, report['reportId'] as number);
        assert.equal(Number(outbox?.attempts), 3);
        assert.equal(outbox?.delivered_at, null);
        assert.equal(outbox?.next_attempt_at, null);
        assert.match(String(outbox?.last_error), /500/);
      } finally {
        await configureReportWebhook(t.platform, null);
        await new Promise((r) => server.close(r));
      }
    });
  });
}
