/**
 * The authority console's calls (issue 10 item 3). Every shape is the server's own contract
 * (src/contracts), so the console and the API cannot drift apart.
 */
import type { Static } from '@sinclair/typebox';
import type { Reply } from '../../src/contracts/common.ts';
import type {
  ChannelListResponse,
  ChannelRegisteredResponse,
  ChannelResponse as ChannelView,
  ChannelSecretRotatedResponse,
  RegisterChannelBody,
  UpdateChannelStatusBody,
} from '../../src/contracts/channels.ts';
import type {
  ColourStatisticsResponse,
  ImportStatus,
  ImportDetail,
  PolicyPreviewResponse,
} from '../../src/contracts/epidemic.ts';
import type {
  PolicyList,
  RiskAreaList,
  RiskAreaChange,
  DeclareRiskAreaBody,
} from '../../src/contracts/epidemic.ts';
import type {
  AnswerAppealRequest,
  AnswerFeedbackRequest,
  AppealListResponse,
  FeedbackListResponse,
} from '../../src/contracts/feedback.ts';
import type {
  ColourOverrideResponse,
  ComplaintPageResponse,
  OverrideApprovedResponse,
  OverrideBody,
  OverrideListResponse,
} from '../../src/contracts/overrides-complaints.ts';
import type { ReportPage, ReportResponse, ReportStateBody } from '../../src/contracts/reports.ts';
import type { StaffSessionResponse } from '../../src/contracts/sign-in.ts';
import type {
  AuditLogPageResponse,
  CreateStaffAccountBody,
  ResidentLookupBody,
  ResidentLookupResponse,
  StaffAccountCreatedResponse,
  StaffAccountList,
  StaffAccountUpdatedResponse,
  UpdateStaffAccountBody,
} from '../../src/contracts/staff.ts';
import type { VenuePage, VenueResponse } from '../../src/contracts/venues.ts';
import { callApi } from '../api.ts';

export type { ColourStatisticsResponse, CountyColoursResponse } from '../../src/contracts/epidemic.ts';
export type { PolicyPreviewResponse, RiskAreaResponse } from '../../src/contracts/epidemic.ts';
export type { ImportStatusResponse, ImportRowErrorResponse } from '../../src/contracts/epidemic.ts';
export type { AppealListResponse, FeedbackListResponse } from '../../src/contracts/feedback.ts';
export type {
  ColourOverrideResponse,
  ComplaintPageResponse,
} from '../../src/contracts/overrides-complaints.ts';
export type { ReportResponse } from '../../src/contracts/reports.ts';
export type { StaffSessionResponse } from '../../src/contracts/sign-in.ts';
export type {
  AuditLogPageResponse,
  ResidentLookupResponse,
  StaffAccountResponse,
} from '../../src/contracts/staff.ts';
export type { StaffAccountCreatedResponse, StaffAccountUpdatedResponse } from '../../src/contracts/staff.ts';
export type { VenueResponse } from '../../src/contracts/venues.ts';

export type AppealView = AppealListResponse['appeals'][number];
export type FeedbackItem = FeedbackListResponse['feedback'][number];
export type ImportDetailResponse = Reply<typeof ImportDetail>;
export type ImportListResponse = { readonly imports: readonly Reply<typeof ImportStatus>[] };
export type RiskAreaListResponse = Reply<typeof RiskAreaList>;
export type RiskAreaChangeResponse = Reply<typeof RiskAreaChange>;
export type PolicyListResponse = Reply<typeof PolicyList>;
export type StaffAccountListResponse = Reply<typeof StaffAccountList>;
export type StaffRole = Static<typeof CreateStaffAccountBody>['role'];
export type CreateStaffAccountRequest = Static<typeof CreateStaffAccountBody>;
export type UpdateStaffAccountRequest = Static<typeof UpdateStaffAccountBody>;
export type ResidentLookupRequest = Static<typeof ResidentLookupBody>;
export type OverrideRequest = Static<typeof OverrideBody>;
export type DeclareRiskAreaRequest = Static<typeof DeclareRiskAreaBody>;
export type ReportStateRequest = Static<typeof ReportStateBody>;
/** The report list: the page's fields, its reports typed by their $ref (Report). */
export type ReportPageResponse = Omit<Reply<typeof ReportPage>, 'reports'> & {
  readonly reports: readonly ReportResponse[];
};
/** The venue list: the page's fields, its venues typed by their $ref (Venue). */
export type VenuePageResponse = Omit<Reply<typeof VenuePage>, 'venues'> & {
  readonly venues: readonly VenueResponse[];
};

