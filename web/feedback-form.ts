import type { FieldIssue } from '../src/domain/types.ts';
import {
  ATTACHMENT_TYPES,
  MAX_ATTACHMENT_BYTES,
  MAX_ATTACHMENTS,
  type AttachmentType,
  type AttachmentUploadT,
} from '../src/contracts/feedback.ts';
import type { AccessLogResponse } from '../src/contracts/residents.ts';

/**
 * Browser-free logic of the feedback, appeal and complaint pages (issue 10): attachments checked
 * before they are sent, the venues one may complain about, the hash's parameters, the staff setup
 * link's token. Tested in test/e2e/web-logic.test.ts.
 */

export { ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS };

/** The field path of attachments: the server's attachment errors are shown there. */
export const ATTACHMENTS_PATH = 'attachments';

/** Server codes that concern one field of these forms but carry no issues. */
export const FEEDBACK_ERROR_FIELD: Readonly<Record<string, string>> = {
  attachment_too_large: ATTACHMENTS_PATH,
  attachment_type_mismatch: ATTACHMENTS_PATH,
  fact_not_found: 'factId',
  venue_not_found: 'venueId',
};

/** The `accept` attribute of the file input: the types the server takes. */
export const ATTACHMENT_ACCEPT = [...ATTACHMENT_TYPES, '.png', '.jpg', '.jpeg', '.webp', '.pdf'].join(',');

/**
 * What the first bytes of a file are, by the same signatures the server checks: PNG, JPEG, WebP,
 * PDF; null for anything else. The type sent is this one, never the file name's or the browser's
 * guess, so a renamed file is caught here instead of at the server.
 */
export function sniffAttachmentType(head: Uint8Array): AttachmentType | null {
  const starts = (bytes: readonly number[], at = 0) =>
    head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf';
  return null;
}

/** A file as the page picked it: its name, size, and first bytes (16 are enough to sniff). */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
  readonly head: Uint8Array;
}

/**
 * Issues with the picked files before anything is read whole or sent: too many, one too large
 * (over 5 MB), one of a type the server does not take. Codes are the server's own.
 */
export function attachmentIssues(files: readonly PickedFile[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (files.length > MAX_ATTACHMENTS) {
    issues.push({
      path: ATTACHMENTS_PATH,
      code: 'attachments_too_many',
      message: `At most ${MAX_ATTACHMENTS} files.`,
    });
  }
  for (const file of files) {
    if (file.size > MAX_ATTACHMENT_BYTES) {
      issues.push({
        path: ATTACHMENTS_PATH,
        code: 'attachment_too_large',
        message: `${file.name} is larger than 5 MB.`,
      });
    } else if (file.size === 0 || sniffAttachmentType(file.head) === null) {
      issues.push({
        path: ATTACHMENTS_PATH,
        code: 'attachment_type_unsupported',
        message: `${file.name} is not a PNG, JPEG, WebP image or a PDF.`,
      });
    }
  }
  return issues;
}

/** Bytes as base64 (RFC 4648), in slices so a 5 MB file does not overflow the argument list. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const slice = 0x8000;
  for (let i = 0; i < bytes.length; i += slice) {
    binary += String.fromCharCode(...bytes.subarray(i, i + slice));
  }
  return btoa(binary);
}

/** A checked file as the API takes it: the sniffed type and the bytes in base64. */
export function attachmentUpload(bytes: Uint8Array): AttachmentUploadT | null {
  const mediaType = sniffAttachmentType(bytes);
  return mediaType === null ? null : { mediaType, data: bytesToBase64(bytes) };
}

/** "1.2 MB", "340 KB": a file size as the page shows it. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Whether the text of a form is empty once trimmed (the server refuses it too). */
export const isBlank = (text: string): boolean => text.trim() === '';

/**
 * The venues that checked one's code (from the access log), newest first, each once: the places a
 * resident can pick to complain about from the feedback page.
 */
export function checkedVenues(
  log: AccessLogResponse,
): { readonly id: number; readonly name: string; readonly at: string }[] {
  const seen = new Map<number, { id: number; name: string; at: string }>();
  for (const entry of log.entries) {
    if (entry.kind !== 'checkpoint_check' || entry.venue === undefined) continue;
    if (!seen.has(entry.venue.venueId)) {
      seen.set(entry.venue.venueId, { id: entry.venue.venueId, name: entry.venue.name, at: entry.at });
    }
  }
  return [...seen.values()];
}

/**
 * The token of a staff member's one-time setup link, `/staff/setup#token=…` (setStaffPassword):
 * in the fragment, so it never reaches a server log or a Referer header. null when absent.
 */
export function setupTokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token === null || token.trim() === '' ? null : token.trim();
}

/** A TOTP code as typed (spaces allowed): six digits, or null. */
export function totpCode(text: string): string | null {
  const digits = text.replace(/\s+/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}
