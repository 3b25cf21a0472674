import type { EpochMs, ResidentId } from '../domain/types.ts';
import { loadColourContext, reassessResident } from './colour.ts';
import type { Platform } from './platform.ts';
import { residentIdsAfter, residentsDueBy } from '../storage/residents.ts';

/** Residents reassessed per page of a whole-population sweep. */
const PAGE = 1000;

export interface SweepResult {
  readonly reassessed: number;
  readonly changed: number;
  readonly startedAt: EpochMs;
  readonly finishedAt: EpochMs;
}

/**
 * Reassesses the given residents now, each in its own transaction, so a crash part way loses
 * nothing: the ones not reached yet are still reassessed when read (ensureFreshColour) and by the
 * next sweep. Colour events are written by reassessResident.
 */
export async function reassessResidents(p: Platform, ids: readonly ResidentId[]): Promise<SweepResult> {
  const startedAt = p.clock.now();
  let changed = 0;
  const context = await loadColourContext(p, startedAt);
  for (const id of ids) {
    const now = p.clock.now();
    const r = await p.db.transaction().execute((trx) => reassessResident(trx, id, context, now));
    if (r.changed) changed++;
  }
  return { reassessed: ids.length, changed, startedAt, finishedAt: p.clock.now() };
}

/** Every resident, in pages by id: after a policy is published or rolled back. */
export async function reassessEveryone(p: Platform): Promise<SweepResult> {
  const startedAt = p.clock.now();
  let reassessed = 0;
  let changed = 0;
  let after = 0;
  for (;;) {
    const ids = await residentIdsAfter(p.db, after, PAGE);
    if (ids.length === 0) break;
    const r = await reassessResidents(p, ids);
    reassessed += r.reassessed;
    changed += r.changed;
    after = ids[ids.length - 1] ?? after;
  }
  return { reassessed, changed, startedAt, finishedAt: p.clock.now() };
}

/** Residents whose expected change time (`until`) has passed: time alone changes colours (S13). */
export async function reassessDue(p: Platform, limit = 10_000): Promise<SweepResult> {
  const now = p.clock.now();
  return reassessResidents(p, await residentsDueBy(p.db, now, limit));
}

/**
 * Runs a sweep in the background of a request: the answer does not wait for it (reads are already
 * right through ensureFreshColour); failures are logged, never lost silently.
 */
export function inBackground(p: Platform, what: string, work: () => Promise<unknown>): Promise<void> {
  const done = work().then(
    () => undefined,
    (error: unknown) => {
      p.logger.error({ err: error }, `${what} failed`);
    },
  );
  p.background.add(done);
  void done.finally(() => p.background.delete(done));
  return done;
}