const q = (params: Readonly<Record<string, string | undefined>>): string => {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
};
const id = (value: string | number) => encodeURIComponent(String(value));

export const staffSignIn = (username: string, password: string, totp: string) =>
  callApi<StaffSessionResponse>('POST', '/api/v1/staff-sessions', {
    body: { username, password, ...(totp === '' ? {} : { totp }) },
  });

export const staffSignOut = (token: string) =>
  callApi<undefined>('DELETE', '/api/v1/sessions/current', { token });

export const fetchStatistics = (token: string, from: string, to: string) =>
  callApi<ColourStatisticsResponse>('GET', `/api/v1/statistics/colours${q({ from, to })}`, { token });

export const fetchReports = (token: string) =>
  callApi<ReportPageResponse>('GET', '/api/v1/reports?limit=100', { token });

export const moveReport = (token: string, reportId: number, body: ReportStateRequest) =>
  callApi<ReportResponse>('POST', `/api/v1/reports/${id(reportId)}/state`, { token, body });

export const fetchImports = (token: string) =>
  callApi<ImportListResponse>('GET', '/api/v1/imports?limit=50', { token });

export const fetchImport = (token: string, importId: string) =>
  callApi<ImportDetailResponse>('GET', `/api/v1/imports/${id(importId)}?errors=100`, { token });

/** importRecords: the file is the body, sent as it is (CSV or JSON Lines). */
export async function uploadImport(
  token: string,
  kind: string,
  file: File,
  strict: boolean,
): Promise<
  | { ok: true; value: ImportDetailResponse }
  | { ok: false; status: number | null; code: string; message: string }
