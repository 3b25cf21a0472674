import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AddFactBody, FactAdded } from '../../../contracts/epidemic.ts';
import { addResidentFact } from '../../../use-cases/facts.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** One epidemic fact for one resident, by an officer of the resident's area (S10, P3). */
export function factRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof AddFactBody> }>(
    '/api/v1/facts',
    {
      schema: {
        operationId: 'addResidentFact',
        tags: ['officer'],
        summary: 'Record one epidemic fact for one resident (district officer, admin)',
        description:
          'The resident must live in the officer’s jurisdiction. The colour is recomputed at once.',
        security: bearerSecurity,
        body: AddFactBody,
        response: {
          201: FactAdded,
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const added = await addResidentFact(p, await principalOf(p, request), {
        documentType: request.body.documentType,
        documentNumber: request.body.documentNumber,
        fact: request.body.fact,
      });
      return reply.code(201).send(added);
    },
  );
}
