import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { PaperCodeBody, PaperCodeRevoked, RevokePaperCodeBody } from '../../../contracts/family.ts';
import { printPaperCode, revokePaperCode } from '../../../use-cases/paper-codes.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { emptyBodyAllowed, errorResponses } from '../../route-helpers.ts';

/** Paper codes (S3): a printed code for oneself or a family member, valid 14 days by default. */
export function paperCodeRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof PaperCodeBody> }>(
    '/api/v1/me/paper-codes',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        operationId: 'printPaperCode',
        tags: ['resident'],
        summary: 'Print a paper code for yourself or a family member (PDF, A4 or A6)',
        description:
          'Issues a new paper code and ends the one in force (a reprint). Its QR is a signed paper token with the colour now and a validity of `services.paperCodeValidDays` (default 14 days). At an online checkpoint the colour at the time of the scan decides; offline, the printed colour and validity are shown as offline. The PDF shows the masked name only.',
        security: bearerSecurity,
        body: PaperCodeBody,
        produces: ['application/pdf'],
        response: { ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const printed = await printPaperCode(p, await principalOf(p, request), request.body);
      return reply
        .code(201)
        .type('application/pdf')
        .header('cache-control', 'no-store')
        .header('x-paper-code-id', printed.paperCodeId)
        .header('content-disposition', `attachment; filename="${printed.fileName}"`)
        .send(printed.pdf);
    },
  );

  app.post<{ Body: Static<typeof RevokePaperCodeBody> }>(
    '/api/v1/me/paper-codes/revoke',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        operationId: 'revokePaperCode',
        tags: ['resident'],
        summary: 'Report a paper code lost: it stops verifying at once',
        security: bearerSecurity,
        body: RevokePaperCodeBody,
        response: { 200: PaperCodeRevoked, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => revokePaperCode(p, await principalOf(p, request), request.body),
  );
}
