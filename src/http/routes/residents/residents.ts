import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  AccessLog,
  AccessLogQuery,
  ApplicationBody,
  ApplicationView,
  CodeImageQuery,
  DataAccessList,
  MyCode,
} from '../../../contracts/residents.ts';
import { listMyDataAccess } from '../../../use-cases/data-access.ts';
import { getMyAccessLog } from '../../../use-cases/audit-access.ts';
import { applicationView, getMyApplication, submitApplication } from '../../../use-cases/application.ts';
import { getMyCode, getMyCodeImage } from '../../../use-cases/health-code.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf, residentOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

export function residentRoutes(app: FastifyInstance, p: Platform): void {
  app.put<{ Body: Static<typeof ApplicationBody> }>(
    '/api/v1/me/application',
    {
      schema: {
        operationId: 'submitApplication',
        tags: ['resident'],
        summary: 'Apply for a health pass code, or update the application (S1)',
        description:
          'Seven items and the pledge. One person, one record: the same document again updates it; the same document from another number is refused (document_taken).',
        security: bearerSecurity,
        body: ApplicationBody,
        response: { 200: ApplicationView, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => {
      const me = await residentOf(p, request);
      return applicationView(await submitApplication(p, me.accountId, request.body));
    },
  );

  app.get(
    '/api/v1/me/application',
    {
      schema: {
        operationId: 'getMyApplication',
        tags: ['resident'],
        summary: 'The signed-in resident’s application',
        security: bearerSecurity,
        response: { 200: ApplicationView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => applicationView(await getMyApplication(p, (await residentOf(p, request)).accountId)),
  );

  app.get(
    '/api/v1/me/code',
    {
      schema: {
        operationId: 'getMyCode',
        tags: ['resident'],
        summary: 'The current health pass code: QR text, colour now, reasons and until (P1, P2)',
        description:
          'A new code every minute, each valid 5 minutes. Draw the QR from `code` on the device, or fetch getMyCodeImage.',
        security: bearerSecurity,
        response: { 200: MyCode, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const code = await getMyCode(p, (await residentOf(p, request)).accountId);
      void reply.header('cache-control', 'no-store');
      return code;
    },
  );

  app.get<{ Querystring: Static<typeof CodeImageQuery> }>(
    '/api/v1/me/code/image',
    {
      schema: {
        operationId: 'getMyCodeImage',
        tags: ['resident'],
        summary: 'The current code as a QR image (PNG or SVG)',
        security: bearerSecurity,
        querystring: CodeImageQuery,
        produces: ['image/png', 'image/svg+xml'],
        response: { ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const me = await residentOf(p, request);
      const image = await getMyCodeImage(p, me.accountId, request.query.format ?? 'png');
      return reply.header('cache-control', 'no-store').type(image.contentType).send(image.body);
    },
  );

  app.get(
    '/api/v1/me/data-access',
    {
      schema: {
        operationId: 'listMyDataAccess',
        tags: ['resident'],
        summary: 'Who read or changed your record, and when: your access log (P3)',
        description:
          'Newest first, at most 500 entries: staff lookups at the no-code lane, officers’ facts, a family member’s proxy viewing your code, paper codes printed. Staff appear by role and district.',
        security: bearerSecurity,
        response: { 200: DataAccessList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => listMyDataAccess(p, await principalOf(p, request)),
  );

  app.get<{ Querystring: Static<typeof AccessLogQuery> }>(
    '/api/v1/me/access-log',
    {
      schema: {
        operationId: 'getMyAccessLog',
        tags: ['resident'],
        summary: 'Who saw my data: every read of your personal data, newest first (P3)',
        description:
          'Checkpoint checks of your code (venue, time, outcome), staff lookups (role, office, reason), a proxy viewing your code, paper codes printed, and the other audited actions on your record. A proxy reads a family member’s log with memberId. listMyDataAccess is the older, audit-only view.',
        security: bearerSecurity,
        querystring: AccessLogQuery,
        response: { 200: AccessLog, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getMyAccessLog(p, await principalOf(p, request), request.query.memberId),
  );
}
