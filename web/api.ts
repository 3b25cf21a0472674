import type { Static } from '@sinclair/typebox';
import type { ErrorBody, Reason } from '../src/contracts/common.ts';
import type { ApplicationRequest, ApplicationResponse, MyCodeResponse } from '../src/contracts/residents.ts';
import type { SessionResponse, SignInCodeResponse } from '../src/contracts/sign-in.ts';
import { readStored, writeStored } from './storage.ts';

/** The API contract, taken from the server's own schemas (src/contracts) so the two cannot drift apart. */
export type {
  ApplicationRequest,
  ApplicationResponse,
  ContactHistoryRequest,
  MyCodeResponse,
} from '../src/contracts/residents.ts';
export type { SessionResponse, SignInCodeResponse } from '../src/contracts/sign-in.ts';
export type ApiErrorDetail = Static<typeof ErrorBody>['error'];
export type CodeReason = Static<typeof Reason>;

/** An API failure as a value: `network` when no answer came back at all. */
export type ApiFailure =
  | { readonly kind: 'api'; readonly status: number; readonly error: ApiErrorDetail }
  | { readonly kind: 'network' };

export type ApiResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: ApiFailure };

const TOKEN_KEY = 'healthcode.token';
const TOKEN_EXPIRES_KEY = 'healthcode.tokenExpiresAt';

/** The stored bearer token, or null when there is none or it has expired on this device's clock. */
export function storedToken(): string | null {
  const token = readStored(TOKEN_KEY);
  const expires = Date.parse(readStored(TOKEN_EXPIRES_KEY) ?? '');
  if (token === null || (!Number.isNaN(expires) && expires <= Date.now())) return null;
  return token;
}

export function storeSession(session: SessionResponse | null): void {
  writeStored(TOKEN_KEY, session?.token ?? null);
  writeStored(TOKEN_EXPIRES_KEY, session?.expiresAt ?? null);
}

function isErrorBody(value: unknown): value is Static<typeof ErrorBody> {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

/** One JSON request to the API on the same origin. Never throws: failures come back as values. */
export async function callApi<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  options: { readonly token?: string | null; readonly body?: unknown } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      cache: 'no-store',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch {
    return { ok: false, failure: { kind: 'network' } };
  }
  if (response.status === 204) return { ok: true, value: undefined as T };
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  if (response.ok) return { ok: true, value: json as T };
  const error: ApiErrorDetail = isErrorBody(json)
    ? json.error
    : { code: 'internal_error', message: `HTTP ${response.status}`, requestId: '' };
  return { ok: false, failure: { kind: 'api', status: response.status, error } };
}

export const requestSignInCode = (mobile: string) =>
  callApi<SignInCodeResponse>('POST', '/api/v1/sign-in-codes', { body: { mobile } });

export const createSession = (mobile: string, code: string) =>
  callApi<SessionResponse>('POST', '/api/v1/sessions', { body: { mobile, code } });

export const deleteSession = (token: string) =>
  callApi<undefined>('DELETE', '/api/v1/sessions/current', { token });

export const fetchMyApplication = (token: string) =>
  callApi<ApplicationResponse>('GET', '/api/v1/me/application', { token });

export const submitMyApplication = (token: string, body: ApplicationRequest) =>
  callApi<ApplicationResponse>('PUT', '/api/v1/me/application', { token, body });

export const fetchMyCode = (token: string) => callApi<MyCodeResponse>('GET', '/api/v1/me/code', { token });

/** True when the failure means the session is gone and the resident must sign in again. */
export const isSessionLost = (failure: ApiFailure): boolean =>
  failure.kind === 'api' && failure.status === 401;
