import { dataAccesses } from 'certlogic-js/dist/validation/index.js';
import { describeValue, validateCertLogic } from '../certlogic/certlogic.ts';
import type { CertLogicExpression } from '../certlogic/certlogic.ts';
import { COLOUR_SEVERITY, DAY_MS, LOCALES, epochMs } from '../types.ts';
import type { EpochMs, FieldIssue, LocalizedText, Validation } from '../types.ts';
import { FACT_KINDS } from './facts.ts';
import type { Fact, FactKind, RiskLevel } from './facts.ts';
import { unknownPlaceholders } from './reason-text.ts';
import { isKnownContextPath, isoTime, ruleContext } from './rule-context.ts';
import { evaluateRule } from './rule-evaluation.ts';
import {
  checkLocalizedText,
  deepFreeze,
  invalid,
  isRecord,
  issue,
  reportUnknownKeys,
} from '../json-document.ts';

export interface PolicyRule {
  /** Stable name shown with every reason, e.g. 'red.confirmed'. */
  readonly id: string;
  readonly colour: 'red' | 'yellow';
  /** The rule is evaluated once per fact of these kinds. */
  readonly factKinds: readonly FactKind[];
  /** Data `{ now, fact }` (see rule-context.ts); truthy when the rule applies to that fact. */
  readonly when: CertLogicExpression;
  /** Same data; the date-time when the rule stops applying, or null when open-ended. */
  readonly until: CertLogicExpression;
  /** Template; placeholders such as {from} {to} {until} {place} are listed in reason-text.ts. */
  readonly reason: LocalizedText;
}

/** A versioned set of colour rules, published by the provincial authority as JSON. */
export interface Policy {
  readonly version: string;
  /** ISO 8601 date-time with an offset. */
  readonly effectiveFrom: string;
  readonly rules: readonly PolicyRule[];
  readonly description?: LocalizedText;
  /** How long personal data is kept (P5); DEFAULT_RETENTION when absent. */
  readonly retention?: Retention;
  /** Limits of the services for people without a phone (issue 9); DEFAULT_SERVICES when absent. */
  readonly services?: Services;
}

/**
 * Family members, paper codes and the no-code lane (S3). Published with the colour rules, so a
 * province changes them by publishing a policy, not a release.
 */
export interface Services {
  /** How many family members one resident may hold codes for (Guangdong: 8, Beijing: 4). */
  readonly familyMembersPerProxy: number;
  /** How many residents may hold one member's code. */
  readonly proxiesPerMember: number;
  /** How long a printed paper code is valid (Shandong and Jinan: 14 days). */
  readonly paperCodeValidDays: number;
  /** No-code lane: document lookups one staff account may make in an hour, against enumeration. */
  readonly documentLookupsPerHour: number;
  /**
   * Hours an office has to answer an appeal before it escalates to the provincial queue (P4;
   * issue 10). Optional, so policies published before it stay valid; DEFAULT_APPEAL_DEADLINE_HOURS.
   */
  readonly appealDeadlineHours?: number;
  /**
   * Venue complaints (S16, issue 10): a venue with more complaints than this in 30 days is flagged
   * for accountability. Optional in a published block (policies published before issue 10 lack it):
   * DEFAULT_SERVICES' value when absent.
   */
  readonly venueComplaintsFlag: number;
}

/** The window venue complaints are counted over for the flag. */
export const VENUE_COMPLAINT_WINDOW_DAYS = 30;

export const DEFAULT_APPEAL_DEADLINE_HOURS = 24;
const APPEAL_DEADLINE_LIMITS = [1, 720] as const;

export const DEFAULT_SERVICES: Services = {
  familyMembersPerProxy: 8,
  proxiesPerMember: 2,
  paperCodeValidDays: 14,
  documentLookupsPerHour: 120,
  venueComplaintsFlag: 5,
};

type RequiredServices = Exclude<keyof Services, 'appealDeadlineHours'>;
const SERVICE_LIMITS: Readonly<Record<RequiredServices, readonly [min: number, max: number]>> = {
  familyMembersPerProxy: [1, 20],
  proxiesPerMember: [1, 10],
  paperCodeValidDays: [1, 30],
  documentLookupsPerHour: [1, 10_000],
  venueComplaintsFlag: [1, 1000],
};

/** Keys added after policies with a services block were published: absent means the default. */
const OPTIONAL_SERVICE_KEYS: ReadonlySet<keyof Services> = new Set(['venueComplaintsFlag']);

