import { randomUUID } from 'node:crypto';
import { publishChange, type Change, type ChangeListener } from '../storage/change-feed.ts';
import type { Database } from '../storage/database.ts';
import type { Logger, Platform } from './platform.ts';

export type { Change } from '../storage/change-feed.ts';

/** This node's part in the change feed between API nodes (Platform.changes). */
export interface ChangesState {
  /** This node's id in announcements, so it skips its own. */
  readonly origin: string;
  /** Listening for other nodes' changes (PostgreSQL, once startChangeListener ran). */
  listener: ChangeListener | null;
}

export function createChangesState(): ChangesState {
  return { origin: randomUUID(), listener: null };
}

/**
 * Tells the other API nodes about a change this node has committed (on PostgreSQL; on SQLite there
 * is nothing to tell — other processes on the file re-read within seconds). Call it after the
 * change is committed and after this node's own cache was dropped. Never throws: the change is
 * made and must be answered as made; a node that misses the announcement re-reads within seconds.
 */
export async function announce(p: Platform, change: Change): Promise<void> {
  await announceOn(p.database, p.changes.origin, change, p.logger);
}

/** `announce` for a command without a Platform (the CLI's `keys generate` and `keys rotate`). */
export async function announceOn(
  database: Database,
  origin: string,
  change: Change,
  logger: Logger,
): Promise<void> {
  try {
    await publishChange(database, origin, change);
  } catch (error) {
    logger.warn(
      { kind: change.kind, err: (error as Error).message },
      'could not announce a change to the other API nodes; they see it at their next timed re-read',
    );
  }
}
