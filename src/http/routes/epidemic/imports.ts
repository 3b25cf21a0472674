import type { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  IMPORT_CONTENT_TYPES,
  ImportDetail,
  ImportList,
  ImportListQuery,
  ImportParams,
  ImportQuery,
  ImportStatus,
  ImportStatusQuery,
} from '../../../contracts/epidemic.ts';
import { jurisdictionCovers } from '../../../domain/jurisdiction.ts';
import { authorize } from '../../../use-cases/access.ts';
import { AppError } from '../../../use-cases/errors.ts';
import {
  MAX_IMPORT_BYTES,
  getImportStatus,
  importUpload,
  listImports,
  type ImportOptions,
} from '../../../use-cases/imports.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses, queryInteger } from '../../route-helpers.ts';

/** Imports of epidemic records (S8–S10): upload a file, follow its progress, list recent ones. */
export function importRoutes(app: FastifyInstance, p: Platform): void {
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
          response: { 202: ImportStatus, ...errorResponses(400, 401, 403, 413, 415) },
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
        if (!jurisdictionCovers(staff.divisionCodes, options.jurisdiction)) {
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

  app.get<{ Params: Static<typeof ImportParams>; Querystring: Static<typeof ImportStatusQuery> }>(
    '/api/v1/imports/:importId',
    {
      schema: {
        operationId: 'getImportStatus',
        tags: ['epidemic data'],
        summary: 'Progress and result of an import, with its first invalid rows',
        security: bearerSecurity,
        params: ImportParams,
        querystring: ImportStatusQuery,
        response: {
          200: ImportDetail,
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const staff = authorize(await principalOf(p, request), 'getImportStatus');
      return getImportStatus(
        p,
        staff.divisionCodes,
        request.params.importId,
        queryInteger(request.query.errors, 'errors', 0, 1000) ?? 100,
      );
    },
  );

  app.get<{ Querystring: Static<typeof ImportListQuery> }>(
    '/api/v1/imports',
    {
      schema: {
        operationId: 'listImports',
        tags: ['epidemic data'],
        summary: 'Recent imports, newest first',
        security: bearerSecurity,
        querystring: ImportListQuery,
        response: {
          200: ImportList,
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => {
      const staff = authorize(await principalOf(p, request), 'listImports');
      return {
        imports: await listImports(
          p,
          staff.divisionCodes,
          queryInteger(request.query.limit, 'limit', 1, 500) ?? 50,
        ),
      };
    },
  );
}
