import { divisionPath } from '../identity/divisions.ts';
import { formatChinaMinute } from '../china-time.ts';
import type { EpochMs, Locale, LocalizedText } from '../types.ts';
import type { Fact, IsolationType, RespiratorySymptom, RiskLevel } from './facts.ts';

/** What a reason template may refer to, each as `{name}`. */
export const REASON_PLACEHOLDERS = [
  'from',
  'to',
  'until',
  'division',
  'divisionName',
  'subArea',
  'place',
  'riskLevel',
  'level',
  'isolation',
  'temperature',
  'symptoms',
  'countries',
  'note',
] as const;
export type ReasonPlaceholder = (typeof REASON_PLACEHOLDERS)[number];

const PLACEHOLDER_PATTERN = /\{([A-Za-z]+)\}/g;

/** Shown for a placeholder whose value is absent (an open-ended period, a field not recorded). */
const ABSENT = '—';

const LEVEL_TEXT: Readonly<Record<RiskLevel, LocalizedText>> = {
  high: { 'zh-CN': '高', en: 'high' },
  medium: { 'zh-CN': '中', en: 'medium' },
};
const ISOLATION_TEXT: Readonly<Record<IsolationType, LocalizedText>> = {
  centralised: { 'zh-CN': '集中隔离', en: 'centralised' },
  home: { 'zh-CN': '居家隔离', en: 'home' },
};
const SYMPTOM_TEXT: Readonly<Record<RespiratorySymptom, LocalizedText>> = {
  fever: { 'zh-CN': '发热', en: 'fever' },
  dryCough: { 'zh-CN': '干咳', en: 'dry cough' },
  shortnessOfBreath: { 'zh-CN': '气促', en: 'shortness of breath' },
  otherRespiratory: { 'zh-CN': '其他呼吸道症状', en: 'other respiratory symptoms' },
};
const LIST_SEPARATOR: Readonly<Record<Locale, string>> = { 'zh-CN': '、', en: ', ' };
/** Chinese place names are written run together; the English text spaces them. */
const NAME_SEPARATOR: Readonly<Record<Locale, string>> = { 'zh-CN': '', en: ' ' };
/** The statistics tables' aggregate of a city's districts; not a place name. */
const DISTRICTS_AGGREGATE = '市辖区';

/** Division names by locale and code; bounded by the ~3,500 GB/T 2260 codes. */
const divisionNames: Readonly<Record<Locale, Map<string, string | null>>> = {
  'zh-CN': new Map(),
  en: new Map(),
};

/** 'Province City County' names of a GB/T 2260 code, or null when the code is unknown. */
function divisionName(code: string, locale: Locale): string | null {
  const cached = divisionNames[locale].get(code);
  if (cached !== undefined) return cached;
  const names = divisionPath(code)
    .map((d) => d.name)
    .filter((name) => name !== DISTRICTS_AGGREGATE);
  const name = names.length === 0 ? null : names.join(NAME_SEPARATOR[locale]);
  // Unknown codes are not remembered, so that arbitrary input cannot grow the cache.
  if (name !== null) divisionNames[locale].set(code, name);
  return name;
}

/** The `{name}` placeholders of a template that are not in {@link REASON_PLACEHOLDERS}. */
export function unknownPlaceholders(template: string): string[] {
  const known: readonly string[] = REASON_PLACEHOLDERS;
  return [...template.matchAll(PLACEHOLDER_PATTERN)]
    .map((match) => match[1] ?? '')
    .filter((name) => !known.includes(name));
}

/** Fills a rule's reason template for one fact in both locales; dates in China time. */
export function renderReason(
  template: LocalizedText,
  fact: Fact,
  until: EpochMs | null,
  riskLevel: RiskLevel | null,
): LocalizedText {
  const render = (locale: Locale): string =>
    template[locale].replace(PLACEHOLDER_PATTERN, (whole, name: string) =>
      isPlaceholder(name) ? (placeholderValue(name, locale, fact, until, riskLevel) ?? ABSENT) : whole,
    );
  return { 'zh-CN': render('zh-CN'), en: render('en') };
}

function isPlaceholder(name: string): name is ReasonPlaceholder {
  return (REASON_PLACEHOLDERS as readonly string[]).includes(name);
}

/** One placeholder's text, computed only when a template uses it (reasons are rendered in bulk). */
function placeholderValue(
  name: ReasonPlaceholder,
  locale: Locale,
  fact: Fact,
  until: EpochMs | null,
  riskLevel: RiskLevel | null,
): string | null {
  switch (name) {
    case 'from':
      return formatChinaMinute(fact.from);
    case 'to':
      return fact.to === null ? null : formatChinaMinute(fact.to);
    case 'until':
      return until === null ? null : formatChinaMinute(until);
    case 'division':
      return fact.divisionCode ?? null;
    case 'divisionName':
      return fact.divisionCode === null || fact.divisionCode === undefined
        ? null
        : divisionName(fact.divisionCode, locale);
    case 'subArea':
      return fact.subArea ?? null;
    case 'place': {
      // The division by name when the code is known (by code otherwise), then the sub-area.
      if (fact.divisionCode === null || fact.divisionCode === undefined) return null;
      const place = divisionName(fact.divisionCode, locale) ?? fact.divisionCode;
      return fact.subArea === null || fact.subArea === undefined ? place : `${place} ${fact.subArea}`;
    }
    case 'riskLevel':
      return riskLevel === null ? null : LEVEL_TEXT[riskLevel][locale];
    case 'level':
      return fact.level === null || fact.level === undefined ? null : LEVEL_TEXT[fact.level][locale];
    case 'isolation':
      return fact.isolation === null || fact.isolation === undefined
        ? null
        : ISOLATION_TEXT[fact.isolation][locale];
    case 'temperature':
      // Tenths of a degree Celsius in the fact; shown in degrees with one decimal.
      return fact.temperatureDeciC === null || fact.temperatureDeciC === undefined
        ? null
        : `${(fact.temperatureDeciC / 10).toFixed(1)} °C`;
    case 'symptoms':
      return joined(
        fact.symptoms?.map((symptom) => SYMPTOM_TEXT[symptom][locale]),
        locale,
      );
    case 'countries':
      return joined(fact.countries, locale);
    case 'note':
      return fact.note ?? null;
  }
}

function joined(items: readonly string[] | null | undefined, locale: Locale): string | null {
  return items === null || items === undefined || items.length === 0
    ? null
    : items.join(LIST_SEPARATOR[locale]);
}
