import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchMyCode, isSessionLost, type ApiFailure, type MyCodeResponse } from '../api.ts';
import { CameraScanner } from '../checkpoint/camera-scanner.tsx';
import { scanPlaceCode, type PlaceScanResponse } from '../checkpoint/checkpoint-api.ts';
import { placeCodeFromScan } from '../checkpoint/place-code-text.ts';
import { HealthBadge } from '../components/health-badge.tsx';
import { SavedAgeNotice } from '../components/saved-age.tsx';
import { forgetLastPlacePass, lastPlacePass, saveLastPlacePass } from '../offline-store.ts';
import { describeFailure } from '../failures.ts';
import { currentLocale, t } from '../i18n/index.ts';
import { formatChinaClock, parseApiTime, refreshDelay, shownTime } from '../time.ts';
import { complaintHash } from '../router.ts';
import { useSecondTicker } from '../use-second-ticker.ts';
// Loaded with this chunk, never by the code page (web/stylesheets.ts).
import '../checkpoint/checkpoint.css';

/** ms between retries of the code refresh while the server cannot be reached. */
const RETRY_MS = 10_000;

type ScanState =
  | { readonly kind: 'scanning' }
  | { readonly kind: 'sending' }
  | { readonly kind: 'failed'; readonly message: string }
  | {
      readonly kind: 'done';
      readonly venue: PlaceScanResponse['venue'];
      readonly scannedAt: string;
      readonly code: MyCodeResponse;
      /** server clock − device clock, ms */
      readonly offsetMs: number;
      /** Device clock when the code on screen arrived. */
      readonly savedAt: number;
      /** The code could not be renewed: the notice says how old it is. */
      readonly stale: boolean;
    };

/** Opening the scan page again soon after a scan (a reload, the app reopened offline) shows that pop-up. */
function initialState(initialCode: string | null): ScanState {
  if (initialCode !== null) return { kind: 'sending' };
  const saved = lastPlacePass();
  return saved === null ? { kind: 'scanning' } : { kind: 'done', ...saved, stale: false };
}

function QrSvg(props: { text: string; label: string }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    let live = true;
    QRCode.toString(props.text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }).then(
      (markup) => live && setSvg(markup),
      () => live && setSvg(''),
    );
    return () => {
      live = false;
    };
  }, [props.text]);
  // The markup is the qrcode library's SVG of module coordinates; it carries no user text.
  return (
    <div id="qr" class="qr" role="img" aria-label={props.label} dangerouslySetInnerHTML={{ __html: svg }} />
  );
}

/**
 * S4: the resident scans a venue's place code (camera on this page, or the link the QR holds); the
 * visit is recorded and their own code fills the screen with the venue name, a ticking clock and a
 * moving band, so the guard can tell it from a screenshot.
 */
