import { CHINA_OFFSET_MS, chinaDate } from './china-time.ts';
import type { RecordForFacts } from './imports/index.ts';
import { DAY_MS, type EpochMs, type LocalizedText } from './types.ts';

/**
 * Test and vaccination status shown beside the colour (issue 9 item 4): the latest negative
 * nucleic-acid test and the vaccination course, from imported records. Neither changes the colour
 * unless a policy rule says so; a checkpoint policy may require them at a kind of venue.
 */
export interface HealthStatus {
  /** Sampling time of the latest negative nucleic-acid test; null: no test on record. */
  readonly lastNegativeTestAt: EpochMs | null;
  /** Doses on record (the highest dose number given). */
  readonly vaccineDoses: number;
  /** When the last dose was given; null: none on record. */
  readonly lastVaccineAt: EpochMs | null;
}

export const NO_HEALTH_STATUS: HealthStatus = {
  lastNegativeTestAt: null,
  vaccineDoses: 0,
  lastVaccineAt: null,
};

/**
 * The status from a person's records. A positive test after the last negative one does not erase
 * it here: a positive becomes a fact (provincialAbnormal) and turns the code yellow by the policy,
 * which is what the door acts on.
 */
export function healthStatusFromRecords(records: readonly RecordForFacts[]): HealthStatus {
  let lastNegativeTestAt: EpochMs | null = null;
  let vaccineDoses = 0;
  let lastVaccineAt: EpochMs | null = null;
  for (const r of records) {
    if (
      r.kind === 'testResult' &&
      r.attributes.testKind === 'nucleicAcid' &&
      r.attributes.testResult === 'negative' &&
      (lastNegativeTestAt === null || r.from > lastNegativeTestAt)
    ) {
      lastNegativeTestAt = r.from;
    }
    if (r.kind === 'vaccination') {
      vaccineDoses = Math.max(vaccineDoses, r.attributes.dose ?? 1);
      if (lastVaccineAt === null || r.from > lastVaccineAt) lastVaccineAt = r.from;
    }
  }
  return { lastNegativeTestAt, vaccineDoses, lastVaccineAt };
}

/** Day number of an instant's calendar date in China time. */
function chinaDay(ms: number): number {
  return Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS);
}

/**
 * Days since the sampling, in calendar days of China time from the sampling day (Beijing's rule:
 * sampled today is 0 days, any time yesterday is 1 day, whatever the hour). null: no test.
 */
export function testDaysSince(sampledAt: EpochMs | null, now: EpochMs): number | null {
  if (sampledAt === null) return null;
  return Math.max(0, chinaDay(now) - chinaDay(sampledAt));
}

/** The badge as the code page, the proxy's view and the checkpoint show it. */
export interface TestBadge {
  /** 'negative': a negative nucleic-acid test on record; 'none': no test on record. */
  readonly status: 'negative' | 'none';
  readonly days: number | null;
  readonly sampledAt: EpochMs | null;
}

export function testBadge(status: HealthStatus, now: EpochMs): TestBadge {
  return status.lastNegativeTestAt === null
    ? { status: 'none', days: null, sampledAt: null }
    : {
        status: 'negative',
        days: testDaysSince(status.lastNegativeTestAt, now),
        sampledAt: status.lastNegativeTestAt,
      };
}

/** Whether the last negative test was sampled within `hours` before `now` (S12: "negative within 48 h"). */
export function negativeWithin(status: HealthStatus, hours: number, now: EpochMs): boolean {
  const at = status.lastNegativeTestAt;
  return at !== null && at <= now && now - at <= hours * 3_600_000;
}

/** The badge line under the colour, in both languages. */
export function testBadgeText(badge: TestBadge): LocalizedText {
  if (badge.days === null) return { 'zh-CN': '无核酸检测记录', en: 'No nucleic-acid test on record' };
  if (badge.days === 0) return { 'zh-CN': '核酸阴性 · 当天采样', en: 'Negative test · sampled today' };
  return {
    'zh-CN': `核酸阴性 · ${badge.days}天`,
    en: `Negative test · sampled ${badge.days} ${badge.days === 1 ? 'day' : 'days'} ago`,
  };
}

export function vaccinationText(status: HealthStatus): LocalizedText {
  if (status.vaccineDoses === 0 || status.lastVaccineAt === null) {
    return { 'zh-CN': '无疫苗接种记录', en: 'No vaccination on record' };
  }
  const n = status.vaccineDoses;
  const last = chinaDate(status.lastVaccineAt);
  return {
    'zh-CN': `已接种${n}剂 · 末次${last}`,
    en: `${n} ${n === 1 ? 'dose' : 'doses'} of vaccine · last on ${last}`,
  };
}
