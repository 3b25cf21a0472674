import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  ComplaintBody,
  ComplaintFiled,
  ComplaintPage,
  ComplaintsQuery,
  MAX_COMPLAINTS_PAGE,
} from '../../../contracts/overrides-complaints.ts';
import { fileVenueComplaint, listVenueComplaints } from '../../../use-cases/complaints.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses, queryInteger } from '../../route-helpers.ts';

/** Venue complaints (S16, issue 10 item 5): residents file them, the venue's district reads them. */
export function complaintRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof ComplaintBody> }>(
    '/api/v1/venue-complaints',
    {
      schema: {
        operationId: 'fileVenueComplaint',
        tags: ['resident'],
        summary: 'Complain about a venue: does not check, records health information, turns green away (S16)',
        description:
          'The venue is the `venue.id` of a place-code scan. The complaint goes to the officers of the venue’s district. An unknown venue is 404 venue_not_found.',
        security: bearerSecurity,
        body: ComplaintBody,
        response: { 201: ComplaintFiled, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const filed = await fileVenueComplaint(p, await principalOf(p, request), request.body);
      return reply.code(201).send(filed);
    },
  );

  app.get<{ Querystring: Static<typeof ComplaintsQuery> }>(
    '/api/v1/venue-complaints',
    {
      schema: {
        operationId: 'listVenueComplaints',
        tags: ['officer'],
        summary: 'Complaints about venues of the jurisdiction, newest first, with each venue’s flag (S16)',
        description:
          'A venue with more complaints in 30 days than services.venueComplaintsFlag of the policy in force is flagged.',
        security: bearerSecurity,
        querystring: ComplaintsQuery,
        response: { 200: ComplaintPage, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      listVenueComplaints(p, await principalOf(p, request), {
        venueId: queryInteger(request.query.venueId, 'venueId', 1, Number.MAX_SAFE_INTEGER),
        before: request.query.before,
        limit: queryInteger(request.query.limit, 'limit', 1, MAX_COMPLAINTS_PAGE),
      }),
  );
}
