import type { Fact, RespiratorySymptom } from './colour/facts.ts';
import { chinaDate, parseChinaDate } from './china-time.ts';
import { isCountryCode } from './country-codes.ts';
import {
  validateAddressDivision,
  validateDocument,
  validateMobile,
  type DocumentType,
  type ValidDocument,
} from './identity/index.ts';
import { DAY_MS, FEVER_DECI_C, type EpochMs, type FieldIssue, type Validation } from './types.ts';

/** The seven items and the pledge (S1), as a channel sends them. Dates are 'YYYY-MM-DD' (China time). */
export interface ApplicationInput {
  readonly name: string;
  readonly documentType: string;
  readonly documentNumber: string;
  readonly mobile: string;
  /** ISO 3166-1 alpha-2 (HK, MO, TW for those regions). */
  readonly nationality: string;
  readonly address: { readonly divisionCode: string; readonly detail: string };
  readonly contactHistory: ContactHistoryInput;
  readonly pledge: boolean;
}

export interface ContactHistoryInput {
  readonly abroad?: readonly { readonly country: string; readonly from: string; readonly to: string }[];
  readonly epidemicAreaStays?: readonly {
    readonly divisionCode: string;
    readonly subArea?: string;
    readonly from: string;
    readonly to: string;
  }[];
  readonly caseContacts?: readonly { readonly kind: 'confirmed' | 'suspected'; readonly date: string }[];
  readonly symptoms?: readonly RespiratorySymptom[];
  readonly fever?: boolean;
  /** °C, one decimal. */
  readonly temperature?: number;
}

export interface Application {
  readonly name: string;
  readonly document: ValidDocument;
  readonly mobile: string;
  readonly nationality: string;
  readonly address: { readonly divisionCode: string; readonly detail: string };
  readonly contactHistory: ContactHistoryInput;
}

/** The history asked for covers 14 days: older trips cannot matter to any S10 rule. */
export const CONTACT_HISTORY_DAYS = 14;
const NAME_RE = /^[\p{L}\p{M}][\p{L}\p{M} ·.'-]*$/u;

function checkPeriod(
  issues: FieldIssue[],
  path: string,
  fromText: string,
  toText: string,
  earliest: EpochMs,
  today: EpochMs,
): void {
  const from = parseChinaDate(fromText);
  const to = parseChinaDate(toText);
  if (from === null)
    issues.push({ path: `${path}.from`, code: 'date_invalid', message: 'Use a real date as YYYY-MM-DD.' });
  if (to === null)
    issues.push({ path: `${path}.to`, code: 'date_invalid', message: 'Use a real date as YYYY-MM-DD.' });
  if (from === null || to === null) return;
  if (from > to)
    issues.push({
      path: `${path}.to`,
      code: 'date_order',
      message: 'The end date is before the start date.',
    });
  if (to > today)
    issues.push({ path: `${path}.to`, code: 'date_in_future', message: 'The date is in the future.' });
  if (to < earliest) {
    issues.push({
      path: `${path}.to`,
      code: 'date_outside_history',
      message: `Only stays that ended in the last ${CONTACT_HISTORY_DAYS} days are asked for.`,
    });
  }
}

/** Validates an application in full, reporting every faulty field at once. `now` decides "today" and the 14-day window. */
export function validateApplication(input: ApplicationInput, now: EpochMs): Validation<Application> {
  const issues: FieldIssue[] = [];
  const todayText = chinaDate(now);
  const today = parseChinaDate(todayText) as EpochMs;
  const earliest = (today - CONTACT_HISTORY_DAYS * DAY_MS) as EpochMs;

  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > 64 || !NAME_RE.test(name)) {
    issues.push({
      path: 'name',
      code: 'name_invalid',
      message: 'Enter the name as on the ID document (1–64 letters).',
    });
  }
  const document = validateDocument(input.documentType, input.documentNumber, todayText);
  if (!document.ok) issues.push(...document.issues);
  const mobile = validateMobile(input.mobile);
  if (!mobile.ok) issues.push(...mobile.issues);
  const nationality = input.nationality.trim().toUpperCase();
  if (!isCountryCode(nationality)) {
    issues.push({
      path: 'nationality',
      code: 'country_invalid',
      message: 'Use an ISO 3166 two-letter code such as CN.',
    });
  }
  const division = validateAddressDivision(input.address.divisionCode);
  if (!division.ok) issues.push(...division.issues);
  const detail = input.address.detail.trim();
  if (detail.length === 0 || detail.length > 200) {
    issues.push({
      path: 'address.detail',
      code: 'address_detail_invalid',
      message: 'Enter the street address (1–200 characters).',
    });
  }

  const history = input.contactHistory;
  (history.abroad ?? []).forEach((trip, i) => {
    const path = `contactHistory.abroad.${i}`;
    if (!isCountryCode(trip.country) || trip.country === 'CN') {
      issues.push({
        path: `${path}.country`,
        code: 'country_invalid',
        message: 'Use the ISO two-letter code of a country outside the mainland.',
      });
    }
    checkPeriod(issues, path, trip.from, trip.to, earliest, today);
  });
  (history.epidemicAreaStays ?? []).forEach((stay, i) => {
    const path = `contactHistory.epidemicAreaStays.${i}`;
    const d = validateAddressDivision(stay.divisionCode);
    if (!d.ok) {
      issues.push(...d.issues.map((issue) => ({ ...issue, path: `${path}.divisionCode` })));
    }
    checkPeriod(issues, path, stay.from, stay.to, earliest, today);
  });
  (history.caseContacts ?? []).forEach((contact, i) => {
    const path = `contactHistory.caseContacts.${i}.date`;
    const date = parseChinaDate(contact.date);
    if (date === null) issues.push({ path, code: 'date_invalid', message: 'Use a real date as YYYY-MM-DD.' });
    else if (date > today)
      issues.push({ path, code: 'date_in_future', message: 'The date is in the future.' });
    else if (date < earliest) {
      issues.push({
        path,
        code: 'date_outside_history',
        message: `Only contacts in the last ${CONTACT_HISTORY_DAYS} days are asked for.`,
      });
    }
  });
  if (history.temperature !== undefined) {
    const t = history.temperature;
    if (!(t >= 34 && t <= 43) || Math.round(t * 10) !== t * 10) {
      issues.push({
        path: 'contactHistory.temperature',
        code: 'temperature_invalid',
        message: 'Enter the temperature in °C with one decimal, 34.0–43.0.',
      });
    }
  }
  if (input.pledge !== true) {
    issues.push({
      path: 'pledge',
      code: 'pledge_required',
      message: 'Confirm the pledge that the information is true.',
    });
  }
  if (issues.length > 0 || !document.ok || !mobile.ok) return { ok: false, issues };
  return {
    ok: true,
    value: {
      name,
      document: document.value,
      mobile: mobile.value,
      nationality,
      address: { divisionCode: input.address.divisionCode, detail },
      contactHistory: history,
    },
  };
}

