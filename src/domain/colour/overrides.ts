import { formatChinaMinute } from '../china-time.ts';
import { DAY_MS, type Colour, type EpochMs, type LocalizedText } from '../types.ts';

/**
 * An officer's override of a resident's colour (issue 10 item 4, P4), as the colour engine sees it:
 * only approved overrides are passed in (one without a second officer's approval has no effect), and
 * each is in force from its approval (`from`) until its end (`to`), which is at most
 * {@link OVERRIDE_MAX_DAYS} days after it was requested. At `to` it ends by itself: the colour is
 * what the rules give again.
 */
export interface ColourOverride {
  readonly id: string;
  readonly colour: Colour;
  /** The officer's reason, shown to the resident with the colour. */
  readonly reason: string;
  readonly from: EpochMs;
  readonly to: EpochMs;
}

/** The longest an override may last (P4: time-limited). */
export const OVERRIDE_MAX_DAYS = 14;
export const OVERRIDE_MAX_MS = OVERRIDE_MAX_DAYS * DAY_MS;

/** The `ruleId` and `factKind` of the reason an override gives. */
export const OVERRIDE_RULE_ID = 'override';

/** The override in force at `now`: of those in force, the one approved last; null when none is. */
export function overrideInForce(overrides: readonly ColourOverride[], now: EpochMs): ColourOverride | null {
  let found: ColourOverride | null = null;
  for (const o of overrides) {
    if (o.from > now || now >= o.to) continue;
    if (found === null || o.from > found.from || (o.from === found.from && o.id > found.id)) found = o;
  }
  return found;
}

const COLOUR_TEXT: Readonly<Record<Colour, LocalizedText>> = {
  green: { 'zh-CN': '绿码', en: 'green' },
  yellow: { 'zh-CN': '黄码', en: 'yellow' },
  red: { 'zh-CN': '红码', en: 'red' },
};

/** The reason text of an override, in both languages: the colour, the officer's reason, the end. */
export function overrideReasonText(o: ColourOverride): LocalizedText {
  const until = formatChinaMinute(o.to);
  return {
    'zh-CN': `经两名防控工作人员审核，健康码人工调整为${COLOUR_TEXT[o.colour]['zh-CN']}，原因：${o.reason}；${until} 自动结束，恢复按规则赋码。`,
    en: `Colour set to ${COLOUR_TEXT[o.colour].en} by an officer's override, approved by a second officer. Reason: ${o.reason}. It ends by itself at ${until}; then the rules decide again.`,
  };
}
