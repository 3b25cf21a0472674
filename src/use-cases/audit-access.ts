import type { AccessLogResponse } from '../contracts/residents.ts';
import type { AuditLogPageResponse, ResidentLookupResponse } from '../contracts/staff.ts';
import { chinaDate, formatChinaTime } from '../domain/china-time.ts';
import { deriveDocumentKey, maskName, validateDocument, validateMobile } from '../domain/identity/index.ts';
import { jurisdictionCovers } from '../domain/jurisdiction.ts';
import type { EpochMs, StaffRole } from '../domain/types.ts';
import { listAuditEntries, listAuditPage } from '../storage/audit.ts';
import {
  findResidentsByMobile,
  listChecksOfResident,
  listFactsWithSources,
} from '../storage/resident-lookups.ts';
import { findResidentByDocumentKey, findResidentById, type Resident } from '../storage/residents.ts';
import { findStaffById } from '../storage/staff.ts';
import { findVenue } from '../storage/venues.ts';
import { authorize } from './access.ts';
import { getMyApplication } from './application.ts';
import { AppError, invalid } from './errors.ts';
import { memberForProxy } from './family.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/**
 * The audit log read by auditors, officers' resident lookups, and the resident's own access log
 * (issue 10 items 4 and 7, P3).
 */

/**
 * Detail keys an auditor may see: ids, codes, counts and flags. Anything else — names, usernames,
 * document numbers, mobiles, addresses, free-text reasons and notes — is left out, whatever action
 * wrote it; so is a string value that is not a short code (no spaces, no CJK, no long digit runs).
 */
const AUDITOR_DETAIL_KEYS: ReadonlySet<string> = new Set([
  'via',
  'venueId',
  'staffId',
  'factId',
  'kind',
  'colour',
  'version',
  'effectiveFrom',
  'revokedKid',
  'found',
  'checks',
  'reports',
  'reportId',
  'afterId',
  'jurisdiction',
  'divisionCode',
  'divisionCodes',
  'role',
  'disabled',
  'newSetupLink',
  'sessionsRevoked',
  'secondFactorEnrolled',
  'displayNameChanged',
  'memberId',
  'relationship',
  'by',
  'paperCodeIds',
  'importId',
  'riskAreaId',
  'level',
  'state',
  'policyVersion',
  'lookupBy',
  'results',
]);

/** A code-like string: letters, digits and . _ : - only, up to 64, and no run of 7 digits (a phone, an ID). */
const CODE_LIKE = /^[A-Za-z0-9._:-]{0,64}$/;
const safeString = (v: string) => CODE_LIKE.test(v) && !/\d{7}/.test(v.replace(/-/g, ''));

function safeValue(v: unknown): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return safeString(v) ? v : undefined;
  if (Array.isArray(v)) {
    const items = v.map(safeValue);
    return items.every((i) => i !== undefined) ? items : undefined;
  }
  return undefined;
}

/** The audit detail as an auditor sees it: see AUDITOR_DETAIL_KEYS. */
export function auditorDetail(detail: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return out;
  for (const [key, value] of Object.entries(detail)) {
    if (!AUDITOR_DETAIL_KEYS.has(key)) continue;
    const safe = safeValue(value);
    if (safe !== undefined) out[key] = safe;
  }
  return out;
}

export const MAX_AUDIT_PAGE = 500;

export async function listAuditLog(
  p: Platform,
  principal: Principal,
  query: { from?: EpochMs; to?: EpochMs; action?: string; after?: number; limit?: number },
): Promise<AuditLogPageResponse> {
  authorize(principal, 'listAuditLog');
  const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_AUDIT_PAGE);
  const rows = await listAuditPage(p.db, {
    ...(query.from === undefined ? {} : { from: query.from }),
    ...(query.to === undefined ? {} : { to: query.to }),
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(query.after === undefined ? {} : { afterId: query.after }),
    limit,
  });
  const last = rows.at(-1);
  return {
    entries: rows.map((r) => ({
      id: r.id,
      at: formatChinaTime(r.at as EpochMs),
      actorKind: r.actorKind,
      actorId: r.actorId,
      action: r.action,
      residentId: r.residentId,
      detail: auditorDetail(r.detail),
      hash: r.hash,
    })),
    nextAfter: rows.length === limit && last !== undefined ? last.id : null,
  };
}

