import { randomUUID } from 'node:crypto';
import { applicationFacts, validateApplication } from '../domain/application.ts';
import { DEFAULT_SERVICES, type Services } from '../domain/colour/index.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { maskName } from '../domain/identity/index.ts';
import type { EpochMs } from '../domain/types.ts';
import type {
  AddFamilyMemberRequest,
  FamilyListResponse,
  FamilyMemberCodeResponse,
  FamilyMemberView,
  Relationship,
} from '../contracts/family.ts';
import { insertFacts } from '../storage/facts.ts';
import {
  countActiveBindings,
  endBinding,
  findActiveBinding,
  findActivePair,
  insertBinding,
  insertStandInAccount,
  isStandInAccount,
  listActiveBindings,
  lockResidents,
  type FamilyBinding,
} from '../storage/family.ts';
import {
  findResidentById,
  findResidentByDocumentKey,
  insertResident,
  updateResidentFields,
  type Resident,
} from '../storage/residents.ts';
import { deleteFactsBySource } from '../storage/facts.ts';
import { authorize } from './access.ts';
import { getMyApplication, pendingColour, residentFields } from './application.ts';
import { loadColourContext, reassessResident } from './colour.ts';
import { AppError, invalid } from './errors.ts';
import { codeView } from './health-code.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

/** The limits in force: the published policy's `services`, or the defaults (8 and 2, 14 days, 120/h). */
export async function servicesInForce(p: Platform, now: EpochMs): Promise<Services> {
  return (await p.policies.current(now)).services ?? DEFAULT_SERVICES;
}

/**
 * Adds a family member (S3): the proxy gives the member's seven items and pledges they are true.
 * The member gets their own record, colour and code. A member already added by another proxy is
 * the same record (one person, one record): the second proxy must give the same name, and the items
 * are updated. A person who applied with their own number cannot be added by anyone.
 */
export async function addFamilyMember(
  p: Platform,
  principal: Principal,
  input: AddFamilyMemberRequest,
): Promise<FamilyMemberView> {
  const me = authorize(principal, 'addFamilyMember');
  const now = p.clock.now();
  const proxy = await getMyApplication(p, me.accountId);
  const checked = validateApplication({ ...input.member, pledge: input.pledge }, now);
  if (!checked.ok) {
    throw invalid(checked.issues.map((i) => (i.path === 'pledge' ? i : { ...i, path: `member.${i.path}` })));
  }
  const app = checked.value;
  const fields = residentFields(p, app, now);
  if (fields.documentKey === proxy.documentKey) {
    throw new AppError(
      'family_member_is_proxy',
      'This is your own document: a family member is someone else. Your own code is on the main screen.',
    );
  }
  const services = await servicesInForce(p, now);
  const context = await loadColourContext(p, now);
  const result = await p.db.transaction().execute(async (trx) => {
    const holder = await findResidentByDocumentKey(trx, fields.documentKey);
    await lockResidents(trx, holder === null ? [proxy.id] : [proxy.id, holder.id], context.lockRows);
    const members = await countActiveBindings(trx, 'proxy', proxy.id);
    if (members >= services.familyMembersPerProxy) {
      throw new AppError(
        'family_members_limit',
        `You already hold codes for ${members} family members, the most allowed (${services.familyMembersPerProxy}). Remove one first.`,
      );
    }
    let memberId;
    if (holder === null) {
      const accountId = await insertStandInAccount(trx, now);
      memberId = await insertResident(trx, accountId, fields, pendingColour(now), now);
    } else {
      if (!(await isStandInAccount(trx, holder.accountId)) || holder.name !== app.name) {
        throw new AppError(
          'document_taken',
          'This ID document is already registered. A person who applied with their own number cannot be added as a family member; if the name was mistyped, check it.',
        );
      }
      if ((await findActivePair(trx, proxy.id, holder.id)) !== null) {
        throw new AppError('family_member_already_bound', 'You already hold this family member’s code.');
      }
      const proxies = await countActiveBindings(trx, 'member', holder.id);
      if (proxies >= services.proxiesPerMember) {
        throw new AppError(
          'member_proxies_limit',
          `This person’s code is already held by ${proxies} people, the most allowed (${services.proxiesPerMember}). One of them must remove it first.`,
        );
      }
      memberId = holder.id;
      await updateResidentFields(trx, memberId, fields, now);
      await deleteFactsBySource(trx, memberId, 'application');
    }
    await insertFacts(trx, memberId, applicationFacts(app, now, randomUUID), 'application', now);
    const { stored } = await reassessResident(trx, memberId, context, now);
    const binding = await insertBinding(trx, {
      proxyResidentId: proxy.id,
      memberResidentId: memberId,
      relationship: input.relationship,
      pledgedAt: now,
      createdAt: now,
    });
    return { binding, colour: stored.colour };
  });
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: proxy.id,
    action: 'add_family_member',
    residentId: result.binding.memberResidentId,
    detail: { memberId: result.binding.id, relationship: input.relationship },
  });
  return {
    memberId: result.binding.id,
    relationship: input.relationship,
    maskedName: maskName(app.name),
    colour: result.colour,
    addedAt: formatChinaTime(now),
    ownAccount: false,
  };
}

