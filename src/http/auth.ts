import type { FastifyRequest } from 'fastify';
import { AppError } from '../use-cases/errors.ts';
import type { Platform } from '../use-cases/platform.ts';
import { authenticate, type Principal } from '../use-cases/sign-in.ts';

/** Reads `Authorization: Bearer <token>` and resolves the caller. */
export async function principalOf(p: Platform, request: FastifyRequest): Promise<Principal> {
  if (request.principal !== null) return request.principal;
  const header = request.headers.authorization;
  if (header === undefined)
    throw new AppError('unauthenticated', 'Sign in first: send Authorization: Bearer <token>.');
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
  if (match?.[1] === undefined)
    throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
  const principal = await authenticate(p, match[1]);
  request.principal = principal;
  return principal;
}

export async function residentOf(
  p: Platform,
  request: FastifyRequest,
): Promise<Principal & { kind: 'resident' }> {
  const principal = await principalOf(p, request);
  if (principal.kind !== 'resident')
    throw new AppError('forbidden', 'This operation is for residents signed in with a mobile number.');
  return principal;
}

export const bearerSecurity = [{ bearer: [] }];
