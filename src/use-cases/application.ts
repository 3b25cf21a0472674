import { randomUUID } from 'node:crypto';
import {
  applicationFacts,
  validateApplication,
  type Application,
  type ApplicationInput,
} from '../domain/application.ts';
import type { EpochMs } from '../domain/types.ts';
import { isStandInAccount, moveResidentToAccount } from '../storage/family.ts';
import {
  deriveDocumentKey,
  deriveHealthCardId,
  maskDocumentNumber,
  maskName,
} from '../domain/identity/index.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { deleteFactsBySource, insertFacts } from '../storage/facts.ts';
import {
  findResidentByAccount,
  readResidentByAccount,
  findResidentByDocumentKey,
  insertResident,
  updateResidentFields,
  type Resident,
  type ResidentFields,
  type StoredColour,
} from '../storage/residents.ts';
import type { ApplicationResponse } from '../contracts/residents.ts';
import { loadColourContext, reassessResident } from './colour.ts';
import { AppError, invalid } from './errors.ts';
import type { Platform } from './platform.ts';

/** The application as its owner sees it. */
export function applicationView(r: Resident): ApplicationResponse {
  return {
    name: r.name,
    documentType: r.documentType,
    documentNumber: r.documentNumber,
    mobile: r.mobile,
    nationality: r.nationality,
    address: { divisionCode: r.addressDivision, detail: r.addressDetail },
    contactHistory: r.contactHistory as ApplicationResponse['contactHistory'],
    healthCardId: r.healthCardId,
    pledgedAt: formatChinaTime(r.pledgedAt),
    updatedAt: formatChinaTime(r.updatedAt),
    colour: r.colour.colour,
    maskedName: maskName(r.name),
    maskedDocumentNumber: maskDocumentNumber(r.documentNumber),
  };
}

/**
 * Apply (S1): validates the seven items and the pledge, keeps one record per person whatever the
 * channel, replaces the facts of the previous application, and assesses the colour at once.
 */
export async function submitApplication(
  p: Platform,
  accountId: number,
  input: ApplicationInput,
): Promise<Resident> {
  const now = p.clock.now();
  const checked = validateApplication(input, now);
  if (!checked.ok) throw invalid(checked.issues);
  const app = checked.value;
  const fields = residentFields(p, app, now);
  const documentKey = fields.documentKey;
  const context = await loadColourContext(p, now);
  let taken = false;
  const residentId = await p.db.transaction().execute(async (trx) => {
    let holder = await findResidentByDocumentKey(trx, documentKey);
    // A family member signs in with their own number (S3): their record moves to this account,
    // unless the account already has a record of its own.
    if (
      holder !== null &&
      holder.accountId !== accountId &&
      (await isStandInAccount(trx, holder.accountId)) &&
      (await findResidentByAccount(trx, accountId)) === null
    ) {
      await moveResidentToAccount(trx, holder.id, holder.accountId, accountId);
      holder = { ...holder, accountId };
      taken = true;
    }
    if (holder !== null && holder.accountId !== accountId) {
      throw new AppError(
        'document_taken',
        'This ID document is already registered from another mobile number. Sign in with that number, or file feedback if it is not yours.',
      );
    }
    const own = holder ?? (await findResidentByAccount(trx, accountId));
    let id;
    if (own === null) {
      id = await insertResident(trx, accountId, fields, pendingColour(now), now);
    } else {
      id = own.id;
      await updateResidentFields(trx, id, fields, now);
      await deleteFactsBySource(trx, id, 'application');
    }
    await insertFacts(trx, id, applicationFacts(app, now, randomUUID), 'application', now);
    await reassessResident(trx, id, context, now);
    return id;
  });
  const saved = await findResidentByAccount(p.db, accountId);
  if (saved === null || saved.id !== residentId) throw new Error('application vanished after commit');
  if (taken) {
    await p.auditLog.write({
      at: now,
      actorKind: 'resident',
      actorId: residentId,
      action: 'take_over_member_record',
      residentId,
      detail: { accountId },
    });
  }
  return saved;
}

/** The colour of a record inserted before its first assessment (an empty policy version marks it). */
export function pendingColour(now: EpochMs): StoredColour {
  return { colour: 'green', until: null, reasons: [], policyVersion: '', assessedAt: now };
}

/** The stored fields of a validated application: document key and health card id derived here. */
export function residentFields(p: Platform, app: Application, now: EpochMs): ResidentFields {
  const doc = { type: app.document.type, number: app.document.number };
  return {
    documentKey: deriveDocumentKey(p.secrets.identityPepper, doc),
    documentType: doc.type,
    documentNumber: doc.number,
    name: app.name,
    mobile: app.mobile,
    nationality: app.nationality,
    addressDivision: app.address.divisionCode,
    addressDetail: app.address.detail,
    contactHistory: app.contactHistory,
    healthCardId: deriveHealthCardId(p.secrets.identityPepper, doc),
    pledgedAt: now,
  };
}

export async function getMyApplication(p: Platform, accountId: number): Promise<Resident> {
  const resident = await readResidentByAccount(p.database, accountId);
  if (resident === null) throw new AppError('application_required', 'No application yet: apply first.');
  return resident;
}
