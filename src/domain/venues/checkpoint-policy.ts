import { type FieldIssue, type LocalizedText, type Validation } from '../types.ts';
import { VENUE_KINDS, isVenueKind, type VenueKind } from './venue-kinds.ts';
import {
  checkLocalizedText,
  deepFreeze,
  invalid,
  isRecord,
  issue,
  reportUnknownKeys,
} from '../json-document.ts';

/**
 * How a checkpoint checks the health pass code: `scan` reads and verifies the QR; `visual` means
 * staff look at the colour and live clock on the holder's screen (S12's 亮码通行); `none` means the
 * code is not checked at all (e.g. after the epidemic measures end).
 */
export type CodeCheck = 'scan' | 'visual' | 'none';
export const CODE_CHECKS: readonly CodeCheck[] = ['scan', 'visual', 'none'];

/** The checks one kind of venue performs on everyone who enters. */
export interface CheckpointRule {
  readonly code: CodeCheck;
  /** Temperature is taken; 37.3 °C or more is refused (S6). */
  readonly temperature: boolean;
  /** A mask must be worn (S6). */
  readonly mask: boolean;
  /**
   * S12's later policy: a green holder gets the visual code check only — no scan, and neither
   * temperature nor mask, since no other health information may be collected from them (S11).
   */
  readonly greenVisualOnly: boolean;
  /**
   * Besides the colour, a negative nucleic-acid test sampled at most this many hours ago (S12:
   * hospitals and schools "green + negative within 48 h"). Absent: not required.
   */
  readonly negativeTestWithinHours?: number;
  /** Besides the colour, at least this many vaccine doses on record. Absent: not required. */
  readonly minVaccineDoses?: number;
}

/**
 * Which checks each kind of venue performs. Published by the provincial authority as versioned
 * JSON, like the colour policy, so that a change of measures (S12) is data, not a release.
 */
export interface CheckpointPolicy {
  readonly version: string;
  /** ISO 8601 date-time with an offset. */
  readonly effectiveFrom: string;
  /** Every venue kind has a rule, so no venue is left without one. */
  readonly kinds: Readonly<Record<VenueKind, CheckpointRule>>;
  readonly description?: LocalizedText;
}

const POLICY_KEYS: ReadonlySet<string> = new Set(['version', 'effectiveFrom', 'kinds', 'description']);
const RULE_KEYS: ReadonlySet<string> = new Set([
  'code',
  'temperature',
  'mask',
  'greenVisualOnly',
  'negativeTestWithinHours',
  'minVaccineDoses',
]);
const ISO_DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** S5/S6 in full: every kind scans everyone's code, takes their temperature and checks the mask. */
export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = deepFreeze({
  version: '2020-02-20',
  effectiveFrom: '2020-02-20T00:00:00+08:00',
  description: {
    'zh-CN': '所有场所对进出人员查验健康通行码、测量体温、督促佩戴口罩。',
    en: "Every venue checks everyone's health pass code, takes their temperature and checks their mask.",
  },
  kinds: Object.fromEntries(
    VENUE_KINDS.map((kind) => [
      kind,
      { code: 'scan', temperature: true, mask: true, greenVisualOnly: false },
    ]),
  ) as Record<VenueKind, CheckpointRule>,
});

/** The rule for one venue kind. */
export function checkpointRule(policy: CheckpointPolicy, kind: VenueKind): CheckpointRule {
  return policy.kinds[kind];
}

/**
 * Checks a checkpoint policy document, reporting every problem with a path such as
 * 'kinds.hotel.code'. Unknown keys are refused so that a misspelt check is not silently ignored.
 */
