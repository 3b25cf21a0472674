import type { EpochMs } from '../types.ts';
import type { Fact, FactKind, RiskLevel } from './facts.ts';

/** The fact as a rule sees it: times as ISO 8601 strings (what CertLogic's `plusTime` reads), absent fields as null. */
export interface FactContext {
  readonly id: string;
  readonly kind: FactKind;
  readonly from: string;
  readonly to: string | null;
  readonly isolation: string | null;
  readonly divisionCode: string | null;
  readonly subArea: string | null;
  readonly level: RiskLevel | null;
  readonly temperatureDeciC: number | null;
  readonly symptoms: readonly string[] | null;
  readonly countries: readonly string[] | null;
  readonly note: string | null;
  readonly source: string;
  /** Computed for stays (see stayRiskLevel); null for every other kind. */
  readonly riskLevel: RiskLevel | null;
}

/** The data context of a rule's `when` and `until`. */
export interface RuleContext {
  readonly now: string;
  readonly fact: FactContext;
}

const SCALAR_FIELDS = [
  'id',
  'kind',
  'from',
  'to',
  'isolation',
  'divisionCode',
  'subArea',
  'level',
  'temperatureDeciC',
  'note',
  'source',
  'riskLevel',
] as const;
const LIST_FIELDS = ['symptoms', 'countries'] as const;

/** Whether a `var` path outside a `reduce` lambda names something the rule context provides. */
export function isKnownContextPath(path: string): boolean {
  if (path === 'now') return true;
  const [root, field, index, ...rest] = path.split('.');
  if (root !== 'fact' || field === undefined) return false;
  if ((SCALAR_FIELDS as readonly string[]).includes(field)) return index === undefined;
  if ((LIST_FIELDS as readonly string[]).includes(field)) {
    return index === undefined || (/^\d+$/.test(index) && rest.length === 0);
  }
  return false;
}

export function isoTime(t: EpochMs): string {
  return new Date(t).toISOString();
}

/** Builds the rule context of one fact; `riskLevel` only matters for stays. */
export function ruleContext(nowIso: string, fact: Fact, riskLevel: RiskLevel | null): RuleContext {
  return {
    now: nowIso,
    fact: {
      id: fact.id,
      kind: fact.kind,
      from: isoTime(fact.from),
      to: fact.to === null ? null : isoTime(fact.to),
      isolation: fact.isolation ?? null,
      divisionCode: fact.divisionCode ?? null,
      subArea: fact.subArea ?? null,
      level: fact.level ?? null,
      temperatureDeciC: fact.temperatureDeciC ?? null,
      symptoms: fact.symptoms ?? null,
      countries: fact.countries ?? null,
      note: fact.note ?? null,
      source: fact.source,
      riskLevel: fact.kind === 'stay' ? riskLevel : null,
    },
  };
}
