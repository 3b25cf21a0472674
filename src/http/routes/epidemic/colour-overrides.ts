import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EmptyBody } from '../../../contracts/common.ts';
import {
  ColourOverride,
  OverrideApproved,
  OverrideBody,
  OverrideList,
  OverrideParams,
  OverridesQuery,
} from '../../../contracts/overrides-complaints.ts';
import {
  approveColourOverride,
  listColourOverrides,
  requestColourOverride,
} from '../../../use-cases/overrides.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { emptyBodyAllowed, errorResponses } from '../../route-helpers.ts';

/** Colour overrides (issue 10 item 4, P4): one officer requests, a second approves, it ends by itself. */
export function colourOverrideRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof OverrideBody> }>(
    '/api/v1/colour-overrides',
    {
      schema: {
        operationId: 'requestColourOverride',
        tags: ['officer'],
        summary:
          'Request an override of a resident’s colour, with a reason and an end (district officer, admin)',
        description:
          'The resident must live in the officer’s jurisdiction. The override has no effect until a second officer approves it (approveColourOverride). `endsAt` must be after now and at most 14 days away (400 override_too_long otherwise); at that time the override ends by itself and the rules decide the colour again.',
        security: bearerSecurity,
        body: OverrideBody,
        response: { 201: ColourOverride, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const created = await requestColourOverride(p, await principalOf(p, request), request.body);
      return reply.code(201).send(created);
    },
  );

  app.post<{ Params: Static<typeof OverrideParams>; Body: Static<typeof EmptyBody> }>(
    '/api/v1/colour-overrides/:overrideId/approval',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        operationId: 'approveColourOverride',
        tags: ['officer'],
        summary: 'Approve a colour override as the second officer; it is in force at once until its end',
        description:
          'Not by the officer who requested it (403 override_self_approval); inside the approver’s jurisdiction. The resident’s colour is recomputed at once; the resident sees the override and its reason among the reasons of their code.',
        security: bearerSecurity,
        params: OverrideParams,
        body: EmptyBody,
        response: { 200: OverrideApproved, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => approveColourOverride(p, await principalOf(p, request), request.params.overrideId),
  );

  app.get<{ Querystring: Static<typeof OverridesQuery> }>(
    '/api/v1/colour-overrides',
    {
      schema: {
        operationId: 'listColourOverrides',
        tags: ['officer'],
        summary: 'Colour overrides of residents in your jurisdiction, newest first (district officer, admin)',
        description:
          '`status=pending`: the requests waiting for a second officer’s approval (approveColourOverride). No name or document: the override, its reason, times and staff ids.',
        security: bearerSecurity,
        querystring: OverridesQuery,
        response: { 200: OverrideList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => listColourOverrides(p, await principalOf(p, request), request.query),
  );
}
