import { useState } from 'preact/hooks';
import {
  isSessionLost,
  printPaperCode,
  revokePaperCode,
  saveFile,
  type ApiFailure,
  type PaperSize,
} from '../api.ts';
import { describeFailure } from '../failures.ts';
import { t } from '../i18n/index.ts';

const SIZES: readonly PaperSize[] = ['A4', 'A6'];

type Status =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'done'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * S3: a paper code for the person on screen (oneself, or a family member by `memberId`): a PDF in
 * A4 or A6, valid 14 days by default; printing again ends the previous one; a lost one is revoked.
 */
export function PaperCodePanel(props: {
  token: string;
  memberId: string | null;
  onSessionLost: (failure: ApiFailure) => void;
}) {
  const [size, setSize] = useState<PaperSize>('A4');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [confirmRevoke, setConfirmRevoke] = useState(false);
  const busy = status.kind === 'busy';

  const failed = (failure: ApiFailure) => {
    if (isSessionLost(failure)) return props.onSessionLost(failure);
    setStatus({ kind: 'failed', message: describeFailure(failure).message ?? t('errors.unknown') });
  };

  const download = async () => {
    setConfirmRevoke(false);
    setStatus({ kind: 'busy' });
    const result = await printPaperCode(props.token, props.memberId, size);
    if (!result.ok) return failed(result.failure);
    saveFile(result.value);
    setStatus({ kind: 'done', message: t('paper.downloaded', { file: result.value.fileName }) });
  };

  const revoke = async () => {
    setConfirmRevoke(false);
    setStatus({ kind: 'busy' });
    const result = await revokePaperCode(props.token, props.memberId);
    if (!result.ok) return failed(result.failure);
    setStatus({ kind: 'done', message: result.value.revoked ? t('paper.revoked') : t('paper.noneInForce') });
  };

  return (
    <section class="paper-code" aria-labelledby="paper-heading">
      <h2 id="paper-heading">{t('paper.heading')}</h2>
      <p class="hint">{t('paper.intro')}</p>
      <div class="field">
        <span class="field__label" id="paper-size-label">
          {t('paper.size')}
        </span>
        <div class="segmented" role="group" aria-labelledby="paper-size-label">
          {SIZES.map((s) => (
            <button
              key={s}
              type="button"
              class="segmented__option"
              aria-pressed={size === s}
              onClick={() => setSize(s)}
            >
              {t(`paper.sizes.${s}`)}
            </button>
          ))}
        </div>
      </div>
      <div class="button-row">
        <button
          id="paper-download"
          class="button button--primary"
          type="button"
          disabled={busy}
          onClick={() => void download()}
        >
          {t('paper.download')}
        </button>
        {confirmRevoke ? (
          <button
            id="paper-revoke-confirm"
            class="button"
            type="button"
            disabled={busy}
            onClick={() => void revoke()}
          >
            {t('paper.revokeConfirm')}
          </button>
        ) : (
          <button
            id="paper-revoke"
            class="button"
            type="button"
            disabled={busy}
            onClick={() => setConfirmRevoke(true)}
          >
            {t('paper.revoke')}
          </button>
        )}
      </div>
      <div aria-live="polite">
        {status.kind === 'busy' && <p class="hint">{t('paper.working')}</p>}
        {status.kind === 'done' && (
          <p id="paper-status" class="notice" role="status">
            {status.message}
          </p>
        )}
        {status.kind === 'failed' && (
          <p id="paper-status" class="notice notice--error" role="alert">
            {status.message}
          </p>
        )}
      </div>
    </section>
  );
}