> {
  const jsonl = /\.(jsonl|ndjson)$/i.test(file.name);
  try {
    const response = await fetch(
      `/api/v1/imports${q({ kind, format: jsonl ? 'jsonl' : 'csv', strict: String(strict), fileName: file.name })}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': jsonl ? 'application/x-ndjson' : 'text/csv',
          accept: 'application/json',
        },
        body: file,
        cache: 'no-store',
      },
    );
    const json = (await response.json().catch(() => null)) as
      ImportDetailResponse | { error?: { code?: string; message?: string } } | null;
    if (response.ok && json !== null && 'importId' in json) return { ok: true, value: json };
    const error = json !== null && 'error' in json ? json.error : undefined;
    return {
      ok: false,
      status: response.status,
      code: error?.code ?? 'internal_error',
      message: error?.message ?? `HTTP ${response.status}`,
    };
  } catch {
    return { ok: false, status: null, code: 'network', message: '' };
  }
}

export const fetchAppeals = (token: string) =>
  callApi<AppealListResponse>('GET', '/api/v1/appeals', { token });

export const answerAppeal = (token: string, appealId: string, body: AnswerAppealRequest) =>
  callApi<AppealView>('POST', `/api/v1/appeals/${id(appealId)}/answer`, { token, body });

export const fetchFeedback = (token: string) =>
  callApi<FeedbackListResponse>('GET', '/api/v1/feedback', { token });

export const answerFeedback = (token: string, feedbackId: string, body: AnswerFeedbackRequest) =>
  callApi<FeedbackItem>('POST', `/api/v1/feedback/${id(feedbackId)}/answer`, { token, body });

export const fetchComplaints = (token: string) =>
  callApi<ComplaintPageResponse>('GET', '/api/v1/venue-complaints', { token });

export const fetchVenues = (token: string, status: 'pending' | 'approved') =>
  callApi<VenuePageResponse>('GET', `/api/v1/venues${q({ status, limit: '200' })}`, { token });

export const approveVenue = (token: string, venueId: number) =>
  callApi<VenueResponse>('POST', `/api/v1/venues/${id(venueId)}/approval`, { token, body: {} });

export const lookupResident = (token: string, body: ResidentLookupRequest) =>
  callApi<ResidentLookupResponse>('POST', '/api/v1/resident-lookups', { token, body });

export const requestOverride = (token: string, body: OverrideRequest) =>
  callApi<ColourOverrideResponse>('POST', '/api/v1/colour-overrides', { token, body });

export const fetchOverrides = (token: string, status: 'pending' | 'in_force' | 'ended') =>
  callApi<OverrideListResponse>('GET', `/api/v1/colour-overrides?status=${status}`, { token });

export const approveOverride = (token: string, overrideId: string) =>
  callApi<OverrideApprovedResponse>('POST', `/api/v1/colour-overrides/${id(overrideId)}/approval`, {
    token,
    body: {},
  });

export const fetchRiskAreas = (token: string) =>
  callApi<RiskAreaListResponse>('GET', '/api/v1/risk-areas?inForce=true', { token });

export const declareRiskArea = (token: string, body: DeclareRiskAreaRequest) =>
  callApi<RiskAreaChangeResponse>('POST', '/api/v1/risk-areas', { token, body });

export const liftRiskArea = (token: string, riskAreaId: string) =>
  callApi<RiskAreaChangeResponse>('POST', `/api/v1/risk-areas/${id(riskAreaId)}/lift`, { token, body: {} });

export const fetchPolicies = (token: string) =>
  callApi<PolicyListResponse>('GET', '/api/v1/policies', { token });

export const previewPolicy = (token: string, policy: Record<string, unknown>, note: string) =>
  callApi<PolicyPreviewResponse>('POST', '/api/v1/policies/preview', {
    token,
    body: { policy, ...(note === '' ? {} : { note }) },
  });

export const publishPolicy = (token: string, policy: Record<string, unknown>, note: string) =>
  callApi<PolicyListResponse['policies'][number]>('POST', '/api/v1/policies', {
    token,
    body: { policy, ...(note === '' ? {} : { note }) },
  });

export const fetchStaffAccounts = (token: string) =>
  callApi<StaffAccountListResponse>('GET', '/api/v1/staff', { token });

export const createStaffAccount = (token: string, body: CreateStaffAccountRequest) =>
  callApi<StaffAccountCreatedResponse>('POST', '/api/v1/staff', { token, body });

export const updateStaffAccount = (token: string, staffId: number, body: UpdateStaffAccountRequest) =>
  callApi<StaffAccountUpdatedResponse>('PATCH', `/api/v1/staff/${id(staffId)}`, { token, body });

export type ChannelResponse = ChannelView;
export const fetchChannels = (token: string) =>
  callApi<ChannelListResponse>('GET', '/api/v1/channels', { token });
export const registerChannel = (token: string, body: Static<typeof RegisterChannelBody>) =>
  callApi<ChannelRegisteredResponse>('POST', '/api/v1/channels', { token, body });
export const rotateChannelSecret = (token: string, clientId: string) =>
  callApi<ChannelSecretRotatedResponse>('POST', `/api/v1/channels/${encodeURIComponent(clientId)}/secret`, {
    token,
    body: {},
  });
export const updateChannelStatus = (
  token: string,
  clientId: string,
  body: Static<typeof UpdateChannelStatusBody>,
) => callApi<ChannelView>('PATCH', `/api/v1/channels/${encodeURIComponent(clientId)}`, { token, body });

export const fetchAuditLog = (token: string, after: number | null) =>
  callApi<AuditLogPageResponse>(
    'GET',
    `/api/v1/audit-log${q({ limit: '100', ...(after === null ? {} : { after: String(after) }) })}`,
    { token },
  );
