import type { Db } from './database.ts';

/**
 * Claims a job slot across all nodes sharing the database: the node whose insert succeeds runs it.
 * Resolves to false when another node (or an earlier tick) already has it.
 */
export async function insertJobRun(db: Db, job: string, slot: string, startedAt: number): Promise<boolean> {
  const r = await db
    .insertInto('job_runs')
    .values({ job, slot, started_at: startedAt, finished_at: null })
    .onConflict((oc) => oc.columns(['job', 'slot']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function finishJobRun(db: Db, job: string, slot: string, finishedAt: number): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ finished_at: finishedAt })
    .where('job', '=', job)
    .where('slot', '=', slot)
    .execute();
}
