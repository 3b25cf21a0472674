import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { addResidentFact } from '../../use-cases/facts.ts';
import { verifyCode } from '../../use-cases/checkpoint.ts';
import { FAILURE_MESSAGES } from '../../use-cases/health-code.ts';
import type { Platform } from '../../use-cases/platform.ts';
import { bearerSecurity, principalOf, staffOf } from '../auth.ts';
import { Colour, FactBody, Reason, errorResponses } from '../schemas.ts';

const VerifyBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 1024, description: 'the scanned QR text' }) },
  { additionalProperties: false },
);

/**
 * One object schema rather than a union of the two outcomes: the response serializer then needs no
 * schema matching per reply, which matters on the busiest endpoint.
 */
const Verification = Type.Object({
  valid: Type.Boolean(),
  reason: Type.Optional(
    Type.Union(
      Object.keys(FAILURE_MESSAGES).map((r) => Type.Literal(r)),
      { description: 'when valid is false: exactly why' },
    ),
  ),
  message: Type.Optional(
    Type.String({ description: 'when valid is false: a sentence for the checkpoint staff' }),
  ),
  kind: Type.Optional(Type.String({ description: 'when valid: personal | paper' })),
  colour: Type.Optional(Colour),
  colourAtIssue: Type.Optional(Colour),
  maskedName: Type.Optional(Type.String()),
  issuedAt: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Type.String()),
  checkedAt: Type.String(),
});

const AddFactBody = Type.Object(
  {
    documentType: Type.String({ maxLength: 40 }),
    documentNumber: Type.String({ maxLength: 40 }),
    fact: FactBody,
  },
  { additionalProperties: false },
);

export function checkpointRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof VerifyBody> }>(
    '/api/v1/verifications',
    {
      config: { durableWrites: true },
      schema: {
        operationId: 'verifyCode',
        tags: ['checkpoint'],
        summary: 'Verify a scanned code (S11, S18, P1)',
        description:
          'Answers valid, or exactly why not; the colour now (it wins over the colour at issue) and the masked name, nothing else about the holder. Each verification is recorded. An invalid code is a 200 with valid=false: the request itself succeeded.',
        security: bearerSecurity,
        body: VerifyBody,
        response: { 200: Verification, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) =>
      verifyCode(p, await staffOf(p, request, ['checkpoint', 'officer', 'admin']), request.body.code),
  );

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
          201: Type.Object({
            factId: Type.String(),
            colour: Colour,
            until: Type.Union([Type.String(), Type.Null()]),
            reasons: Type.Array(Reason),
          }),
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
