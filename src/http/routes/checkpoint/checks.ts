import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  CheckBody,
  CheckList,
  CheckResult,
  ChecksQuery,
  Verification,
  VerifyBody,
} from '../../../contracts/checkpoint.ts';
import { VenueParams } from '../../../contracts/venues.ts';
import { listVenueChecks, recordCheckpointCheck, verifyCode } from '../../../use-cases/checkpoint.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** The checkpoint: verify a scanned code (S11), record the check at the door (S6, S12), the log. */
export function checkRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/api/v1/verifications',
    {
      config: { durableWrites: true },
      schema: {
        operationId: 'verifyCode',
        tags: ['checkpoint'],
        summary: 'Verify a scanned code (S11, S18, P1)',
        description:
          'Answers valid, or exactly why not; the colour now (it wins over the colour at issue) and the masked name, nothing else about the holder. Each verification is recorded. An invalid code is a 200 with valid=false: the request itself succeeded.',
        security: bearerSecurity,
        body: VerifyBody,
        response: { 200: Verification, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => verifyCode(p, await principalOf(p, request), request.body.code),
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
          200: CheckList,
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
}
