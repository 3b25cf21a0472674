import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type {
  ChannelListResponse,
  ChannelRegisteredResponse,
  ChannelResidentSessionResponse,
  ChannelResponse,
  ChannelSecretRotatedResponse,
  ChannelTokenResponse,
} from '../contracts/channels.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { validateMobile } from '../domain/identity/index.ts';
import { MINUTE_MS, type EpochMs } from '../domain/types.ts';
import { upsertAccount } from '../storage/accounts.ts';
import {
  countChannelRequest,
  findChannelByClientId,
  findChannelById,
  findChannelBySecret,
  insertChannel,
  listChannelsWithUsage,
  rotateChannelSecret as storeRotatedSecret,
  setChannelDisabled,
  type ChannelListing,
  type ChannelRow,
} from '../storage/channels.ts';
import { chargeThrottle, clearThrottle, refundThrottle } from '../storage/sign-in-throttles.ts';
import { authorize } from './access.ts';
import { recordStaffAction } from './audit.ts';
import { AppError, invalid } from './errors.ts';
import type { Platform } from './platform.ts';
import {
  channelDisabled,
  checkSignInCode,
  ACCOUNT_RULE,
  ADDRESS_RULE,
  forgetChannel,
  SESSION_CACHE_MS,
  startSession,
  type ChannelGrant,
  type ChannelPrincipal,
  type Principal,
} from './sign-in.ts';

/**
 * Partner channels (issue 11 item 1, S2). Admins register a channel and get its secret once; the
 * channel trades client id and secret for a short-lived access token (OAuth 2.0 client
 * credentials, RFC 6749 §4.4; an HS256 JWT signed by `jose` with a platform secret), then opens a
 * resident session for a person whose number it proved, limited to its scopes. Every request of a
 * channel, whichever node takes it, is counted in the database against its per-minute limit.
 */

/** Access tokens live this long (seconds). */
export const CHANNEL_TOKEN_SECONDS = 600;
/** Resident sessions a channel opens live this long (ms). */
export const CHANNEL_SESSION_MS = 7 * 24 * 60 * MINUTE_MS;
export const DEFAULT_OVERLAP_MINUTES = 24 * 60;
const ISSUER = 'healthcode';
const AUDIENCE = 'healthcode-channel-api';

/** Wrong secrets are limited exactly like staff passwords: per client id and per address. */
const CLIENT_RULE = ACCOUNT_RULE;

export const hashChannelSecret = (secret: string): string =>
  createHash('sha256').update(secret).digest('base64url');
const newClientId = () => `ch_${randomBytes(12).toString('base64url')}`;
const newSecret = () => `chs_${randomBytes(32).toString('base64url')}`;
const time = (ms: number) => formatChinaTime(ms as EpochMs);

function view(c: ChannelListing): ChannelResponse {
  return {
    clientId: c.clientId,
    name: c.name,
    scopes: [...c.scopes],
    rateLimitPerMinute: c.rateLimitPerMinute,
    status: c.disabledAt === null ? 'active' : 'disabled',
    createdAt: time(c.createdAt),
    disabledAt: c.disabledAt === null ? null : time(c.disabledAt),
    previousSecretExpiresAt: c.previousSecretExpiresAt === null ? null : time(c.previousSecretExpiresAt),
    usage: {
      ...c.usage,
      lastUsedAt: c.usage.lastUsedAt === null ? null : time(c.usage.lastUsedAt),
    },
  };
}

async function listing(p: Platform, clientId: string): Promise<ChannelResponse> {
  const found = (await listChannelsWithUsage(p.db, p.clock.now())).find((c) => c.clientId === clientId);
  if (found === undefined) throw notFound();
  return view(found);
}

const notFound = () => new AppError('channel_not_found', 'No channel has this client id.');

async function requireChannel(p: Platform, clientId: string): Promise<ChannelRow> {
  const c = await findChannelByClientId(p.db, clientId);
  if (c === null) throw notFound();
  return c;
}

export async function registerChannel(
  p: Platform,
  principal: Principal,
  body: { name: string; scopes: readonly string[]; rateLimitPerMinute: number },
): Promise<ChannelRegisteredResponse> {
  const admin = authorize(principal, 'registerChannel');
  const name = body.name.trim();
  if (name === '' || /[\p{C}\p{Zl}\p{Zp}]/u.test(name))
    throw invalid([
      { path: 'name', code: 'name_invalid', message: 'Give the partner a name without control characters.' },
    ]);
  const clientId = newClientId();
  const clientSecret = newSecret();
  const now = p.clock.now();
  await insertChannel(p.db, {
    clientId,
    name,
    scopes: body.scopes,
    rateLimitPerMinute: body.rateLimitPerMinute,
    secretHash: hashChannelSecret(clientSecret),
    createdAt: now,
    createdBy: admin.staffId,
  });
  await recordStaffAction(p, admin, 'register_channel', {
    clientId,
    name,
    scopes: body.scopes,
    rateLimitPerMinute: body.rateLimitPerMinute,
  });
  return { channel: await listing(p, clientId), clientSecret };
}

