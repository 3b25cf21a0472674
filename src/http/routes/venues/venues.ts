import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EmptyBody } from '../../../contracts/common.ts';
import {
  MAX_VENUES_PAGE,
  StaffAdded,
  StaffBody,
  StaffParams,
  VenueBody,
  VenuePage,
  VenueParams,
  VenuesQuery,
} from '../../../contracts/venues.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import {
  addVenueStaff,
  approveVenue,
  listVenues,
  registerVenue,
  removeVenueStaff,
} from '../../../use-cases/venues.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { emptyBodyAllowed, errorResponses, queryInteger } from '../../route-helpers.ts';

/** Venues (S4, S5): registration, approval by the area's officer, listing, the venue's staff. */
export function venueRoutes(app: FastifyInstance, p: Platform): void {
  const venueRef = Type.Ref('Venue');

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
          200: VenuePage,
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
          201: StaffAdded,
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
}
