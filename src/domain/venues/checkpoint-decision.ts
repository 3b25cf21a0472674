import { negativeWithin, type HealthStatus } from '../health-status.ts';
import { FEVER_DECI_C, type Colour, type EpochMs, type Locale, type LocalizedText } from '../types.ts';
import { checkpointRule, type CheckpointPolicy, type CodeCheck } from './checkpoint-policy.ts';
import {
  MAX_TEMPERATURE_DECI_C,
  MIN_TEMPERATURE_DECI_C,
  formatDeciCelsius,
  type DeciCelsius,
} from './temperature.ts';
import type { VenueKind } from './venue-kinds.ts';

/**
 * What the checkpoint learnt about the holder's code. `invalid.reason` is the verifier's failure
 * code (`expired`, `bad_signature`, `revoked`, `wrong_kind`…); `expired` is told apart because the
 * holder can fix it by refreshing the code, while any other failure needs staff attention.
 */
export type CheckpointCode =
  | { readonly status: 'valid'; readonly colour: Colour }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'none' };

/** One person at the entrance, as staff record them. null: not taken / not looked at. */
export interface CheckpointInput {
  readonly code: CheckpointCode;
  /**
   * The holder's test and vaccination status, when known (a valid code online, or the badge carried
   * in the code offline), and the instant to judge it at. Needed only where the rule asks for it.
   */
  readonly status?: { readonly health: HealthStatus; readonly now: EpochMs } | null;
  /** From {@link validateTemperature}. */
  readonly temperatureDeciC: DeciCelsius | null;
  readonly maskWorn: boolean | null;
}

/** Why someone is refused entry (劝阻), in the order the page lists them. */
export const REFUSAL_REASONS = [
  'no_code',
  'invalid_code',
  'expired_code',
  'red_code',
  'yellow_code',
  'paper_expired',
  'test_required',
  'vaccination_required',
  'fever',
  'temperature_missing',
  'no_mask',
  'mask_missing',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface AppliedChecks {
  readonly code: CodeCheck;
  readonly temperature: boolean;
  readonly mask: boolean;
}

export interface CheckpointDecision {
  readonly outcome: 'pass' | 'refuse';
  /** Every reason that applies, not only the first, so that the record is complete. Empty on pass. */
  readonly reasons: readonly RefusalReason[];
  /** The checks applied to this person: the venue kind's rule, lightened for a green holder under S12. */
  readonly checks: AppliedChecks;
  /** S7: a yellow or red code was seen, which the venue must report to the local office at once. */
  readonly report: boolean;
}

const REFUSAL_TEXT: Readonly<Record<RefusalReason, LocalizedText>> = {
  no_code: { 'zh-CN': '无健康通行码，请先申领。', en: 'No health pass code: apply for one first.' },
  invalid_code: { 'zh-CN': '健康通行码无效。', en: 'The code is not a valid health pass code.' },
  expired_code: {
    'zh-CN': '健康通行码已过期，请刷新后重新出示。',
    en: 'The code has expired: refresh it and show it again.',
  },
  red_code: { 'zh-CN': '红码，不得进入。', en: 'Red code: no entry.' },
  paper_expired: {
    'zh-CN': '纸质码已过期，请重新打印。',
    en: 'The paper code has expired: reprint it.',
  },
  test_required: {
    'zh-CN': '本场所需持有规定时间内的核酸检测阴性结果。',
    en: 'This venue requires a recent negative nucleic-acid test.',
  },
  vaccination_required: {
    'zh-CN': '本场所需完成规定剂次的疫苗接种。',
    en: 'This venue requires the vaccination doses set by the policy.',
  },
  yellow_code: { 'zh-CN': '黄码，不得进入。', en: 'Yellow code: no entry.' },
  fever: {
    'zh-CN': `体温${formatDeciCelsius(FEVER_DECI_C)} °C及以上。`,
    en: `Temperature ${formatDeciCelsius(FEVER_DECI_C)} °C or more.`,
  },
  temperature_missing: { 'zh-CN': '请先测量体温。', en: 'Take the temperature first.' },
  no_mask: { 'zh-CN': '未佩戴口罩，请佩戴后进入。', en: 'No mask: put one on to enter.' },
  mask_missing: { 'zh-CN': '请先查看是否佩戴口罩。', en: 'Check the mask first.' },
};

/** The sentence shown under REFUSE for a reason. */
export function refusalReasonText(reason: RefusalReason, locale: Locale): string {
  return REFUSAL_TEXT[reason][locale];
}

const GREEN_VISUAL_ONLY: AppliedChecks = { code: 'visual', temperature: false, mask: false };

/**
 * Decides entry at a checkpoint under the venue kind's rule. A green holder who meets the checks
 * the rule asks of them always passes (S11): the only refusals are the reasons above. Inputs for
 * checks the rule does not perform are ignored, since the venue may not act on them.
 *
 * Throws RangeError for a temperature that {@link validateTemperature} would refuse: that is a
 * caller's bug, not a person's fever.
 */
export function decideCheck(
  policy: CheckpointPolicy,
  venueKind: VenueKind,
  input: CheckpointInput,
): CheckpointDecision {
  const t = input.temperatureDeciC;
  if (t !== null && !(Number.isInteger(t) && t >= MIN_TEMPERATURE_DECI_C && t <= MAX_TEMPERATURE_DECI_C)) {
    throw new RangeError(`temperatureDeciC must be an integer from 300 to 450 (tenths of °C), got ${t}`);
  }
  const rule = checkpointRule(policy, venueKind);
  const code = input.code;
  const green = code.status === 'valid' && code.colour === 'green';
  const checks: AppliedChecks =
    green && rule.greenVisualOnly
      ? GREEN_VISUAL_ONLY
      : { code: rule.code, temperature: rule.temperature, mask: rule.mask };

  const reasons: RefusalReason[] = [];
  if (checks.code !== 'none') {
    switch (code.status) {
      case 'none':
        reasons.push('no_code');
        break;
      case 'invalid':
        reasons.push(
          code.reason === 'expired'
            ? 'expired_code'
            : code.reason === 'paper_expired'
              ? 'paper_expired'
              : 'invalid_code',
        );
        break;
      case 'valid': {
        if (code.colour === 'red') reasons.push('red_code');
        else if (code.colour === 'yellow') reasons.push('yellow_code');
        const status = input.status ?? null;
        if (
          rule.negativeTestWithinHours !== undefined &&
          (status === null || !negativeWithin(status.health, rule.negativeTestWithinHours, status.now))
        ) {
          reasons.push('test_required');
        }
        if (
          rule.minVaccineDoses !== undefined &&
          (status === null || status.health.vaccineDoses < rule.minVaccineDoses)
        ) {
          reasons.push('vaccination_required');
        }
        break;
      }
    }
  }
  if (checks.temperature) {
    if (t === null) reasons.push('temperature_missing');
    else if (t >= FEVER_DECI_C) reasons.push('fever');
  }
  if (checks.mask) {
    if (input.maskWorn === null) reasons.push('mask_missing');
    else if (!input.maskWorn) reasons.push('no_mask');
  }
  return {
    outcome: reasons.length === 0 ? 'pass' : 'refuse',
    reasons,
    checks,
    report: checks.code !== 'none' && code.status === 'valid' && code.colour !== 'green',
  };
}
