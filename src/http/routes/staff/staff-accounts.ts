import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import {
  CreateStaffAccountBody,
  SetStaffPasswordBody,
  StaffAccountCreated,
  StaffAccountList,
  StaffAccountUpdated,
  StaffParams,
  StaffPasswordSet,
  UpdateStaffAccountBody,
} from '../../../contracts/staff.ts';
import type { Platform } from '../../../use-cases/platform.ts';
import {
  createStaffAccountByAdmin,
  listStaffAccountsByAdmin,
  setStaffPassword,
  updateStaffAccountByAdmin,
} from '../../../use-cases/staff-accounts.ts';
import { bearerSecurity, principalOf } from '../../auth.ts';
import { errorResponses } from '../../route-helpers.ts';

/** Staff accounts (issue 10 item 2): admins create, disable and re-scope; one-time links set passwords. */
export function staffAccountRoutes(app: FastifyInstance, p: Platform): void {
  app.post<{ Body: Static<typeof CreateStaffAccountBody> }>(
    '/api/v1/staff',
    {
      schema: {
        operationId: 'createStaffAccount',
        tags: ['staff'],
        summary: 'Create a staff account (officer, admin or auditor) and its one-time setup link',
        description:
          'The account has no password until the staff member follows the link (setStaffPassword), which works once, for 72 hours. Checkpoint staff are added by their venue’s manager (addVenueStaff).',
        security: bearerSecurity,
        body: CreateStaffAccountBody,
        response: { 201: StaffAccountCreated, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createStaffAccountByAdmin(p, await principalOf(p, request), request.body)),
  );

  app.get(
    '/api/v1/staff',
    {
      schema: {
        operationId: 'listStaffAccounts',
        tags: ['staff'],
        summary: 'Every staff account: role, jurisdiction, status, whether the second factor is enrolled',
        security: bearerSecurity,
        response: { 200: StaffAccountList, ...errorResponses(401, 403) },
      },
    },
    async (request) => listStaffAccountsByAdmin(p, await principalOf(p, request)),
  );

  app.patch<{ Params: Static<typeof StaffParams>; Body: Static<typeof UpdateStaffAccountBody> }>(
    '/api/v1/staff/:staffId',
    {
      schema: {
        operationId: 'updateStaffAccount',
        tags: ['staff'],
        summary: 'Disable, enable or re-scope (role, divisions) a staff account, or give it a new setup link',
        description:
          'Disabling, or changing the role or divisions, ends the account’s sessions at once (in the same transaction). An admin cannot disable or demote their own account.',
        security: bearerSecurity,
        params: StaffParams,
        body: UpdateStaffAccountBody,
        response: { 200: StaffAccountUpdated, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      updateStaffAccountByAdmin(
        p,
        await principalOf(p, request),
        Number(request.params.staffId),
        request.body,
      ),
  );

  app.post<{ Body: Static<typeof SetStaffPasswordBody> }>(
    '/api/v1/staff-password-setups',
    {
      config: { durableRefusals: true },
      schema: {
        operationId: 'setStaffPassword',
        tags: ['staff'],
        summary: 'Set a staff password with a one-time setup link; enrols the second factor',
        description:
          'The link works once and until it expires (setup_link_invalid, setup_link_expired). Officers, admins and auditors get a TOTP secret (otpauthUri) to add to an authenticator app; staffSignIn then asks for its code (totp).',
        body: SetStaffPasswordBody,
        response: { 200: StaffPasswordSet, ...errorResponses(400, 410) },
      },
    },
    async (request) => setStaffPassword(p, request.body),
  );
}