export async function listChannels(p: Platform, principal: Principal): Promise<ChannelListResponse> {
  authorize(principal, 'listChannels');
  return { channels: (await listChannelsWithUsage(p.db, p.clock.now())).map(view) };
}

export async function rotateChannelSecret(
  p: Platform,
  principal: Principal,
  clientId: string,
  body: { overlapMinutes?: number },
): Promise<ChannelSecretRotatedResponse> {
  const admin = authorize(principal, 'rotateChannelSecret');
  const channel = await requireChannel(p, clientId);
  const now = p.clock.now();
  const overlapEnd = now + (body.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES) * MINUTE_MS;
  const clientSecret = newSecret();
  await storeRotatedSecret(p.db, channel.id, hashChannelSecret(clientSecret), now, overlapEnd);
  await recordStaffAction(p, admin, 'rotate_channel_secret', { clientId, overlapEnd: time(overlapEnd) });
  return { clientId, clientSecret, previousSecretExpiresAt: time(overlapEnd) };
}

export async function updateChannelStatus(
  p: Platform,
  principal: Principal,
  clientId: string,
  body: { status: 'active' | 'disabled' },
): Promise<ChannelResponse> {
  const admin = authorize(principal, 'updateChannelStatus');
  const channel = await requireChannel(p, clientId);
  const now = p.clock.now();
  const disabled = body.status === 'disabled';
  if (disabled !== (channel.disabledAt !== null)) {
    await setChannelDisabled(p.db, channel.id, disabled ? now : null);
    forgetChannel(p, channel.id);
    await recordStaffAction(p, admin, 'update_channel_status', { clientId, status: body.status });
  }
  return listing(p, clientId);
}

/** Counts one request of a channel against its per-minute limit; 429 `channel_rate_limited` beyond it. */
export async function chargeChannelRequest(p: Platform, grant: ChannelGrant): Promise<void> {
  const now = p.clock.now();
  const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const counted = await countChannelRequest(p.db, grant.channelId, minute, grant.rateLimitPerMinute);
  if (!counted.allowed) {
    const next = minute + MINUTE_MS;
    throw new AppError(
      'channel_rate_limited',
      `This channel may make ${grant.rateLimitPerMinute} requests a minute (over all API nodes); try again at the next minute.`,
      [],
      (next - now) / 1000,
      next,
    );
  }
}

export interface TokenRequest {
  readonly grantType: string;
  readonly scope?: string;
  /** From `Authorization: Basic`, if sent. */
  readonly basic?: { readonly clientId: string; readonly clientSecret: string };
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly address: string;
}

function locked(lockedUntil: number | null, now: number, what: string): AppError {
  const until = lockedUntil ?? now + ACCOUNT_RULE.lockMs;
  return new AppError(
    'channel_credentials_locked',
    `Too many wrong client credentials ${what}: token requests are refused until ${time(until)}.`,
    [],
    (until - now) / 1000,
    until,
  );
}

/** The token endpoint (channelToken): RFC 6749 §4.4 client credentials. */
export async function issueChannelToken(p: Platform, req: TokenRequest): Promise<ChannelTokenResponse> {
  if (req.grantType !== 'client_credentials')
    throw new AppError('grant_type_unsupported', 'Only grant_type=client_credentials is accepted here.');
  const inBody = req.clientId !== undefined || req.clientSecret !== undefined;
  if (req.basic !== undefined && inBody)
    throw invalid([
      {
        path: 'client_id',
        code: 'two_client_authentications',
        message:
          'Authenticate the client one way only: HTTP Basic or client_id and client_secret in the form.',
      },
    ]);
  const clientId = req.basic?.clientId ?? req.clientId;
  const secret = req.basic?.clientSecret ?? req.clientSecret;
  if (clientId === undefined || secret === undefined || clientId === '' || secret === '')
    throw new AppError(
      'channel_credentials_invalid',
      'Send the client id and secret: HTTP Basic, or client_id and client_secret in the form.',
    );
  const now = p.clock.now();
  const addressKey = `channel-address:${req.address}`;
  const clientKey = `channel:${clientId}`;
  const byAddress = await chargeThrottle(p.db, addressKey, now, ADDRESS_RULE);
  if (!byAddress.allowed) throw locked(byAddress.lockedUntil, now, 'from this address');
  const byClient = await chargeThrottle(p.db, clientKey, now, CLIENT_RULE);
  if (!byClient.allowed) throw locked(byClient.lockedUntil, now, 'for this client id');
  const channel = await findChannelBySecret(p.db, clientId, hashChannelSecret(secret), now);
  if (channel === null)
    throw new AppError(
      'channel_credentials_invalid',
      'The client id or secret is wrong (a rotated-out secret stops at the end of its overlap).',
    );
  await clearThrottle(p.db, clientKey);
  await refundThrottle(p.db, addressKey, ADDRESS_RULE);
  if (channel.disabledAt !== null) throw channelDisabled();
  const asked = (req.scope ?? '').split(' ').filter((s) => s !== '');
  const unknown = asked.filter((s) => !channel.scopes.includes(s));
  if (unknown.length > 0)
    throw new AppError(
      'scope_invalid',
      `This channel was not granted ${unknown.join(', ')}; it holds ${channel.scopes.join(' ')}.`,
    );
  const scopes = asked.length > 0 ? [...new Set(asked)] : [...channel.scopes];
  await chargeChannelRequest(p, {
    channelId: channel.id,
    clientId: channel.clientId,
    scopes,
    rateLimitPerMinute: channel.rateLimitPerMinute,
  });
  const iat = Math.floor(now / 1000);
  const accessToken = await new SignJWT({ cid: channel.id, scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(channel.clientId)
    .setJti(randomBytes(12).toString('base64url'))
    .setIssuedAt(iat)
    .setExpirationTime(iat + CHANNEL_TOKEN_SECONDS)
    .sign(p.secrets.channelTokenKey);
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: CHANNEL_TOKEN_SECONDS,
    scope: scopes.join(' '),
  };
}

/** The channel as this node last read it, for at most SESSION_CACHE_MS. */
async function currentChannel(p: Platform, id: number): Promise<ChannelRow | null> {
  const now = p.clock.now();
  const cache = p.sessions.channels;
  const hit = cache.get(id);
  if (hit !== undefined && now - hit.cachedAt < SESSION_CACHE_MS) return hit.channel;
  const generation = p.sessions.generation;
  const channel = await findChannelById(p.db, id);
  if (p.sessions.generation === generation) {
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { channel, cachedAt: now });
  }
  return channel;
}

