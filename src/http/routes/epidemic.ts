import type { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IMPORT_KINDS } from '../../domain/imports/index.ts';
import { jurisdictionCovers } from '../../domain/jurisdiction.ts';
import { AppError } from '../../use-cases/errors.ts';
import { authorize } from '../../use-cases/access.ts';
import {
  MAX_IMPORT_BYTES,
  getImportStatus,
  importUpload,
  listImports,
  type ImportOptions,
} from '../../use-cases/imports.ts';
import type { Platform } from '../../use-cases/platform.ts';
import { listPolicies, previewPolicy, publishPolicy, rollbackPolicy } from '../../use-cases/policies.ts';
import { declareRiskArea, liftRiskArea, listRiskAreas } from '../../use-cases/risk-areas.ts';
import { getColourStatistics } from '../../use-cases/statistics.ts';
import { bearerSecurity, principalOf } from '../auth.ts';
import { DateText, QueryInteger, errorResponses, queryInteger } from '../schemas.ts';

const IMPORT_CONTENT_TYPES = [
  'text/csv',
  'application/x-ndjson',
  'application/jsonl',
  'application/x-jsonlines',
];

const ImportStatusSchema = Type.Object({
  importId: Type.String(),
  kind: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]),
  strict: Type.Boolean(),
  jurisdiction: Type.String({ description: "the division the import is for ('000000': the whole province)" }),
  status: Type.Union([
    Type.Literal('running'),
    Type.Literal('completed'),
    Type.Literal('failed'),
    Type.Literal('interrupted'),
  ]),
  fileName: Type.String(),
  bytesTotal: Type.Union([Type.Number(), Type.Null()]),
  bytesRead: Type.Number(),
  rowsRead: Type.Number(),
  rowsImported: Type.Number({ description: 'new or corrected records' }),
  rowsDuplicate: Type.Number({ description: 'records already stored with the same content' }),
  rowsInvalid: Type.Number(),
  residentsMatched: Type.Number({ description: 'registered residents reassessed' }),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
});

const ImportQuery = Type.Object(
  {
    kind: Type.Union(IMPORT_KINDS.map((k) => Type.Literal(k))),
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')])),
    strict: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    fileName: Type.Optional(Type.String({ maxLength: 300 })),
    division: Type.Optional(
      Type.String({
        pattern: '^\\d{6}$',
        description:
          'the division the import is for, within your jurisdiction (default: your whole jurisdiction); rows naming residents who live elsewhere are refused',
      }),
    ),
  },
  { additionalProperties: false },
);

const RiskAreaSchema = Type.Object({
  riskAreaId: Type.String(),
  divisionCode: Type.String(),
  divisionName: Type.String(),
  subArea: Type.Union([Type.String(), Type.Null()]),
  level: Type.Union([Type.Literal('high'), Type.Literal('medium')]),
  from: Type.String(),
  to: Type.Union([Type.String(), Type.Null()]),
  inForce: Type.Boolean(),
  note: Type.String(),
  declaredAt: Type.String(),
  liftedAt: Type.Union([Type.String(), Type.Null()]),
});

const RiskAreaChangeSchema = Type.Object({
  riskArea: RiskAreaSchema,
  residentsToReassess: Type.Number({
    description: 'residents with stays there; reassessed in the background, their codes are right at once',
  }),
});

const PolicyViewSchema = Type.Object({
  version: Type.String(),
  effectiveFrom: Type.String(),
  publishedAt: Type.String(),
  status: Type.Union([
    Type.Literal('in_force'),
    Type.Literal('scheduled'),
    Type.Literal('superseded'),
    Type.Literal('withdrawn'),
  ]),
  withdrawnAt: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  rules: Type.Number(),
  policy: Type.Unknown(),
});

const Counts = {
  total: Type.Number(),
  byDirection: Type.Record(Type.String(), Type.Number(), { description: 'e.g. "green→yellow": 12' }),
};

