/**
 * The issue 4 API as the checkpoint and place-scan pages call it. The shapes are the server's own
 * contracts (src/contracts); answers are still read defensively where the page keeps them across
 * versions (a venue's id field, the policy document's envelope).
 */
import type { CheckRequest, CheckResponse, LookupResponse } from '../../src/contracts/checkpoint.ts';
import type { StaffSessionResponse } from '../../src/contracts/sign-in.ts';
import type { PlaceScanResponse } from '../../src/contracts/venues.ts';
import type { CheckpointPolicy, VenueKind } from '../../src/domain/venues/browser.ts';
import { isVenueKind, validateCheckpointPolicy } from '../../src/domain/venues/browser.ts';
import { callApi, type ApiFailure, type ApiResult } from '../api.ts';
import type { UploadOutcome } from './check-queue.ts';
import { readJwks, type Jwks } from './offline-verify.ts';

export type { CheckRequest, CheckResponse, LookupResponse } from '../../src/contracts/checkpoint.ts';
export type { StaffSessionResponse } from '../../src/contracts/sign-in.ts';
export type { PlaceScanResponse } from '../../src/contracts/venues.ts';

/** What the page needs of a venue. */
export interface CheckpointVenue {
  readonly id: string;
  readonly name: string;
  readonly kind: VenueKind;
}

/** The offline verifier's result, sent with a check that was decided without the server. */
export type OfflineResult = NonNullable<CheckRequest['offline']>;

export const staffSignIn = (username: string, password: string) =>
  callApi<StaffSessionResponse>('POST', '/api/v1/staff-sessions', { body: { username, password } });

export const staffSignOut = (token: string) =>
  callApi<undefined>('DELETE', '/api/v1/sessions/current', { token });

/** A venue id as the API writes it (an integer) or as this page stores it (text); null if neither. */
export function venueIdText(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
  return typeof value === 'string' && /^[1-9][0-9]{0,14}$/.test(value) ? value : null;
}

/** A venue from listVenues, whichever of `venueId` / `id` it names itself by; null if unusable. */
export function readVenue(json: unknown): CheckpointVenue | null {
  if (typeof json !== 'object' || json === null) return null;
  const v = json as Record<string, unknown>;
  const id = venueIdText(v['venueId']) ?? venueIdText(v['id']);
  const name = v['name'];
  const kind = v['kind'];
  if (id === null || typeof name !== 'string' || !isVenueKind(kind)) return null;
  return { id, name, kind };
}

/** Pages of 1000 read at most: an officer's whole jurisdiction, yet a bounded wait on a slow phone. */
const MAX_VENUE_PAGES = 20;

/** The approved venues the account may check at (only those take checks), every page of them. */
export async function fetchVenues(token: string): Promise<ApiResult<CheckpointVenue[]>> {
  const venues: CheckpointVenue[] = [];
  let after: unknown = null;
  for (let page = 0; page < MAX_VENUE_PAGES; page++) {
    const query = `?status=approved&limit=1000${typeof after === 'number' ? `&after=${after}` : ''}`;
    const result = await callApi<{ venues?: unknown; nextAfter?: unknown }>('GET', `/api/v1/venues${query}`, {
      token,
    });
    if (!result.ok) return result;
    const list = Array.isArray(result.value.venues) ? result.value.venues : [];
    venues.push(...list.map(readVenue).filter((v): v is CheckpointVenue => v !== null));
    after = result.value.nextAfter;
    if (typeof after !== 'number') break;
  }
  return { ok: true, value: venues };
}

/** The current checkpoint policy, from the document itself or a `{ policy }` envelope. */
export async function fetchCheckpointPolicy(token: string): Promise<ApiResult<CheckpointPolicy>> {
  const result = await callApi<unknown>('GET', '/api/v1/checkpoint-policy', { token });
  if (!result.ok) return result;
  const body = result.value;
  const document =
    typeof body === 'object' && body !== null && 'policy' in body && !('kinds' in body) ? body.policy : body;
  const policy = validateCheckpointPolicy(document);
  if (!policy.ok) {
    return {
      ok: false,
      failure: {
        kind: 'api',
        status: 200,
        error: { code: 'internal_error', message: 'The checkpoint policy could not be read.', requestId: '' },
      },
    };
  }
  return { ok: true, value: policy.value };
}

export async function fetchJwks(): Promise<ApiResult<Jwks>> {
  const result = await callApi<unknown>('GET', '/api/v1/keys');
  if (!result.ok) return result;
  const jwks = readJwks(result.value);
  return jwks === null
    ? {
        ok: false,
        failure: {
          kind: 'api',
          status: 200,
          error: { code: 'internal_error', message: 'The key set could not be read.', requestId: '' },
        },
      }
    : { ok: true, value: jwks };
}

export const recordCheck = (token: string, venueId: string, body: CheckRequest) =>
  callApi<CheckResponse>('POST', `/api/v1/venues/${encodeURIComponent(venueId)}/checks`, { token, body });

/** The no-code lane (online only): colour now, masked name and a 5-minute code to record the check with. */
export const lookupByDocument = (token: string, documentType: string, documentNumber: string) =>
  callApi<LookupResponse>('POST', '/api/v1/document-lookups', {
    token,
    body: { documentType, documentNumber },
  });

export const scanPlaceCode = (token: string, placeCode: string) =>
  callApi<PlaceScanResponse>('POST', '/api/v1/place-scans', { token, body: { placeCode } });

/** How a failed upload of a queued check is handled: only a refusal of that check is per-check. */
export function uploadOutcome(failure: ApiFailure): UploadOutcome {
  if (failure.kind === 'network') return { kind: 'stop', why: 'network' };
  if (failure.status === 401) return { kind: 'stop', why: 'session' };
  if (failure.status >= 500 || failure.status === 429) return { kind: 'stop', why: 'server' };
  return { kind: 'rejected', code: failure.error.code, message: failure.error.message };
}
