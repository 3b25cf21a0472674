import { Type } from '@sinclair/typebox';
import { CHANNEL_SCOPES } from '../domain/channels.ts';
import { ERROR_CODES } from './errors.ts';
import { Nullable, StringEnum, Time, type Reply } from './common.ts';

/** Partner channels (issue 11 item 1, S2): registration by admins, OAuth 2.0 client credentials. */

export const ChannelScopeName = StringEnum(CHANNEL_SCOPES);

export const RATE_LIMIT_MAX = 100_000;
export const OVERLAP_MINUTES_MAX = 7 * 24 * 60;

export const RegisterChannelBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: 'the partner, as admins read it' }),
    scopes: Type.Array(ChannelScopeName, { minItems: 1, maxItems: CHANNEL_SCOPES.length, uniqueItems: true }),
    rateLimitPerMinute: Type.Integer({
      minimum: 1,
      maximum: RATE_LIMIT_MAX,
      description: 'requests a minute the channel may make, counted over every API node',
    }),
  },
  { additionalProperties: false },
);

export const ChannelParams = Type.Object(
  { clientId: Type.String({ pattern: '^ch_[A-Za-z0-9_-]{16}$' }) },
  { additionalProperties: false },
);

export const RotateChannelSecretBody = Type.Object(
  {
    overlapMinutes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: OVERLAP_MINUTES_MAX,
        description: 'how long the secrets that work now keep working (default 1440, a day; 0 ends them now)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const UpdateChannelStatusBody = Type.Object(
  { status: StringEnum(['active', 'disabled'] as const) },
  { additionalProperties: false },
);

export const ChannelUsage = Type.Object({
  requestsLastHour: Type.Integer(),
  requestsLast24Hours: Type.Integer(),
  refusedLast24Hours: Type.Integer({ description: 'answered 429 channel_rate_limited' }),
  lastUsedAt: Nullable(Time),
  openSessions: Type.Integer({ description: 'resident sessions the channel opened that have not ended' }),
});

export const Channel = Type.Object({
  clientId: Type.String(),
  name: Type.String(),
  scopes: Type.Array(Type.String()),
  rateLimitPerMinute: Type.Integer(),
  status: StringEnum(['active', 'disabled'] as const),
  createdAt: Time,
  disabledAt: Nullable(Time),
  previousSecretExpiresAt: Nullable(Time),
  usage: ChannelUsage,
});

export const ChannelList = Type.Object({ channels: Type.Array(Channel) });

export const ChannelRegistered = Type.Object({
  channel: Channel,
  clientSecret: Type.String({ description: 'shown this once; the platform keeps only its hash' }),
});

export const ChannelSecretRotated = Type.Object({
  clientId: Type.String(),
  clientSecret: Type.String({ description: 'the new secret, shown this once' }),
  previousSecretExpiresAt: Time,
});

/** RFC 6749 §4.4.2: the form of the token request (client auth in the form or by HTTP Basic). */
export const ChannelTokenBody = Type.Object(
  {
    grant_type: Type.String({ maxLength: 64, description: 'client_credentials' }),
    scope: Type.Optional(
      Type.String({
        maxLength: 512,
        description: 'space-separated; a subset of the channel’s scopes (default: all of them)',
      }),
    ),
    client_id: Type.Optional(Type.String({ maxLength: 128 })),
    client_secret: Type.Optional(Type.String({ maxLength: 256 })),
  },
  // RFC 6749 §3.2: the authorization server ignores parameters it does not know.
  { additionalProperties: true },
);

/** RFC 6749 §5.1. */
export const ChannelTokenIssued = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer({ description: 'seconds' }),
  scope: Type.String({ description: 'space-separated scopes the token carries' }),
});

export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'temporarily_unavailable',
  'server_error',
] as const;

/**
 * The token endpoint's errors: RFC 6749 §5.2's `error` and `error_description`, and beside them
 * what every other error of the API carries (`code`, `requestId`, `retryAt`).
 */
export const OAuthErrorBody = Type.Object({
  error: StringEnum(OAUTH_ERRORS),
  error_description: Type.String(),
  code: StringEnum(ERROR_CODES),
  requestId: Type.String(),
  retryAt: Type.Optional(Type.String()),
});

export const ChannelActBody = Type.Object(
  {
    mobile: Type.String({ maxLength: 24 }),
    code: Type.Optional(
      Type.String({
        pattern: '^\\d{6}$',
        description: 'the sign-in code the resident received (requestSignInCode) and typed into the channel',
      }),
    ),
    attested: Type.Optional(
      Type.Literal(true, {
        description: 'the channel verified the number itself (needs the mobile:attest scope)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ChannelResidentSession = Type.Object({
  token: Type.String({
    description: 'a resident session: Authorization: Bearer <token> on resident operations',
  }),
  expiresAt: Time,
  scopes: Type.Array(Type.String(), { description: 'the resident operations it opens (x-channel-scope)' }),
  verifiedBy: StringEnum(['sign_in_code', 'channel_attested'] as const),
});

export type ChannelResponse = Reply<typeof Channel>;
export type ChannelListResponse = Reply<typeof ChannelList>;
export type ChannelRegisteredResponse = Reply<typeof ChannelRegistered>;
export type ChannelSecretRotatedResponse = Reply<typeof ChannelSecretRotated>;
export type ChannelTokenResponse = Reply<typeof ChannelTokenIssued>;
export type ChannelResidentSessionResponse = Reply<typeof ChannelResidentSession>;
