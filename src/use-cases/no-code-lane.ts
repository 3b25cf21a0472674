import { chinaDate, formatChinaTime } from '../domain/china-time.ts';
import { deriveDocumentKey, maskName, validateDocument } from '../domain/identity/index.ts';
import { MINUTE_MS, type EpochMs } from '../domain/types.ts';
import type { LookupResponse } from '../contracts/checkpoint.ts';
import { findResidentByDocumentKey } from '../storage/residents.ts';
import { chargeThrottle } from '../storage/sign-in-throttles.ts';
import { authorize } from './access.ts';
import { requireCheckpointInService } from './checkpoint.ts';
import { AppError, invalid } from './errors.ts';
import { servicesInForce } from './family.ts';
import { CODE_LIFETIME_MS, currentCode } from './health-code.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';

const HOUR_MS = 60 * MINUTE_MS;

/**
 * The no-code lane: a person with neither phone nor paper code gives their ID document; staff type
 * the number (or an ID-card reader types it) and see the colour now and the masked name, nothing
 * else. Each lookup — found or not — counts against the staff account's hourly limit
 * (`services.documentLookupsPerHour`, default 120), in one atomic statement on both databases, so
 * that the lane cannot be used to enumerate people; the 121st in an hour is 429 with a retry time.
 * Each lookup that finds someone is in that person's access log. Online only: there is nothing to
 * verify offline without the person's code.
 */
export async function lookupByDocument(
  p: Platform,
  principal: Principal,
  input: { documentType: string; documentNumber: string },
): Promise<LookupResponse> {
  const staff = authorize(principal, 'lookupByDocument');
  const now = p.clock.now();
  await requireCheckpointInService(p, staff, now);
  const doc = validateDocument(input.documentType, input.documentNumber, chinaDate(now));
  if (!doc.ok) throw invalid(doc.issues);
  const services = await servicesInForce(p, now);
  const limit = services.documentLookupsPerHour;
  const charge = await chargeThrottle(p.db, `lookup:staff:${staff.staffId}`, now, {
    limit,
    windowMs: HOUR_MS,
    lockMs: HOUR_MS,
  });
  if (!charge.allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil(((charge.lockedUntil ?? now + HOUR_MS) - now) / 1000));
    throw new AppError(
      'rate_limited',
      `This account has made ${limit} document lookups within an hour, the most allowed. Try again at ${formatChinaTime((now + retryAfterSeconds * 1000) as EpochMs)}.`,
      [],
      retryAfterSeconds,
    );
  }
  const resident = await findResidentByDocumentKey(
    p.db,
    deriveDocumentKey(p.secrets.identityPepper, { type: doc.value.type, number: doc.value.number }),
  );
  if (resident === null) {
    await p.auditLog.write({
      at: now,
      actorKind: 'staff',
      actorId: staff.staffId,
      action: 'lookup_by_document',
      residentId: null,
      detail: { found: false },
    });
    throw new AppError(
      'resident_not_found',
      'No one has applied with this document. The person must apply (or a family member for them) first.',
    );
  }
  const { code, stored, issuedAt } = await currentCode(p, resident, now);
  await p.auditLog.write({
    at: now,
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'lookup_by_document',
    residentId: resident.id,
    detail: { found: true, colour: stored.colour },
  });
  return {
    colour: stored.colour,
    maskedName: maskName(resident.name),
    code,
    expiresAt: formatChinaTime((issuedAt + CODE_LIFETIME_MS) as EpochMs),
    lookupsLeft: Math.max(0, limit - charge.attempts),
  };
}