/**
 * Days after which data is deleted by the purge job. Facts and records count from when they stop
 * having any effect (their end, or their start for kinds with a fixed window); events, visits and
 * checks from when they happened.
 */
export interface Retention {
  readonly factsDays: number;
  readonly eventsDays: number;
  readonly visitsDays: number;
  readonly checksDays: number;
  /**
   * Feedback and appeals with their attachments, from their last change (filed, answered,
   * escalated); optional (issue 10), DEFAULT_FEEDBACK_RETENTION_DAYS when absent.
   */
  readonly feedbackDays?: number;
  /** The residents' in-app notices and their SMS outbox, from when they were made; optional. */
  readonly noticesDays?: number;
}

export const DEFAULT_RETENTION: Retention = { factsDays: 30, eventsDays: 90, visitsDays: 28, checksDays: 28 };
export const DEFAULT_FEEDBACK_RETENTION_DAYS = 180;
export const DEFAULT_NOTICE_RETENTION_DAYS = 90;

/** A fact must outlive the longest S10 window (14 days) with margin, or a purge could change colours. */
export const MIN_FACT_RETENTION_DAYS = 15;
const MAX_RETENTION_DAYS = 3650;

export interface CompiledRule {
  readonly rule: PolicyRule;
  /** Position in the policy; orders reasons of equal severity. */
  readonly index: number;
  readonly severity: number;
}

/** A validated policy with its rules indexed by fact kind, so assessing a resident does no lookups. */
export interface CompiledPolicy {
  readonly policy: Policy;
  readonly rulesByKind: ReadonlyMap<FactKind, readonly CompiledRule[]>;
}

const POLICY_KEYS: ReadonlySet<string> = new Set([
  'version',
  'effectiveFrom',
  'rules',
  'description',
  'retention',
  'services',
]);
const RETENTION_KEYS: readonly (keyof Retention)[] = ['factsDays', 'eventsDays', 'visitsDays', 'checksDays'];
const OPTIONAL_RETENTION_KEYS: readonly (keyof Retention)[] = ['feedbackDays', 'noticesDays'];
const RULE_KEYS: ReadonlySet<string> = new Set(['id', 'colour', 'factKinds', 'when', 'until', 'reason']);
const RULE_ID_PATTERN = /^[a-z][A-Za-z0-9]*(?:[.-][A-Za-z0-9]+)*$/;
const ISO_DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Memo of validated policies: assessColour runs for millions of residents per policy. */
const compiledPolicies = new WeakMap<Policy, CompiledPolicy>();

/** Deeper than any real rule set (the default nests 12); deep enough nesting would overflow the stack. */
export const MAX_POLICY_DEPTH = 48;

/** How deep a JSON value nests, counted without recursion. */
function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, d] = item;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_POLICY_DEPTH) return max;
    for (const e of Object.values(v)) stack.push([e, d + 1]);
  }
  return max;
}

/**
 * Checks a policy document. Each rule's `when` and `until` must be valid CertLogic that reads only
 * what the rule context provides, and must evaluate without error on sample facts of each of its
 * kinds. Issue paths point at the faulty part, e.g. 'rules.3.when'.
 */
