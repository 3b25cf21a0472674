import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  fetchFamilyMemberCode,
  fetchMyCode,
  isSessionLost,
  type ApiFailure,
  type MyCodeResponse,
} from '../api.ts';
import { HealthBadge } from '../components/health-badge.tsx';
import { SavedAgeNotice } from '../components/saved-age.tsx';
import { PaperCodePanel } from '../components/paper-code.tsx';
import { SubjectSwitcher, useFamilyMembers } from '../components/subject-switcher.tsx';
import { describeFailure } from '../failures.ts';
import { currentLocale, t } from '../i18n/index.ts';
import { colourAfter, formatChinaClock, parseApiTime, refreshDelay } from '../time.ts';
import { useSecondTicker } from '../use-second-ticker.ts';
import { lastCode, saveLastCode } from '../offline-store.ts';
import { takePrefetchedCode } from '../code-prefetch.ts';

/** ms between retries while the server cannot be reached. */
const RETRY_MS = 10_000;

type CodeState =
  | { readonly kind: 'loading' }
  | {
      readonly kind: 'ready';
      readonly code: MyCodeResponse;
      readonly offsetMs: number;
      /** Device clock when the code arrived (now, or earlier when it comes from the phone's storage). */
      readonly savedAt: number;
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
  /** null: my own code; else the binding id of a family member whose code I hold. */
  subject: string | null;
  onSubject: (memberId: string | null) => void;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onUpdate: () => void;
  onFamily: () => void;
  onArrivals: () => void;
  onAppeal: () => void;
  onFeedback: () => void;
  onNotices: () => void;
  onAccessLog: () => void;
  onSignOut: () => void;
}) {
  const [state, setState] = useState<CodeState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  useSecondTicker();
  const { token, subject, onSubject, onSessionLost, onApplicationRequired } = props;

  // The family list only once a code has loaded: before applying there is none to ask for.
  const [applied, setApplied] = useState(false);
  const members = useFamilyMembers(token, subject, onSubject, applied);

  useEffect(() => {
    let live = true;
    let timer = 0;
    let sequence = 0;
    // Never show one person's code under another's name while the new one loads.
    setState({ kind: 'loading' });
    const load = async () => {
      window.clearTimeout(timer);
      const mine = ++sequence;
      const result =
        subject === null
          ? await (takePrefetchedCode(token) ?? fetchMyCode(token))
          : await fetchFamilyMemberCode(token, subject);
      // A newer load (the page became visible again) supersedes this one.
      if (!live || mine !== sequence) return;
      if (result.ok) {
        const received = Date.now();
        const serverNow = parseApiTime(result.value.serverTime) ?? received;
        const refreshAt = parseApiTime(result.value.refreshAt) ?? serverNow;
        setState({
          kind: 'ready',
          code: result.value,
          offsetMs: serverNow - received,
          savedAt: received,
          stale: false,
        });
        // Kept for a spell without the network (web/offline-store.ts).
        saveLastCode(subject, result.value, serverNow - received);
        setApplied(true);
        timer = window.setTimeout(() => void load(), refreshDelay(refreshAt, serverNow));
        return;
      }
      const failure = result.failure;
      if (isSessionLost(failure)) return onSessionLost(failure);
      if (failure.kind === 'api' && failure.error.code === 'application_required')
        return onApplicationRequired();
      if (failure.kind === 'api' && failure.error.code === 'family_member_not_found') return onSubject(null);
      const message = describeFailure(failure).message ?? t('errors.unknown');
      // Keep showing the last code (it verifies for five minutes) and say how old it is: the one on
      // screen, else the one the phone kept from an earlier visit.
      setState((previous) => {
        if (previous.kind === 'ready') return { ...previous, stale: true };
        const saved = lastCode(subject);
        return saved === null ? { kind: 'failed', message } : { kind: 'ready', ...saved, stale: true };
      });
      timer = window.setTimeout(() => void load(), RETRY_MS);
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load();
    };
    // Back online: a fresh code at once, not at the next retry.
    const onOnline = () => void load();
    void load();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('online', onOnline);
    return () => {
      live = false;
      window.clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('online', onOnline);
    };
  }, [token, subject, attempt, onSessionLost, onApplicationRequired, onSubject]);

  const ready = state.kind === 'ready';
  useEffect(() => {
    if (ready) heading.current?.focus();
  }, [ready]);

  const switcher = (
    <SubjectSwitcher id="code-switcher" members={members} subject={subject} onSubject={onSubject} />
  );
  if (state.kind === 'loading') {
    return (
      <section class="page">
        {switcher}
        <p class="loading">{t('app.loading')}</p>
      </section>
    );
  }
  if (state.kind === 'failed') {
    return (
      <section class="page">
        {switcher}
        <p class="notice notice--error" role="alert">
          {state.message}
        </p>
        <button class="button" type="button" onClick={() => setAttempt((n) => n + 1)}>
          {t('app.retry')}
        </button>
      </section>
    );
  }

  const { code, offsetMs, savedAt, stale } = state;
  const serverNow = Date.now() + offsetMs;
  const expiresAt = parseApiTime(code.expiresAt);
  const expired = expiresAt !== null && serverNow >= expiresAt;
  const clockText = formatChinaClock(serverNow, true);
  const colourWord = t(`code.colour.${code.colour}`);
  const until = untilSentence(code);
  const locale = currentLocale();
  const member = subject === null ? undefined : members.find((m) => m.memberId === subject);

  return (
    <section class={`page code-page code-page--${code.colour}`} aria-labelledby="page-heading">
      {switcher}
      <h1 id="page-heading" class="visually-hidden" tabIndex={-1} ref={heading}>
        {subject === null ? t('code.heading') : t('code.memberHeading', { name: code.maskedName })}
      </h1>
      {subject !== null && (
        <p id="code-subject" class="notice code-page__subject" data-member-id={subject}>
          {t('code.memberNote', {
            name: code.maskedName,
            relationship: member === undefined ? '' : t(`family.relationships.${member.relationship}`),
          })}
        </p>
      )}
      <div id="code-colour" class={`colour-band colour-band--${code.colour}`} data-colour={code.colour}>
        <span class="colour-band__word">{colourWord}</span>
        <span class="colour-band__meaning">{t(`code.meaning.${code.colour}`)}</span>
      </div>
      <HealthBadge health={code.health} />
      <p class="code-page__why">
        <a
          id="go-appeal"
          class="button button--link"
          href="#/appeal"
          onClick={(e) => {
            e.preventDefault();
            props.onAppeal();
          }}
        >
          {t('code.why')}
        </a>
      </p>

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
        {stale && <SavedAgeNotice id="code-age" savedAt={savedAt} offsetMs={offsetMs} />}
        {expired ? (
          <p class="notice notice--error" role="alert">
            {t('code.expired')}
          </p>
        ) : stale ? null : (
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

      <PaperCodePanel key={subject ?? 'me'} token={token} memberId={subject} onSessionLost={onSessionLost} />

      <div class="button-column">
        {subject === null && (
          <button class="button button--secondary" type="button" onClick={props.onUpdate}>
            {t('code.update')}
          </button>
        )}
        <button id="go-family" class="button button--secondary" type="button" onClick={props.onFamily}>
          {t('code.family')}
        </button>
        <button id="go-arrivals" class="button button--secondary" type="button" onClick={props.onArrivals}>
          {t('code.arrivals')}
        </button>
        <button id="go-feedback" class="button button--secondary" type="button" onClick={props.onFeedback}>
          {t('code.feedback')}
        </button>
        <button id="go-notices" class="button button--secondary" type="button" onClick={props.onNotices}>
          {t('code.notices')}
        </button>
        <button id="go-access-log" class="button button--secondary" type="button" onClick={props.onAccessLog}>
          {t('code.accessLog')}
        </button>
        <button class="button button--link" type="button" onClick={props.onSignOut}>
          {t('code.signOut')}
        </button>
      </div>
    </section>
  );
}
