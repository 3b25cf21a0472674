import { formatChinaTime } from '../domain/china-time.ts';
import { maskName } from '../domain/identity/index.ts';
import type { EpochMs, StaffRole } from '../domain/types.ts';
import type { DataAccessListResponse } from '../contracts/residents.ts';
import { listAuditEntries } from '../storage/audit.ts';
import { findResidentById } from '../storage/residents.ts';
import { findStaffById } from '../storage/staff.ts';
import { authorize } from './access.ts';
import { getMyApplication } from './application.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/** Entries shown, newest first: two weeks of a proxy viewing every minute is about 20,000. */
const MAX_ENTRIES = 500;

/**
 * The resident's access log (P3): every audited action on their record — staff lookups at the
 * no-code lane, officers' facts, a proxy viewing their code — newest first. Staff are shown by role
 * and district, never by name; a proxy by masked name.
 */
export async function listMyDataAccess(p: Platform, principal: Principal): Promise<DataAccessListResponse> {
  const me = authorize(principal, 'listMyDataAccess');
  const mine = await getMyApplication(p, me.accountId);
  const entries = (await listAuditEntries(p.db, mine.id)).reverse().slice(0, MAX_ENTRIES);
  const staff = new Map<number, { role: StaffRole; divisionCode: string } | null>();
  const residents = new Map<number, string | null>();
  const out: DataAccessListResponse['entries'][number][] = [];
  for (const e of entries) {
    let actor: DataAccessListResponse['entries'][number]['actor'] = { kind: e.actorKind, self: false };
    if (e.actorKind === 'staff' && e.actorId !== null) {
      if (!staff.has(e.actorId)) {
        const s = await findStaffById(p.db, e.actorId);
        staff.set(e.actorId, s === null ? null : { role: s.role, divisionCode: s.divisionCode });
      }
      const s = staff.get(e.actorId);
      if (s) actor = { ...actor, role: s.role, divisionCode: s.divisionCode };
    } else if (e.actorKind === 'resident' && e.actorId !== null) {
      if (e.actorId === mine.id) actor = { ...actor, self: true };
      else {
        if (!residents.has(e.actorId)) {
          const r = await findResidentById(p.db, e.actorId);
          residents.set(e.actorId, r === null ? null : maskName(r.name));
        }
        const name = residents.get(e.actorId);
        if (name) actor = { ...actor, maskedName: name };
      }
    }
    out.push({ at: formatChinaTime(e.at as EpochMs), action: e.action, actor });
  }
  return { entries: out };
}
