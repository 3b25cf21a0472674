import { assessColour, type Assessment, type Policy } from '../domain/colour/index.ts';
import type { RiskArea } from '../domain/colour/facts.ts';
import type { EpochMs, ResidentId } from '../domain/types.ts';
import type { Db } from '../storage/database.ts';
import { listFacts } from '../storage/facts.ts';
import { updateResidentColour, type StoredColour } from '../storage/residents.ts';
import type { Platform } from './platform.ts';

export function assessmentToStored(a: Assessment, now: EpochMs): StoredColour {
  return {
    colour: a.colour,
    until: a.until,
    reasons: a.reasons,
    policyVersion: a.policyVersion,
    assessedAt: now,
  };
}

/** The shared inputs of every assessment at one moment. */
export interface ColourContext {
  readonly policy: Policy;
  readonly riskAreas: readonly RiskArea[];
}

/**
 * Load this before opening a transaction: on SQLite the transaction holds the only connection, so
 * reading through the platform's caches inside it would wait for itself.
 */
export async function loadColourContext(p: Platform, now: EpochMs): Promise<ColourContext> {
  const [policy, riskAreas] = await Promise.all([p.policies.current(now), p.riskAreas.all(now)]);
  return { policy, riskAreas };
}

/** Recomputes and stores a resident's colour; `db` may be a transaction. */
export async function reassessResident(
  db: Db,
  residentId: ResidentId,
  context: ColourContext,
  now: EpochMs,
): Promise<StoredColour> {
  const facts = await listFacts(db, residentId);
  const assessment = assessColour({ facts, riskAreas: context.riskAreas, policy: context.policy, now });
  const stored = assessmentToStored(assessment, now);
  await updateResidentColour(db, residentId, stored);
  return stored;
}

/**
 * The colour now (S13). A stored colour stays right until its `until` passes or the policy in force
 * changes; facts and risk areas that change recompute it when they change.
 */
export async function ensureFreshColour(
  p: Platform,
  resident: {
    id: ResidentId;
    colour: StoredColour | { colour: StoredColour['colour']; until: EpochMs | null; policyVersion: string };
  },
  now: EpochMs,
): Promise<{ fresh: boolean; colour: StoredColour['colour']; stored: StoredColour | null }> {
  const policy = await p.policies.current(now);
  const c = resident.colour;
  const stale = (c.until !== null && now >= c.until) || c.policyVersion !== policy.version;
  if (!stale) return { fresh: false, colour: c.colour, stored: 'reasons' in c ? c : null };
  const stored = await reassessResident(p.db, resident.id, await loadColourContext(p, now), now);
  return { fresh: true, colour: stored.colour, stored };
}
