import type { Static } from '@sinclair/typebox';
import type {
  ArrivalDeclarationListResponse,
  ArrivalDeclarationRequest,
  ArrivalDeclarationResultResponse,
} from '../src/contracts/arrivals.ts';
import type { ErrorBody, Reason } from '../src/contracts/common.ts';
import type {
  AddFamilyMemberRequest,
  FamilyListResponse,
  FamilyMemberCodeResponse,
  FamilyMemberView,
  PaperCodeRevokedResponse,
} from '../src/contracts/family.ts';
import type {
  AppealViewT,
  ColourInputsResponse,
  FeedbackViewT,
  FileAppealRequest,
  MyFeedbackListResponse,
  NoticeCountResponse,
  NoticeListResponse,
  SubmitFeedbackRequest,
} from '../src/contracts/feedback.ts';
import type { ComplaintFiledResponse, ComplaintRequest } from '../src/contracts/overrides-complaints.ts';
import type {
  AccessLogResponse,
  ApplicationRequest,
  ApplicationResponse,
  MyCodeResponse,
} from '../src/contracts/residents.ts';
import type { SessionResponse, SignInCodeResponse, StaffSessionResponse } from '../src/contracts/sign-in.ts';
import type { StaffPasswordSetResponse } from '../src/contracts/staff.ts';
import { forgetOfflineData } from './offline-store.ts';
import { readStored, writeStored } from './storage.ts';

/** The API contract, taken from the server's own schemas (src/contracts) so the two cannot drift apart. */
export type {
  ApplicationRequest,
  ApplicationResponse,
  ContactHistoryRequest,
  MyCodeResponse,
} from '../src/contracts/residents.ts';
export type { SessionResponse, SignInCodeResponse } from '../src/contracts/sign-in.ts';
export type {
  AddFamilyMemberRequest,
  FamilyListResponse,
  FamilyMemberCodeResponse,
  FamilyMemberView,
  PaperCodeRevokedResponse,
  Relationship,
} from '../src/contracts/family.ts';
export { RELATIONSHIPS } from '../src/domain/relationships.ts';
export type { HealthBadgeView } from '../src/contracts/common.ts';
export type { SupportContact } from '../src/contracts/platform.ts';
export type {
  ArrivalDeclarationListResponse,
  ArrivalDeclarationRequest,
  ArrivalDeclarationResultResponse,
} from '../src/contracts/arrivals.ts';
export type {
  AppealViewT as AppealView,
  AttachmentUploadT as AttachmentUpload,
  ColourInputT as ColourInput,
  ColourInputsResponse,
  FeedbackViewT as FeedbackView,
  FileAppealRequest,
  MyFeedbackListResponse,
  NoticeListResponse,
  SubmitFeedbackRequest,
} from '../src/contracts/feedback.ts';
export type { ComplaintFiledResponse, ComplaintRequest } from '../src/contracts/overrides-complaints.ts';
export type { AccessLogResponse } from '../src/contracts/residents.ts';
export type { StaffPasswordSetResponse } from '../src/contracts/staff.ts';
export type ApiErrorDetail = Static<typeof ErrorBody>['error'];
export type CodeReason = Static<typeof Reason>;

/**
 * An API failure as a value: `network` when no answer came back at all. `retryAfterSeconds` is the
 * Retry-After header of a 429 or 503, when the server sent one.
 */
export type ApiFailure =
  | {
      readonly kind: 'api';
      readonly status: number;
      readonly error: ApiErrorDetail;
      readonly retryAfterSeconds?: number;
    }
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

/** Keeps a new session (or none); the last person's saved code and place pop-up go either way. */
export function storeSession(session: SessionResponse | null): void {
  forgetOfflineData();
  writeStored(TOKEN_KEY, session?.token ?? null);
  writeStored(TOKEN_EXPIRES_KEY, session?.expiresAt ?? null);
}

