import { chinaDate, parseChinaDate } from '../domain/china-time.ts';
import { DAY_MS, type EpochMs } from '../domain/types.ts';
import { finishJobRun, insertJobRun } from '../storage/job-runs.ts';
import { anyResidentCreatedBefore } from '../storage/residents.ts';
import type { Platform } from './platform.ts';
import { escalateAppeals } from './feedback.ts';
import { sendNoticeSms } from './notices.ts';
import { createPartitionsAhead } from './partitions.ts';
import { purge } from './retention.ts';
import { takeColourSnapshot } from './statistics.ts';
import { reassessDue } from './sweep.ts';

/** How often the scheduler looks for work. */
export const SCHEDULER_TICK_MS = 30_000;

/**
 * Claims a job slot across all nodes sharing the database: the node whose insert succeeds runs it.
 * Returns false when another node (or an earlier tick) already has it.
 */
export async function claimJob(p: Platform, job: string, slot: string): Promise<boolean> {
  return insertJobRun(p.db, job, slot, p.clock.now());
}

async function finishJob(p: Platform, job: string, slot: string): Promise<void> {
  await finishJobRun(p.db, job, slot, p.clock.now());
}

/**
 * One round of scheduled work: colours whose `until` passed are reassessed (events on time), overdue
 * appeals escalate and notice SMS are sent; after
 * each China midnight the day that ended gets its colour snapshot, on PostgreSQL the day partitions
 * of the week ahead are made, and the daily purge runs (P5), dropping whole past days there.
 */
export async function runScheduledWork(p: Platform): Promise<void> {
  const now = p.clock.now();
  await reassessDue(p);
  // Appeals past their deadline go to the provincial queue (reads show it already), and the SMS
  // of notices queued since the last round go out (issue 10).
  await escalateAppeals(p);
  await sendNoticeSms(p);
  const yesterday = chinaDate((now - DAY_MS) as EpochMs);
  if (await claimJob(p, 'colour_snapshot', yesterday)) {
    // A platform that had no residents when that day ended (a fresh install) has nothing to show
    // for it; today's counts must not be filed under yesterday.
    const dayEnded = parseChinaDate(chinaDate(now)) ?? now;
    if (await anyResidentCreatedBefore(p.db, dayEnded)) await takeColourSnapshot(p, yesterday);
    await finishJob(p, 'colour_snapshot', yesterday);
  }
  const today = chinaDate(now);
  // PostgreSQL: the day partitions of the week ahead (issue 12); they also are made at every start.
  if (p.database.dialect === 'postgres' && (await claimJob(p, 'partitions', today))) {
    const made = await createPartitionsAhead(p.database, now);
    if (made.length > 0) p.logger.info({ partitions: made }, 'day partitions created');
    await finishJob(p, 'partitions', today);
  }
  if (await claimJob(p, 'purge', today)) {
    const result = await purge(p, 'schedule');
    p.logger.info(
      {
        deleted: result.deleted,
        droppedPartitions: result.droppedPartitions,
        busyPartitions: result.busyPartitions,
      },
      'scheduled purge finished',
    );
    await finishJob(p, 'purge', today);
  }
}

/** Starts the scheduler (serve and demo); returns a stop function that waits for a running round. */
export function startScheduler(p: Platform, tickMs = SCHEDULER_TICK_MS): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running !== null) return;
    running = runScheduledWork(p)
      .catch((error: unknown) => p.logger.error({ err: error }, 'scheduled work failed'))
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, tickMs);
  timer.unref();
  setImmediate(tick);
  return async () => {
    clearInterval(timer);
    if (running !== null) await running;
  };
}
