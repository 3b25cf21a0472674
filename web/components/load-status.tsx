import type { FieldIssue } from '../../src/domain/types.ts';
import { t, translateIssue } from '../i18n/index.ts';

/** What a page shows while its data loads, or when it failed: the message and a retry button. */
export function LoadStatus(props: {
  load: { readonly kind: string; readonly message?: string };
  onRetry: () => void;
}) {
  if (props.load.kind === 'loading') return <p class="loading">{t('app.loading')}</p>;
  if (props.load.kind !== 'failed') return null;
  return (
    <>
      <p class="notice notice--error" role="alert">
        {props.load.message}
      </p>
      <button class="button" type="button" onClick={props.onRetry}>
        {t('app.retry')}
      </button>
    </>
  );
}

/**
 * A form's failure, announced: the server's message and the issues that belong to no field shown
 * on the page (those of a field sit next to it).
 */
export function FormErrors(props: { id: string; message: string | null; unplaced: readonly FieldIssue[] }) {
  return (
    <div aria-live="assertive">
      {(props.message !== null || props.unplaced.length > 0) && (
        <div id={props.id} class="notice notice--error" role="alert">
          {props.message !== null && <p>{props.message}</p>}
          {props.unplaced.map((issue) => (
            <p key={`${issue.path}:${issue.code}`}>{translateIssue(issue)}</p>
          ))}
        </div>
      )}
    </div>
  );
}
