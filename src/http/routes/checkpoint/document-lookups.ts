import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { LookupBody, LookupResult } from '../../../contracts/checkpoint.ts';
import { lookupByDocument } from '../../../use-cases/no-code-lane.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** The no-code lane: a person with neither phone nor paper code shows their ID document. */
export function documentLookupRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof LookupBody> }>(
    '/api/v1/document-lookups',
    {
      config: { durableWrites: true },
      schema: {
        operationId: 'lookupByDocument',
        tags: ['checkpoint'],
        summary: 'The no-code lane: the colour now and the masked name of an ID document’s holder',
        description:
          'Nothing else about the person. Limited per staff account to `services.documentLookupsPerHour` of the published policy (default 120): beyond it 429 rate_limited with Retry-After. Each lookup is audited and shown in the person’s access log. A document number that fails its check digit is 400 and does not count. The answer carries a 5-minute code to record the check with recordCheckpointCheck, like a scanned one. Online only.',
        security: bearerSecurity,
        body: LookupBody,
        response: { 200: LookupResult, ...errorResponses(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request) => lookupByDocument(p, await principalOf(p, request), request.body),
  );
}