export async function listFamilyMembers(p: Platform, principal: Principal): Promise<FamilyListResponse> {
  const me = authorize(principal, 'listFamilyMembers');
  const now = p.clock.now();
  const mine = await getMyApplication(p, me.accountId);
  const [asProxy, asMember, services] = await Promise.all([
    listActiveBindings(p.db, 'proxy', mine.id),
    listActiveBindings(p.db, 'member', mine.id),
    servicesInForce(p, now),
  ]);
  const members: FamilyMemberView[] = [];
  for (const b of asProxy) {
    const member = await findResidentById(p.db, b.memberResidentId);
    if (member === null) continue;
    members.push({
      memberId: b.id,
      relationship: b.relationship as Relationship,
      maskedName: maskName(member.name),
      colour: member.colour.colour,
      addedAt: formatChinaTime(b.createdAt),
      ownAccount: !(await isStandInAccount(p.db, member.accountId)),
    });
  }
  const proxies: FamilyListResponse['proxies'][number][] = [];
  for (const b of asMember) {
    const proxy = await findResidentById(p.db, b.proxyResidentId);
    if (proxy === null) continue;
    proxies.push({
      memberId: b.id,
      relationship: b.relationship as Relationship,
      proxyMaskedName: maskName(proxy.name),
      since: formatChinaTime(b.createdAt),
    });
  }
  return {
    members,
    proxies,
    limits: { membersPerProxy: services.familyMembersPerProxy, proxiesPerMember: services.proxiesPerMember },
  };
}

/**
 * The binding, seen from the caller: as the proxy (who may view and print the member's code) or as
 * the member (who may end it). Anyone else gets family_member_not_found, not forbidden, so binding
 * ids cannot be probed.
 */
export async function bindingOfCaller(
  p: Platform,
  accountId: number,
  memberId: string,
): Promise<{ binding: FamilyBinding; me: Resident; side: 'proxy' | 'member' }> {
  const me = await getMyApplication(p, accountId);
  const binding = await findActiveBinding(p.db, memberId);
  const side =
    binding === null
      ? null
      : binding.proxyResidentId === me.id
        ? 'proxy'
        : binding.memberResidentId === me.id
          ? 'member'
          : null;
  if (binding === null || side === null) {
    throw new AppError('family_member_not_found', 'No such family member: it may have been removed.');
  }
  return { binding, me, side };
}

/** The member's record, for their proxy only. */
export async function memberForProxy(
  p: Platform,
  accountId: number,
  memberId: string,
): Promise<{ binding: FamilyBinding; proxy: Resident; member: Resident }> {
  const { binding, me, side } = await bindingOfCaller(p, accountId, memberId);
  if (side !== 'proxy') {
    throw new AppError('family_member_not_found', 'No such family member: it may have been removed.');
  }
  const member = await findResidentById(p.db, binding.memberResidentId);
  if (member === null) throw new AppError('family_member_not_found', 'No such family member.');
  return { binding, proxy: me, member };
}

/** Either side ends a binding: the proxy removes the member, or the member removes the proxy. */
export async function removeFamilyMember(p: Platform, principal: Principal, memberId: string): Promise<void> {
  const me = authorize(principal, 'removeFamilyMember');
  const now = p.clock.now();
  const { binding, me: caller, side } = await bindingOfCaller(p, me.accountId, memberId);
  if (!(await endBinding(p.db, binding.id, side, now))) {
    throw new AppError('family_member_not_found', 'No such family member: it was removed already.');
  }
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: caller.id,
    action: side === 'proxy' ? 'remove_family_member' : 'remove_proxy',
    residentId: binding.memberResidentId,
    detail: { memberId: binding.id, by: side },
  });
}

/**
 * The member's code for the proxy's screen, refreshed like the proxy's own. Every view is in the
 * member's access log (listMyDataAccess), where the member can later see who looked and when.
 */
export async function getFamilyMemberCode(
  p: Platform,
  principal: Principal,
  memberId: string,
): Promise<FamilyMemberCodeResponse> {
  const me = authorize(principal, 'getFamilyMemberCode');
  const now = p.clock.now();
  const { binding, proxy, member } = await memberForProxy(p, me.accountId, memberId);
  const code = await codeView(p, member, now);
  await p.auditLog.write({
    at: now,
    actorKind: 'resident',
    actorId: proxy.id,
    action: 'proxy_view_code',
    residentId: member.id,
    detail: { memberId: binding.id },
  });
  return { ...code, memberId: binding.id, relationship: binding.relationship as Relationship };
}
