import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AddFactBody, EndFactBody, FactAdded, FactEnded, FactIdParams } from '../../../contracts/epidemic.ts';
import { addResidentFact, endResidentFact } from '../../../use-cases/facts.ts';
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

  app.post<{ Params: Static<typeof FactIdParams>; Body: Static<typeof EndFactBody> }>(
    '/api/v1/facts/:factId/end',
    {
      schema: {
        operationId: 'endResidentFact',
        tags: ['officer'],
        summary: 'End a fact, or withdraw one recorded in error (district officer, admin)',
        description:
          'Works for facts recorded by officers and by imports; the resident must live in the officer’s jurisdiction. `to` (default now) is when the fact ended: a confirmed case ends at discharge. With `recordedInError: true` the fact counts for nothing. A later correction of the same fact replaces the earlier one; each is audited with its reason. A discharge fact (recorded or imported) ends any open confirmed, suspected or asymptomatic fact by itself. The colour is recomputed at once.',
        security: bearerSecurity,
        params: FactIdParams,
        body: EndFactBody,
        response: {
          200: FactEnded,
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      endResidentFact(p, await principalOf(p, request), {
        factId: request.params.factId,
        documentType: request.body.documentType,
        documentNumber: request.body.documentNumber,
        to: request.body.to,
        recordedInError: request.body.recordedInError,
        reason: request.body.reason,
      }),
  );
}
