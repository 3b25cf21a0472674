import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { SessionResponse, SignInCodeResponse, StaffSessionResponse } from '../contracts/sign-in.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { validateMobile } from '../domain/identity/index.ts';
import { MINUTE_MS, type EpochMs, type StaffRole } from '../domain/types.ts';
import { upsertAccount } from '../storage/accounts.ts';
import {
  consumeSignInCode,
  countSignInCodesSince,
  countWrongGuessesSince,
  deleteSignInCode,
  findLatestUnusedCode,
  insertSignInCode,
  recordWrongGuess,
  withSignInLock,
  type WindowCount,
} from '../storage/sign-in-codes.ts';
import { findSession, insertSession, revokeSession } from '../storage/sessions.ts';
import {
  chargeThrottle,
  clearThrottle,
  refundThrottle,
  type ThrottleRule,
} from '../storage/sign-in-throttles.ts';
import type { ChannelRow } from '../storage/channels.ts';
import { claimTotpStep, findStaffById, findStaffByUsername, openTotpSecret } from '../storage/staff.ts';
import { AppError, invalid } from './errors.ts';
import { SECOND_FACTOR_ROLES, totpStep } from './second-factor.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './passwords.ts';
import type { Platform } from './platform.ts';

/** minutes a one-time code stays valid */
export const SIGN_IN_CODE_TTL_MS = 5 * MINUTE_MS;
/** wrong guesses per number per rolling hour, whatever code they were for */
export const SIGN_IN_CODE_MAX_ATTEMPTS = 5;
/** codes sent to one number per rolling hour */
export const SIGN_IN_CODES_PER_HOUR = 5;
const LIMIT_WINDOW_MS = 60 * MINUTE_MS;
export const RESIDENT_SESSION_MS = 30 * 24 * 60 * MINUTE_MS;
export const STAFF_SESSION_MS = 12 * 60 * MINUTE_MS;
/**
 * Session lookups are cached this long (ms). The node that signs a session out or removes a staff
 * member drops it from its cache at once; on other nodes the end takes effect within this bound.
 */
export const SESSION_CACHE_MS = 1_000;

/** The partner channel behind a principal (issue 11): its scopes and its requests per minute. */
export interface ChannelGrant {
  readonly channelId: number;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly rateLimitPerMinute: number;
}

export type Principal =
  | {
      readonly kind: 'resident';
      readonly accountId: number;
      readonly tokenHash: string;
      /** Set when a partner channel opened the session (channelActForUser). */
      readonly channel?: ChannelGrant;
    }
  | {
      readonly kind: 'staff';
      readonly staffId: number;
      readonly role: StaffRole;
      /** The first division of the jurisdiction. */
      readonly divisionCode: string;
      /** The whole jurisdiction (issue 10): `divisionCode` and any further divisions. */
      readonly divisionCodes: readonly string[];
      readonly displayName: string;
      readonly tokenHash: string;
    };

/**
 * A partner channel with its client-credentials access token (channelToken, issue 11). Kept apart
 * from Principal: it calls the channel operations only, never an operation that takes a Principal.
 */
export type ChannelPrincipal = { readonly kind: 'channel'; readonly tokenId: string } & ChannelGrant;

/** Whoever calls: a signed-in person, or a partner channel. */
export type Caller = Principal | ChannelPrincipal;

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const hashCode = (p: Platform, mobile: string, code: string) =>
  createHmac('sha256', p.secrets.signInCodeKey).update(`${mobile}\0${code}`).digest('base64url');

function normalizedMobile(input: string): string {
  const m = validateMobile(input);
  if (!m.ok) throw invalid(m.issues);
  return m.value;
}

/** Minutes until the oldest event of a full window leaves it. */
function minutesUntilFree(window: WindowCount, now: number): number {
  return Math.max(1, Math.ceil(((window.oldest ?? now) + LIMIT_WINDOW_MS - now) / MINUTE_MS));
}

const tooManyWrongGuesses = (window: WindowCount, now: number) =>
  new AppError(
    'sign_in_code_attempts_exceeded',
    `Too many wrong codes for this number (${SIGN_IN_CODE_MAX_ATTEMPTS} an hour); try again in ${minutesUntilFree(window, now)} minutes.`,
  );

