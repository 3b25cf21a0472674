import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ChannelActBody,
  ChannelList,
  ChannelParams,
  ChannelRegistered,
  ChannelResidentSession,
  ChannelSecretRotated,
  ChannelTokenBody,
  ChannelTokenIssued,
  Channel,
  OAuthErrorBody,
  RegisterChannelBody,
  RotateChannelSecretBody,
  UpdateChannelStatusBody,
} from '../../../contracts/channels.ts';
import {
  channelActForUser,
  issueChannelToken,
  listChannels,
  registerChannel,
  rotateChannelSecret,
  updateChannelStatus,
} from '../../../use-cases/channels.ts';
import { AppError } from '../../../use-cases/errors.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, channelOf, principalOf } from '../../auth.ts';
import { emptyBodyAllowed, errorResponses } from '../../route-helpers.ts';

/** RFC 6749 §2.3.1: HTTP Basic with the form-encoded client id and secret. */
function basicCredentials(request: FastifyRequest): { clientId: string; clientSecret: string } | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const m = /^Basic ([A-Za-z0-9+/=]{1,1000})$/.exec(header);
  const bad = () =>
    new AppError(
      'channel_credentials_invalid',
      'The Authorization header must be "Basic base64(client_id:client_secret)".',
    );
  if (m?.[1] === undefined) throw bad();
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) throw bad();
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s.replaceAll('+', ' '));
    } catch {
      throw bad();
    }
  };
  return { clientId: decode(text.slice(0, colon)), clientSecret: decode(text.slice(colon + 1)) };
}

const oauthErrors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, OAuthErrorBody]));

/** Partner channels (issue 11 item 1, S2): admin registration, the token endpoint, acting for a resident. */
export function channelRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof RegisterChannelBody> }>(
    '/api/v1/channels',
    {
      schema: {
        operationId: 'registerChannel',
        tags: ['channels'],
        summary: 'Register a partner channel; its client secret is in this answer only',
        security: bearerSecurity,
        body: RegisterChannelBody,
        response: { 201: ChannelRegistered, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await registerChannel(p, await principalOf(p, request), request.body)),
  );

  app.get(
    '/api/v1/channels',
    {
      schema: {
        operationId: 'listChannels',
        tags: ['channels'],
        summary: 'Every partner channel with its scopes, limit, status and usage (last hour, last 24 hours)',
        security: bearerSecurity,
        response: { 200: ChannelList, ...errorResponses(401, 403) },
      },
    },
    async (request) => listChannels(p, await principalOf(p, request)),
  );

  app.post<{ Params: Static<typeof ChannelParams>; Body: Static<typeof RotateChannelSecretBody> }>(
    '/api/v1/channels/:clientId/secret',
    {
      preValidation: emptyBodyAllowed,
      schema: {
        operationId: 'rotateChannelSecret',
        tags: ['channels'],
        summary: 'A new client secret (in this answer only); the old one works until the overlap ends',
        security: bearerSecurity,
        params: ChannelParams,
        body: RotateChannelSecretBody,
        response: { 200: ChannelSecretRotated, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      rotateChannelSecret(p, await principalOf(p, request), request.params.clientId, request.body),
  );

  app.patch<{ Params: Static<typeof ChannelParams>; Body: Static<typeof UpdateChannelStatusBody> }>(
    '/api/v1/channels/:clientId',
    {
      schema: {
        operationId: 'updateChannelStatus',
        tags: ['channels'],
        summary: 'Disable or enable a channel',
        description:
          'Disabling stops the channel’s access tokens and the resident sessions it opened at once on this node and within 1 second on every other node; the sessions stay ended when it is enabled again.',
        security: bearerSecurity,
        params: ChannelParams,
        body: UpdateChannelStatusBody,
        response: { 200: Channel, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      updateChannelStatus(p, await principalOf(p, request), request.params.clientId, request.body),
  );

  app.post<{ Body: Static<typeof ChannelTokenBody> }>(
    '/api/v1/oauth/token',
    {
      config: { formBody: true, oauthErrors: true, durableRefusals: true },
      schema: {
        operationId: 'channelToken',
        tags: ['channels'],
        summary: 'OAuth 2.0 client credentials (RFC 6749 §4.4): a channel access token',
        description:
          'POST application/x-www-form-urlencoded `grant_type=client_credentials` (optional `scope`), the client authenticated by HTTP Basic or by `client_id` and `client_secret` in the form. Errors carry RFC 6749 §5.2 `error` and `error_description` beside the API’s `code`. Wrong credentials are limited per client id and per address like staff sign-in (429 channel_credentials_locked, Retry-After).',
        body: ChannelTokenBody,
        response: { 200: ChannelTokenIssued, ...oauthErrors(400, 401, 415, 429) },
      },
    },
    async (request) => {
      const basic = basicCredentials(request);
      const b = request.body;
      return issueChannelToken(p, {
        grantType: b.grant_type,
        ...(b.scope === undefined ? {} : { scope: b.scope }),
        ...(basic === undefined ? {} : { basic }),
        ...(b.client_id === undefined ? {} : { clientId: b.client_id }),
        ...(b.client_secret === undefined ? {} : { clientSecret: b.client_secret }),
        address: request.ip,
      });
    },
  );

  app.post<{ Body: Static<typeof ChannelActBody> }>(
    '/api/v1/channel-sessions',
    {
      config: { durableRefusals: true },
      schema: {
        operationId: 'channelActForUser',
        tags: ['channels'],
        summary: 'Open a resident session for a person whose mobile number the channel proved',
        description:
          'Proof: `code`, the sign-in code the platform sent the number (requestSignInCode), or `attested: true` for a channel holding mobile:attest. Without either: 403 mobile_not_verified. The session calls the resident operations whose `x-channel-scope` the channel holds.',
        security: bearerSecurity,
        body: ChannelActBody,
        response: { 201: ChannelResidentSession, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await channelActForUser(p, await channelOf(p, request), request.body)),
  );
}
