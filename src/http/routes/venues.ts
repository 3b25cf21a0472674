import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseInstant } from '../../domain/china-time.ts';
import { REFUSAL_REASONS, VENUE_KINDS } from '../../domain/venues/index.ts';
import { CODE_CHECKS } from '../../domain/venues/index.ts';
import {
  getCheckpointPolicy,
  listVenueChecks,
  publishCheckpointPolicy,
  recordCheckpointCheck,
} from '../../use-cases/checkpoint.ts';
import { invalid } from '../../use-cases/errors.ts';
import type { Platform } from '../../use-cases/platform.ts';
import { acknowledgeReport, listReports, openReportStream } from '../../use-cases/reports.ts';
import {
  addVenueStaff,
  approveVenue,
  getPlaceCode,
  getPlaceCodeImage,
  getPlacePoster,
  listVenues,
  listVenueVisits,
  MAX_VENUES_PAGE,
  VENUES_PAGE,
  registerVenue,
  removeVenueStaff,
  revokePlaceCode,
  scanPlaceCode,
} from '../../use-cases/venues.ts';
import { bearerSecurity, principalOf, residentOf } from '../auth.ts';
import {
  Colour,
  LocalizedText,
  Nullable,
  Reason,
  StringEnum,
  errorResponses,
  QueryInteger,
  queryInteger,
} from '../schemas.ts';

const VenueKind = Type.Union(VENUE_KINDS.map((k) => Type.Literal(k)));
const VenueStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved')]);
const DivisionCode = Type.String({ pattern: '^\\d{6}$' });
const Time = Type.String({ description: 'ISO 8601 with the China offset' });
const TimeQuery = Type.String({
  maxLength: 40,
  description: 'a date (YYYY-MM-DD, China time) or a date-time with an offset',
});

const VenueBody = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    kind: Type.String({ maxLength: 40, description: VENUE_KINDS.join(' | ') }),
    address: Type.Object(
      { divisionCode: Type.String({ maxLength: 6 }), detail: Type.String({ maxLength: 400 }) },
      { additionalProperties: false },
    ),
    contact: Type.Object(
      { name: Type.String({ maxLength: 128 }), mobile: Type.String({ maxLength: 24 }) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

const Venue = Type.Object(
  {
    venueId: Type.Integer(),
    id: Type.Integer({ description: 'the same as venueId' }),
    name: Type.String(),
    kind: VenueKind,
    kindLabel: LocalizedText,
    address: Type.Object({ divisionCode: Type.String(), detail: Type.String() }),
    contact: Type.Object({ name: Type.String(), mobile: Type.String() }),
    status: VenueStatus,
    createdAt: Time,
    approvedAt: Type.Union([Time, Type.Null()]),
    placeCodeVersion: Type.Integer({ description: '0 before approval' }),
  },
  { $id: 'Venue' },
);

/** Path and query values arrive as text (types are never coerced): ids are digit strings. */
const Id = Type.String({ pattern: '^[1-9][0-9]{0,14}$' });
const VenueParams = Type.Object({ venueId: Id });
const StaffParams = Type.Object({ venueId: Id, staffId: Id });
const ReportParams = Type.Object({ reportId: Id });
const EmptyBody = Type.Object({}, { additionalProperties: false });

const StaffBody = Type.Object(
  {
    username: Type.String({ maxLength: 64 }),
    displayName: Type.String({ maxLength: 128 }),
    password: Type.String({ minLength: 10, maxLength: 200 }),
  },
  { additionalProperties: false },
);

const PlaceCodeQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('png'), Type.Literal('svg')])) },
  { additionalProperties: false },
);

const MyCode = Type.Object({
  code: Type.String({ description: 'the QR text (HPC1:…)' }),
  colour: Colour,
  issuedAt: Type.String(),
  expiresAt: Type.String(),
  refreshAt: Type.String(),
  serverTime: Type.String(),
  maskedName: Type.String(),
  healthCardId: Type.String(),
  policyVersion: Type.String(),
  until: Type.Union([Type.String(), Type.Null()]),
  reasons: Type.Array(Reason),
});