export function ScanPlacePage(props: {
  token: string;
  initialCode: string | null;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onMyCode: () => void;
  /** To the venue complaint page (S16), by its hash. */
  onComplain: (hash: string) => void;
}) {
  const [state, setState] = useState<ScanState>(() => initialState(props.initialCode));
  const [pasted, setPasted] = useState('');
  const sent = useRef<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const { token, onSessionLost, onApplicationRequired } = props;
  useSecondTicker();

  const fail = (failure: ApiFailure) => {
    if (isSessionLost(failure)) return onSessionLost(failure);
    if (failure.kind === 'api' && failure.error.code === 'application_required')
      return onApplicationRequired();
    setState({ kind: 'failed', message: describeFailure(failure).message ?? t('errors.unknown') });
  };

  const scan = async (raw: string) => {
    const code = placeCodeFromScan(raw);
    // The camera keeps seeing the poster while the request runs: one scan, one visit.
    if (code === null || sent.current === code) return;
    sent.current = code;
    setState({ kind: 'sending' });
    const result = await scanPlaceCode(token, code);
    if (!result.ok) {
      sent.current = null;
      return fail(result.failure);
    }
    // The link is spent: reloading the page must not record a second visit.
    if (window.location.search !== '') window.history.replaceState(null, '', '/scan');
    const received = Date.now();
    const serverNow = parseApiTime(result.value.myCode.serverTime) ?? received;
    const pass = {
      venue: result.value.venue,
      scannedAt: result.value.scannedAt,
      code: result.value.myCode,
      offsetMs: serverNow - received,
    };
    // Kept for a spell without the network (web/offline-store.ts).
    saveLastPlacePass(pass);
    setState({ kind: 'done', ...pass, savedAt: received, stale: false });
  };

  useEffect(() => {
    if (props.initialCode !== null) void scan(props.initialCode);
    // Only the link the page was opened with; later codes come from the camera or the field.
  }, []);

  const done = state.kind === 'done';
  useEffect(() => {
    if (done) heading.current?.focus();
  }, [done]);

  // The personal code renews every minute while it is shown, as on the my-code page.
  const refreshAt = state.kind === 'done' ? state.code.refreshAt : null;
  const serverTime = state.kind === 'done' ? state.code.serverTime : null;
  const restored = useRef(state.kind === 'done');
  useEffect(() => {
    if (refreshAt === null || serverTime === null) return;
    let live = true;
    const serverNow = parseApiTime(serverTime) ?? Date.now();
    const load = async (): Promise<void> => {
      const result = await fetchMyCode(token);
      if (!live) return;
      if (!result.ok) {
        if (isSessionLost(result.failure)) return onSessionLost(result.failure);
        setState((previous) => (previous.kind === 'done' ? { ...previous, stale: true } : previous));
        timer = window.setTimeout(() => void load(), RETRY_MS);
        return;
      }
      const received = Date.now();
      const now = parseApiTime(result.value.serverTime) ?? received;
      setState((previous) => {
        if (previous.kind !== 'done') return previous;
        const next = {
          ...previous,
          code: result.value,
          offsetMs: now - received,
          savedAt: received,
          stale: false,
        };
        saveLastPlacePass(next);
        return next;
      });
    };
    // A pop-up kept from before (web/offline-store.ts) is renewed at once; offline, that is how the
    // page learns to say how old it is.
    const renewNow = restored.current;
    restored.current = false;
    let timer = window.setTimeout(
      () => void load(),
      renewNow ? 0 : refreshDelay(parseApiTime(refreshAt) ?? serverNow, serverNow),
    );
    // Back online: a fresh code at once.
    const onOnline = () => {
      window.clearTimeout(timer);
      void load();
    };
    window.addEventListener('online', onOnline);
    return () => {
      live = false;
      window.clearTimeout(timer);
      window.removeEventListener('online', onOnline);
    };
  }, [refreshAt, serverTime, token, onSessionLost]);

  if (state.kind === 'done') {
    const { venue, code, offsetMs, savedAt, stale, scannedAt } = state;
    const locale = currentLocale();
    const serverNow = Date.now() + offsetMs;
    const clockText = formatChinaClock(serverNow, true);
    const colourWord = t(`code.colour.${code.colour}`);
    return (
      <section class={`page place-pass place-pass--${code.colour}`} aria-labelledby="page-heading">
        <div class="place-pass__band" aria-hidden="true" />
        <h1 id="page-heading" class="place-pass__venue" tabIndex={-1} ref={heading}>
          <span class="visually-hidden">{t('scanPlace.venue')}: </span>
          <span id="venue-name">{venue.name}</span>
        </h1>
        <p class="place-pass__kind">{venue.kindLabel[locale]}</p>
        <p class="place-pass__clock clock">
          <span class="visually-hidden">{t('code.now')}: </span>
          <time id="place-clock" dateTime={new Date(serverNow).toISOString()}>
            <span class="clock__date">{clockText.slice(0, 10)}</span>{' '}
            <span class="clock__time">{clockText.slice(11)}</span>
          </time>
        </p>
        <div id="code-colour" class={`colour-band colour-band--${code.colour}`} data-colour={code.colour}>
          <span class="colour-band__word">{colourWord}</span>
          <span class="colour-band__meaning">{t(`code.meaning.${code.colour}`)}</span>
        </div>
        <HealthBadge health={code.health} />
        <p class="code-card__name place-pass__name">
          <span class="visually-hidden">{t('code.name')}: </span>
          <span id="masked-name">{code.maskedName}</span>
        </p>
        <div class={`qr-frame qr-frame--${code.colour} place-pass__qr`}>
          <QrSvg text={code.code} label={t('code.qrLabel', { colour: colourWord })} />
        </div>
        {stale && <SavedAgeNotice id="place-age" savedAt={savedAt} offsetMs={offsetMs} />}
        <p class="hint place-pass__note">
          {t('scanPlace.recorded')}{' '}
          <span id="place-scanned-at">{t('scanPlace.recordedAt', { time: shownTime(scannedAt) })}</span>
        </p>
        <div class="button-column">
          <button
            class="button button--secondary"
            type="button"
            onClick={() => {
              sent.current = null;
              forgetLastPlacePass();
              setState({ kind: 'scanning' });
            }}
          >
            {t('scanPlace.scanAnother')}
          </button>
          <button class="button button--link" type="button" onClick={props.onMyCode}>
            {t('scanPlace.myCode')}
          </button>
          <button
            id="place-complain"
            class="button button--link"
            type="button"
            onClick={() => props.onComplain(complaintHash(venue))}
          >
            {t('scanPlace.complain')}
          </button>
        </div>
      </section>
    );
  }

  return (
    <section class="page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('scanPlace.heading')}
      </h1>
      <p>{t('scanPlace.intro')}</p>
      {state.kind === 'sending' && (
        <p class="notice" role="status">
          {t('scanPlace.sending')}
        </p>
      )}
      {state.kind === 'failed' && (
        <p class="notice notice--error" role="alert">
          {state.message}
        </p>
      )}
      <CameraScanner
        onCode={(text) => void scan(text)}
        label={t('scanPlace.cameraLabel')}
        decoding={state.kind !== 'sending'}
      />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void scan(pasted);
        }}
        noValidate
      >
        <div class="field">
          <label for="field-placeCode">{t('scanPlace.paste')}</label>
          <input
            id="field-placeCode"
            name="placeCode"
            value={pasted}
            autoComplete="off"
            spellcheck={false}
            maxLength={1100}
            onInput={(e) => setPasted(e.currentTarget.value)}
          />
        </div>
        <button class="button" type="submit" disabled={state.kind === 'sending'}>
          {t('scanPlace.submit')}
        </button>
      </form>
      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onMyCode}>
          {t('scanPlace.myCode')}
        </button>
      </div>
    </section>
  );
}