const PolicyBody = Type.Object(
  {
    policy: Type.Object(
      {},
      {
        additionalProperties: true,
        description:
          'the policy document (version, effectiveFrom, rules, retention), checked in full on arrival',
      },
    ),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

const CountyColours = Type.Object({
  divisionCode: Type.String(),
  divisionName: Type.String(),
  green: Type.Number(),
  yellow: Type.Number(),
  red: Type.Number(),
});

export function epidemicRoutes(app: FastifyInstance, p: Platform): void {
  void app.register((scope, _opts, done) => {
    // Import files arrive as a raw stream and are spooled to disk as they come: memory stays flat.
    scope.addContentTypeParser(IMPORT_CONTENT_TYPES, (_request, payload, next) => {
      next(null, payload);
    });
    scope.post<{ Querystring: Static<typeof ImportQuery>; Body: Readable }>(
      '/api/v1/imports',
      {
        bodyLimit: MAX_IMPORT_BYTES,
        schema: {
          operationId: 'importRecords',
          tags: ['epidemic data'],
          summary: 'Import a file of epidemic records (district officer, admin)',
          description:
            'Send the file as the body: CSV (`text/csv`, header per kind, see docs/imports.md) or JSON Lines (`application/x-ndjson`). The upload is streamed to disk and processed in the background: the answer is 202 with the import id; poll getImportStatus. Rows already imported (same kind and sourceId) change nothing; invalid rows are reported by line. With strict=true nothing is written unless every row is valid.',
          security: bearerSecurity,
          querystring: ImportQuery,
          consumes: IMPORT_CONTENT_TYPES,
          // For the OpenAPI document only (see app.ts): Fastify must not validate the stream.
          ...({
            'x-file-body': Type.String({
              description: 'the file: CSV with the kind’s header, or JSON Lines (docs/imports.md)',
            }),
          } as Record<string, unknown>),
          response: { 202: ImportStatusSchema, ...errorResponses(400, 401, 403, 413, 415) },
        },
      },
      async (request, reply) => {
        const staff = authorize(await principalOf(p, request), 'importRecords');
        if (typeof (request.body as Partial<Readable> | null)?.pipe !== 'function') {
          throw new AppError(
            'unsupported_media_type',
            `Send the file itself as the body, with content-type ${IMPORT_CONTENT_TYPES.slice(0, 2).join(' or ')}.`,
          );
        }
        const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        const format = request.query.format ?? (type === 'text/csv' ? 'csv' : 'jsonl');
        const length = Number(request.headers['content-length']);
        const options: ImportOptions = {
          kind: request.query.kind,
          format,
          strict: request.query.strict === 'true',
          fileName: request.query.fileName ?? `upload.${format}`,
          bytesTotal: Number.isFinite(length) ? length : null,
          createdBy: staff.staffId,
          jurisdiction: request.query.division ?? staff.divisionCode,
        };
        // Refused before anything is stored: the import record itself is part of the jurisdiction.
        if (!jurisdictionCovers(staff.divisionCode, options.jurisdiction)) {
          throw new AppError(
            'out_of_jurisdiction',
            `Division ${options.jurisdiction} is outside your jurisdiction.`,
          );
        }
        return reply.code(202).send(await importUpload(p, request.body, options));
      },
    );
    done();
  });

  app.get<{ Params: { importId: string }; Querystring: { errors?: string } }>(
    '/api/v1/imports/:importId',
    {
      schema: {
        operationId: 'getImportStatus',
        tags: ['epidemic data'],
        summary: 'Progress and result of an import, with its first invalid rows',
        security: bearerSecurity,
        params: Type.Object({ importId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object(
          { errors: Type.Optional(QueryInteger('invalid rows to return, 0–1000, default 100')) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Intersect([
            ImportStatusSchema,
            Type.Object({
              errors: Type.Array(
                Type.Object({
                  line: Type.Number(),
                  field: Type.String(),
                  code: Type.String(),
                  message: Type.String(),
                }),
              ),
            }),
          ]),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const staff = authorize(await principalOf(p, request), 'getImportStatus');
      return getImportStatus(
        p,
        staff.divisionCode,
        request.params.importId,
        queryInteger(request.query.errors, 'errors', 0, 1000) ?? 100,
      );
    },
  );

  app.get<{ Querystring: { limit?: string } }>(
    '/api/v1/imports',
    {
      schema: {
        operationId: 'listImports',
        tags: ['epidemic data'],
        summary: 'Recent imports, newest first',
        security: bearerSecurity,
        querystring: Type.Object(
          { limit: Type.Optional(QueryInteger('1–500, default 50')) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ imports: Type.Array(ImportStatusSchema) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const staff = authorize(await principalOf(p, request), 'listImports');
      return {
        imports: await listImports(
          p,
          staff.divisionCode,
          queryInteger(request.query.limit, 'limit', 1, 500) ?? 50,
        ),
      };
    },
  );

  const DeclareBody = Type.Object(
    {
      divisionCode: Type.String({ pattern: '^\\d{6}$' }),
      subArea: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
      level: Type.Union([Type.Literal('high'), Type.Literal('medium')]),
      from: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
      note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    },
    { additionalProperties: false },
  );
  app.post<{ Body: Static<typeof DeclareBody> }>(
    '/api/v1/risk-areas',
    {
      schema: {
        operationId: 'declareRiskArea',
        tags: ['epidemic data'],
        summary: 'Declare a division (or a named sub-area of it) high or medium risk (provincial admin)',
        description:
          'Residents who stayed there while the area is in force change colour at once; the history is kept.',
        security: bearerSecurity,
        body: DeclareBody,
        response: { 201: RiskAreaChangeSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const change = await declareRiskArea(p, await principalOf(p, request), request.body);
      return reply
        .code(201)
        .send({ riskArea: change.riskArea, residentsToReassess: change.residentsToReassess });
    },
  );

  const LiftBody = Type.Object(
    {
      at: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
      note: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    },
    { additionalProperties: false },
  );
  app.post<{ Params: { riskAreaId: string }; Body: Static<typeof LiftBody> }>(
    '/api/v1/risk-areas/:riskAreaId/lift',
    {
      schema: {
        operationId: 'liftRiskArea',
        tags: ['epidemic data'],
        summary: 'Lift a risk area from a time (default now) (provincial admin)',
        security: bearerSecurity,
        params: Type.Object({ riskAreaId: Type.String({ maxLength: 64 }) }),
        body: LiftBody,
        response: { 200: RiskAreaChangeSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const change = await liftRiskArea(
        p,
        await principalOf(p, request),
        request.params.riskAreaId,
        request.body,
      );
      return { riskArea: change.riskArea, residentsToReassess: change.residentsToReassess };
    },
  );

  app.get<{ Querystring: { inForce?: 'true' | 'false'; divisionCode?: string } }>(
    '/api/v1/risk-areas',
    {
      schema: {
        operationId: 'listRiskAreas',
        tags: ['epidemic data'],
        summary: 'Risk areas with their history (staff)',
        security: bearerSecurity,
        querystring: Type.Object(
          {
            inForce: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
            divisionCode: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ riskAreas: Type.Array(RiskAreaSchema) }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({
      riskAreas: await listRiskAreas(p, await principalOf(p, request), {
        inForce: request.query.inForce === 'true',
        ...(request.query.divisionCode === undefined ? {} : { divisionCode: request.query.divisionCode }),
      }),
    }),
  );

  app.post<{ Body: Static<typeof PolicyBody> }>(
    '/api/v1/policies/preview',
    {
      schema: {
        operationId: 'previewPolicy',
        tags: ['policies'],
        summary:
          'How many residents a policy would change, in which direction, per county (provincial admin)',
        description:
          'Validates the policy (issues point at the faulty rule, e.g. policy.rules.3.when) and evaluates every resident under it.',
        security: bearerSecurity,
        body: PolicyBody,
        response: {
          200: Type.Object({
            version: Type.String(),
            at: Type.String(),
            residents: Type.Number(),
            changes: Type.Object(Counts),
            byCounty: Type.Array(
              Type.Object({ divisionCode: Type.String(), divisionName: Type.String(), ...Counts }),
            ),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => previewPolicy(p, await principalOf(p, request), request.body.policy),
  );

  app.post<{ Body: Static<typeof PolicyBody> }>(
    '/api/v1/policies',
    {
      schema: {
        operationId: 'publishPolicy',
        tags: ['policies'],
        summary: 'Publish a new policy version with its effective time (provincial admin)',
        description:
          'In force from its effectiveFrom; every resident is then reassessed, each change recorded as a colour event.',
        security: bearerSecurity,
        body: PolicyBody,
        response: { 201: PolicyViewSchema, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const change = await publishPolicy(p, await principalOf(p, request), request.body);
      return reply.code(201).send(change.policy);
    },
  );

  app.post<{ Params: { version: string }; Body: { note?: string } }>(
    '/api/v1/policies/:version/rollback',
    {
      schema: {
        operationId: 'rollbackPolicy',
        tags: ['policies'],
        summary: 'Roll back to an earlier version; later versions are withdrawn (provincial admin)',
        security: bearerSecurity,
        params: Type.Object({ version: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          { note: Type.Optional(Type.String({ maxLength: 1000 })) },
          { additionalProperties: false },
        ),
        response: { 200: PolicyViewSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      (await rollbackPolicy(p, await principalOf(p, request), request.params.version, request.body)).policy,
  );

  app.get(
    '/api/v1/policies',
    {
      schema: {
        operationId: 'listPolicies',
        tags: ['policies'],
        summary: 'Every published policy version with its status (staff)',
        security: bearerSecurity,
        response: {
          200: Type.Object({ policies: Type.Array(PolicyViewSchema) }),
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ policies: await listPolicies(p, await principalOf(p, request)) }),
  );

  app.get<{ Querystring: { divisionCode?: string; from?: string; to?: string } }>(
    '/api/v1/statistics/colours',
    {
      schema: {
        operationId: 'getColourStatistics',
        tags: ['statistics'],
        summary: 'Residents by colour per county, now and per day (district officer, admin)',
        security: bearerSecurity,
        querystring: Type.Object(
          {
            divisionCode: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
            from: Type.Optional(DateText),
            to: Type.Optional(DateText),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            at: Type.String(),
            now: Type.Array(CountyColours),
            days: Type.Array(Type.Object({ day: Type.String(), counties: Type.Array(CountyColours) })),
          }),
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => getColourStatistics(p, await principalOf(p, request), request.query),
  );
}