export function validatePolicy(json: unknown): Validation<Policy> {
  if (!isRecord(json)) return invalid([issue('', 'policy_not_object', 'A policy must be a JSON object.')]);
  // Checked first and without recursion: everything below walks the rules recursively.
  if (nestingDepth(json) > MAX_POLICY_DEPTH) {
    return invalid([
      issue('rules', 'policy_too_deep', `A policy may nest at most ${MAX_POLICY_DEPTH} levels deep.`),
    ]);
  }
  const issues: FieldIssue[] = [];
  reportUnknownKeys(json, POLICY_KEYS, '', issues);

  const version = json.version;
  if (typeof version !== 'string' || version.trim() === '' || version.length > 64) {
    issues.push(
      issue('version', 'policy_version', 'version must be a non-empty string of at most 64 characters.'),
    );
  }
  const effectiveFrom = json.effectiveFrom;
  if (
    typeof effectiveFrom !== 'string' ||
    !ISO_DATE_TIME_PATTERN.test(effectiveFrom) ||
    Number.isNaN(Date.parse(effectiveFrom))
  ) {
    issues.push(
      issue(
        'effectiveFrom',
        'policy_effective_from',
        'effectiveFrom must be an ISO 8601 date-time with an offset, e.g. 2020-02-20T00:00:00+08:00.',
      ),
    );
  }
  if (json.description !== undefined) checkLocalizedText(json.description, 'description', issues);
  const retention = json.retention === undefined ? undefined : checkRetention(json.retention, issues);
  const services = json.services === undefined ? undefined : checkServices(json.services, issues);

  const rules: PolicyRule[] = [];
  if (!Array.isArray(json.rules)) {
    issues.push(issue('rules', 'required', 'rules must be an array of rules.'));
  } else if (json.rules.length === 0) {
    issues.push(
      issue('rules', 'policy_no_rules', 'A policy needs at least one rule; with none, everyone is green.'),
    );
  } else {
    const seenIds = new Map<string, number>();
    json.rules.forEach((ruleJson: unknown, index: number) => {
      const rule = validateRule(ruleJson, `rules.${index}`, issues);
      if (rule === null) return;
      const firstIndex = seenIds.get(rule.id);
      if (firstIndex !== undefined) {
        issues.push(
          issue(
            `rules.${index}.id`,
            'rule_id_duplicate',
            `Rule id "${rule.id}" is already used by rules.${firstIndex}.`,
          ),
        );
      } else {
        seenIds.set(rule.id, index);
      }
      rules.push(rule);
    });
  }

  if (issues.length > 0) return invalid(issues);
  const policy: Policy = deepFreeze({
    version: version as string,
    effectiveFrom: effectiveFrom as string,
    rules,
    ...(json.description === undefined ? {} : { description: json.description as LocalizedText }),
    ...(retention === undefined || retention === null ? {} : { retention }),
    ...(services === undefined || services === null ? {} : { services }),
  });
  compiledPolicies.set(policy, compile(policy));
  return { ok: true, value: policy };
}

/**
 * The compiled form of a policy, validated once per policy object and then remembered. Throws when
 * the policy is invalid: callers get policies from {@link validatePolicy} or DEFAULT_POLICY, so an
 * invalid one here is a programming error.
 */
export function compiledPolicy(policy: Policy): CompiledPolicy {
  const cached = compiledPolicies.get(policy);
  if (cached !== undefined) return cached;
  const checked = validatePolicy(policy);
  if (!checked.ok) {
    const problems = checked.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new Error(`Invalid colour policy ${describeValue(policy.version)}: ${problems}`);
  }
  const compiled = compiledPolicies.get(checked.value) ?? compile(checked.value);
  compiledPolicies.set(policy, compiled);
  return compiled;
}

function compile(policy: Policy): CompiledPolicy {
  const rulesByKind = new Map<FactKind, CompiledRule[]>();
  policy.rules.forEach((rule, index) => {
    const compiled: CompiledRule = { rule, index, severity: COLOUR_SEVERITY[rule.colour] };
    for (const kind of rule.factKinds) {
      const list = rulesByKind.get(kind);
      if (list === undefined) rulesByKind.set(kind, [compiled]);
      else list.push(compiled);
    }
  });
  return { policy, rulesByKind };
}

function checkRetention(json: unknown, issues: FieldIssue[]): Retention | null {
  if (!isRecord(json)) {
    issues.push(issue('retention', 'retention_not_object', 'retention must be an object of day counts.'));
    return null;
  }
  reportUnknownKeys(json, new Set([...RETENTION_KEYS, ...OPTIONAL_RETENTION_KEYS]), 'retention', issues);
  const out: Record<string, number> = {};
  let optional = 0;
  for (const key of [...RETENTION_KEYS, ...OPTIONAL_RETENTION_KEYS]) {
    const value = json[key];
    if (value === undefined && OPTIONAL_RETENTION_KEYS.includes(key)) continue;
    if (OPTIONAL_RETENTION_KEYS.includes(key)) optional++;
    const min = key === 'factsDays' ? MIN_FACT_RETENTION_DAYS : 1;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_RETENTION_DAYS) {
      issues.push(
        issue(
          `retention.${key}`,
          'retention_days',
          `${key} must be a whole number of days from ${min} to ${MAX_RETENTION_DAYS}.`,
        ),
      );
    } else out[key] = value;
  }
  return Object.keys(out).length === RETENTION_KEYS.length + optional ? (out as unknown as Retention) : null;
}

/**
 * Every key is required when the block is given, like retention: no half-stated limits — except keys
 * added later (OPTIONAL_SERVICE_KEYS), which take their default so that earlier policies stay valid.
 */