const REASON_MIN = 4;

/**
 * An officer looks a resident up by document or mobile (issue 10 item 4), inside their
 * jurisdiction only, with a reason the resident will read in their access log. The audit entry is
 * written — durably, through the group commit — before any data is returned; a lookup that finds
 * no one inside the jurisdiction is audited too, and answers 404 for someone outside it (whether
 * they exist is not disclosed).
 */
export async function lookupResident(
  p: Platform,
  principal: Principal,
  input: { documentType?: string; documentNumber?: string; mobile?: string; reason: string },
): Promise<ResidentLookupResponse> {
  const staff = authorize(principal, 'lookupResident');
  const now = p.clock.now();
  const reason = input.reason.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if ([...reason].length < REASON_MIN || /[\p{C}]/u.test(reason)) {
    throw new AppError(
      'reason_required',
      `Give the reason for this lookup (at least ${REASON_MIN} characters).`,
      [
        {
          path: 'reason',
          code: 'reason_required',
          message: 'The resident reads this reason in their access log.',
        },
      ],
    );
  }
  const byDocument = input.documentNumber !== undefined || input.documentType !== undefined;
  if (byDocument === (input.mobile !== undefined)) {
    throw invalid([
      {
        path: 'documentNumber',
        code: 'lookup_key_required',
        message: 'Give either documentType and documentNumber, or mobile.',
      },
    ]);
  }
  let found: Resident[];
  if (byDocument) {
    const doc = validateDocument(input.documentType ?? '', input.documentNumber ?? '', chinaDate(now));
    if (!doc.ok) throw invalid(doc.issues);
    const r = await findResidentByDocumentKey(
      p.db,
      deriveDocumentKey(p.secrets.identityPepper, { type: doc.value.type, number: doc.value.number }),
    );
    found = r === null ? [] : [r];
  } else {
    const m = validateMobile(input.mobile ?? '');
    if (!m.ok) throw invalid(m.issues);
    found = await findResidentsByMobile(p.db, m.value);
  }
  const inside = found.filter((r) => jurisdictionCovers(staff.divisionCodes, r.addressDivision));
  const lookupBy = byDocument ? 'document' : 'mobile';
  // Written before anything is returned: one entry per resident shown, or one saying none was.
  const entries =
    inside.length === 0
      ? [{ residentId: null, detail: { lookupBy, results: 0, reason } }]
      : inside.map((r) => ({
          residentId: r.id,
          detail: { lookupBy, results: inside.length, reason },
        }));
  await Promise.all(
    entries.map((e) =>
      p.auditLog.write({
        at: now,
        actorKind: 'staff',
        actorId: staff.staffId,
        action: 'lookup_resident',
        residentId: e.residentId,
        detail: e.detail,
      }),
    ),
  );
  if (inside.length === 0) {
    throw new AppError('resident_not_found', 'No resident of your jurisdiction has this document or mobile.');
  }
  const residents = [];
  for (const r of inside) {
    const facts = await listFactsWithSources(p.db, r.id);
    residents.push({
      residentId: r.id as number,
      maskedName: maskName(r.name),
      addressDivision: r.addressDivision,
      colour: r.colour.colour,
      until: r.colour.until === null ? null : formatChinaTime(r.colour.until),
      reasons: r.colour.reasons.map((x) => ({ ...x })),
      facts: facts.map((f) => ({
        factId: f.id,
        kind: f.kind,
        from: formatChinaTime(f.from as EpochMs),
        to: f.to === null ? null : formatChinaTime(f.to as EpochMs),
        source: f.source,
        sourceRef: f.sourceRef,
        recordedAt: formatChinaTime(f.recordedAt as EpochMs),
      })),
    });
  }
  return { residents };
}

/** Entries shown, newest first. */
const MAX_ACCESS_ENTRIES = 500;

