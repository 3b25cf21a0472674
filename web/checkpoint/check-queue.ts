/**
 * Checks made while offline, kept until the server has them (P1): none lost, none duplicated.
 * A check leaves the queue only when the server answered 200 or 201 for its clientCheckId (201:
 * stored now; 200: it already had it), so a lost answer just means one more harmless upload.
 */
import { readStored, writeStored } from '../storage.ts';
import type { CheckRequest } from './checkpoint-api.ts';

export const QUEUE_KEY = 'healthcode.checkpoint.queue';

export interface QueuedCheck {
  readonly venueId: string;
  readonly body: CheckRequest & { readonly clientCheckId: string; readonly checkedAt: string };
  /** The last refusal by the server (a 4xx other than 401); the check stays queued and is retried. */
  readonly lastError?: { readonly code: string; readonly message: string };
}

/** Where the queue lives; localStorage in the page (synchronous, so a write is done when it returns). */
export interface QueueStore {
  read(key: string): string | null;
  write(key: string, value: string | null): void;
}

export const pageStore: QueueStore = { read: readStored, write: writeStored };

function isQueuedCheck(value: unknown): value is QueuedCheck {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<QueuedCheck>;
  return (
    typeof v.venueId === 'string' &&
    typeof v.body === 'object' &&
    v.body !== null &&
    typeof v.body.clientCheckId === 'string' &&
    typeof v.body.checkedAt === 'string'
  );
}

export function queuedChecks(store: QueueStore = pageStore): QueuedCheck[] {
  const text = store.read(QUEUE_KEY);
  if (text === null) return [];
  try {
    const json: unknown = JSON.parse(text);
    return Array.isArray(json) ? json.filter(isQueuedCheck) : [];
  } catch {
    return [];
  }
}

function save(store: QueueStore, checks: readonly QueuedCheck[]): void {
  store.write(QUEUE_KEY, checks.length === 0 ? null : JSON.stringify(checks));
}

/** Adds a check, once: the same clientCheckId queued twice stays one entry. */
export function enqueueCheck(check: QueuedCheck, store: QueueStore = pageStore): number {
  const checks = queuedChecks(store);
  if (!checks.some((c) => c.body.clientCheckId === check.body.clientCheckId)) checks.push(check);
  save(store, checks);
  return checks.length;
}

/**
 * How one upload went: `stored` (200/201), `rejected` (the server refused this check: it stays,
 * with the reason), or `stop` (no network, session gone, server trouble: try again later).
 */
export type UploadOutcome =
  | { readonly kind: 'stored' }
  | { readonly kind: 'rejected'; readonly code: string; readonly message: string }
  | { readonly kind: 'stop'; readonly why: 'network' | 'session' | 'server' };

export interface UploadReport {
  readonly stored: number;
  readonly rejected: number;
  readonly remaining: number;
  readonly stoppedBy: 'network' | 'session' | 'server' | null;
}

/**
 * Uploads queued checks oldest first, one at a time. Each entry is removed by its clientCheckId
 * from what storage holds at that moment, so checks queued meanwhile are kept.
 */
export async function uploadQueue(
  send: (check: QueuedCheck) => Promise<UploadOutcome>,
  store: QueueStore = pageStore,
): Promise<UploadReport> {
  let stored = 0;
  let rejected = 0;
  let stoppedBy: UploadReport['stoppedBy'] = null;
  for (const check of queuedChecks(store)) {
    const outcome = await send(check);
    const id = check.body.clientCheckId;
    if (outcome.kind === 'stop') {
      stoppedBy = outcome.why;
      break;
    }
    if (outcome.kind === 'stored') {
      stored++;
      save(
        store,
        queuedChecks(store).filter((c) => c.body.clientCheckId !== id),
      );
    } else {
      rejected++;
      const lastError = { code: outcome.code, message: outcome.message };
      save(
        store,
        queuedChecks(store).map((c) => (c.body.clientCheckId === id ? { ...c, lastError } : c)),
      );
    }
  }
  return { stored, rejected, remaining: queuedChecks(store).length, stoppedBy };
}
