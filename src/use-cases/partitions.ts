import type { Database } from '../storage/database.ts';
import { DAY_PARTITIONED_TABLES, ensureDayPartitions } from '../storage/partitions.ts';
import type { Logger } from './platform.ts';

/**
 * Day partitions made ahead of time on PostgreSQL (issue 12 item 4): today and this many days
 * after it, at every start and once a day by the scheduler. A week's margin means a scheduler
 * that stopped for days still leaves every write its partition; past that, rows go to the default
 * partition (they are never refused) and move to their day's partition when it is made.
 */
export const PARTITION_DAYS_AHEAD = 7;

/** Makes the missing partitions of today and the days ahead; resolves to the names made. */
export async function createPartitionsAhead(database: Database, now: number): Promise<string[]> {
  const made: string[] = [];
  for (const table of DAY_PARTITIONED_TABLES) {
    made.push(...(await ensureDayPartitions(database, table, now, PARTITION_DAYS_AHEAD + 1)));
  }
  return made;
}

/**
 * At start: a failure (another node holding a lock past the timeout) is logged, not fatal, since
 * rows of a day without its partition go to the default one and the scheduler tries again.
 */
export async function createPartitionsAtStart(
  database: Database,
  now: number,
  logger: Logger,
): Promise<void> {
  if (database.dialect !== 'postgres') return;
  try {
    const made = await createPartitionsAhead(database, now);
    if (made.length > 0)
      logger.info({ partitions: made.length, first: made[0], last: made.at(-1) }, 'day partitions created');
  } catch (error) {
    logger.warn({ err: error }, 'day partitions could not be created at start; the scheduler tries again');
  }
}
