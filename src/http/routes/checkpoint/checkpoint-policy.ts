import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { getCheckpointPolicy, publishCheckpointPolicy } from '../../../use-cases/checkpoint.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** The checkpoint policy (S12): which checks each venue kind performs. */
export function checkpointPolicyRoutes(app: FastifyInstance, p: Platform): void {
  app.get(
    '/api/v1/checkpoint-policy',
    {
      schema: {
        operationId: 'getCheckpointPolicy',
        tags: ['checkpoint'],
        summary: 'The checkpoint policy in force: which checks each venue kind performs (S12)',
        security: bearerSecurity,
        response: { 200: Type.Ref('CheckpointPolicy'), ...errorResponses(401, 403) },
      },
    },
    async (request) => getCheckpointPolicy(p, await principalOf(p, request)),
  );

  app.put<{ Body: unknown }>(
    '/api/v1/checkpoint-policy',
    {
      schema: {
        operationId: 'publishCheckpointPolicy',
        tags: ['admin'],
        summary: 'Publish a new checkpoint policy version (provincial admin)',
        description: 'A rule for every venue kind; in force from effectiveFrom on every node within seconds.',
        security: bearerSecurity,
        body: Type.Object({}, { additionalProperties: true, description: 'a CheckpointPolicy document' }),
        response: { 200: Type.Ref('CheckpointPolicy'), ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => publishCheckpointPolicy(p, await principalOf(p, request), request.body),
  );
}
