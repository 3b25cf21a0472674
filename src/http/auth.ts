import type { FastifyRequest } from 'fastify';
import { AppError } from '../use-cases/errors.ts';
import type { Platform } from '../use-cases/platform.ts';
import { authenticateChannelToken } from '../use-cases/channels.ts';
import { authenticate, type Caller, type ChannelPrincipal, type Principal } from '../use-cases/sign-in.ts';

/** A compact JWS: a partner channel's access token (issue 11); sessions are 43 base64url characters. */
const JWT = /^Bearer ([A-Za-z0-9_-]{8,1000}\.[A-Za-z0-9_-]{8,2000}\.[A-Za-z0-9_-]{8,200})$/;

/** Reads `Authorization: Bearer <token>` and resolves the caller: a session, or a channel's token. */
export async function callerOf(p: Platform, request: FastifyRequest): Promise<Caller> {
  if (request.principal !== null) return request.principal;
  const header = request.headers.authorization;
  if (header === undefined)
    throw new AppError('unauthenticated', 'Sign in first: send Authorization: Bearer <token>.');
  const jwt = JWT.exec(header);
  if (jwt?.[1] !== undefined) {
    const channel = await authenticateChannelToken(p, jwt[1]);
    request.principal = channel;
    return channel;
  }
  const match = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header);
  if (match?.[1] === undefined)
    throw new AppError('unauthenticated', 'The Authorization header must be "Bearer <token>".');
  const principal = await authenticate(p, match[1]);
  request.principal = principal;
  return principal;
}

/** The signed-in person; a channel's own access token is refused (it opens resident sessions only). */
export async function principalOf(p: Platform, request: FastifyRequest): Promise<Principal> {
  const caller = await callerOf(p, request);
  if (caller.kind === 'channel')
    throw new AppError(
      'forbidden',
      'A channel access token calls channelActForUser only; call resident operations with the session it returns.',
    );
  return caller;
}

/** The partner channel behind a channel access token. */
export async function channelOf(p: Platform, request: FastifyRequest): Promise<ChannelPrincipal> {
  const caller = await callerOf(p, request);
  if (caller.kind !== 'channel')
    throw new AppError('forbidden', 'This operation is for partner channels with their access token.');
  return caller;
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
