import type { Static } from '@sinclair/typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ReportPage, ReportParams, ReportStateBody, ReportsQuery } from '../../../contracts/reports.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { acknowledgeReport, listReports, openReportStream } from '../../../use-cases/reports.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses, instantQuery, queryInteger } from '../../route-helpers.ts';

/** Default interval of the comment line an open report stream sends so proxies keep it open. */
export const HEARTBEAT_MS = 15_000;

/** Reports to the area's epidemic-control office (S7): the list, moving one on, the live stream. */
export function reportRoutes(
  app: FastifyInstance,
  p: Platform,
  options: { readonly heartbeatMs: number } = { heartbeatMs: HEARTBEAT_MS },
): void {
  const reportRef = Type.Ref('Report');

  app.get<{ Querystring: Static<typeof ReportsQuery> }>(
    '/api/v1/reports',
    {
      schema: {
        operationId: 'listReports',
        tags: ['officer'],
        summary: 'Reports of yellow and red codes and fevers in your jurisdiction, newest first (S7)',
        security: bearerSecurity,
        querystring: ReportsQuery,
        response: {
          200: ReportPage,
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const from = instantQuery(request.query.from, 'from');
      return listReports(p, await principalOf(p, request), {
        ...(request.query.state === undefined ? {} : { state: request.query.state }),
        ...(from === undefined ? {} : { from }),
        ...(request.query.before === undefined
          ? {}
          : { before: queryInteger(request.query.before, 'before', 1, Number.MAX_SAFE_INTEGER) }),
        ...(request.query.limit === undefined
          ? {}
          : { limit: queryInteger(request.query.limit, 'limit', 1, 1000) }),
      });
    },
  );

  app.post<{ Params: Static<typeof ReportParams>; Body: Static<typeof ReportStateBody> }>(
    '/api/v1/reports/:reportId/state',
    {
      schema: {
        operationId: 'acknowledgeReport',
        tags: ['officer'],
        summary: 'Move a report forward: new → acknowledged → handled',
        security: bearerSecurity,
        params: ReportParams,
        body: ReportStateBody,
        response: { 200: reportRef, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      acknowledgeReport(p, await principalOf(p, request), Number(request.params.reportId), request.body),
  );

  const openStreams = new Set<() => void>();
  // Fastify waits for open connections on close: end the streams first (they never end by themselves).
  app.addHook('preClose', (done) => {
    for (const end of [...openStreams]) end();
    done();
  });

  app.get(
    '/api/v1/reports/stream',
    {
      schema: {
        operationId: 'streamReports',
        tags: ['officer'],
        summary: 'New reports of your jurisdiction as server-sent events, within a second (S7)',
        description:
          'text/event-stream: `event: report`, `id: <reportId>`, `data: <Report JSON>`. Send Last-Event-ID to receive the reports missed since. A comment line every 15 s keeps the connection open.',
        security: bearerSecurity,
        produces: ['text/event-stream'],
        response: { ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const principal = await principalOf(p, request);
      const lastEventId = Number(request.headers['last-event-id']);
      const afterId = Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : null;
      const raw = reply.raw;
      const socket = request.raw.socket;
      let ended = false;
      const write = (text: string) => {
        if (!ended) raw.write(text);
      };
      const pending: string[] = [];
      let started = false;
      const stream = await openReportStream(
        p,
        principal,
        afterId,
        (report) => {
          const event = `event: report\nid: ${report.reportId}\ndata: ${JSON.stringify(report)}\n\n`;
          if (started) write(event);
          else pending.push(event);
        },
        () => end(),
      );
      // From here on the response is ours: Fastify sends nothing more for this request.
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        // Not reused after the stream: the client's EventSource reconnects, to another node if this
        // one is going away.
        connection: 'close',
        'x-accel-buffering': 'no',
      });
      write('retry: 2000\n\n');
      started = true;
      for (const event of pending) write(event);
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), options.heartbeatMs);
      function end() {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        stream.close();
        openStreams.delete(end);
        // The socket is closed, never kept alive: a client gone quiet must not hold a shutdown up.
        if (socket.readableEnded || socket.destroyed) socket.destroy();
        else {
          raw.end(() => socket.destroy());
          setTimeout(() => socket.destroy(), 1_000).unref();
        }
      }
      openStreams.add(end);
      // Node reports a client that closes an HTTP/1.1 connection mid-response only as the end of the
      // socket's readable side (or at the next failed write), not as a 'close' of the response.
      socket.on('end', end);
      raw.on('close', end);
      raw.on('error', end);
    },
  );
}
