import type { Fact } from './colour/facts.ts';
import { chinaDate, parseChinaDate } from './china-time.ts';
import { isCountryCode } from './country-codes.ts';
import { findDivision } from './identity/index.ts';
import { quarantineEnd, type RecordForFacts } from './imports/index.ts';
import { DAY_MS, type Colour, type EpochMs, type FieldIssue, type Validation } from './types.ts';

/**
 * Arrival declarations (S8, S9, issue 9 items 5–6). An out-of-province arrival declares where they
 * came from and how; the declaration becomes facts the colour policy reads like any other (a stay in
 * the origin division, and a risk-management fact when the home province's code was not green), so
 * "from a high-risk area red, from a medium-risk area yellow for 14 days after arrival, otherwise
 * green" is the policy's stay rules applied to the risk areas in force, not code here. An overseas
 * arrival may declare only once imported quarantine and test records show the quarantine over and a
 * negative test; the colour then follows those records. Dates are calendar days of China time.
 */

export const ARRIVAL_KINDS = ['domestic', 'overseas'] as const;
export type ArrivalKind = (typeof ARRIVAL_KINDS)[number];
export const TRANSPORT_MODES = ['train', 'flight', 'coach', 'car', 'ship', 'other'] as const;
export type TransportMode = (typeof TRANSPORT_MODES)[number];

/** How far back an arrival may be declared: older journeys cannot matter to any 14-day rule. */
export const ARRIVAL_DECLARATION_DAYS = 30;
/** Home isolation after arrival from a medium-risk area (S10), and the span a non-green home code is kept. */
export const ARRIVAL_ISOLATION_DAYS = 14;
export const MAX_COMPANIONS = 10;
/** Shandong's GB/T 2260 province prefix: an out-of-province arrival comes from elsewhere. */
export const HOME_PROVINCE_PREFIX = '37';

export interface ArrivalCompanionInput {
  /** A family member bound to the declarer: the declaration is made for them too. */
  readonly familyMemberId?: string;
  /** Anyone else travelling along (they declare themselves); a name only, nothing identifying. */
  readonly name?: string;
}

export interface ArrivalDeclarationInput {
  readonly kind: string;
  /** GB/T 2260 code of the division travelled from (domestic). */
  readonly originDivisionCode?: string;
  /** ISO 3166-1 alpha-2 countries stayed in before entry (overseas). */
  readonly countries?: readonly string[];
  readonly departedOn: string;
  readonly arrivedOn: string;
  readonly transport: { readonly mode: string; readonly number?: string };
  readonly companions?: readonly ArrivalCompanionInput[];
  /** The colour of the home province's code when leaving (domestic). */
  readonly homeCodeColour?: string;
}

export interface ArrivalDeclaration {
  readonly kind: ArrivalKind;
  readonly originDivisionCode: string | null;
  readonly countries: readonly string[];
  readonly departedOn: EpochMs;
  readonly arrivedOn: EpochMs;
  readonly transport: { readonly mode: TransportMode; readonly number: string | null };
  readonly familyMemberIds: readonly string[];
  readonly companionNames: readonly string[];
  readonly homeCodeColour: Colour | null;
}

