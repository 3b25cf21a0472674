import type { FieldIssue } from '../../src/domain/types.ts';
import type { AttachmentUpload } from '../api.ts';
import { errorId, fieldId } from '../application-form.ts';
import {
  ATTACHMENT_ACCEPT,
  ATTACHMENTS_PATH,
  MAX_ATTACHMENTS,
  attachmentIssues,
  attachmentUpload,
  formatSize,
  type PickedFile,
} from '../feedback-form.ts';
import { t } from '../i18n/index.ts';
import { FieldErrors } from './field.tsx';

/** A file the resident picked, with the first bytes its type is sniffed from. */
export interface Picked extends PickedFile {
  readonly file: File;
}

async function pick(file: File): Promise<Picked> {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  return { file, name: file.name, size: file.size, head };
}

/** The picked files as the API takes them (read whole only now), or null if one cannot be read. */
export async function uploadsOf(files: readonly Picked[]): Promise<AttachmentUpload[] | null> {
  const uploads: AttachmentUpload[] = [];
  for (const f of files) {
    const upload = attachmentUpload(new Uint8Array(await f.file.arrayBuffer()));
    if (upload === null) return null;
    uploads.push(upload);
  }
  return uploads;
}

/** Checks the picked files before sending: too many, over 5 MB, not an image or PDF by its bytes. */
export const checkPicked = (files: readonly Picked[]): FieldIssue[] => attachmentIssues(files);

/**
 * Optional attachments: images (PNG, JPEG, WebP) or PDFs of at most 5 MB, at most three. Checked on
 * the device as they are picked; the server checks the type by content again.
 */
export function AttachmentsField(props: {
  files: readonly Picked[];
  onFiles: (files: readonly Picked[]) => void;
  issues: readonly FieldIssue[] | undefined;
}) {
  const id = fieldId(ATTACHMENTS_PATH);
  const invalid = props.issues !== undefined && props.issues.length > 0;
  return (
    <div class={`field${invalid ? ' field--invalid' : ''}`}>
      <label for={id}>{t('attachments.label')}</label>
      <p class="hint" id={`hint-${id}`}>
        {t('attachments.hint', { max: MAX_ATTACHMENTS })}
      </p>
      <input
        id={id}
        name={ATTACHMENTS_PATH}
        type="file"
        multiple
        accept={ATTACHMENT_ACCEPT}
        aria-invalid={invalid}
        aria-describedby={`hint-${id}${invalid ? ` ${errorId(ATTACHMENTS_PATH)}` : ''}`}
        onChange={(e) => {
          const input = e.currentTarget;
          const chosen = [...(input.files ?? [])];
          // Cleared, so picking the same file again after removing it is a change.
          input.value = '';
          void Promise.all(chosen.map(pick)).then((picked) => props.onFiles([...props.files, ...picked]));
        }}
      />
      {props.files.length > 0 && (
        <ul class="attachment-list" aria-label={t('attachments.chosen')}>
          {props.files.map((f, i) => (
            <li key={`${f.name}:${i}`}>
              <span>
                {f.name} ({formatSize(f.size)})
              </span>{' '}
              <button
                type="button"
                class="button button--link"
                onClick={() => props.onFiles(props.files.filter((_, j) => j !== i))}
              >
                {t('attachments.remove', { name: f.name })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FieldErrors path={ATTACHMENTS_PATH} issues={props.issues} />
    </div>
  );
}
