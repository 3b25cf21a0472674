import { certLogicTruthiness, describeValue, evaluateValidCertLogic } from '../certlogic/certlogic.ts';
import type { CertLogicExpression } from '../certlogic/certlogic.ts';
import { epochMs } from '../types.ts';
import type { EpochMs } from '../types.ts';
import type { RuleContext } from './rule-context.ts';

export type RuleOutcome =
  | { readonly ok: true; readonly applies: false }
  | { readonly ok: true; readonly applies: true; readonly until: EpochMs | null }
  | { readonly ok: false; readonly part: 'when' | 'until'; readonly error: string };

const NOT_APPLYING: RuleOutcome = { ok: true, applies: false };

/**
 * Runs one rule (already validated) on one fact. The rule applies when `when` is CertLogic-truthy;
 * only then is `until` evaluated, and it must give a date-time (from `plusTime`) or null (open-ended).
 */
export function evaluateRule(
  rule: { readonly when: CertLogicExpression; readonly until: CertLogicExpression },
  context: RuleContext,
): RuleOutcome {
  const when = evaluateValidCertLogic(rule.when, context);
  if (!when.ok) return { ok: false, part: 'when', error: when.error };
  const applies = certLogicTruthiness(when.value);
  if (applies === undefined) {
    return {
      ok: false,
      part: 'when',
      error: `evaluated to ${describeValue(when.value)}, which is neither truthy nor falsy`,
    };
  }
  if (!applies) return NOT_APPLYING;
  const until = evaluateValidCertLogic(rule.until, context);
  if (!until.ok) return { ok: false, part: 'until', error: until.error };
  if (until.value === null) return { ok: true, applies: true, until: null };
  if (until.value instanceof Date) return { ok: true, applies: true, until: epochMs(until.value.getTime()) };
  return {
    ok: false,
    part: 'until',
    error: `evaluated to ${describeValue(until.value)}; it must be a date-time (a plusTime result) or null`,
  };
}