const ScanBody = Type.Object(
  {
    placeCode: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'the scanned QR text, or the link it holds (…/scan?c=…)',
    }),
  },
  { additionalProperties: false },
);

const RefusalReason = StringEnum(REFUSAL_REASONS);

const CheckBody = Type.Object(
  {
    clientCheckId: Type.String({
      pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      description: 'a UUID made by the page for this check; uploading it again stores nothing new',
    }),
    code: Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()], {
      description: 'the scanned QR text; null when the person has no code',
    }),
    temperature: Type.Union([Type.Number(), Type.Null()], {
      description: '°C with one decimal, 30.0–45.0; null when not taken',
    }),
    maskWorn: Type.Union([Type.Boolean(), Type.Null()], { description: 'null when not looked at' }),
    checkedAt: Type.Optional(
      Type.String({ maxLength: 40, description: 'when a check queued offline happened (at most 72 h ago)' }),
    ),
    offline: Type.Optional(
      Type.Object(
        {
          valid: Type.Boolean(),
          colour: Type.Optional(Colour),
          reason: Type.Optional(Type.String({ maxLength: 64 })),
        },
        { additionalProperties: false, description: 'what the page decided offline' },
      ),
    ),
  },
  { additionalProperties: false },
);

const CheckResult = Type.Object({
  checkId: Type.String(),
  clientCheckId: Type.String(),
  outcome: StringEnum(['pass', 'refuse']),
  reasons: Type.Array(RefusalReason),
  reasonText: Type.Array(LocalizedText),
  colour: Nullable(Colour),
  maskedName: Nullable(Type.String()),
  checkedAt: Time,
  duplicate: Type.Boolean(),
});

const ChecksQuery = Type.Object(
  {
    from: Type.Optional(TimeQuery),
    to: Type.Optional(TimeQuery),
    limit: Type.Optional(Type.String({ pattern: '^(1000|[1-9][0-9]{0,2})$', description: '1–1000' })),
  },
  { additionalProperties: false },
);

const CheckView = Type.Object({
  checkId: Type.String(),
  clientCheckId: Type.String(),
  staffId: Type.Integer(),
  outcome: Type.Union([Type.Literal('pass'), Type.Literal('refuse')]),
  reasons: Type.Array(RefusalReason),
  colour: Type.Union([Colour, Type.Null()]),
  maskedName: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Time,
  recordedAt: Time,
  offline: Type.Boolean(),
});

const VisitsQuery = Type.Object(
  { from: Type.Optional(TimeQuery), to: Type.Optional(TimeQuery) },
  { additionalProperties: false },
);

const ReportState = Type.Union([Type.Literal('new'), Type.Literal('acknowledged'), Type.Literal('handled')]);

