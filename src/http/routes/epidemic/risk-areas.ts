import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  DeclareRiskAreaBody,
  LiftRiskAreaBody,
  RiskAreaChange,
  RiskAreaList,
  RiskAreaParams,
  RiskAreasQuery,
} from '../../../contracts/epidemic.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { declareRiskArea, liftRiskArea, listRiskAreas } from '../../../use-cases/risk-areas.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** Risk areas (S2): declare a division or sub-area high or medium risk, lift it, list them. */
export function riskAreaRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof DeclareRiskAreaBody> }>(
    '/api/v1/risk-areas',
    {
      schema: {
        operationId: 'declareRiskArea',
        tags: ['epidemic data'],
        summary: 'Declare a division (or a named sub-area of it) high or medium risk (provincial admin)',
        description:
          'Residents who stayed there while the area is in force change colour at once; the history is kept.',
        security: bearerSecurity,
        body: DeclareRiskAreaBody,
        response: { 201: RiskAreaChange, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const change = await declareRiskArea(p, await principalOf(p, request), request.body);
      return reply
        .code(201)
        .send({ riskArea: change.riskArea, residentsToReassess: change.residentsToReassess });
    },
  );

  app.post<{ Params: Static<typeof RiskAreaParams>; Body: Static<typeof LiftRiskAreaBody> }>(
    '/api/v1/risk-areas/:riskAreaId/lift',
    {
      schema: {
        operationId: 'liftRiskArea',
        tags: ['epidemic data'],
        summary: 'Lift a risk area from a time (default now) (provincial admin)',
        security: bearerSecurity,
        params: RiskAreaParams,
        body: LiftRiskAreaBody,
        response: { 200: RiskAreaChange, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const change = await liftRiskArea(
        p,
        await principalOf(p, request),
        request.params.riskAreaId,
        request.body,
      );
      return { riskArea: change.riskArea, residentsToReassess: change.residentsToReassess };
    },
  );

  app.get<{ Querystring: Static<typeof RiskAreasQuery> }>(
    '/api/v1/risk-areas',
    {
      schema: {
        operationId: 'listRiskAreas',
        tags: ['epidemic data'],
        summary: 'Risk areas with their history (staff)',
        security: bearerSecurity,
        querystring: RiskAreasQuery,
        response: {
          200: RiskAreaList,
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => ({
      riskAreas: await listRiskAreas(p, await principalOf(p, request), {
        inForce: request.query.inForce === 'true',
        ...(request.query.divisionCode === undefined ? {} : { divisionCode: request.query.divisionCode }),
      }),
    }),
  );
}