export function validateCheckpointPolicy(json: unknown): Validation<CheckpointPolicy> {
  if (!isRecord(json)) {
    return invalid([issue('', 'checkpoint_policy_not_object', 'A checkpoint policy must be a JSON object.')]);
  }
  const issues: FieldIssue[] = [];
  reportUnknownKeys(json, POLICY_KEYS, '', issues);
  const { version, effectiveFrom, kinds, description } = json;
  if (typeof version !== 'string' || version.trim() === '' || version.length > 64) {
    issues.push(
      issue('version', 'policy_version', 'version must be a non-empty string of at most 64 characters.'),
    );
  }
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
  if (description !== undefined) checkLocalizedText(description, 'description', issues);

  const rules: Partial<Record<VenueKind, CheckpointRule>> = {};
  if (!isRecord(kinds)) {
    issues.push(
      issue(
        'kinds',
        'checkpoint_kinds',
        `kinds must be an object with a rule for each of: ${VENUE_KINDS.join(', ')}.`,
      ),
    );
  } else {
    for (const key of Object.keys(kinds)) {
      if (!isVenueKind(key)) {
        issues.push(
          issue(
            `kinds.${key}`,
            'venue_kind_unknown',
            `"${key}" is not a venue kind; use one of: ${VENUE_KINDS.join(', ')}.`,
          ),
        );
      }
    }
    for (const kind of VENUE_KINDS) {
      if (kinds[kind] === undefined) {
        issues.push(
          issue(
            `kinds.${kind}`,
            'checkpoint_kind_missing',
            `Add the rule for ${kind}: every venue kind needs one.`,
          ),
        );
        continue;
      }
      const rule = validateRule(kinds[kind], `kinds.${kind}`, issues);
      if (rule !== null) rules[kind] = rule;
    }
  }
  if (issues.length > 0) return invalid(issues);
  return {
    ok: true,
    value: deepFreeze({
      version: version as string,
      effectiveFrom: effectiveFrom as string,
      kinds: rules as Record<VenueKind, CheckpointRule>,
      // Copied, so that freezing the policy does not freeze the caller's object.
      ...(description === undefined ? {} : { description: { ...(description as LocalizedText) } }),
    }),
  };
}

function validateRule(json: unknown, path: string, issues: FieldIssue[]): CheckpointRule | null {
  if (!isRecord(json)) {
    issues.push(
      issue(path, 'checkpoint_rule_not_object', 'A rule must be an object { code, temperature, mask }.'),
    );
    return null;
  }
  const before = issues.length;
  reportUnknownKeys(json, RULE_KEYS, path, issues);
  const { code, temperature, mask } = json;
  const greenVisualOnly = json['greenVisualOnly'] === undefined ? false : json['greenVisualOnly'];
  if (!(CODE_CHECKS as readonly unknown[]).includes(code)) {
    issues.push(
      issue(`${path}.code`, 'checkpoint_code_check', `code must be one of: ${CODE_CHECKS.join(', ')}.`),
    );
  }
  for (const [field, value] of [
    ['temperature', temperature],
    ['mask', mask],
    ['greenVisualOnly', greenVisualOnly],
  ] as const) {
    if (typeof value !== 'boolean') {
      issues.push(issue(`${path}.${field}`, 'checkpoint_check_boolean', `${field} must be true or false.`));
    }
  }
  if (greenVisualOnly === true && code === 'none') {
    issues.push(
      issue(
        `${path}.greenVisualOnly`,
        'checkpoint_green_visual_without_code',
        'greenVisualOnly needs the code to be checked (code "scan" or "visual"): otherwise no one is known to be green.',
      ),
    );
  }
  const within = json['negativeTestWithinHours'];
  if (
    within !== undefined &&
    !(Number.isInteger(within) && (within as number) >= 1 && (within as number) <= 720)
  ) {
    issues.push(
      issue(
        `${path}.negativeTestWithinHours`,
        'checkpoint_test_hours',
        'negativeTestWithinHours must be a whole number of hours from 1 to 720 (e.g. 48).',
      ),
    );
  }
  const doses = json['minVaccineDoses'];
  if (
    doses !== undefined &&
    !(Number.isInteger(doses) && (doses as number) >= 1 && (doses as number) <= 10)
  ) {
    issues.push(
      issue(
        `${path}.minVaccineDoses`,
        'checkpoint_vaccine_doses',
        'minVaccineDoses must be a whole number from 1 to 10.',
      ),
    );
  }
  if ((within !== undefined || doses !== undefined) && code === 'none') {
    issues.push(
      issue(
        path,
        'checkpoint_status_without_code',
        'A test or vaccination requirement needs the code to be checked (code "scan"): the status is read from it.',
      ),
    );
  }
  if (issues.length > before) return null;
  return {
    code: code as CodeCheck,
    temperature: temperature as boolean,
    mask: mask as boolean,
    greenVisualOnly: greenVisualOnly as boolean,
    ...(within === undefined ? {} : { negativeTestWithinHours: within as number }),
    ...(doses === undefined ? {} : { minVaccineDoses: doses as number }),
  };
}
