import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  MobileBody,
  Session,
  SignInBody,
  SignInCodeSent,
  StaffSession,
  StaffSignInBody,
} from '../../../contracts/sign-in.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { requestSignInCode, signIn, signOut, staffSignIn } from '../../../use-cases/sign-in.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

export function signInRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof MobileBody> }>(
    '/api/v1/sign-in-codes',
    {
      config: { durableRefusals: true },
      schema: {
        operationId: 'requestSignInCode',
        tags: ['sign-in'],
        summary: 'Send a one-time sign-in code to a mobile number',
        description:
          'The code is valid 5 minutes, single use, 5 wrong tries; at most 5 codes per number per hour. In demo mode only the response carries the code as devCode.',
        body: MobileBody,
        response: {
          200: SignInCodeSent,
          ...errorResponses(400, 429, 502),
        },
      },
    },
    async (request) => requestSignInCode(p, request.body.mobile),
  );

  app.post<{ Body: Static<typeof SignInBody> }>(
    '/api/v1/sessions',
    {
      config: { durableRefusals: true },
      schema: {
        operationId: 'signIn',
        tags: ['sign-in'],
        summary: 'Sign in with a mobile number and its one-time code',
        body: SignInBody,
        response: { 200: Session, ...errorResponses(400, 429) },
      },
    },
    async (request) => signIn(p, request.body.mobile, request.body.code),
  );

  app.delete(
    '/api/v1/sessions/current',
    {
      schema: {
        operationId: 'signOut',
        tags: ['sign-in'],
        summary: 'Revoke the calling session',
        security: bearerSecurity,
        response: { 204: Type.Null(), ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      await signOut(p, await principalOf(p, request));
      return reply.code(204).send();
    },
  );

  app.post<{ Body: Static<typeof StaffSignInBody> }>(
    '/api/v1/staff-sessions',
    {
      config: { durableRefusals: true },
      schema: {
        operationId: 'staffSignIn',
        tags: ['sign-in'],
        summary: 'Staff sign in with username and password',
        description:
          'After 5 failed tries for one username, or 20 from one client address, within 15 minutes, sign-in for it is locked for 15 minutes: 429 sign_in_locked, whose message names the end and whose Retry-After header gives the seconds left. 429 rate_limited when too many passwords are being checked at once.',
        body: StaffSignInBody,
        response: {
          200: StaffSession,
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (request) => {
      // request.ip is the socket's address, or the proxy's X-Forwarded-For when TRUST_PROXY=1.
      return staffSignIn(p, request.body.username, request.body.password, request.ip, request.body.totp);
    },
  );
}
