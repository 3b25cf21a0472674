import { createHash, randomUUID } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import { MAX_ATTACHMENT_BYTES, type AttachmentUploadT } from '../contracts/feedback.ts';
import type { NewAttachment } from '../storage/feedback-appeals.ts';
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
