/**
 * Branded primitive types shared by the whole system. The domain reads no clock and no randomness:
 * times and ids always come in as arguments.
 */

declare const brand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** Milliseconds since the Unix epoch (UTC). */
export type EpochMs = Brand<number, 'EpochMs'>;
export const epochMs = (n: number): EpochMs => n as EpochMs;

/** Internal numeric id of a resident row; never shown to anyone outside the platform. */
export type ResidentId = Brand<number, 'ResidentId'>;
export const residentId = (n: number): ResidentId => n as ResidentId;

export type Colour = 'green' | 'yellow' | 'red';
export const COLOURS: readonly Colour[] = ['green', 'yellow', 'red'];
/** Higher is more severe; used to pick the colour when several rules apply. */
export const COLOUR_SEVERITY: Readonly<Record<Colour, number>> = { green: 0, yellow: 1, red: 2 };

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
/** A sentence in both languages of the interface. */
export type LocalizedText = Readonly<Record<Locale, string>>;

/**
 * `auditor` (issue 10): reads the audit log and nothing personal. `hospital` (issue 11, S17): staff
 * of one approved hospital venue, who read the code as the electronic health card.
 */
export const STAFF_ROLES = ['checkpoint', 'officer', 'admin', 'auditor', 'hospital'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A problem with one field of an input; `path` uses dots (`contactHistory.abroad.0.country`). */
export interface FieldIssue {
  readonly path: string;
  /** Stable machine code, e.g. `document_check_digit`; the web app translates it. */
  readonly code: string;
  /** English sentence a person can act on. */
  readonly message: string;
}

export type Validation<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly FieldIssue[] };

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** Tenths of a degree Celsius; 37.3 °C or more is fever (S6, S10). */
export const FEVER_DECI_C = 373;
