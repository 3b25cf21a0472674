import { createHash, randomUUID } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { MAX_ATTACHMENT_BYTES, type AttachmentUploadT } from '../contracts/feedback.ts';
import { findAppeal, findAttachment, findFeedback, type NewAttachment } from '../storage/feedback-appeals.ts';
import { jurisdictionCovers } from '../domain/jurisdiction.ts';
import { authorize } from './access.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import { AppError, invalid } from './errors.ts';

/**
 * Attachments of feedback and appeals (issue 10 item 4): base64 in the JSON body, at most 5 MB
 * each decoded, and of the type their bytes say (file-type reads the magic numbers). A declared
 * type the bytes contradict, or bytes of no known type, are refused before anything is stored.
 */
export async function checkAttachments(
  uploads: readonly AttachmentUploadT[] | undefined,
): Promise<NewAttachment[]> {
  const out: NewAttachment[] = [];
  for (const [i, a] of (uploads ?? []).entries()) {
    const path = `attachments.${i}.data`;
    const body = a.data.replace(/={1,2}$/, '');
    if (a.data.length % 4 !== 0 || /[^A-Za-z0-9+/]/.test(body)) {
      throw invalid([
        { path, code: 'base64_invalid', message: 'The file must be base64 (RFC 4648, padded).' },
      ]);
    }
    const bytes = Buffer.from(a.data, 'base64');
    if (bytes.length === 0) throw invalid([{ path, code: 'field_required', message: 'The file is empty.' }]);
    if (bytes.length > MAX_ATTACHMENT_BYTES) {
      throw new AppError(
        'attachment_too_large',
        `attachments.${i}: ${bytes.length} bytes; at most ${MAX_ATTACHMENT_BYTES} (5 MB) per file.`,
        [{ path, code: 'attachment_too_large', message: 'At most 5 MB per file.' }],
      );
    }
    const detected = (await fileTypeFromBuffer(bytes))?.mime;
    if (detected !== a.mediaType) {
      throw new AppError(
        'attachment_type_mismatch',
        `attachments.${i}: declared ${a.mediaType}, but the bytes are ${detected ?? 'of no known type'}. Send a PNG, JPEG or WebP image or a PDF, declared as what it is.`,
        [
          {
            path: `attachments.${i}.mediaType`,
            code: 'attachment_type_mismatch',
            message: 'The bytes say otherwise.',
          },
        ],
      );
    }
    out.push({
      id: randomUUID(),
      mediaType: detected,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes,
    });
  }
  return out;
}

const EXTENSION: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

/**
 * An officer opens a file attached to feedback or an appeal of their jurisdiction, to answer it.
 * It is personal data: the read is written to the audit log (and so to the resident's access log)
 * before the bytes are returned. Another office's attachment is not found, so ids cannot be probed.
 */
export async function getAttachment(
  p: Platform,
  principal: Principal,
  attachmentId: string,
): Promise<{ bytes: Buffer; mediaType: string; fileName: string }> {
  const staff = authorize(principal, 'getAttachment');
  const notFound = () =>
    new AppError('attachment_not_found', 'No attachment with this id in your jurisdiction.');
  const file = await findAttachment(p.db, attachmentId);
  if (file === null) throw notFound();
  const owner =
    file.ownerKind === 'feedback'
      ? await findFeedback(p.db, file.ownerId)
      : await findAppeal(p.db, file.ownerId);
  if (owner === null || !jurisdictionCovers(staff.divisionCodes, owner.division_code)) throw notFound();
  await p.auditLog.write({
    at: p.clock.now(),
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'read_attachment',
    residentId: Number(owner.resident_id),
    detail: { attachmentId, ownerKind: file.ownerKind, ownerId: file.ownerId },
  });
  return {
    bytes: file.bytes,
    mediaType: file.mediaType,
    fileName: `attachment-${attachmentId.slice(0, 8)}.${EXTENSION[file.mediaType] ?? 'bin'}`,
  };
}