function isErrorBody(value: unknown): value is Static<typeof ErrorBody> {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = value.error;
  return typeof error === 'object' && error !== null && 'code' in error && 'message' in error;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface CallOptions {
  readonly token?: string | null;
  readonly body?: unknown;
}

/** The fetch itself; null when no answer came back. */
async function send(method: Method, path: string, options: CallOptions, accept: string) {
  const headers: Record<string, string> = { accept };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  try {
    return await fetch(path, {
      method,
      headers,
      cache: 'no-store',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch {
    return null;
  }
}

/** The failure a non-2xx answer stands for, from its error body and Retry-After. */
async function failureOf(response: Response): Promise<ApiFailure> {
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  const error: ApiErrorDetail = isErrorBody(json)
    ? json.error
    : { code: 'internal_error', message: `HTTP ${response.status}`, requestId: '' };
  const retryAfter = Number(response.headers.get('retry-after') ?? '');
  return {
    kind: 'api',
    status: response.status,
    error,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
}

/** One JSON request to the API on the same origin. Never throws: failures come back as values. */
export async function callApi<T>(
  method: Method,
  path: string,
  options: CallOptions = {},
): Promise<ApiResult<T>> {
  const response = await send(method, path, options, 'application/json');
  if (response === null) return { ok: false, failure: { kind: 'network' } };
  if (!response.ok) return { ok: false, failure: await failureOf(response) };
  if (response.status === 204) return { ok: true, value: undefined as T };
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = null;
  }
  return { ok: true, value: json as T };
}

/** A file the API answers with (a paper code's PDF): its bytes and the name the server gave it. */
export interface DownloadedFile {
  readonly blob: Blob;
  readonly fileName: string;
}

/** `filename="…"` of a Content-Disposition header, or `fallback`. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  const match = /filename="?([^";]+)"?/i.exec(disposition ?? '');
  const name = match?.[1]?.trim() ?? '';
  return /^[\w.-]+$/.test(name) ? name : fallback;
}

async function callApiFile(
  method: Method,
  path: string,
  accept: string,
  fallbackName: string,
  options: CallOptions = {},
): Promise<ApiResult<DownloadedFile>> {
  const response = await send(method, path, options, `${accept}, application/json`);
  if (response === null) return { ok: false, failure: { kind: 'network' } };
  if (!response.ok) return { ok: false, failure: await failureOf(response) };
  try {
    const blob = await response.blob();
    return {
      ok: true,
      value: { blob, fileName: fileNameOf(response.headers.get('content-disposition'), fallbackName) },
    };
  } catch {
    return { ok: false, failure: { kind: 'network' } };
  }
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

export const fetchFamily = (token: string) =>
  callApi<FamilyListResponse>('GET', '/api/v1/me/family-members', { token });

export const addFamilyMember = (token: string, body: AddFamilyMemberRequest) =>
  callApi<FamilyMemberView>('POST', '/api/v1/me/family-members', { token, body });

/** Ends a binding: the proxy removes a member, or the member removes a proxy. */
export const removeFamilyBinding = (token: string, memberId: string) =>
  callApi<undefined>('DELETE', `/api/v1/me/family-members/${encodeURIComponent(memberId)}`, { token });

export const fetchFamilyMemberCode = (token: string, memberId: string) =>
  callApi<FamilyMemberCodeResponse>('GET', `/api/v1/me/family-members/${encodeURIComponent(memberId)}/code`, {
    token,
  });

export type PaperSize = 'A4' | 'A6';

/** printPaperCode: a new paper code (ending the one in force) as a PDF; no memberId for one's own. */
export const printPaperCode = (token: string, memberId: string | null, size: PaperSize) =>
  callApiFile('POST', '/api/v1/me/paper-codes', 'application/pdf', 'paper-code.pdf', {
    token,
    body: { ...(memberId === null ? {} : { memberId }), size },
  });

export const revokePaperCode = (token: string, memberId: string | null) =>
  callApi<PaperCodeRevokedResponse>('POST', '/api/v1/me/paper-codes/revoke', {
    token,
    body: memberId === null ? {} : { memberId },
  });

export const submitArrivalDeclaration = (token: string, body: ArrivalDeclarationRequest) =>
  callApi<ArrivalDeclarationResultResponse>('POST', '/api/v1/me/arrival-declarations', { token, body });

export const fetchMyArrivalDeclarations = (token: string) =>
  callApi<ArrivalDeclarationListResponse>('GET', '/api/v1/me/arrival-declarations', { token });

const memberQuery = (memberId: string | null) =>
  memberId === null ? '' : `?memberId=${encodeURIComponent(memberId)}`;

/** getMyColourInputs: every input behind the colour of oneself (null) or a family member. */
export const fetchColourInputs = (token: string, memberId: string | null) =>
  callApi<ColourInputsResponse>('GET', `/api/v1/me/colour-inputs${memberQuery(memberId)}`, { token });

export const fileAppeal = (token: string, body: FileAppealRequest) =>
  callApi<AppealViewT>('POST', '/api/v1/me/appeals', { token, body });

export const submitFeedback = (token: string, body: SubmitFeedbackRequest) =>
  callApi<FeedbackViewT>('POST', '/api/v1/me/feedback', { token, body });

export const fetchMyFeedback = (token: string) =>
  callApi<MyFeedbackListResponse>('GET', '/api/v1/me/feedback', { token });

/** listMyNotices: opening the inbox marks what it shows as read. */
export const fetchMyNotices = (token: string) =>
  callApi<NoticeListResponse>('GET', '/api/v1/me/notices', { token });

/** countMyUnreadNotices: the top bar's count; marks nothing as read. */
export const fetchUnreadNotices = (token: string) =>
  callApi<NoticeCountResponse>('GET', '/api/v1/me/notices/unread', { token });

/** getMyAccessLog: who saw the data of oneself (null) or a family member. */
export const fetchAccessLog = (token: string, memberId: string | null) =>
  callApi<AccessLogResponse>('GET', `/api/v1/me/access-log${memberQuery(memberId)}`, { token });

export const fileVenueComplaint = (token: string, body: ComplaintRequest) =>
  callApi<ComplaintFiledResponse>('POST', '/api/v1/venue-complaints', { token, body });

/** setStaffPassword: the one-time link's token, the new password; the answer carries the TOTP secret once. */
export const setStaffPassword = (token: string, password: string) =>
  callApi<StaffPasswordSetResponse>('POST', '/api/v1/staff-password-setups', { body: { token, password } });

export const staffSignIn = (username: string, password: string, totp: string) =>
  callApi<StaffSessionResponse>('POST', '/api/v1/staff-sessions', { body: { username, password, totp } });

/** True when the failure means the session is gone and the resident must sign in again. */
export const isSessionLost = (failure: ApiFailure): boolean =>
  failure.kind === 'api' && failure.status === 401;

/** Hands a downloaded file to the browser as a download (never shown inside the app). */
export function saveFile(file: DownloadedFile): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL; it can go once the click has been handled.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** An officer opens a file attached to feedback or an appeal (getAttachment; the read is audited). */
export const fetchAttachment = (token: string, attachmentId: string) =>
  callApiFile('GET', `/api/v1/attachments/${encodeURIComponent(attachmentId)}`, '*/*', 'attachment', {
    token,
  });
