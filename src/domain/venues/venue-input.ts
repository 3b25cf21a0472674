import { validateAddressDivision, validateMobile } from '../identity/index.ts';
import type { FieldIssue, Validation } from '../types.ts';
import { VENUE_KINDS, isVenueKind, type VenueKind } from './venue-kinds.ts';
import { spoofingText } from '../text.ts';

/** A venue as a venue manager registers it, validated and normalised (names trimmed, mobile in E.164). */
export interface VenueInput {
  /** 1–100 characters, as printed on the place-code poster. */
  readonly name: string;
  readonly kind: VenueKind;
  readonly address: {
    /** GB/T 2260 county-level code (or a city without counties). */
    readonly divisionCode: string;
    readonly detail: string;
  };
  /** Whom the district office calls about this venue. */
  readonly contact: { readonly name: string; readonly mobile: string };
}

export const VENUE_NAME_MAX = 100;
export const ADDRESS_DETAIL_MAX = 200;
export const CONTACT_NAME_MAX = 64;

const CONTROL = /\p{Cc}/u;

type Issues = FieldIssue[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A free-text field, NFC-normalised with runs of white space (line breaks included) made one space:
 * a name pasted from a spreadsheet must print on one line and compare equal to the same name typed.
 */
function text(value: unknown, path: string, issues: Issues, what: string): string | null {
  if (typeof value !== 'string') {
    issues.push({ path, code: 'field_required', message: `Enter ${what}.` });
    return null;
  }
  return value.normalize('NFC').trim().replace(/\s+/gu, ' ');
}

/** Length in characters as a person counts them (code points), not UTF-16 units. */
const length = (s: string): number => [...s].length;

function boundedText(
  value: unknown,
  path: string,
  issues: Issues,
  rule: { what: string; max: number; code: string },
): string | null {
  const s = text(value, path, issues, rule.what);
  if (s === null) return null;
  if (s === '' || length(s) > rule.max || CONTROL.test(s)) {
    issues.push({
      path,
      code: rule.code,
      message: `Enter ${rule.what} (1–${rule.max} characters, no control characters).`,
    });
    return null;
  }
  // Others read these names (residents scanning the poster, officers): no disguised text.
  const spoof = spoofingText(s);
  if (spoof !== null) {
    issues.push({ path, code: 'invisible_characters', message: `Enter ${rule.what} again: it ${spoof}.` });
    return null;
  }
  return s;
}

/**
 * Validates a venue registration, reporting every faulty field at once. Accepts anything (a parsed
 * JSON body, a CSV row turned into an object) so that a wrong type is an issue, not a crash.
 */
export function validateVenueInput(input: unknown): Validation<VenueInput> {
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [{ path: '', code: 'venue_not_object', message: 'Send the venue as a JSON object.' }],
    };
  }
  const issues: Issues = [];

  const name = boundedText(input['name'], 'name', issues, {
    what: 'the venue name as it should appear on the poster',
    max: VENUE_NAME_MAX,
    code: 'venue_name_invalid',
  });

  const kind = input['kind'];
  if (!isVenueKind(kind)) {
    issues.push({
      path: 'kind',
      code: 'venue_kind_unknown',
      message: `Use one of: ${VENUE_KINDS.join(', ')}.`,
    });
  }

  const address = isRecord(input['address']) ? input['address'] : {};
  let divisionCode: string | null = null;
  if (typeof address['divisionCode'] !== 'string') {
    issues.push({
      path: 'address.divisionCode',
      code: 'field_required',
      message: 'Choose the county or district the venue is in.',
    });
  } else {
    const division = validateAddressDivision(address['divisionCode']);
    if (division.ok) divisionCode = division.value.code;
    else issues.push(...division.issues);
  }
  const detail = boundedText(address['detail'], 'address.detail', issues, {
    what: 'the street address of the venue',
    max: ADDRESS_DETAIL_MAX,
    code: 'address_detail_invalid',
  });

  const contact = isRecord(input['contact']) ? input['contact'] : {};
  const contactName = boundedText(contact['name'], 'contact.name', issues, {
    what: 'the name of the contact person',
    max: CONTACT_NAME_MAX,
    code: 'contact_name_invalid',
  });
  let mobile: string | null = null;
  if (typeof contact['mobile'] !== 'string') {
    issues.push({
      path: 'contact.mobile',
      code: 'field_required',
      message: "Enter the contact person's mobile phone number.",
    });
  } else {
    const checked = validateMobile(contact['mobile']);
    if (checked.ok) mobile = checked.value;
    else issues.push(...checked.issues.map((i) => ({ ...i, path: 'contact.mobile' })));
  }

  if (
    issues.length > 0 ||
    name === null ||
    !isVenueKind(kind) ||
    divisionCode === null ||
    detail === null ||
    contactName === null ||
    mobile === null
  ) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    value: { name, kind, address: { divisionCode, detail }, contact: { name: contactName, mobile } },
  };
}
