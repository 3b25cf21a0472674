import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ColourStatistics, StatisticsQuery } from '../../../contracts/epidemic.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { getColourStatistics } from '../../../use-cases/statistics.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** Residents by colour per county, now and per day (district officers, admins). */
export function statisticsRoutes(app: FastifyInstance, p: Platform): void {
  app.get<{ Querystring: Static<typeof StatisticsQuery> }>(
    '/api/v1/statistics/colours',
    {
      schema: {
        operationId: 'getColourStatistics',
        tags: ['statistics'],
        summary: 'Residents by colour per county, now and per day (district officer, admin)',
        security: bearerSecurity,
        querystring: StatisticsQuery,
        response: {
          200: ColourStatistics,
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request) => getColourStatistics(p, await principalOf(p, request), request.query),
  );
}
