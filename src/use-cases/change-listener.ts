import { ChangeListener, type Change, type ChangeListenerOptions } from '../storage/change-feed.ts';
import type { Platform } from './platform.ts';
import { deliverAnnouncedReport, resyncReportStreams } from './reports.ts';

/**
 * Acts on a change another node announced: the cached copy is dropped (the next use re-reads it),
 * and an announced report goes to this node's open streams.
 */
export function applyChange(p: Platform, change: Change): void {
  p.metrics.changeHeard(change.kind);
  switch (change.kind) {
    case 'policies':
      p.policies.invalidate();
      return;
    case 'risk_areas':
      p.riskAreas.invalidate();
      return;
    case 'checkpoint_policies':
      p.checkpoint.policy.invalidate();
      return;
    case 'signing_keys':
      p.keyring.invalidate();
      return;
    case 'report':
      void deliverAnnouncedReport(p, change.id);
      return;
  }
}

/** Everything this node caches of shared data, dropped: what was announced while deaf is re-read. */
function forgetCachedSharedData(p: Platform): void {
  p.policies.invalidate();
  p.riskAreas.invalidate();
  p.checkpoint.policy.invalidate();
  p.keyring.invalidate();
}

/**
 * Starts listening for changes made through other API nodes (PostgreSQL: LISTEN on a connection of
 * its own; SQLite: nothing, the caches' timed re-reads serve there). A lost connection is logged and
 * retried with backoff, never fatal; after it comes back the caches are re-read and the report
 * streams poll. Platform.close() stops it. The server starts it; CLI commands have no need.
 */
export function startChangeListener(
  p: Platform,
  /** Reconnect and ping timings (tests shorten or lengthen them); the defaults suit production. */
  options: Omit<ChangeListenerOptions, 'origin'> = {},
): void {
  if (p.changes.listener !== null || p.database.dedicatedClient === null) return;
  let lostSince: number | null = null;
  const listener = new ChangeListener(
    p.database,
    {
      change: (change) => applyChange(p, change),
      listening: (reconnected) => {
        p.metrics.changeFeed(true);
        if (!reconnected) return;
        forgetCachedSharedData(p);
        resyncReportStreams(p);
        p.logger.info(
          { deafMs: lostSince === null ? null : Date.now() - lostSince },
          'change feed listening again; cached policies, risk areas, checkpoint policy and keys are re-read',
        );
        lostSince = null;
      },
      lost: (error, retryInMs) => {
        p.metrics.changeFeed(false);
        // Streams poll at the fast pace while nothing is heard.
        if (lostSince === null) resyncReportStreams(p);
        lostSince ??= Date.now();
        p.logger.warn(
          { err: error.message, retryInMs },
          'change feed lost its database connection; reconnecting (caches meanwhile re-read every few seconds)',
        );
      },
    },
    { ...options, origin: p.changes.origin },
  );
  p.changes.listener = listener;
  listener.start();
}

/** Stops listening; called by Platform.close(). */
export async function stopChangeListener(p: Platform): Promise<void> {
  const listener = p.changes.listener;
  p.changes.listener = null;
  await listener?.close();
}