export async function requestSignInCode(p: Platform, mobileInput: string): Promise<SignInCodeResponse> {
  const mobile = normalizedMobile(mobileInput);
  const now = p.clock.now();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = (now + SIGN_IN_CODE_TTL_MS) as EpochMs;
  // Count and insert under the number's lock, so concurrent requests cannot all see room (finding 2).
  const outcome = await withSignInLock(p.db, mobile, now, async (trx) => {
    const sent = await countSignInCodesSince(trx, mobile, now - LIMIT_WINDOW_MS);
    if (sent.n >= SIGN_IN_CODES_PER_HOUR) return { refused: 'codes', window: sent } as const;
    // A code could not be used while the wrong-guess budget is spent: do not send one.
    const wrong = await countWrongGuessesSince(trx, mobile, now - LIMIT_WINDOW_MS);
    if (wrong.n >= SIGN_IN_CODE_MAX_ATTEMPTS) return { refused: 'guesses', window: wrong } as const;
    const id = await insertSignInCode(trx, {
      mobile,
      codeHash: hashCode(p, mobile, code),
      createdAt: now,
      expiresAt,
    });
    return { refused: null, id } as const;
  });
  if (outcome.refused === 'codes') {
    throw new AppError(
      'rate_limited',
      `At most ${SIGN_IN_CODES_PER_HOUR} codes per hour are sent to one number; try again in ${minutesUntilFree(outcome.window, now)} minutes.`,
    );
  }
  if (outcome.refused === 'guesses') throw tooManyWrongGuesses(outcome.window, now);
  // Sent outside the transaction: a slow gateway must not hold the lock (or SQLite's connection).
  try {
    await p.sms.sendSignInCode(mobile, code, expiresAt);
  } catch (error) {
    // A code nobody received must neither work nor count against the hourly limit.
    await deleteSignInCode(p.db, outcome.id);
    throw new AppError(
      'sms_delivery_failed',
      `The sign-in code could not be sent: ${(error as Error).message}`,
    );
  }
  // Only in demo mode does the answer carry the code, so a tester can sign in without a phone.
  const sent = { expiresAt: formatChinaTime(expiresAt) };
  return p.config.mode === 'demo' ? { ...sent, devCode: code } : sent;
}

export async function startSession(
  p: Platform,
  who:
    | {
        kind: 'resident';
        accountId: number;
        /** a partner channel opening the session, with its token's scopes (issue 11) */
        channel?: { readonly id: number; readonly scopes: readonly string[] };
      }
    | { kind: 'staff'; staffId: number },
  ttl: number,
): Promise<SessionResponse> {
  const now = p.clock.now();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = (now + ttl) as EpochMs;
  await insertSession(p.db, {
    tokenHash: hashToken(token),
    kind: who.kind,
    accountId: who.kind === 'resident' ? who.accountId : null,
    staffId: who.kind === 'staff' ? who.staffId : null,
    createdAt: now,
    expiresAt,
    ...(who.kind === 'resident' && who.channel !== undefined ? { channel: who.channel } : {}),
  });
  return { token, expiresAt: formatChinaTime(expiresAt) };
}

type GuessOutcome =
  | { readonly kind: 'exhausted'; readonly window: WindowCount }
  | { readonly kind: 'no_code' | 'expired' | 'used' | 'right' }
  | { readonly kind: 'wrong'; readonly window: WindowCount };

export async function signIn(p: Platform, mobileInput: string, code: string): Promise<SessionResponse> {
  const mobile = normalizedMobile(mobileInput);
  await checkSignInCode(p, mobile, code);
  const account = await upsertAccount(p.db, mobile, p.clock.now());
  return startSession(p, { kind: 'resident', accountId: account.id }, RESIDENT_SESSION_MS);
}

/**
 * Spends the one-time code sent to `mobile` (normalized), or throws why not: the proof that the
 * person holds the number, for signIn and for a partner channel acting for them (issue 11), with
 * the same per-number budget of wrong guesses.
 */
