import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  AuditLogPage,
  AuditLogQuery,
  ResidentLookupAnswer,
  ResidentLookupBody,
} from '../../../contracts/staff.ts';
import { listAuditLog, lookupResident } from '../../../use-cases/audit-access.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses, instantQuery, queryInteger } from '../../route-helpers.ts';

/** The audit log for auditors and admins, and officers' resident lookups (issue 10, P3). */
export function auditLogRoutes(app: FastifyInstance, p: Platform): void {
  app.get<{ Querystring: Static<typeof AuditLogQuery> }>(
    '/api/v1/audit-log',
    {
      schema: {
        operationId: 'listAuditLog',
        tags: ['audit'],
        summary: 'The audit log, oldest first, by time and action: nothing personal',
        description:
          'Paged by id (after = the nextAfter of the previous page). Residents appear as opaque record ids; the detail keeps ids, codes, counts and flags only — no names, documents, mobiles or free text.',
        security: bearerSecurity,
        querystring: AuditLogQuery,
        response: { 200: AuditLogPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const from = instantQuery(q.from, 'from');
      const to = instantQuery(q.to, 'to');
      const after = queryInteger(q.after, 'after', 0, Number.MAX_SAFE_INTEGER);
      const limit = queryInteger(q.limit, 'limit', 1, 500);
      return listAuditLog(p, await principalOf(p, request), {
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(after === undefined ? {} : { after }),
        ...(limit === undefined ? {} : { limit }),
      });
    },
  );

  app.post<{ Body: Static<typeof ResidentLookupBody> }>(
    '/api/v1/resident-lookups',
    {
      schema: {
        operationId: 'lookupResident',
        tags: ['audit'],
        summary: 'Look a resident of your jurisdiction up by document or mobile, with a reason',
        description:
          'The lookup is written to the audit log before the answer is sent, and the resident sees it (your role, office and reason) in their access log. Outside your jurisdiction: 404 resident_not_found.',
        security: bearerSecurity,
        body: ResidentLookupBody,
        response: { 200: ResidentLookupAnswer, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => lookupResident(p, await principalOf(p, request), request.body),
  );
}
