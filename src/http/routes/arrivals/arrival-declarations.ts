import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  ArrivalDeclarationBody,
  ArrivalDeclarationList,
  ArrivalDeclarationResult,
} from '../../../contracts/arrivals.ts';
import { listMyArrivalDeclarations, submitArrivalDeclaration } from '../../../use-cases/arrivals.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** Arrival declarations (S8 来鲁申报, S9 overseas arrivals after quarantine). */
export function arrivalDeclarationRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof ArrivalDeclarationBody> }>(
    '/api/v1/me/arrival-declarations',
    {
      schema: {
        operationId: 'submitArrivalDeclaration',
        tags: ['resident'],
        summary: 'Declare an arrival from another province or from abroad; the code follows at once (S8, S9)',
        description:
          'Domestic: origin division, departure and arrival days, transport with its number, companions (family members whose codes you hold are declared too), the home province’s code colour. The colour follows the policy: from a high-risk area red; from a medium-risk area yellow for 14 days of home isolation after arrival; a yellow or red home code is kept for 14 days; otherwise green. Overseas: accepted only once the quarantine and nucleic-acid test records imported under each person’s document show the quarantine over and a negative test since it began; before that 409 arrival_not_yet_allowed, with the day from which it can be made when the records say it. Apply first (404 application_required). Nothing is stored unless the declaration is accepted for everyone in it.',
        security: bearerSecurity,
        body: ArrivalDeclarationBody,
        response: { 201: ArrivalDeclarationResult, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await submitArrivalDeclaration(p, await principalOf(p, request), request.body);
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/api/v1/me/arrival-declarations',
    {
      schema: {
        operationId: 'listMyArrivalDeclarations',
        tags: ['resident'],
        summary: 'Your arrival declarations and those you made for family members, newest first',
        security: bearerSecurity,
        response: { 200: ArrivalDeclarationList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => listMyArrivalDeclarations(p, await principalOf(p, request)),
  );
}
