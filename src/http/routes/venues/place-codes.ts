import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EmptyBody } from '../../../contracts/common.ts';
import {
  PlaceCode,
  PlaceCodeQuery,
  PlaceCodeRevoked,
  PlaceScan,
  ScanBody,
  VenueParams,
  VisitList,
  VisitsQuery,
} from '../../../contracts/venues.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import {
  getPlaceCode,
  getPlaceCodeImage,
  getPlacePoster,
  listVenueVisits,
  revokePlaceCode,
  scanPlaceCode,
} from '../../../use-cases/venues.ts';
import { bearerSecurity, principalOf, residentOf } from '../../auth.ts';
import { emptyBodyAllowed, errorResponses } from '../../route-helpers.ts';

/** Place codes (S4): the venue's code and poster, revoking it, residents' scans, and who visited. */
export function placeCodeRoutes(app: FastifyInstance, p: Platform): void {
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
          200: PlaceCode,
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
          200: PlaceCodeRevoked,
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
          201: PlaceScan,
          ...errorResponses(400, 401, 403, 404, 409, 410),
        },
      },
    },
    async (request, reply) => {
      const scan = await scanPlaceCode(p, await residentOf(p, request), request.body.placeCode);
      return reply.code(201).header('cache-control', 'no-store').send(scan);
    },
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
          200: VisitList,
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
}
