import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  AddFamilyMemberBody,
  FamilyList,
  FamilyMember,
  FamilyMemberCode,
  MemberIdParams,
} from '../../../contracts/family.ts';
import {
  addFamilyMember,
  getFamilyMemberCode,
  listFamilyMembers,
  removeFamilyMember,
} from '../../../use-cases/family.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** Family members by proxy (S3): codes for the people in a family who cannot use a phone. */
export function familyMemberRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof AddFamilyMemberBody> }>(
    '/api/v1/me/family-members',
    {
      schema: {
        operationId: 'addFamilyMember',
        tags: ['resident'],
        summary: 'Add a family member who cannot use a phone; they get their own record and code (S3)',
        description:
          'The member’s seven items and the proxy’s pledge. At most `services.familyMembersPerProxy` members per proxy (default 8) and `services.proxiesPerMember` proxies per member (default 2), from the published policy: 409 family_members_limit / member_proxies_limit. A member already added by another proxy is the same record; the name must match. Your own document: 400 family_member_is_proxy. A person who applied with their own number: 409 document_taken.',
        security: bearerSecurity,
        body: AddFamilyMemberBody,
        response: { 201: FamilyMember, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const added = await addFamilyMember(p, await principalOf(p, request), request.body);
      return reply.code(201).send(added);
    },
  );

  app.get(
    '/api/v1/me/family-members',
    {
      schema: {
        operationId: 'listFamilyMembers',
        tags: ['resident'],
        summary: 'The family members whose codes you hold, and the people who hold yours',
        security: bearerSecurity,
        response: { 200: FamilyList, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => listFamilyMembers(p, await principalOf(p, request)),
  );

  app.delete<{ Params: Static<typeof MemberIdParams> }>(
    '/api/v1/me/family-members/:memberId',
    {
      schema: {
        operationId: 'removeFamilyMember',
        tags: ['resident'],
        summary: 'End a binding: the proxy removes a member, or the member removes a proxy',
        description:
          'The member’s record and code stay; only this proxy stops holding them. The member can do this after signing in with their own number and the same document.',
        security: bearerSecurity,
        params: MemberIdParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeFamilyMember(p, await principalOf(p, request), request.params.memberId);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof MemberIdParams> }>(
    '/api/v1/me/family-members/:memberId/code',
    {
      schema: {
        operationId: 'getFamilyMemberCode',
        tags: ['resident'],
        summary: 'A family member’s current code, for the proxy’s screen',
        description:
          'The same as getMyCode, for the member: a new code every minute. Every call is recorded in the member’s access log (listMyDataAccess).',
        security: bearerSecurity,
        params: MemberIdParams,
        response: { 200: FamilyMemberCode, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const code = await getFamilyMemberCode(p, await principalOf(p, request), request.params.memberId);
      void reply.header('cache-control', 'no-store');
      return code;
    },
  );
}