function checkServices(json: unknown, issues: FieldIssue[]): Services | null {
  if (!isRecord(json)) {
    issues.push(issue('services', 'services_not_object', 'services must be an object of limits.'));
    return null;
  }
  const keys = Object.keys(SERVICE_LIMITS) as RequiredServices[];
  reportUnknownKeys(json, new Set([...keys, 'appealDeadlineHours']), 'services', issues);
  const out: Record<string, number> = {};
  let optional = 0;
  const deadline = json['appealDeadlineHours'];
  if (deadline !== undefined) {
    const [min, max] = APPEAL_DEADLINE_LIMITS;
    if (typeof deadline !== 'number' || !Number.isInteger(deadline) || deadline < min || deadline > max) {
      issues.push(
        issue(
          'services.appealDeadlineHours',
          'services_limit',
          `appealDeadlineHours must be a whole number from ${min} to ${max}.`,
        ),
      );
    } else {
      out['appealDeadlineHours'] = deadline;
      optional = 1;
    }
  }
  for (const key of keys) {
    const value = json[key];
    const [min, max] = SERVICE_LIMITS[key];
    if (value === undefined && OPTIONAL_SERVICE_KEYS.has(key)) {
      out[key] = DEFAULT_SERVICES[key];
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      issues.push(
        issue(`services.${key}`, 'services_limit', `${key} must be a whole number from ${min} to ${max}.`),
      );
    } else out[key] = value;
  }
  return Object.keys(out).length === keys.length + optional ? (out as unknown as Services) : null;
}

function validateRule(json: unknown, path: string, issues: FieldIssue[]): PolicyRule | null {
  if (!isRecord(json)) {
    issues.push(issue(path, 'rule_not_object', 'A rule must be a JSON object.'));
    return null;
  }
  const before = issues.length;
  reportUnknownKeys(json, RULE_KEYS, path, issues);
  const { id, colour, factKinds, when, until, reason } = json;
  const name = typeof id === 'string' ? `Rule "${id}"` : 'This rule';

  if (typeof id !== 'string' || !RULE_ID_PATTERN.test(id)) {
    issues.push(
      issue(`${path}.id`, 'rule_id', 'id must be a dotted name of letters and digits, e.g. "red.confirmed".'),
    );
  }
  if (colour !== 'red' && colour !== 'yellow') {
    issues.push(issue(`${path}.colour`, 'rule_colour', `${name}: colour must be "red" or "yellow".`));
  }
  const kindsOk =
    Array.isArray(factKinds) &&
    factKinds.length > 0 &&
    factKinds.every((k) => (FACT_KINDS as readonly unknown[]).includes(k)) &&
    new Set(factKinds).size === factKinds.length;
  if (!kindsOk) {
    issues.push(
      issue(
        `${path}.factKinds`,
        'rule_fact_kinds',
        `${name}: factKinds must be a non-empty list of distinct fact kinds (${FACT_KINDS.join(', ')}).`,
      ),
    );
  }
  const whenOk = checkExpression(when, `${path}.when`, name, issues);
  const untilOk = checkExpression(until, `${path}.until`, name, issues);
  checkLocalizedText(reason, `${path}.reason`, issues);
  if (isRecord(reason)) {
    for (const locale of LOCALES) {
      const template = reason[locale];
      if (typeof template !== 'string') continue;
      const unknown = unknownPlaceholders(template);
      if (unknown.length > 0) {
        issues.push(
          issue(
            `${path}.reason.${locale}`,
            'reason_placeholder_unknown',
            `${name}: unknown placeholder(s) ${unknown.map((p) => `{${p}}`).join(' ')} in the reason.`,
          ),
        );
      }
    }
  }
  if (kindsOk && whenOk && untilOk) {
    smokeTest(
      { when: when as CertLogicExpression, until: until as CertLogicExpression },
      factKinds as FactKind[],
      path,
      name,
      issues,
    );
  }
  if (issues.length > before) return null;
  return {
    id: id as string,
    colour: colour as 'red' | 'yellow',
    factKinds: [...(factKinds as FactKind[])],
    when: structuredClone(when) as CertLogicExpression,
    until: structuredClone(until) as CertLogicExpression,
    reason: { 'zh-CN': (reason as LocalizedText)['zh-CN'], en: (reason as LocalizedText).en },
  };
}

