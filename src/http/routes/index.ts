import type { FastifyInstance } from 'fastify';
import { CheckpointPolicy } from '../../contracts/checkpoint.ts';
import { Report } from '../../contracts/reports.ts';
import { Venue } from '../../contracts/venues.ts';
import type { Platform } from '../../use-cases/platform.ts';
import { arrivalDeclarationRoutes } from './arrivals/arrival-declarations.ts';
import { channelRoutes } from './channels/channels.ts';
import { checkpointPolicyRoutes } from './checkpoint/checkpoint-policy.ts';
import { checkRoutes } from './checkpoint/checks.ts';
import { documentLookupRoutes } from './checkpoint/document-lookups.ts';
import { colourOverrideRoutes } from './epidemic/colour-overrides.ts';
import { factRoutes } from './epidemic/facts.ts';
import { feedbackRoutes } from './feedback/feedback.ts';
import { hospitalRoutes } from './hospital/hospital.ts';
import { familyMemberRoutes } from './family/family-members.ts';
import { paperCodeRoutes } from './family/paper-codes.ts';
import { importRoutes } from './epidemic/imports.ts';
import { policyRoutes } from './epidemic/policies.ts';
import { HEARTBEAT_MS, reportRoutes } from './epidemic/reports.ts';
import { riskAreaRoutes } from './epidemic/risk-areas.ts';
import { statisticsRoutes } from './epidemic/statistics.ts';
import { platformRoutes } from './platform.ts';
import { residentRoutes } from './residents/residents.ts';
import { signInRoutes } from './sign-in/sessions.ts';
import { complaintRoutes } from './venues/complaints.ts';
import { auditLogRoutes } from './authority/audit-log.ts';
import { staffAccountRoutes } from './staff/staff-accounts.ts';
import { placeCodeRoutes } from './venues/place-codes.ts';
import { venueRoutes } from './venues/venues.ts';

/**
 * Every endpoint group, one file each (src/http/routes/<capability>/<group>.ts), with its request
 * and response schemas from src/contracts. Schemas several groups refer to by `$ref` are added once.
 */
export function registerRoutes(
  app: FastifyInstance,
  p: Platform,
  options: { readonly reportStreamHeartbeatMs?: number } = {},
): void {
  for (const schema of [Venue, Report, CheckpointPolicy]) app.addSchema(schema);
  signInRoutes(app, p);
  staffAccountRoutes(app, p);
  auditLogRoutes(app, p);
  residentRoutes(app, p);
  familyMemberRoutes(app, p);
  paperCodeRoutes(app, p);
  arrivalDeclarationRoutes(app, p);
  feedbackRoutes(app, p);
  checkRoutes(app, p);
  documentLookupRoutes(app, p);
  factRoutes(app, p);
  colourOverrideRoutes(app, p);
  platformRoutes(app, p);
  venueRoutes(app, p);
  placeCodeRoutes(app, p);
  complaintRoutes(app, p);
  reportRoutes(app, p, { heartbeatMs: options.reportStreamHeartbeatMs ?? HEARTBEAT_MS });
  checkpointPolicyRoutes(app, p);
  importRoutes(app, p);
  riskAreaRoutes(app, p);
  policyRoutes(app, p);
  statisticsRoutes(app, p);
  channelRoutes(app, p);
  hospitalRoutes(app, p);
}
