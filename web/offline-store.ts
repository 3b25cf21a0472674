import type { MyCodeResponse } from './api.ts';
import type { PlaceScanResponse } from './checkpoint/checkpoint-api.ts';
import { readStored, writeStored } from './storage.ts';

/**
 * What the app keeps on the phone for a short spell without the network (issue 11, P8): the last
 * code each subject (oneself, each family member shown) was given, and the last place-code
 * pop-up. Only the app writes them, in localStorage beside the session token, and they are
 * forgotten with the session (web/api.ts `storeSession`). The service worker caches no API answer.
 *
 * Shown from here, a code says how old it is; a code is valid for five minutes after it was
 * issued, so an older one shows as expired (the checkpoint's check decides, not this screen).
 */

const LAST_CODES_KEY = 'healthcode.lastCodes';
const LAST_PLACE_PASS_KEY = 'healthcode.lastPlacePass';

/** A place-code pop-up older than this is not shown again on opening the scan page. */
export const PLACE_PASS_KEPT_MS = 30 * 60_000;

export interface SavedCode {
  readonly code: MyCodeResponse;
  /** Device clock when the code arrived, ms. */
  readonly savedAt: number;
  /** Server clock − device clock when it arrived, ms. */
  readonly offsetMs: number;
}

export interface SavedPlacePass extends SavedCode {
  readonly venue: PlaceScanResponse['venue'];
  readonly scannedAt: string;
}

function read(key: string): unknown {
  const text = readStored(key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isSavedCode(value: unknown): value is SavedCode {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<SavedCode>;
  return (
    typeof v.savedAt === 'number' &&
    typeof v.offsetMs === 'number' &&
    typeof v.code === 'object' &&
    v.code !== null &&
    typeof v.code.code === 'string' &&
    typeof v.code.colour === 'string'
  );
}

const subjectKey = (subject: string | null) => subject ?? 'me';

export function saveLastCode(subject: string | null, code: MyCodeResponse, offsetMs: number): void {
  const all = read(LAST_CODES_KEY);
  const codes = typeof all === 'object' && all !== null ? (all as Record<string, unknown>) : {};
  codes[subjectKey(subject)] = { code, savedAt: Date.now(), offsetMs } satisfies SavedCode;
  writeStored(LAST_CODES_KEY, JSON.stringify(codes));
}

export function lastCode(subject: string | null): SavedCode | null {
  const all = read(LAST_CODES_KEY);
  if (typeof all !== 'object' || all === null) return null;
  const saved = (all as Record<string, unknown>)[subjectKey(subject)];
  return isSavedCode(saved) ? saved : null;
}

export function saveLastPlacePass(pass: Omit<SavedPlacePass, 'savedAt'>): void {
  writeStored(LAST_PLACE_PASS_KEY, JSON.stringify({ ...pass, savedAt: Date.now() }));
}

/** The last pop-up, while its scan is less than PLACE_PASS_KEPT_MS old. */
export function lastPlacePass(): SavedPlacePass | null {
  const saved = read(LAST_PLACE_PASS_KEY);
  if (!isSavedCode(saved)) return null;
  const pass = saved as Partial<SavedPlacePass> & SavedCode;
  if (typeof pass.scannedAt !== 'string' || typeof pass.venue !== 'object' || pass.venue === null)
    return null;
  const scanned = Date.parse(pass.scannedAt);
  if (Number.isNaN(scanned) || Date.now() + pass.offsetMs - scanned > PLACE_PASS_KEPT_MS) return null;
  return pass as SavedPlacePass;
}

export function forgetLastPlacePass(): void {
  writeStored(LAST_PLACE_PASS_KEY, null);
}

/** Signing out, in, or losing the session: nothing of the last person stays on the phone. */
export function forgetOfflineData(): void {
  writeStored(LAST_CODES_KEY, null);
  writeStored(LAST_PLACE_PASS_KEY, null);
}
