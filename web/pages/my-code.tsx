import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchMyCode, isSessionLost, type ApiFailure, type MyCodeResponse } from '../api.ts';
import { describeFailure } from '../failures.ts';
import { currentLocale, t } from '../i18n/index.ts';
import { colourAfter, formatChinaClock, parseApiTime, refreshDelay } from '../time.ts';
import { useSecondTicker } from '../use-second-ticker.ts';

/** ms between retries while the server cannot be reached. */
const RETRY_MS = 10_000;

type CodeState =
  | { readonly kind: 'loading' }
  | {
      readonly kind: 'ready';
      readonly code: MyCodeResponse;
      readonly offsetMs: number;
      readonly stale: boolean;
    }
  | { readonly kind: 'failed'; readonly message: string };

/** The QR drawn on the device from the code text (error correction M, 4-module quiet zone). */
function QrImage(props: { text: string; label: string; expired: boolean }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toString(props.text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }).then(
      (markup) => live && setSvg(markup),
      () => live && setSvg(null),
    );
    return () => {
      live = false;
    };
  }, [props.text]);
  return (
    <div
      id="qr"
      class={`qr${props.expired ? ' qr--expired' : ''}`}
      role="img"
      aria-label={props.label}
      // The markup is the qrcode library's SVG of module coordinates; it carries no user text.
      dangerouslySetInnerHTML={{ __html: svg ?? '' }}
    />
  );
}

/** "Expected to turn green at …", or who clears an open-ended colour; null for green. */
function untilSentence(code: MyCodeResponse): string | null {
  if (code.colour === 'green') return null;
  if (code.until === null) return t('code.untilCleared');
  const until = parseApiTime(code.until);
  if (until === null) return null;
  const next = colourAfter(code.reasons, until);
  return t('code.until', {
    time: formatChinaClock(until, false),
    colour: t(`code.colourInSentence.${next}`),
  });
}

export function MyCodePage(props: {
  token: string;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onUpdate: () => void;
  onSignOut: () => void;
}) {
  const [state, setState] = useState<CodeState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  useSecondTicker();
  const { token, onSessionLost, onApplicationRequired } = props;

  useEffect(() => {
    let live = true;
    let timer = 0;
    let sequence = 0;
    const load = async () => {
      window.clearTimeout(timer);
      const mine = ++sequence;
      const result = await fetchMyCode(token);
      // A newer load (the page became visible again) supersedes this one.
      if (!live || mine !== sequence) return;
      if (result.ok) {
        const received = Date.now();
        const serverNow = parseApiTime(result.value.serverTime) ?? received;
        const refreshAt = parseApiTime(result.value.refreshAt) ?? serverNow;
        setState({ kind: 'ready', code: result.value, offsetMs: serverNow - received, stale: false });
        timer = window.setTimeout(() => void load(), refreshDelay(refreshAt, serverNow));
        return;
      }
      const failure = result.failure;
      if (isSessionLost(failure)) return onSessionLost(failure);
      if (failure.kind === 'api' && failure.error.code === 'application_required')
        return onApplicationRequired();
      const message = describeFailure(failure).message ?? t('errors.unknown');
      // Keep showing the last code (it verifies for five minutes) and say that it is not fresh.
      setState((previous) =>
        previous.kind === 'ready' ? { ...previous, stale: true } : { kind: 'failed', message },
      );
      timer = window.setTimeout(() => void load(), RETRY_MS);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load();
    };
    void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      live = false;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [token, attempt, onSessionLost, onApplicationRequired]);

  const ready = state.kind === 'ready';
  useEffect(() => {
    if (ready) heading.current?.focus();
  }, [ready]);

  if (state.kind === 'loading') return <p class="page loading">{t('app.loading')}</p>;
  if (state.kind === 'failed') {
    return (
      <section class="page">
        <p class="notice notice--error" role="alert">
          {state.message}
        </p>
        <button class="button" type="button" onClick={() => setAttempt((n) => n + 1)}>
          {t('app.retry')}
        </button>
      </section>
    );
  }

  const { code, offsetMs, stale } = state;
  const serverNow = Date.now() + offsetMs;
  const expiresAt = parseApiTime(code.expiresAt);
  const expired = expiresAt !== null && serverNow >= expiresAt;
  const clockText = formatChinaClock(serverNow, true);
  const colourWord = t(`code.colour.${code.colour}`);
  const until = untilSentence(code);
  const locale = currentLocale();

  return (
    <section class={`page code-page code-page--${code.colour}`} aria-labelledby="page-heading">
      <h1 id="page-heading" class="visually-hidden" tabIndex={-1} ref={heading}>
        {t('code.heading')}
      </h1>
      <div id="code-colour" class={`colour-band colour-band--${code.colour}`} data-colour={code.colour}>
        <span class="colour-band__word">{colourWord}</span>
        <span class="colour-band__meaning">{t(`code.meaning.${code.colour}`)}</span>
      </div>

      <div class="code-card">
        <p class="code-card__name">
          <span class="visually-hidden">{t('code.name')}: </span>
          <span id="masked-name">{code.maskedName}</span>
        </p>
        <p class="clock">
          <span class="visually-hidden">{t('code.now')}: </span>
          <time id="clock" dateTime={new Date(serverNow).toISOString()}>
            {/* Date and time wrap as whole words, so large type keeps the ticking seconds on one line. */}
            <span class="clock__date">{clockText.slice(0, 10)}</span>{' '}
            <span class="clock__time">{clockText.slice(11)}</span>
          </time>
        </p>
        <div class={`qr-frame qr-frame--${code.colour}`}>
          <QrImage text={code.code} label={t('code.qrLabel', { colour: colourWord })} expired={expired} />
        </div>
        {expired ? (
          <p class="notice notice--error" role="alert">
            {t('code.expired')}
          </p>
        ) : stale ? (
          <p class="notice notice--warning" role="status">
            {t('code.stale')}
          </p>
        ) : (
          <p class="hint code-card__note">{t('code.refreshNote')}</p>
        )}
      </div>

      {(until !== null || code.reasons.length > 0) && (
        <div class="code-reasons">
          {until !== null && (
            <p id="code-until" class="code-reasons__until">
              {until}
            </p>
          )}
          {code.reasons.length > 0 && (
            <>
              <h2>{t('code.reasons')}</h2>
              <ul>
                {code.reasons.map((reason) => (
                  <li key={`${reason.ruleId}:${reason.factId}`}>{reason.text[locale]}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}

      <dl class="code-details">
        <div>
          <dt>{t('code.healthCard')}</dt>
          <dd id="health-card-id">{code.healthCardId}</dd>
        </div>
        <div>
          <dt>{t('code.policyVersion')}</dt>
          <dd>{code.policyVersion}</dd>
        </div>
      </dl>

      <div class="button-column">
        <button class="button button--secondary" type="button" onClick={props.onUpdate}>
          {t('code.update')}
        </button>
        <button class="button button--link" type="button" onClick={props.onSignOut}>
          {t('code.signOut')}
        </button>
      </div>
    </section>
  );
}