const TRANSPORT_NUMBER_RE = /^[\p{L}\p{N}][\p{L}\p{N} -]{0,19}$/u;
const NAME_RE = /^[\p{L}\p{M}][\p{L}\p{M} ·.'-]{0,39}$/u;

function issue(path: string, code: string, message: string): FieldIssue {
  return { path, code, message };
}

function day(issues: FieldIssue[], path: string, text: string): EpochMs | null {
  const at = parseChinaDate(text);
  if (at === null) issues.push(issue(path, 'date_invalid', 'Use a real calendar date, YYYY-MM-DD.'));
  return at;
}

/** Checks a declaration as a person sends it; `now` decides what "future" and "too old" mean. */
export function validateArrivalDeclaration(
  input: ArrivalDeclarationInput,
  now: EpochMs,
): Validation<ArrivalDeclaration> {
  const issues: FieldIssue[] = [];
  const kind = (ARRIVAL_KINDS as readonly string[]).includes(input.kind) ? (input.kind as ArrivalKind) : null;
  if (kind === null) issues.push(issue('kind', 'arrival_kind_invalid', 'Choose domestic or overseas.'));

  let originDivisionCode: string | null = null;
  let countries: string[] = [];
  let homeCodeColour: Colour | null = null;
  if (kind === 'domestic') {
    const code = (input.originDivisionCode ?? '').trim();
    const division = /^\d{6}$/.test(code) ? findDivision(code) : null;
    if (code === '') {
      issues.push(issue('originDivisionCode', 'field_required', 'Say which city or county you came from.'));
    } else if (division === null) {
      issues.push(
        issue(
          'originDivisionCode',
          'division_unknown',
          'This is not a current division code: choose the province, city or county you came from from the list.',
        ),
      );
    } else if (code.startsWith(HOME_PROVINCE_PREFIX)) {
      issues.push(
        issue(
          'originDivisionCode',
          'arrival_origin_in_province',
          'This division is in Shandong: a journey inside the province needs no declaration.',
        ),
      );
    } else originDivisionCode = code;
    if (input.countries !== undefined && input.countries.length > 0)
      issues.push(
        issue('countries', 'field_not_allowed', 'Countries are declared for overseas arrivals only.'),
      );
    const colour = input.homeCodeColour;
    if (colour === undefined)
      issues.push(
        issue(
          'homeCodeColour',
          'field_required',
          'Say which colour your home province’s code showed when you left.',
        ),
      );
    else if (colour === 'green' || colour === 'yellow' || colour === 'red') homeCodeColour = colour;
    else issues.push(issue('homeCodeColour', 'colour_invalid', 'Choose green, yellow or red.'));
  } else if (kind === 'overseas') {
    if (input.originDivisionCode !== undefined)
      issues.push(
        issue(
          'originDivisionCode',
          'field_not_allowed',
          'An overseas arrival names countries, not a division.',
        ),
      );
    if (input.homeCodeColour !== undefined)
      issues.push(
        issue('homeCodeColour', 'field_not_allowed', 'The home-province code is for domestic arrivals.'),
      );
    const list = input.countries ?? [];
    if (list.length === 0)
      issues.push(issue('countries', 'field_required', 'Name the countries you stayed in before entry.'));
    if (list.length > 20) issues.push(issue('countries', 'too_many', 'Name at most 20 countries.'));
    list.forEach((c, i) => {
      if (!isCountryCode(c))
        issues.push(
          issue(`countries.${i}`, 'country_invalid', 'Use an ISO 3166-1 two-letter country code, e.g. KR.'),
        );
    });
    countries = [...new Set(list)];
  }

  const today = parseChinaDate(chinaDate(now)) as EpochMs;
  const departedOn = day(issues, 'departedOn', input.departedOn);
  const arrivedOn = day(issues, 'arrivedOn', input.arrivedOn);
  if (departedOn !== null && departedOn > today)
    issues.push(issue('departedOn', 'date_in_future', 'The departure cannot be after today.'));
  if (arrivedOn !== null && arrivedOn > today)
    issues.push(issue('arrivedOn', 'date_in_future', 'Declare on or after the day you arrive, not before.'));
  if (arrivedOn !== null && arrivedOn < today - ARRIVAL_DECLARATION_DAYS * DAY_MS)
    issues.push(
      issue(
        'arrivedOn',
        'date_too_old',
        `Arrivals more than ${ARRIVAL_DECLARATION_DAYS} days ago need no declaration.`,
      ),
    );
  if (departedOn !== null && arrivedOn !== null && arrivedOn < departedOn)
    issues.push(issue('arrivedOn', 'date_order', 'The arrival is before the departure.'));
  if (departedOn !== null && arrivedOn !== null && arrivedOn - departedOn > 7 * DAY_MS)
    issues.push(
      issue(
        'departedOn',
        'journey_too_long',
        'A journey of more than 7 days: give the day you left your last stay.',
      ),
    );

  const mode = (TRANSPORT_MODES as readonly string[]).includes(input.transport.mode)
    ? (input.transport.mode as TransportMode)
    : null;
  if (mode === null)
    issues.push(
      issue('transport.mode', 'transport_mode_invalid', `Choose one of ${TRANSPORT_MODES.join(', ')}.`),
    );
  const number = input.transport.number?.trim() ?? '';
  if (number !== '' && !TRANSPORT_NUMBER_RE.test(number))
    issues.push(
      issue(
        'transport.number',
        'transport_number_invalid',
        'Give the train, flight or plate number, e.g. G123.',
      ),
    );
  if (number === '' && (mode === 'train' || mode === 'flight' || mode === 'coach' || mode === 'ship'))
    issues.push(issue('transport.number', 'field_required', 'Give the train, flight, coach or ship number.'));

  const companions = input.companions ?? [];
  if (companions.length > MAX_COMPANIONS)
    issues.push(issue('companions', 'too_many', `Name at most ${MAX_COMPANIONS} companions.`));
  const familyMemberIds: string[] = [];
  const companionNames: string[] = [];
  companions.forEach((c, i) => {
    const memberId = c.familyMemberId?.trim();
    const name = c.name?.trim();
    if ((memberId === undefined) === (name === undefined)) {
      issues.push(
        issue(
          `companions.${i}`,
          'companion_invalid',
          'Give either a family member (familyMemberId) or a name.',
        ),
      );
    } else if (memberId !== undefined) {
      if (!familyMemberIds.includes(memberId)) familyMemberIds.push(memberId);
    } else if (name !== undefined && !NAME_RE.test(name)) {
      issues.push(issue(`companions.${i}.name`, 'name_invalid', 'Give the companion’s name in letters.'));
    } else if (name !== undefined) companionNames.push(name);
  });

  if (issues.length > 0 || kind === null || departedOn === null || arrivedOn === null || mode === null)
    return { ok: false, issues };
  return {
    ok: true,
    value: {
      kind,
      originDivisionCode,
      countries,
      departedOn,
      arrivedOn,
      transport: { mode, number: number === '' ? null : number },
      familyMemberIds,
      companionNames,
      homeCodeColour,
    },
  };
}

/**
 * The facts a domestic arrival establishes. A stay in the origin division from the departure day to
 * the end of the arrival day (the journey counts as still being there), so a risk area in force
 * there when the person left matches it: the policy's stay rules then give red from a high-risk
 * area, yellow for 14 days after arrival from a medium-risk one, and nothing otherwise. A home-province code that was yellow or red is kept for 14
 * days from arrival as risk management at the same level, until an office reviews it (S8: the code
 * is converted, not washed green). Overseas arrivals add no fact: their records decide.
 */
export function arrivalFacts(d: ArrivalDeclaration, newId: () => string, declarationId: string): Fact[] {
  if (d.kind !== 'domestic' || d.originDivisionCode === null) return [];
  const arrivalEnd = (d.arrivedOn + DAY_MS) as EpochMs;
  const facts: Fact[] = [
    {
      id: newId(),
      kind: 'stay',
      from: d.departedOn,
      to: arrivalEnd,
      divisionCode: d.originDivisionCode,
      subArea: null,
      note: `arrival declaration ${declarationId}`,
      source: 'declaration',
    },
  ];
  if (d.homeCodeColour === 'red' || d.homeCodeColour === 'yellow') {
    facts.push({
      id: newId(),
      kind: 'riskManagement',
      from: d.arrivedOn,
      to: (arrivalEnd + ARRIVAL_ISOLATION_DAYS * DAY_MS) as EpochMs,
      level: d.homeCodeColour === 'red' ? 'high' : 'medium',
      note: `home-province code ${d.homeCodeColour} on arrival (declaration ${declarationId})`,
      source: 'declaration',
    });
  }
  return facts;
}

export type OverseasClearance =
  | { readonly ok: true; readonly quarantineEndedAt: EpochMs; readonly negativeTestAt: EpochMs }
  | {
      readonly ok: false;
      /** What is missing: no quarantine on record, a quarantine not yet over, or no negative test after it began. */
      readonly missing: 'quarantineRecord' | 'quarantineEnd' | 'negativeTest';
      /** The earliest day the declaration can be made, when the records say it (a planned end). */
      readonly availableFrom: EpochMs | null;
    };

/**
 * Whether an overseas arrival may declare (S9): an imported quarantine that began on or after entry
 * day (or was under way then) has ended, and a negative nucleic-acid test was sampled after the
 * quarantine began with no positive one after it. Matches records to the person by their document
 * (the caller passes the records imported under it).
 */
export function overseasClearance(
  records: readonly RecordForFacts[],
  arrivedOn: EpochMs,
  now: EpochMs,
): OverseasClearance {
  const quarantines = records
    .filter((r) => r.kind === 'quarantine' && (r.to === null || r.to >= arrivedOn))
    .map((r) => ({ from: r.from, to: r.to }))
    .sort((a, b) => a.from - b.from || (a.to ?? Infinity) - (b.to ?? Infinity));
  const first = quarantines[0];
  if (first === undefined)
    return {
      ok: false,
      missing: 'quarantineRecord',
      availableFrom: (arrivedOn + ARRIVAL_ISOLATION_DAYS * DAY_MS) as EpochMs,
    };
  const end = quarantineEnd(Math.max(arrivedOn, first.from) as EpochMs, quarantines);
  if (end === null || end > now) {
    // Still open: no earlier than 14 days from the start of the latest open quarantine.
    const openFrom = Math.max(arrivedOn, ...quarantines.filter((q) => q.to === null).map((q) => q.from));
    return {
      ok: false,
      missing: 'quarantineEnd',
      availableFrom: end ?? ((openFrom + ARRIVAL_ISOLATION_DAYS * DAY_MS) as EpochMs),
    };
  }
  let negativeTestAt: EpochMs | null = null;
  let positiveAt: EpochMs | null = null;
  for (const r of records) {
    if (r.kind !== 'testResult' || r.attributes.testKind !== 'nucleicAcid' || r.from < first.from) continue;
    if (r.attributes.testResult === 'negative' && (negativeTestAt === null || r.from > negativeTestAt))
      negativeTestAt = r.from;
    if (r.attributes.testResult === 'positive' && (positiveAt === null || r.from > positiveAt))
      positiveAt = r.from;
  }
  if (negativeTestAt === null || (positiveAt !== null && positiveAt >= negativeTestAt))
    return { ok: false, missing: 'negativeTest', availableFrom: null };
  return { ok: true, quarantineEndedAt: end, negativeTestAt };
}
