import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  PolicyBody,
  PolicyList,
  PolicyParams,
  PolicyPreview,
  PolicyView,
  RollbackBody,
} from '../../../contracts/epidemic.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { listPolicies, previewPolicy, publishPolicy, rollbackPolicy } from '../../../use-cases/policies.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** Colour policies (P2): preview a candidate, publish it, roll back, list the versions. */
export function policyRoutes(app: FastifyInstance, p: Platform): void {
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
          200: PolicyPreview,
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
        response: { 201: PolicyView, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const change = await publishPolicy(p, await principalOf(p, request), request.body);
      return reply.code(201).send(change.policy);
    },
  );

  app.post<{ Params: Static<typeof PolicyParams>; Body: Static<typeof RollbackBody> }>(
    '/api/v1/policies/:version/rollback',
    {
      schema: {
        operationId: 'rollbackPolicy',
        tags: ['policies'],
        summary: 'Roll back to an earlier version; later versions are withdrawn (provincial admin)',
        security: bearerSecurity,
        params: PolicyParams,
        body: RollbackBody,
        response: { 200: PolicyView, ...errorResponses(400, 401, 403, 404, 409) },
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
          200: PolicyList,
          ...errorResponses(401, 403),
        },
      },
    },
    async (request) => ({ policies: await listPolicies(p, await principalOf(p, request)) }),
  );
}