const Report = Type.Object(
  {
    reportId: Type.Integer(),
    venueId: Type.Integer(),
    venueName: Type.String(),
    divisionCode: Type.String(),
    kind: Type.Union([Type.Literal('yellow_code'), Type.Literal('red_code'), Type.Literal('fever')]),
    state: ReportState,
    maskedName: Type.Union([Type.String(), Type.Null()]),
    checkId: Type.String(),
    createdAt: Time,
    acknowledgedAt: Type.Union([Time, Type.Null()]),
    acknowledgedBy: Type.Union([Type.Integer(), Type.Null()], { description: 'staff id' }),
    handledAt: Type.Union([Time, Type.Null()]),
    handledBy: Type.Union([Type.Integer(), Type.Null()], { description: 'staff id' }),
    note: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Report' },
);

const VenuesQuery = Type.Object(
  {
    status: Type.Optional(VenueStatus),
    division: Type.Optional(DivisionCode),
    after: Type.Optional(QueryInteger('the nextAfter of the previous page')),
    limit: Type.Optional(QueryInteger(`1–${MAX_VENUES_PAGE}, default ${VENUES_PAGE}`)),
  },
  { additionalProperties: false },
);

const ReportsQuery = Type.Object(
  {
    state: Type.Optional(ReportState),
    from: Type.Optional(TimeQuery),
    before: Type.Optional(QueryInteger('page back: the nextBefore of the previous page')),
    limit: Type.Optional(QueryInteger('1–1000, default 100')),
  },
  { additionalProperties: false },
);

const ReportStateBody = Type.Object(
  {
    state: Type.Union([Type.Literal('acknowledged'), Type.Literal('handled')]),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

const CheckpointRule = Type.Object(
  {
    code: Type.Union(CODE_CHECKS.map((c) => Type.Literal(c))),
    temperature: Type.Boolean(),
    mask: Type.Boolean(),
    greenVisualOnly: Type.Boolean(),
  },
  { additionalProperties: false },
);

const CheckpointPolicy = Type.Object(
  {
    version: Type.String(),
    effectiveFrom: Type.String(),
    kinds: Type.Record(Type.String(), CheckpointRule),
    description: Type.Optional(LocalizedText),
  },
  { $id: 'CheckpointPolicy' },
);

function instantQuery(text: string | undefined, path: string) {
  if (text === undefined) return undefined;
  const at = parseInstant(text);
  if (at === null) {
    throw invalid([
      {
        path,
        code: 'time_invalid',
        message: `${path} must be a date (2026-11-20) or a date-time with an offset.`,
      },
    ]);
  }
  return at;
}

/** Actions without parameters may be POSTed without a body; `{}` is the same. */
async function emptyBodyAllowed(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}

/** How often an idle report stream sends a comment, so proxies and browsers keep it open. */
/** Default interval of the comment line an open report stream sends so proxies keep it open. */
export const HEARTBEAT_MS = 15_000;

export function venueRoutes(
  app: FastifyInstance,
  p: Platform,
  options: { readonly heartbeatMs: number } = { heartbeatMs: HEARTBEAT_MS },
): void {
  app.addSchema(Venue);
  app.addSchema(Report);
  app.addSchema(CheckpointPolicy);
  const venueRef = Type.Ref('Venue');
  const reportRef = Type.Ref('Report');

  app.post<{ Body: Static<typeof VenueBody> }>(
    '/api/v1/venues',
    {
      schema: {
        operationId: 'registerVenue',
        tags: ['venue'],
        summary: 'Register a venue; the signed-in resident becomes its manager (S4, S5)',
        description: 'The venue waits (status pending) until a district officer of its area approves it.',
        security: bearerSecurity,
        body: VenueBody,
        response: { 201: venueRef, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const venue = await registerVenue(p, await principalOf(p, request), request.body);
      return reply.code(201).send(venue);
    },
  );

  app.post<{ Params: Static<typeof VenueParams>; Body: Static<typeof EmptyBody> }>(
    '/api/v1/venues/:venueId/approval',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        operationId: 'approveVenue',
        tags: ['officer'],
        summary: 'Approve a venue (district officer of its area, admin); its place code is issued',
        security: bearerSecurity,
        params: VenueParams,
        body: EmptyBody,
        response: { 200: venueRef, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => approveVenue(p, await principalOf(p, request), Number(request.params.venueId)),
  );

  app.get<{ Querystring: Static<typeof VenuesQuery> }>(
    '/api/v1/venues',
    {
      schema: {
        operationId: 'listVenues',
        tags: ['venue'],
        summary: 'Venues: a manager’s own, an officer’s jurisdiction, all for admins; oldest first, paged',
        security: bearerSecurity,
        querystring: VenuesQuery,
        response: {
          200: Type.Object({
            venues: Type.Array(venueRef),
            nextAfter: Type.Union([Type.Integer(), Type.Null()], {
              description: 'pass as `after` for the next page; null on the last page',
            }),
          }),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) =>
      listVenues(p, await principalOf(p, request), {
        ...(request.query.status === undefined ? {} : { status: request.query.status }),
        ...(request.query.division === undefined ? {} : { division: request.query.division }),
        after: queryInteger(request.query.after, 'after', 1, Number.MAX_SAFE_INTEGER),
        limit: queryInteger(request.query.limit, 'limit', 1, MAX_VENUES_PAGE),
      }),
  );

  app.post<{ Params: Static<typeof VenueParams>; Body: Static<typeof StaffBody> }>(
    '/api/v1/venues/:venueId/staff',
    {
      schema: {
        operationId: 'addVenueStaff',
        tags: ['venue'],
        summary: 'Create a checkpoint staff account of the venue (its manager)',
        security: bearerSecurity,
        params: VenueParams,
        body: StaffBody,
        response: {
          201: Type.Object({ staffId: Type.Integer(), username: Type.String(), displayName: Type.String() }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const added = await addVenueStaff(
        p,
        await principalOf(p, request),
        Number(request.params.venueId),
        request.body,
      );
      return reply.code(201).send(added);
    },
  );

  app.delete<{ Params: Static<typeof StaffParams> }>(
    '/api/v1/venues/:venueId/staff/:staffId',
    {
      schema: {
        operationId: 'removeVenueStaff',
        tags: ['venue'],
        summary: 'Disable a checkpoint staff account of the venue; its sessions end (its manager)',
        security: bearerSecurity,
        params: StaffParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeVenueStaff(
        p,
        await principalOf(p, request),
        Number(request.params.venueId),
        Number(request.params.staffId),
      );
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof VenueParams>; Querystring: Static<typeof PlaceCodeQuery> }>(
    '/api/v1/venues/:venueId/place-code',
    {
      schema: {
        operationId: 'getPlaceCode',
        tags: ['venue'],
        summary: 'The venue’s current place code: QR text and link (json), or the QR image (png, svg)',
        security: bearerSecurity,
        params: VenueParams,
        querystring: PlaceCodeQuery,
        produces: ['application/json', 'image/png', 'image/svg+xml'],
        response: {
          200: Type.Object({
            venueId: Type.Integer(),
            version: Type.Integer(),
            code: Type.String({ description: 'the QR text (HPC1:…)' }),
            url: Type.String({ description: '<origin>/scan?c=<code>: the same code as a link' }),
          }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const principal = await principalOf(p, request);
      const format = request.query.format ?? 'json';
      if (format === 'json')
        return getPlaceCode(p, principal, Number(request.params.venueId), p.config.publicOrigin);
      const image = await getPlaceCodeImage(p, principal, Number(request.params.venueId), format);
      return reply.type(image.contentType).send(image.body);
    },
  );

  app.get<{ Params: Static<typeof VenueParams> }>(
    '/api/v1/venues/:venueId/place-code/poster',
    {
      schema: {
        operationId: 'getPlacePoster',
        tags: ['venue'],
        summary: 'The printable A4 place-code poster (PDF)',
        security: bearerSecurity,
        params: VenueParams,
        produces: ['application/pdf'],
        response: { ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const pdf = await getPlacePoster(
        p,
        await principalOf(p, request),
        Number(request.params.venueId),
        p.config.publicOrigin,
      );
      return reply
        .type('application/pdf')
        .header('content-disposition', `inline; filename="place-code-${Number(request.params.venueId)}.pdf"`)
        .send(pdf);
    },
  );

  app.post<{ Params: Static<typeof VenueParams>; Body: Static<typeof EmptyBody> }>(
    '/api/v1/venues/:venueId/place-code/revocation',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        operationId: 'revokePlaceCode',
        tags: ['venue'],
        summary: 'Revoke the place code and issue the next version; old posters stop working',
        security: bearerSecurity,
        params: VenueParams,
        body: EmptyBody,
        response: {
          200: Type.Object({ venueId: Type.Integer(), version: Type.Integer() }),
          ...errorResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request) => revokePlaceCode(p, await principalOf(p, request), Number(request.params.venueId)),
  );

  app.post<{ Body: Static<typeof ScanBody> }>(
    '/api/v1/place-scans',
    {
      schema: {
        operationId: 'scanPlaceCode',
        tags: ['resident'],
        summary:
          'Scan a venue’s place code: your code with the venue name and time; the visit is recorded (S4)',
        description: 'A scan never changes a colour.',
        security: bearerSecurity,
        body: ScanBody,
        response: {
          201: Type.Object({
            venue: Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              kind: VenueKind,
              kindLabel: LocalizedText,
            }),
            scannedAt: Time,
            myCode: MyCode,
          }),
          ...errorResponses(400, 401, 403, 404, 409, 410),
        },
      },
    },
    async (request, reply) => {
      const scan = await scanPlaceCode(p, await residentOf(p, request), request.body.placeCode);
      return reply.code(201).header('cache-control', 'no-store').send(scan);
    },
  );

  app.post<{ Params: Static<typeof VenueParams>; Body: Static<typeof CheckBody> }>(
    '/api/v1/venues/:venueId/checks',
    {
      config: { durableWrites: true },
      schema: {
        operationId: 'recordCheckpointCheck',
        tags: ['checkpoint'],
        summary: 'Record one person at the entrance: PASS or REFUSE with the reasons (S6, S11, S12)',
        description:
          'Checkpoint staff of the venue. Stored before the answer; the same clientCheckId again answers 200 with the stored result (duplicate: true). Checks queued offline send checkedAt. A yellow or red code or a fever is reported to the area’s office (S7).',
        security: bearerSecurity,
        params: VenueParams,
        body: CheckBody,
        response: { 200: CheckResult, 201: CheckResult, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await recordCheckpointCheck(
        p,
        await principalOf(p, request),
        Number(request.params.venueId),
        request.body,
      );
      return reply.code(result.duplicate ? 200 : 201).send(result);
    },
  );

  app.get<{ Params: Static<typeof VenueParams>; Querystring: Static<typeof ChecksQuery> }>(
    '/api/v1/venues/:venueId/checks',
    {
      schema: {
        operationId: 'listVenueChecks',
        tags: ['venue'],
        summary: 'The venue’s entry log, newest first (masked names only)',
        description: 'Default window: the last 14 days; at most `limit` (default 100) checks.',
        security: bearerSecurity,
        params: VenueParams,
        querystring: ChecksQuery,
        response: {
          200: Type.Object({ checks: Type.Array(CheckView) }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      checks: await listVenueChecks(p, await principalOf(p, request), Number(request.params.venueId), {
        ...(request.query.from === undefined ? {} : { from: request.query.from }),
        ...(request.query.to === undefined ? {} : { to: request.query.to }),
        ...(request.query.limit === undefined ? {} : { limit: Number(request.query.limit) }),
      }),
    }),
  );

  app.get<{ Params: Static<typeof VenueParams>; Querystring: Static<typeof VisitsQuery> }>(
    '/api/v1/venues/:venueId/visits',
    {
      schema: {
        operationId: 'listVenueVisits',
        tags: ['officer'],
        summary: 'Who scanned the venue’s place code in a time window (tracing; audited)',
        description: 'District officers of the area and admins. Each resident listed gets an audit entry.',
        security: bearerSecurity,
        params: VenueParams,
        querystring: VisitsQuery,
        response: {
          200: Type.Object({
            visits: Type.Array(
              Type.Object({ residentId: Type.Integer(), maskedName: Type.String(), at: Time }),
            ),
          }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => ({
      visits: await listVenueVisits(
        p,
        await principalOf(p, request),
        Number(request.params.venueId),
        request.query,
      ),
    }),
  );

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
          200: Type.Object({
            reports: Type.Array(reportRef),
            nextBefore: Type.Union([Type.Integer(), Type.Null()], {
              description: 'pass as `before` for the next (older) page; null on the last page',
            }),
          }),
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

  app.get(
    '/api/v1/checkpoint-policy',
    {
      schema: {
        operationId: 'getCheckpointPolicy',
        tags: ['checkpoint'],
        summary: 'The checkpoint policy in force: which checks each venue kind performs (S12)',
        security: bearerSecurity,
        response: { 200: Type.Ref('CheckpointPolicy'), ...errorResponses(401, 403) },
      },
    },
    async (request) => getCheckpointPolicy(p, await principalOf(p, request)),
  );

  app.put<{ Body: unknown }>(
    '/api/v1/checkpoint-policy',
    {
      schema: {
        operationId: 'publishCheckpointPolicy',
        tags: ['admin'],
        summary: 'Publish a new checkpoint policy version (provincial admin)',
        description: 'A rule for every venue kind; in force from effectiveFrom on every node within seconds.',
        security: bearerSecurity,
        body: Type.Object({}, { additionalProperties: true, description: 'a CheckpointPolicy document' }),
        response: { 200: Type.Ref('CheckpointPolicy'), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => publishCheckpointPolicy(p, await principalOf(p, request), request.body),
  );
}