const KIND_OF_ACTION: Readonly<Record<string, AccessLogResponse['entries'][number]['kind']>> = {
  lookup_resident: 'staff_lookup',
  lookup_by_document: 'staff_lookup',
  read_attachment: 'staff_lookup',
  proxy_view_code: 'proxy_view',
  print_paper_code: 'export',
  print_paper_codes_in_bulk: 'export',
  hospital_read_card: 'hospital_registration',
  record_fever_clinic_visit: 'hospital_registration',
};

/**
 * "Who saw my data" (issue 10 item 7): every read of the resident's personal data — checkpoint
 * checks of their code (venue, time, outcome), staff lookups (role, office, reason), proxies viewing
 * their code, paper codes printed (exports) — and the other audited actions on their record, newest
 * first. A proxy reads a member's log with `memberId`.
 */
export async function getMyAccessLog(
  p: Platform,
  principal: Principal,
  memberId?: string,
): Promise<AccessLogResponse> {
  const me = authorize(principal, 'getMyAccessLog');
  const subject =
    memberId === undefined
      ? await getMyApplication(p, me.accountId)
      : (await memberForProxy(p, me.accountId, memberId)).member;
  const audit = (await listAuditEntries(p.db, subject.id)).reverse().slice(0, MAX_ACCESS_ENTRIES);
  const checks = await listChecksOfResident(p.db, subject.id, MAX_ACCESS_ENTRIES);
  const staffCache = new Map<number, { role: StaffRole; divisionCodes: readonly string[] } | null>();
  const staffOf = async (id: number) => {
    if (!staffCache.has(id)) {
      const s = await findStaffById(p.db, id);
      staffCache.set(id, s === null ? null : { role: s.role, divisionCodes: s.divisionCodes });
    }
    return staffCache.get(id) ?? null;
  };
  const venueCache = new Map<number, { venueId: number; name: string } | null>();
  const venueOf = async (id: number) => {
    if (!venueCache.has(id)) {
      const v = await findVenue(p.db, id);
      venueCache.set(id, v === null ? null : { venueId: v.id, name: v.name });
    }
    return venueCache.get(id) ?? null;
  };
  type Entry = AccessLogResponse['entries'][number];
  const out: { at: number; entry: Entry }[] = [];
  for (const e of audit) {
    let actor: Entry['actor'] = { kind: e.actorKind, self: false };
    if (e.actorKind === 'staff' && e.actorId !== null) {
      const s = await staffOf(e.actorId);
      if (s !== null) actor = { ...actor, role: s.role, divisionCodes: [...s.divisionCodes] };
    } else if (e.actorKind === 'resident' && e.actorId !== null) {
      if (e.actorId === subject.id) actor = { ...actor, self: true };
      else {
        const r = await findResidentById(p.db, e.actorId);
        if (r !== null) actor = { ...actor, maskedName: maskName(r.name) };
      }
    }
    const detail = (typeof e.detail === 'object' && e.detail !== null ? e.detail : {}) as Record<
      string,
      unknown
    >;
    const reason = typeof detail['reason'] === 'string' ? detail['reason'] : undefined;
    const kind = KIND_OF_ACTION[e.action] ?? 'other';
    // A hospital's read or visit names the hospital, as a checkpoint check names its venue.
    const venueId = kind === 'hospital_registration' ? detail['venueId'] : undefined;
    const venue = typeof venueId === 'number' ? await venueOf(venueId) : null;
    out.push({
      at: e.at,
      entry: {
        at: formatChinaTime(e.at as EpochMs),
        kind,
        action: e.action,
        actor,
        ...(venue === null ? {} : { venue }),
        ...(reason === undefined ? {} : { reason }),
      },
    });
  }
  for (const c of checks) {
    out.push({
      at: c.checkedAt,
      entry: {
        at: formatChinaTime(c.checkedAt as EpochMs),
        kind: 'checkpoint_check',
        action: 'checkpoint_check',
        venue: { venueId: c.venueId, name: c.venueName },
        outcome: c.outcome,
        actor: { kind: 'staff', role: 'checkpoint', self: false },
      },
    });
  }
  out.sort((a, b) => b.at - a.at);
  return { entries: out.slice(0, MAX_ACCESS_ENTRIES).map((x) => x.entry) };
}