function checkExpression(expr: unknown, path: string, name: string, issues: FieldIssue[]): boolean {
  if (expr === undefined) {
    issues.push(issue(path, 'required', `${name}: missing CertLogic expression.`));
    return false;
  }
  const problems = validateCertLogic(expr);
  if (problems.length > 0) {
    issues.push(issue(path, 'certlogic_invalid', `${name}: invalid CertLogic: ${problems.join('; ')}`));
    return false;
  }
  const unknownPaths = dataAccesses(expr as CertLogicExpression).filter((p) => !isKnownContextPath(p));
  if (unknownPaths.length > 0) {
    issues.push(
      issue(
        path,
        'rule_unknown_data',
        `${name}: reads ${unknownPaths.map((p) => `"${p}"`).join(', ')}, which the rule data does not have ` +
          '(it has "now" and "fact.<field>").',
      ),
    );
    return false;
  }
  return true;
}

/**
 * Evaluates the rule on sample facts of each of its kinds (open, closed, ongoing, not yet started,
 * with and without the optional fields), so a type error surfaces when the policy is published, not
 * while assessing residents.
 */
function smokeTest(
  rule: { readonly when: CertLogicExpression; readonly until: CertLogicExpression },
  kinds: readonly FactKind[],
  path: string,
  name: string,
  issues: FieldIssue[],
): void {
  const nowIso = isoTime(SAMPLE_NOW);
  for (const kind of kinds) {
    for (const { fact, riskLevel } of sampleFacts(kind)) {
      const outcome = evaluateRule(rule, ruleContext(nowIso, fact, riskLevel));
      if (!outcome.ok) {
        const sample = describeValue(ruleContext(nowIso, fact, riskLevel));
        issues.push(
          issue(
            `${path}.${outcome.part}`,
            'rule_evaluation_error',
            `${name}: ${outcome.part} fails on a sample ${kind} fact: ${outcome.error}. Data: ${sample}`,
          ),
        );
        return;
      }
    }
  }
}

/** 2020-03-01T00:00:00Z; any instant would do, the samples are placed around it. */
const SAMPLE_NOW = epochMs(1_583_020_800_000);

interface SampleFact {
  readonly fact: Fact;
  readonly riskLevel: RiskLevel | null;
}

type FactDetails = Partial<Omit<Fact, 'id' | 'kind' | 'from' | 'to' | 'source'>> & {
  readonly riskLevel?: RiskLevel | null;
};

const SAMPLE_PERIODS: readonly { readonly from: EpochMs; readonly to: EpochMs | null }[] = [
  { from: epochMs(SAMPLE_NOW - DAY_MS), to: null },
  { from: epochMs(SAMPLE_NOW - 20 * DAY_MS), to: epochMs(SAMPLE_NOW - 10 * DAY_MS) },
  { from: epochMs(SAMPLE_NOW - DAY_MS), to: epochMs(SAMPLE_NOW + DAY_MS) },
  { from: epochMs(SAMPLE_NOW + DAY_MS), to: null },
];

const ISOLATION_DETAILS: readonly FactDetails[] = [
  { isolation: 'centralised' },
  { isolation: 'home' },
  { isolation: null },
];

const SAMPLE_DETAILS: Readonly<Record<FactKind, readonly FactDetails[]>> = {
  confirmed: [{}],
  suspected: [{}],
  asymptomatic: ISOLATION_DETAILS,
  closeContact: ISOLATION_DETAILS,
  asymptomaticContact: ISOLATION_DETAILS,
  feverClinic: [{}],
  symptoms: [
    { temperatureDeciC: 373, symptoms: [] },
    { temperatureDeciC: 365, symptoms: ['dryCough'] },
    { temperatureDeciC: null, symptoms: ['fever'] },
    { temperatureDeciC: null, symptoms: null },
  ],
  provincialAbnormal: [{}],
  discharged: [{}],
  overseasArrival: [
    { countries: ['KR'], isolation: 'centralised' },
    { countries: null, isolation: null },
  ],
  stay: [
    { divisionCode: '420100', subArea: null, riskLevel: 'high' },
    { divisionCode: '420102', subArea: 'Sample compound', riskLevel: 'medium' },
    { divisionCode: '370102', subArea: null, riskLevel: null },
  ],
  riskManagement: [
    { level: 'high', note: 'sample' },
    { level: 'medium', note: null },
    { level: null, note: null },
  ],
};

function sampleFacts(kind: FactKind): SampleFact[] {
  return SAMPLE_PERIODS.flatMap((period, p) =>
    SAMPLE_DETAILS[kind].map(({ riskLevel, ...details }, d) => ({
      fact: { id: `sample-${p}-${d}`, kind, ...period, source: 'officer' as const, ...details },
      riskLevel: riskLevel ?? null,
    })),
  );
}
