import type { Fact, FactKind } from './facts.ts';
import type { EpochMs } from '../types.ts';

/**
 * An officer's correction of one recorded fact (issue 9 item 7): `end` closes it at `to` (a discharge
 * from hospital, an isolation that ended, a stay that ended); `withdraw` says it was recorded in error,
 * and then it counts for nothing.
 */
export type FactCorrection =
  | { readonly factId: string; readonly action: 'end'; readonly to: EpochMs }
  | { readonly factId: string; readonly action: 'withdraw' };

/** Facts that last until the person leaves hospital: a discharge from any source ends them. */
export const ENDED_BY_DISCHARGE: ReadonlySet<FactKind> = new Set(['confirmed', 'suspected', 'asymptomatic']);

/**
 * The facts the policy reads, after corrections and discharges, whichever source each came from:
 *
 * 1. A withdrawn fact is dropped. An ended fact gets the correction's end (which may move an end that
 *    was already known, earlier or later: that is what correcting means).
 * 2. A confirmed, suspected or asymptomatic fact that is still open ends at the first discharge at or
 *    after its start — an officer's discharge ends an imported case and an imported discharge ends an
 *    officer's case, as the seed asks (治愈出院 → 14 days of home observation).
 *
 * Pure, and keeps the order of `facts`.
 */
export function effectiveFacts(facts: readonly Fact[], corrections: readonly FactCorrection[]): Fact[] {
  const byId = new Map(corrections.map((c) => [c.factId, c]));
  const corrected: Fact[] = [];
  for (const fact of facts) {
    const c = byId.get(fact.id);
    if (c === undefined) corrected.push(fact);
    else if (c.action === 'end') corrected.push({ ...fact, to: c.to < fact.from ? fact.from : c.to });
  }
  const discharges = corrected
    .filter((f) => f.kind === 'discharged')
    .map((f) => f.from)
    .sort((a, b) => a - b);
  if (discharges.length === 0) return corrected;
  return corrected.map((fact) => {
    if (fact.to !== null || !ENDED_BY_DISCHARGE.has(fact.kind)) return fact;
    const discharge = discharges.find((d) => d >= fact.from);
    return discharge === undefined ? fact : { ...fact, to: discharge };
  });
}