const tokenInvalid = () =>
  new AppError(
    'channel_token_invalid',
    'The channel access token is not valid; get a new one (channelToken).',
  );

/** Resolves a channel's access token; 401 channel_token_invalid / channel_token_expired / channel_disabled. */
export async function authenticateChannelToken(p: Platform, token: string): Promise<ChannelPrincipal> {
  let claims: Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, p.secrets.channelTokenKey, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      currentDate: new Date(p.clock.now()),
      requiredClaims: ['sub', 'exp', 'jti'],
    });
    claims = verified.payload;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired)
      throw new AppError(
        'channel_token_expired',
        'The channel access token has expired; get a new one (channelToken).',
      );
    throw tokenInvalid();
  }
  const id = claims['cid'];
  const scope = claims['scope'];
  if (typeof id !== 'number' || typeof scope !== 'string') throw tokenInvalid();
  const channel = await currentChannel(p, id);
  if (channel === null || channel.clientId !== claims['sub']) throw tokenInvalid();
  if (channel.disabledAt !== null) throw channelDisabled();
  return {
    kind: 'channel',
    tokenId: String(claims['jti']),
    channelId: channel.id,
    clientId: channel.clientId,
    // A scope withdrawn since the token was issued no longer counts.
    scopes: scope.split(' ').filter((s) => channel.scopes.includes(s)),
    rateLimitPerMinute: channel.rateLimitPerMinute,
  };
}

/**
 * channelActForUser: opens a resident session for the person behind a mobile number, once the
 * channel proves the number — with the platform's own sign-in code (requestSignInCode sent it; the
 * resident typed it into the channel), or, for a channel holding `mobile:attest`, by vouching that
 * it verified the number itself. The account is the number's, whichever channel brings it.
 */
export async function channelActForUser(
  p: Platform,
  principal: ChannelPrincipal,
  body: { mobile: string; code?: string; attested?: true },
): Promise<ChannelResidentSessionResponse> {
  const channel = authorize(principal, 'channelActForUser');
  const m = validateMobile(body.mobile);
  if (!m.ok) throw invalid(m.issues);
  const mobile = m.value;
  if (body.code !== undefined && body.attested !== undefined)
    throw invalid([
      { path: 'attested', code: 'one_proof', message: 'Send either the sign-in code or attested, not both.' },
    ]);
  let verifiedBy: 'sign_in_code' | 'channel_attested';
  if (body.code !== undefined) {
    await checkSignInCode(p, mobile, body.code);
    verifiedBy = 'sign_in_code';
  } else if (body.attested === true) {
    if (!channel.scopes.includes('mobile:attest'))
      throw new AppError(
        'channel_scope_missing',
        'Only a channel holding the mobile:attest scope may vouch for a number; pass the sign-in code the resident received instead.',
      );
    verifiedBy = 'channel_attested';
  } else {
    throw new AppError(
      'mobile_not_verified',
      'The mobile number is not verified: have the platform send a sign-in code (requestSignInCode) and pass the code the resident typed, or (with the mobile:attest scope) attested: true.',
    );
  }
  const now = p.clock.now();
  const account = await upsertAccount(p.db, mobile, now);
  const scopes = channel.scopes.filter((s) => s !== 'mobile:attest');
  const session = await startSession(
    p,
    { kind: 'resident', accountId: account.id, channel: { id: channel.channelId, scopes } },
    CHANNEL_SESSION_MS,
  );
  await p.auditLog.write({
    at: now,
    actorKind: 'system',
    actorId: null,
    action: 'channel_act_for_user',
    residentId: null,
    detail: { clientId: channel.clientId, accountId: account.id, verifiedBy },
  });
  return { ...session, scopes, verifiedBy };
}
