import type { FieldIssue } from '../src/domain/types.ts';
import type {
  AddFamilyMemberRequest,
  ApplicationRequest,
  ApplicationResponse,
  ContactHistoryRequest,
  Relationship,
} from './api.ts';

/**
 * The apply form as the page edits it (all text, as typed) and its mapping to and from the API
 * body. Pure, so it is tested without a browser.
 */

export const DOCUMENT_TYPE_OPTIONS = [
  'resident_id_card',
  'passport',
  'hk_macau_permit',
  'taiwan_permit',
  'foreign_permanent_residence_id',
] as const;

/** The respiratory symptoms offered as checkboxes; fever has its own checkbox (the `fever` field). */
export const RESPIRATORY_SYMPTOMS = ['dryCough', 'shortnessOfBreath', 'otherRespiratory'] as const;
export type RespiratorySymptomChoice = (typeof RESPIRATORY_SYMPTOMS)[number];

export const CASE_KINDS = ['confirmed', 'suspected'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

export interface AbroadRow {
  readonly country: string;
  readonly from: string;
  readonly to: string;
}
export interface StayRow {
  readonly divisionCode: string;
  readonly subArea: string;
  readonly from: string;
  readonly to: string;
}
export interface ContactRow {
  readonly kind: CaseKind;
  readonly date: string;
}

export interface ApplicationForm {
  readonly name: string;
  readonly documentType: string;
  readonly documentNumber: string;
  readonly mobile: string;
  readonly nationality: string;
  readonly divisionCode: string;
  readonly addressDetail: string;
  readonly abroad: readonly AbroadRow[];
  readonly stays: readonly StayRow[];
  readonly contacts: readonly ContactRow[];
  readonly symptoms: readonly RespiratorySymptomChoice[];
  readonly fever: boolean;
  /** °C as typed; empty when not given. */
  readonly temperature: string;
  readonly pledge: boolean;
}

export function emptyForm(mobile = ''): ApplicationForm {
  return {
    name: '',
    documentType: 'resident_id_card',
    documentNumber: '',
    mobile,
    nationality: 'CN',
    divisionCode: '',
    addressDetail: '',
    abroad: [],
    stays: [],
    contacts: [],
    symptoms: [],
    fever: false,
    temperature: '',
    pledge: false,
  };
}

/**
 * The form prefilled from the stored application. The pledge is left unticked: it is made afresh
 * for every submission.
 */
export function formFromView(view: ApplicationResponse): ApplicationForm {
  const h = view.contactHistory;
  return {
    name: view.name,
    documentType: view.documentType,
    documentNumber: view.documentNumber,
    mobile: view.mobile,
    nationality: view.nationality,
    divisionCode: view.address.divisionCode,
    addressDetail: view.address.detail,
    abroad: (h.abroad ?? []).map((a) => ({ country: a.country, from: a.from, to: a.to })),
    stays: (h.epidemicAreaStays ?? []).map((s) => ({
      divisionCode: s.divisionCode,
      subArea: s.subArea ?? '',
      from: s.from,
      to: s.to,
    })),
    contacts: (h.caseContacts ?? []).map((c) => ({ kind: c.kind, date: c.date })),
    symptoms: RESPIRATORY_SYMPTOMS.filter((s) => h.symptoms?.includes(s) === true),
    fever: h.fever === true || h.symptoms?.includes('fever') === true,
    temperature: h.temperature === undefined ? '' : h.temperature.toFixed(1),
    pledge: false,
  };
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DIVISION_RE = /^\d{6}$/;
const COUNTRY_RE = /^[A-Z]{2}$/;

/**
 * Checks done before sending: empty required items, and shapes the server's JSON schema would refuse
 * with terse messages. They use the domain's issue codes, so the resident sees the same translated
 * messages either way. Everything else (ID check digits, real divisions, the 14-day window) is left
 * to the server, the single authority.
 */
export function checkFormLocally(form: ApplicationForm): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const required = (value: string, path: string, code: string, message: string): void => {
    if (value.trim() === '') issues.push({ path, code, message });
  };
  const dateIssue = (path: string, value: string): void => {
    if (!DATE_RE.test(value))
      issues.push({ path, code: 'date_invalid', message: 'Use a real date as YYYY-MM-DD.' });
  };
  required(form.name, 'name', 'name_invalid', 'Enter the name as on the ID document (1–64 letters).');
  required(form.documentNumber, 'documentNumber', 'document_number_required', 'Enter the document number.');
  required(form.mobile, 'mobile', 'mobile_required', 'Enter a mobile number.');
  if (!COUNTRY_RE.test(form.nationality.trim().toUpperCase())) {
    issues.push({
      path: 'nationality',
      code: 'country_invalid',
      message: 'Use an ISO 3166 two-letter code such as CN.',
    });
  }
  if (!DIVISION_RE.test(form.divisionCode.trim())) {
    issues.push({
      path: 'address.divisionCode',
      code: 'address_division_format',
      message: 'The division code is 6 digits.',
    });
  }
  required(
    form.addressDetail,
    'address.detail',
    'address_detail_invalid',
    'Enter the street address (1–200 characters).',
  );
  form.abroad.forEach((row, i) => {
    const path = `contactHistory.abroad.${i}`;
    if (!COUNTRY_RE.test(row.country.trim().toUpperCase())) {
      issues.push({
        path: `${path}.country`,
        code: 'country_invalid',
        message: 'Use a two-letter country code.',
      });
    }
    dateIssue(`${path}.from`, row.from);
    dateIssue(`${path}.to`, row.to);
  });
  form.stays.forEach((row, i) => {
    const path = `contactHistory.epidemicAreaStays.${i}`;
    if (!DIVISION_RE.test(row.divisionCode.trim())) {
      issues.push({
        path: `${path}.divisionCode`,
        code: 'address_division_format',
        message: 'The division code is 6 digits.',
      });
    }
    dateIssue(`${path}.from`, row.from);
    dateIssue(`${path}.to`, row.to);
  });
  form.contacts.forEach((row, i) => dateIssue(`contactHistory.caseContacts.${i}.date`, row.date));
  if (form.temperature.trim() !== '' && !Number.isFinite(Number(form.temperature.trim()))) {
    issues.push({
      path: 'contactHistory.temperature',
      code: 'temperature_invalid',
      message: 'Enter the temperature in °C.',
    });
  }
  if (!form.pledge)
    issues.push({
      path: 'pledge',
      code: 'pledge_required',
      message: 'Confirm the pledge that the information is true.',
    });
  return issues;
}

/** The API body for a form that passed `checkFormLocally`. */
export function applicationRequest(form: ApplicationForm): ApplicationRequest {
  const temperature = form.temperature.trim();
  const contactHistory: ContactHistoryRequest = {
    abroad: form.abroad.map((r) => ({ country: r.country.trim().toUpperCase(), from: r.from, to: r.to })),
    epidemicAreaStays: form.stays.map((r) => ({
      divisionCode: r.divisionCode.trim(),
      ...(r.subArea.trim() !== '' ? { subArea: r.subArea.trim() } : {}),
      from: r.from,
      to: r.to,
    })),
    caseContacts: form.contacts.map((r) => ({ kind: r.kind, date: r.date })),
    symptoms: [...form.symptoms],
    fever: form.fever,
    ...(temperature !== '' ? { temperature: Number(temperature) } : {}),
  };
  return {
    name: form.name.trim(),
    documentType: form.documentType,
    documentNumber: form.documentNumber.trim(),
    mobile: form.mobile.trim(),
    nationality: form.nationality.trim().toUpperCase(),
    address: { divisionCode: form.divisionCode.trim(), detail: form.addressDetail.trim() },
    contactHistory,
    pledge: form.pledge,
  };
}

/** Every API path the form shows a field for, so issues on any other path go to the summary. */
export function formFieldPaths(form: ApplicationForm): Set<string> {
  const paths = [
    'name',
    'documentType',
    'documentNumber',
    'mobile',
    'nationality',
    'address.divisionCode',
    'address.detail',
    'contactHistory.symptoms',
    'contactHistory.fever',
    'contactHistory.temperature',
    'pledge',
  ];
  form.abroad.forEach((_, i) =>
    paths.push(...['country', 'from', 'to'].map((f) => `contactHistory.abroad.${i}.${f}`)),
  );
  form.stays.forEach((_, i) =>
    paths.push(
      ...['divisionCode', 'subArea', 'from', 'to'].map((f) => `contactHistory.epidemicAreaStays.${i}.${f}`),
    ),
  );
  form.contacts.forEach((_, i) =>
    paths.push(...['kind', 'date'].map((f) => `contactHistory.caseContacts.${i}.${f}`)),
  );
  return new Set(paths);
}

/** Issues grouped by the field they belong to; those with no field on the form under `unplaced`. */
export function placeIssues(
  issues: readonly FieldIssue[],
  fieldPaths: ReadonlySet<string>,
): { byPath: ReadonlyMap<string, readonly FieldIssue[]>; unplaced: readonly FieldIssue[] } {
  const byPath = new Map<string, FieldIssue[]>();
  const unplaced: FieldIssue[] = [];
  for (const issue of issues) {
    if (!fieldPaths.has(issue.path)) {
      unplaced.push(issue);
      continue;
    }
    const list = byPath.get(issue.path) ?? [];
    list.push(issue);
    byPath.set(issue.path, list);
  }
  return { byPath, unplaced };
}

/** DOM id of the control for an API path ('contactHistory.abroad.0.to' → 'field-contactHistory-abroad-0-to'). */
export const fieldId = (path: string): string => `field-${path.replaceAll('.', '-')}`;
export const errorId = (path: string): string => `error-${path.replaceAll('.', '-')}`;

/** Error codes that are about one field although the server sends them without `issues`. */
export const ERROR_FIELD: Readonly<Record<string, string>> = {
  pledge_required: 'pledge',
  document_taken: 'documentNumber',
};

/**
 * A family member's items are the same seven under `member.` in the API (addFamilyMember); the
 * pledge, which the proxy makes, stays at the top.
 */
export const MEMBER_PREFIX = 'member.';
export const memberPath = (path: string): string => (path === 'pledge' ? path : `${MEMBER_PREFIX}${path}`);

export function memberIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  return issues.map((issue) => ({ ...issue, path: memberPath(issue.path) }));
}

export function memberFieldPaths(form: ApplicationForm): Set<string> {
  return new Set([...formFieldPaths(form)].map(memberPath));
}

/** The addFamilyMember body for a form that passed `checkFormLocally`. */
export function familyMemberRequest(
  form: ApplicationForm,
  relationship: Relationship,
): AddFamilyMemberRequest {
  const { pledge, ...member } = applicationRequest(form);
  return { relationship, member, pledge };
}

/** Error codes of addFamilyMember that concern one field of the member form. */
export const MEMBER_ERROR_FIELD: Readonly<Record<string, string>> = {
  pledge_required: 'pledge',
  document_taken: 'member.documentNumber',
  family_member_is_proxy: 'member.documentNumber',
  family_member_already_bound: 'member.documentNumber',
};