export async function checkSignInCode(p: Platform, mobile: string, code: string): Promise<void> {
  const now = p.clock.now();
  const given = (codeHash: string) => {
    const a = Buffer.from(hashCode(p, mobile, code));
    const b = Buffer.from(codeHash);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  // The budget check, the comparison and the record of a wrong guess happen under the number's
  // lock: a guess is compared only if a try is left, and the next guess sees it (finding 2).
  const outcome = await withSignInLock(p.db, mobile, now, async (trx): Promise<GuessOutcome> => {
    const wrong = await countWrongGuessesSince(trx, mobile, now - LIMIT_WINDOW_MS);
    if (wrong.n >= SIGN_IN_CODE_MAX_ATTEMPTS) return { kind: 'exhausted', window: wrong };
    const row = await findLatestUnusedCode(trx, mobile);
    if (row === null) return { kind: 'no_code' };
    if (now >= row.expiresAt) return { kind: 'expired' };
    if (!given(row.codeHash)) {
      await recordWrongGuess(trx, mobile, row.id, now);
      return {
        kind: 'wrong',
        window: { n: wrong.n + 1, oldest: wrong.oldest ?? now },
      };
    }
    return (await consumeSignInCode(trx, row.id, now)) ? { kind: 'right' } : { kind: 'used' };
  });
  switch (outcome.kind) {
    case 'exhausted':
      throw tooManyWrongGuesses(outcome.window, now);
    case 'no_code':
      throw new AppError('sign_in_code_invalid', 'No code is waiting for this number; request a new one.');
    case 'expired':
      throw new AppError('sign_in_code_expired', 'The code has expired; request a new one.');
    case 'used':
      throw new AppError('sign_in_code_invalid', 'The code was already used; request a new one.');
    case 'wrong': {
      const left = SIGN_IN_CODE_MAX_ATTEMPTS - outcome.window.n;
      if (left <= 0) throw tooManyWrongGuesses(outcome.window, now);
      throw new AppError(
        'sign_in_code_invalid',
        `The code is wrong; ${left} ${left === 1 ? 'try' : 'tries'} left for this number this hour.`,
      );
    }
    case 'right':
      break;
  }
}

/** Wrong staff passwords for one username within the window that lock it. */
export const STAFF_SIGN_IN_FAILURES = 5;
/** Failed staff sign-ins from one client address within the window that lock the address. */
export const STAFF_SIGN_IN_ADDRESS_FAILURES = 20;
export const STAFF_SIGN_IN_WINDOW_MS = 15 * MINUTE_MS;
export const STAFF_SIGN_IN_LOCK_MS = 15 * MINUTE_MS;

/** The staff sign-in throttle; partner channels' token endpoint uses the same rules. */
export const ACCOUNT_RULE: ThrottleRule = {
  limit: STAFF_SIGN_IN_FAILURES,
  windowMs: STAFF_SIGN_IN_WINDOW_MS,
  lockMs: STAFF_SIGN_IN_LOCK_MS,
};
export const ADDRESS_RULE: ThrottleRule = {
  limit: STAFF_SIGN_IN_ADDRESS_FAILURES,
  windowMs: STAFF_SIGN_IN_WINDOW_MS,
  lockMs: STAFF_SIGN_IN_LOCK_MS,
};

function signInLocked(what: 'account' | 'address', lockedUntil: number | null, now: number): AppError {
  const until = lockedUntil ?? now + STAFF_SIGN_IN_LOCK_MS;
  const at = formatChinaTime(until as EpochMs);
  return new AppError(
    'sign_in_locked',
    what === 'account'
      ? `Too many failed sign-ins for this account: it is locked until ${at}. Try again then, or ask an administrator to check the account.`
      : `Too many failed sign-ins from this address: sign-in from it is locked until ${at}. Try again then.`,
    [],
    (until - now) / 1000,
    until,
  );
}

/**
 * Staff sign-in with a password, limited per username and per client address (issue 8 finding 1):
 * each try is counted before its password is hashed, so concurrent tries beyond the limit are
 * refused without hashing, and the answer says when the lock-out ends. Unknown usernames are
 * counted like known ones, so neither the answer nor its timing tells them apart.
 */
export async function staffSignIn(
  p: Platform,
  username: string,
  password: string,
  address: string,
  totp?: string,
): Promise<StaffSessionResponse> {
  const now = p.clock.now();
  const addressKey = `address:${address}`;
  const accountKey = `account:${username}`;
  const byAddress = await chargeThrottle(p.db, addressKey, now, ADDRESS_RULE);
  if (!byAddress.allowed) throw signInLocked('address', byAddress.lockedUntil, now);
  const byAccount = await chargeThrottle(p.db, accountKey, now, ACCOUNT_RULE);
  if (!byAccount.allowed) throw signInLocked('account', byAccount.lockedUntil, now);
  const staff = await findStaffByUsername(p.db, username);
  let ok: boolean;
  try {
    // Always run scrypt, so an unknown username costs as long as a wrong password.
    // An account waiting for its one-time link has no password (an empty hash): the same cost too.
    const hash = staff === null || staff.passwordHash === '' ? DUMMY_PASSWORD_HASH : staff.passwordHash;
    ok = (await verifyPassword(password, hash)) && staff !== null && staff.passwordHash !== '';
  } catch (error) {
    // Too busy to check the password (rate_limited): the try was not made, so it does not count.
    await refundThrottle(p.db, accountKey, ACCOUNT_RULE);
    await refundThrottle(p.db, addressKey, ADDRESS_RULE);
    throw error;
  }
  if (staff === null || !ok || staff.disabled) {
    throw new AppError('invalid_credentials', 'The username or password is wrong.');
  }
  // The second factor (issue 10): checked whenever enrolled, in any mode. Setting a password through
  // a one-time link enrols it for officers, admins and auditors in production (optional in demo
  // mode). In production those roles do not sign in without one: an account the operator made with
  // `healthcode staff create` first follows a link from `healthcode staff setup-link`. The password
  // was right, so that refusal is not a failed try. A missing or wrong code stays one (it is counted).
  if (
    staff.totpSecret === null &&
    p.config.mode === 'production' &&
    SECOND_FACTOR_ROLES.includes(staff.role)
  ) {
    await clearThrottle(p.db, accountKey);
    await refundThrottle(p.db, addressKey, ADDRESS_RULE);
    throw new AppError(
      'second_factor_not_enrolled',
      'This account must enrol an authenticator app before it signs in: follow a one-time setup link (an admin issues one in the console, or the operator runs `healthcode staff setup-link --username ' +
        username +
        '`).',
    );
  }
  if (staff.totpSecret !== null) {
    if (totp === undefined || totp === '')
      throw new AppError(
        'second_factor_required',
        'Enter the 6-digit code from your authenticator app (field totp).',
      );
    const step = totpStep(openTotpSecret(p.sealer, staff.id, staff.totpSecret), totp, now);
    if (step === null)
      throw new AppError('second_factor_invalid', 'The authenticator code is wrong or has expired.');
    // Each code once: one already used (or older than the last used) is refused like a wrong one.
    if (!(await claimTotpStep(p.db, staff.id, step)))
      throw new AppError(
        'second_factor_invalid',
        'This authenticator code was used already; wait for the next one (every 30 seconds).',
      );
  }
  await clearThrottle(p.db, accountKey);
  await refundThrottle(p.db, addressKey, ADDRESS_RULE);
  const session = await startSession(p, { kind: 'staff', staffId: staff.id }, STAFF_SESSION_MS);
  return {
    ...session,
    role: staff.role,
    displayName: staff.displayName,
    divisionCode: staff.divisionCode,
    venueId: staff.venueId,
  };
}

export interface SessionCache {
  readonly entries: Map<
    string,
    {
      principal: Principal | null;
      expiresAt: number;
      cachedAt: number;
      /** Why a session that exists does not count (a disabled channel's); null: not valid. */
      refusal?: 'channel_disabled';
    }
  >;
  /** Partner channels as their access tokens last found them (issue 11), for SESSION_CACHE_MS. */
  readonly channels: Map<number, { channel: ChannelRow | null; cachedAt: number }>;
  /**
   * Moves on with every eviction. A lookup that read the database before an eviction must not
   * cache what it read after it (it may be the session just ended), so it caches only when the
   * generation is the one it started with.
   */
  generation: number;
}

export function createSessionCache(): SessionCache {
  return { entries: new Map(), channels: new Map(), generation: 0 };
}

const cacheOf = (p: Platform): SessionCache => p.sessions;

/**
 * A staff member's sessions were revoked in the database (removal from a venue, disabling): this
 * node stops honouring them at once, other nodes within SESSION_CACHE_MS. Scans this node's cache;
 * removals are rare.
 */
export function forgetStaffSessions(p: Platform, staffId: number): void {
  const cache = cacheOf(p);
  cache.generation++;
  for (const [tokenHash, entry] of cache.entries) {
    if (entry.principal?.kind === 'staff' && entry.principal.staffId === staffId)
      cache.entries.delete(tokenHash);
  }
}

/**
 * A channel was disabled on this node (issue 11): its sessions and its access tokens stop here at
 * once, on other nodes within SESSION_CACHE_MS.
 */
export function forgetChannel(p: Platform, channelId: number): void {
  const cache = cacheOf(p);
  cache.generation++;
  cache.channels.delete(channelId);
  for (const [tokenHash, entry] of cache.entries) {
    if (entry.principal?.kind === 'resident' && entry.principal.channel?.channelId === channelId)
      cache.entries.delete(tokenHash);
  }
}

/**
 * Token → its hash, so a cached session costs a Map lookup rather than a SHA-256 (a few µs on every
 * request of a busy checkpoint). Holds only tokens this node has seen; bounded like the cache.
 */
const tokenHashMemo = new Map<string, string>();

function memoHashToken(token: string): string {
  let h = tokenHashMemo.get(token);
  if (h === undefined) {
    if (tokenHashMemo.size > 100_000) tokenHashMemo.clear();
    h = hashToken(token);
    tokenHashMemo.set(token, h);
  }
  return h;
}

export const channelDisabled = (): AppError =>
  new AppError(
    'channel_disabled',
    'The partner channel has been disabled by the provincial admin; its tokens and sessions no longer work.',
  );

/** Resolves a bearer token to who is calling. Throws unauthenticated / session_expired. */
export async function authenticate(p: Platform, token: string): Promise<Principal> {
  const now = p.clock.now();
  const tokenHash = memoHashToken(token);
  const cache = cacheOf(p);
  const hit = cache.entries.get(tokenHash);
  if (hit !== undefined && now - hit.cachedAt < SESSION_CACHE_MS) {
    if (hit.refusal !== undefined) throw channelDisabled();
    if (hit.principal === null)
      throw new AppError('unauthenticated', 'The session token is not valid; sign in again.');
    if (now >= hit.expiresAt)
      throw new AppError('session_expired', 'The session has expired; sign in again.');
    return hit.principal;
  }
  const generation = cache.generation;
  const session = await findSession(p.db, tokenHash);
  let principal: Principal | null = null;
  const refusal = session?.channel?.disabled === true ? ('channel_disabled' as const) : undefined;
  if (session !== null && session.revokedAt === null && refusal === undefined) {
    if (session.kind === 'resident' && session.accountId !== null) {
      const c = session.channel;
      principal = {
        kind: 'resident',
        accountId: session.accountId,
        tokenHash,
        ...(c === null
          ? {}
          : {
              channel: {
                channelId: c.id,
                clientId: c.clientId,
                scopes: c.scopes,
                rateLimitPerMinute: c.rateLimitPerMinute,
              },
            }),
      };
    } else if (session.kind === 'staff' && session.staffId !== null) {
      const staff = await findStaffById(p.db, session.staffId);
      if (staff !== null && !staff.disabled) {
        principal = {
          kind: 'staff',
          staffId: staff.id,
          role: staff.role,
          divisionCode: staff.divisionCode,
          divisionCodes: staff.divisionCodes,
          displayName: staff.displayName,
          tokenHash,
        };
      }
    }
  }
  if (cache.generation === generation) {
    if (cache.entries.size > 100_000) cache.entries.clear();
    cache.entries.set(tokenHash, {
      principal,
      expiresAt: session?.expiresAt ?? 0,
      cachedAt: now,
      ...(refusal === undefined ? {} : { refusal }),
    });
  }
  if (refusal !== undefined) throw channelDisabled();
  if (principal === null)
    throw new AppError('unauthenticated', 'The session token is not valid; sign in again.');
  if (now >= (session?.expiresAt ?? 0))
    throw new AppError('session_expired', 'The session has expired; sign in again.');
  return principal;
}

export async function signOut(p: Platform, principal: Principal): Promise<void> {
  await revokeSession(p.db, principal.tokenHash, p.clock.now());
  const cache = cacheOf(p);
  cache.generation++;
  cache.entries.delete(principal.tokenHash);
}
