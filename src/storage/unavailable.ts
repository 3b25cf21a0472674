/**
 * Whether an error means "the database cannot be reached right now" rather than "this request is
 * wrong" or "our code is wrong" (issue 12): the primary died or is being switched over, the
 * connection broke, the server is shutting down or starting, or the node we reached is a standby.
 * The request may be tried again in a moment — with the same idempotency key where it has one —
 * so the API answers 503 with Retry-After instead of 500 (src/http/app.ts).
 *
 * Such an error during COMMIT leaves the outcome unknown: it may have committed. The answer is
 * still 503, never a success, and the retry finds the stored row by its key.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailable(error, 0);
}

/** Node's socket errors when the server's address refuses, resets or cannot be reached. */
const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs (PostgreSQL appendix A) of a server that is going away, not there yet, or not the
 * primary. Class 08 (connection exception) is matched as a class.
 */
const SQLSTATES: ReadonlySet<string> = new Set([
  '57P01', // admin_shutdown: the server is stopping (fast shutdown, pg_terminate_backend)
  '57P02', // crash_shutdown: another backend crashed and the postmaster resets
  '57P03', // cannot_connect_now: starting up, shutting down, or in recovery
  '57P05', // idle_session_timeout
  '25006', // read_only_sql_transaction: a write reached a standby (a demoted primary)
  '53300', // too_many_connections
]);

/**
 * pg's own errors when the socket closes or a connection cannot be had; they carry no code, only
 * these messages (pg 8: client.js and pg-pool).
 */
const PG_MESSAGES: readonly RegExp[] = [
  /^Connection terminated/, // "… unexpectedly", "… due to connection timeout", plain
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Cannot use a pool after calling end on the pool/,
];

function unavailable(error: unknown, depth: number): boolean {
  if (depth > 4 || typeof error !== 'object' || error === null) return false;
  const { code, message, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string' && PG_MESSAGES.some((m) => m.test(message))) return true;
  // Node's happy-eyeballs connect gives an AggregateError of one error per address tried.
  if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => unavailable(e, depth + 1)))
    return true;
  return cause !== undefined && unavailable(cause, depth + 1);
}
