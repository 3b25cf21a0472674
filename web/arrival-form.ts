import type { Colour, FieldIssue } from '../src/domain/types.ts';
import type { ArrivalDeclarationRequest } from './api.ts';

/**
 * The arrival declaration form (S8, S9) as the page edits it, and its API body. Pure, so it is
 * tested without a browser (test/e2e/web-logic.test.ts).
 */

export const ARRIVAL_KIND_OPTIONS = ['domestic', 'overseas'] as const;
export type ArrivalKindChoice = (typeof ARRIVAL_KIND_OPTIONS)[number];
export const TRANSPORT_MODE_OPTIONS = ['train', 'flight', 'coach', 'car', 'ship', 'other'] as const;
export type TransportModeChoice = (typeof TRANSPORT_MODE_OPTIONS)[number];
export const HOME_COLOUR_OPTIONS = ['green', 'yellow', 'red'] as const satisfies readonly Colour[];

export interface ArrivalForm {
  readonly kind: ArrivalKindChoice;
  /** Domestic: the deepest division chosen in the picker. */
  readonly originDivisionCode: string;
  /** Overseas: two-letter codes as typed, separated by commas or spaces. */
  readonly countries: string;
  readonly departedOn: string;
  readonly arrivedOn: string;
  readonly transportMode: TransportModeChoice;
  readonly transportNumber: string;
  /** Binding ids of the family members travelling along. */
  readonly familyCompanions: readonly string[];
  /** Anyone else travelling along: names as typed, separated by commas. */
  readonly otherCompanions: string;
  /** Domestic: the home province's code colour when leaving; '' until chosen. */
  readonly homeCodeColour: Colour | '';
}

export function emptyArrivalForm(today: string): ArrivalForm {
  return {
    kind: 'domestic',
    originDivisionCode: '',
    countries: '',
    departedOn: today,
    arrivedOn: today,
    transportMode: 'train',
    transportNumber: '',
    familyCompanions: [],
    otherCompanions: '',
    homeCodeColour: '',
  };
}

/** Items of a typed list: split on commas (either width), semicolons and, if asked, spaces. */
export function splitList(text: string, onSpaces: boolean): string[] {
  return text
    .split(onSpaces ? /[,，;；、\s]+/ : /[,，;；、]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const NUMBER_REQUIRED: readonly TransportModeChoice[] = ['train', 'flight', 'coach', 'ship'];

/**
 * Checks done before sending, with the server's issue codes: what is missing. Everything else
 * (real divisions, dates in range, quarantine records) is the server's to say.
 */
export function checkArrivalLocally(form: ArrivalForm): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const required = (path: string, message: string) => issues.push({ path, code: 'field_required', message });
  if (form.kind === 'domestic') {
    if (form.originDivisionCode === '') required('originDivisionCode', 'Say where you came from.');
    if (form.homeCodeColour === '') required('homeCodeColour', 'Say which colour your home code showed.');
  } else if (splitList(form.countries, true).length === 0) {
    required('countries', 'Name the countries you stayed in before entry.');
  }
  for (const path of ['departedOn', 'arrivedOn'] as const) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(form[path]))
      issues.push({ path, code: 'date_invalid', message: 'Enter a real date.' });
  }
  if (form.transportNumber.trim() === '' && NUMBER_REQUIRED.includes(form.transportMode))
    required('transport.number', 'Give the train, flight, coach or ship number.');
  return issues;
}

/** The submitArrivalDeclaration body: only the fields of the chosen kind. */
export function arrivalRequest(form: ArrivalForm): ArrivalDeclarationRequest {
  const number = form.transportNumber.trim().toUpperCase();
  const companions = [
    ...form.familyCompanions.map((familyMemberId) => ({ familyMemberId })),
    ...splitList(form.otherCompanions, false).map((name) => ({ name })),
  ];
  return {
    kind: form.kind,
    ...(form.kind === 'domestic'
      ? {
          originDivisionCode: form.originDivisionCode,
          ...(form.homeCodeColour === '' ? {} : { homeCodeColour: form.homeCodeColour }),
        }
      : { countries: [...new Set(splitList(form.countries, true).map((c) => c.toUpperCase()))] }),
    departedOn: form.departedOn,
    arrivedOn: form.arrivedOn,
    transport: { mode: form.transportMode, ...(number === '' ? {} : { number }) },
    ...(companions.length > 0 ? { companions } : {}),
  };
}

/**
 * The field an issue of the API belongs to on this form: list items go to their list's field
 * (`countries.1` → countries; `companions.2.name` → the typed names, or the family members'
 * checkboxes for one that is a family member).
 */
export function arrivalFieldOf(path: string, form: ArrivalForm): string {
  if (path.startsWith('countries')) return 'countries';
  const companion = /^companions\.(\d+)/.exec(path);
  if (companion !== null) {
    return Number(companion[1]) < form.familyCompanions.length ? 'familyCompanions' : 'otherCompanions';
  }
  if (path === 'companions') return 'otherCompanions';
  return path;
}

export const ARRIVAL_FIELD_PATHS: ReadonlySet<string> = new Set([
  'kind',
  'originDivisionCode',
  'countries',
  'departedOn',
  'arrivedOn',
  'transport.mode',
  'transport.number',
  'familyCompanions',
  'otherCompanions',
  'homeCodeColour',
]);

/**
 * The date from which a refused overseas declaration can be made (`arrival_not_yet_allowed`): the
 * latest date the message or its issues give, as YYYY-MM-DD; null when they give none.
 */
export function availableFrom(error: {
  readonly message: string;
  readonly issues?: readonly { readonly message: string }[] | undefined;
}): string | null {
  const texts = [error.message, ...(error.issues ?? []).map((i) => i.message)];
  const dates = texts.flatMap((text) => [...text.matchAll(/\d{4}-\d{2}-\d{2}/g)].map((m) => m[0]));
  // Not Array.prototype.at: the page also runs on browsers older than it (scripts/build-web.ts).
  return [...dates].sort()[dates.length - 1] ?? null;
}
