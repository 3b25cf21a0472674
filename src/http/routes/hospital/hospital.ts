import type { FastifyInstance } from 'fastify';
import {
  CardReadBody,
  FeverClinicVisit,
  FeverClinicVisitBody,
  HealthCard,
  type CardReadInput,
  type FeverClinicVisitInput,
} from '../../../contracts/hospital.ts';
import { hospitalReadCard, recordFeverClinicVisit } from '../../../use-cases/hospital.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** Hospitals (issue 11, S17): the code as the electronic health card, and fever-clinic visits. */
export function hospitalRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: CardReadInput }>(
    '/api/v1/hospital/card-reads',
    {
      schema: {
        operationId: 'hospitalReadCard',
        tags: ['hospital'],
        summary: 'Read a scanned code as the electronic health card for contactless registration',
        description:
          'Name, document type and number, mobile and health-card id of the code’s holder, and the colour now — to staff of an approved hospital venue only. Every read is in the audit log and in the resident’s access log. A code that does not verify is 400 health_code_invalid with the reason.',
        security: bearerSecurity,
        body: CardReadBody,
        response: { 200: HealthCard, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => hospitalReadCard(p, await principalOf(p, request), request.body),
  );

  app.post<{ Body: FeverClinicVisitInput }>(
    '/api/v1/hospital/fever-clinic-visits',
    {
      config: { durableWrites: true },
      schema: {
        operationId: 'recordFeverClinicVisit',
        tags: ['hospital'],
        summary: 'Record a fever-clinic visit of the code’s holder; the colour follows at once',
        description:
          'Adds the feverClinic fact (source hospital) from `visitedAt` (default now, at most 7 days ago) and recomputes the colour in the same transaction: yellow under the default policy. Idempotent by `clientVisitId`: sent again for the same person it records nothing new (duplicate: true); for another person it is 409 client_visit_id_reused. Audited; in the resident’s access log.',
        security: bearerSecurity,
        body: FeverClinicVisitBody,
        response: { 200: FeverClinicVisit, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => recordFeverClinicVisit(p, await principalOf(p, request), request.body),
  );
}
