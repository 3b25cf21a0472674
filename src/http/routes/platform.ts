import type { FastifyInstance } from 'fastify';
import { Health, Jwks, SupportContact } from '../../contracts/platform.ts';
import { pingDatabase } from '../../storage/database.ts';
import { AppError } from '../../use-cases/errors.ts';
import type { Platform } from '../../use-cases/platform.ts';
import { errorResponses } from '../route-helpers.ts';

export function platformRoutes(app: FastifyInstance, p: Platform): void {
  const getKeys = async () => {
    await p.keyring.refresh(p.clock.now());
    return { keys: p.keyring.publishedJwks() };
  };
  app.get(
    '/api/v1/keys',
    {
      schema: {
        operationId: 'getSigningKeys',
        tags: ['keys'],
        summary: 'Public keys that verify codes offline (JWKS, Ed25519)',
        description:
          'Includes the next key and retired keys whose codes are still valid. Cache it; re-fetch when a code names an unknown kid.',
        response: { 200: Jwks },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return getKeys();
    },
  );
  app.get('/.well-known/jwks.json', { schema: { hide: true } }, getKeys);

  app.get(
    '/api/v1/support',
    {
      schema: {
        operationId: 'getSupportContact',
        tags: ['platform'],
        summary: 'The support contact: phone, hours and help page (S15)',
        description:
          'Configured once (SUPPORT_PHONE, SUPPORT_HOURS, SUPPORT_URL) and shown in the app, the console, on place-code posters and paper codes.',
        response: { 200: SupportContact },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'public, max-age=300');
      return p.config.support;
    },
  );

  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['platform'],
        summary: 'Liveness and database reachability',
        response: {
          200: Health,
          ...errorResponses(503),
        },
      },
    },
    async () => {
      if (!(await pingDatabase(p.database)))
        throw new AppError('service_unavailable', 'The database does not answer.');
      return { status: 'ok' as const, database: p.database.dialect };
    },
  );
}