export { FEVER_DECI_C };

/**
 * The facts an application's contact history establishes (S10). They replace the facts of the
 * previous application of the same person.
 */
export function applicationFacts(app: Application, now: EpochMs, newId: () => string): Fact[] {
  const h = app.contactHistory;
  const facts: Fact[] = [];
  const day = (text: string) => parseChinaDate(text) as EpochMs;
  for (const trip of h.abroad ?? []) {
    // Returning from abroad within 14 days means the quarantine is not over (S10 yellow).
    facts.push({
      id: newId(),
      kind: 'overseasArrival',
      from: day(trip.to),
      to: null,
      countries: [trip.country],
      source: 'application',
    });
  }
  for (const stay of h.epidemicAreaStays ?? []) {
    facts.push({
      id: newId(),
      kind: 'stay',
      from: day(stay.from),
      // The last day counts in full: the stay ends at the following midnight.
      to: (day(stay.to) + DAY_MS) as EpochMs,
      divisionCode: stay.divisionCode,
      subArea: stay.subArea ?? null,
      source: 'application',
    });
  }
  for (const contact of h.caseContacts ?? []) {
    // A declared contact with a case puts the person under high-risk management for 14 days,
    // until the epidemic-control office confirms or clears them (docs/decisions.md).
    const from = day(contact.date);
    facts.push({
      id: newId(),
      kind: 'riskManagement',
      from,
      to: (from + 14 * DAY_MS) as EpochMs,
      level: 'high',
      note: `declared contact with a ${contact.kind} case`,
      source: 'application',
    });
  }
  const temperatureDeciC = h.temperature === undefined ? null : Math.round(h.temperature * 10);
  const feverish = h.fever === true || (temperatureDeciC !== null && temperatureDeciC >= FEVER_DECI_C);
  const symptoms: RespiratorySymptom[] = [
    ...new Set([...(h.symptoms ?? []), ...(feverish ? (['fever'] as const) : [])]),
  ];
  if (symptoms.length > 0) {
    facts.push({
      id: newId(),
      kind: 'symptoms',
      from: now,
      to: null,
      symptoms,
      temperatureDeciC,
      source: 'application',
    });
  }
  return facts;
}

export type { DocumentType };
