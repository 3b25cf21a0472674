import type { Colour, EpochMs, LocalizedText } from '../types.ts';
import type { Fact, FactKind, RiskArea } from './facts.ts';
import { OVERRIDE_RULE_ID, overrideInForce, overrideReasonText, type ColourOverride } from './overrides.ts';
import { compiledPolicy } from './policy.ts';
import type { Policy } from './policy.ts';
import { renderReason } from './reason-text.ts';
import { isoTime, ruleContext } from './rule-context.ts';
import { evaluateRule } from './rule-evaluation.ts';
import { stayRiskLevel } from './risk-level.ts';

/** One applying rule for one fact: why the resident has (at least) this colour (P2). */
export interface Reason {
  /** The policy rule, or 'override' for an officer's override (then `factId` is the override's id). */
  readonly ruleId: string;
  /** red or yellow for a rule; any colour for an override. */
  readonly colour: Colour;
  readonly factId: string;
  readonly factKind: FactKind | typeof OVERRIDE_RULE_ID;
  /** When this rule stops applying to this fact; null when open-ended. */
  readonly until: EpochMs | null;
  readonly text: LocalizedText;
}

export interface Assessment {
  readonly colour: Colour;
  /**
   * Every applying rule, most severe first, then in policy order; an override in force comes first
   * of all, and the rules' reasons after it still say what the rules alone would give.
   */
  readonly reasons: readonly Reason[];
  /**
   * When the colour is expected to change if nothing else happens: the latest `until` among the
   * reasons of the winning colour; null if one of them is open-ended, and null for green. With an
   * override in force: the override's end, whatever the colour.
   */
  readonly until: EpochMs | null;
  readonly policyVersion: string;
}

interface RankedReason {
  readonly reason: Reason;
  readonly severity: number;
  readonly ruleIndex: number;
}

/**
 * A resident's colour under `policy` at `now`, with its reasons and the time it is expected to
 * change. Pure: the same input always gives the same assessment. Throws only when a rule fails to
 * evaluate on a fact, which means the policy is broken (validatePolicy's sample run catches most).
 */
export function assessColour(input: {
  readonly facts: readonly Fact[];
  readonly riskAreas: readonly RiskArea[];
  readonly policy: Policy;
  readonly now: EpochMs;
  /** Approved overrides (P4); the one in force at `now`, if any, decides the colour until its end. */
  readonly overrides?: readonly ColourOverride[];
}): Assessment {
  const { facts, riskAreas, policy, now } = input;
  const ruled = assessByRules(facts, riskAreas, policy, now);
  const override = overrideInForce(input.overrides ?? [], now);
  if (override === null) return ruled;
  const reason: Reason = {
    ruleId: OVERRIDE_RULE_ID,
    colour: override.colour,
    factId: override.id,
    factKind: OVERRIDE_RULE_ID,
    until: override.to,
    text: overrideReasonText(override),
  };
  return { ...ruled, colour: override.colour, reasons: [reason, ...ruled.reasons], until: override.to };
}

function assessByRules(
  facts: readonly Fact[],
  riskAreas: readonly RiskArea[],
  policy: Policy,
  now: EpochMs,
): Assessment {
  const { rulesByKind } = compiledPolicy(policy);
  const nowIso = isoTime(now);
  const ranked: RankedReason[] = [];

  for (const fact of facts) {
    const rules = rulesByKind.get(fact.kind);
    if (rules === undefined) continue;
    const riskLevel = fact.kind === 'stay' ? stayRiskLevel(fact, riskAreas, now) : null;
    const context = ruleContext(nowIso, fact, riskLevel);
    for (const { rule, index, severity } of rules) {
      const outcome = evaluateRule(rule, context);
      if (!outcome.ok) {
        throw new Error(
          `Colour policy ${policy.version}, rule "${rule.id}": ${outcome.part} failed on fact ${fact.id} ` +
            `(${fact.kind}): ${outcome.error}`,
        );
      }
      if (!outcome.applies) continue;
      ranked.push({
        severity,
        ruleIndex: index,
        reason: {
          ruleId: rule.id,
          colour: rule.colour,
          factId: fact.id,
          factKind: fact.kind,
          until: outcome.until,
          text: renderReason(rule.reason, fact, outcome.until, riskLevel),
        },
      });
    }
  }

  // Array.prototype.sort is stable, so facts keep their input order within a rule.
  ranked.sort((a, b) => b.severity - a.severity || a.ruleIndex - b.ruleIndex);
  const reasons = ranked.map((r) => r.reason);
  const winner = reasons[0];
  if (winner === undefined) return { colour: 'green', reasons, until: null, policyVersion: policy.version };

  let until: EpochMs | null = null;
  for (const reason of reasons) {
    if (reason.colour !== winner.colour) break;
    if (reason.until === null) {
      until = null;
      break;
    }
    if (until === null || reason.until > until) until = reason.until;
  }
  return { colour: winner.colour, reasons, until, policyVersion: policy.version };
}
