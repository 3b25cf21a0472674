import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Colour, EpochMs, FieldIssue, LocalizedText } from '../../src/domain/types.ts';
import { uuid7 } from '../../src/domain/uuid7.ts';
import {
  DEFAULT_CHECKPOINT_POLICY,
  REFUSAL_REASONS,
  VENUE_KIND_LABEL,
  checkpointRule,
  refusalReasonText,
  type CheckpointPolicy,
  type RefusalReason,
} from '../../src/domain/venues/browser.ts';
import { DOCUMENT_TYPE_OPTIONS } from '../application-form.ts';
import { isSessionLost, type ApiFailure, type HealthBadgeView } from '../api.ts';
import { FieldErrors, SelectField, TextField } from '../components/field.tsx';
import { HealthBadge } from '../components/health-badge.tsx';
import { describeFailure } from '../failures.ts';
import { currentLocale, t } from '../i18n/index.ts';
import { formatChinaClock, parseApiTime } from '../time.ts';
import { CameraScanner } from '../checkpoint/camera-scanner.tsx';
import { enqueueCheck, queuedChecks, uploadQueue } from '../checkpoint/check-queue.ts';
import {
  fetchCheckpointPolicy,
  fetchJwks,
  fetchVenues,
  lookupByDocument,
  recordCheck,
  staffSignIn,
  staffSignOut,
  uploadOutcome,
  venueIdText,
  type CheckRequest,
  type CheckpointVenue,
  type LookupResponse,
} from '../checkpoint/checkpoint-api.ts';
import {
  carriedBadge,
  chinaIsoTime,
  claimedCodeKind,
  decideOffline,
  offlineResult,
  readTemperature,
  readyOnScan,
  scannedCodeText,
  type CarriedBadge,
} from '../checkpoint/checkpoint-logic.ts';
import {
  storeJwks,
  storePolicy,
  storeStaffSession,
  storeVenue,
  storedJwks,
  storedPolicy,
  storedStaffSession,
  storedVenue,
  type StaffSession,
} from '../checkpoint/checkpoint-store.ts';
import { verifyOffline } from '../checkpoint/offline-verify.ts';
// Loaded with this chunk, never by the code page (web/stylesheets.ts).
import '../checkpoint/checkpoint.css';

/** ms between attempts to upload queued checks and refresh the keys while the page is open. */
const RETRY_MS = 15_000;

const forPath = (issues: readonly FieldIssue[], path: string) => issues.filter((i) => i.path === path);

/** The checkpoint page (S6, S11, S12, P1): staff sign in, then check everyone at the entrance. */
export function CheckpointPage() {
  const [session, setSession] = useState<StaffSession | null>(storedStaffSession);
  const [venue, setVenue] = useState<CheckpointVenue | null>(storedVenue);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(async (message: string | null) => {
    const token = storedStaffSession()?.token;
    if (token !== undefined && message === null) await staffSignOut(token);
    storeStaffSession(null);
    setSession(null);
    setVenue(null);
    setNotice(message);
  }, []);
  const onSessionLost = useCallback(
    (failure: ApiFailure) => void signOut(describeFailure(failure).message),
    [signOut],
  );

  if (session === null) {
    return (
      <StaffSignIn
        notice={notice}
        onSignedIn={(s, v) => {
          storeStaffSession(s);
          storeVenue(v);
          setNotice(null);
          setSession(s);
          setVenue(v);
        }}
      />
    );
  }
  if (venue === null) {
    return (
      <VenueChooser
        session={session}
        onChosen={(v) => {
          storeVenue(v);
          setVenue(v);
        }}
        onSessionLost={onSessionLost}
        onSignOut={() => void signOut(null)}
      />
    );
  }
  return (
    <CheckpointScreen
      session={session}
      venue={venue}
      onSessionLost={onSessionLost}
      onSignOut={() => void signOut(null)}
    />
  );
}

/** Username and password; the venue comes with the session or from listVenues. */
function StaffSignIn(props: {
  notice: string | null;
  onSignedIn: (session: StaffSession, venue: CheckpointVenue | null) => void;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(props.notice);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await staffSignIn(username.trim(), password);
    if (!result.ok) {
      setBusy(false);
      const described = describeFailure(result.failure);
      setIssues(described.issues);
      setMessage(described.message);
      return;
    }
    const s = result.value;
    const session: StaffSession = {
      token: s.token,
      expiresAt: s.expiresAt,
      displayName: s.displayName,
      role: s.role,
    };
    let venue: CheckpointVenue | null = null;
    const venueId = venueIdText(s.venueId);
    if (venueId !== null) {
      // The session names the venue; its name and kind (which checks apply) come from listVenues.
      const venues = await fetchVenues(s.token);
      venue = (venues.ok ? venues.value.find((v) => v.id === venueId) : undefined) ?? {
        id: venueId,
        name: '',
        kind: 'other',
      };
    }
    setBusy(false);
    props.onSignedIn(session, venue);
  };

  return (
    <section class="page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('checkpoint.signIn.heading')}
      </h1>
      <p>{t('checkpoint.signIn.intro')}</p>
      {message !== null && (
        <p class="notice notice--error" role="alert">
          {message}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <TextField
          path="username"
          label={t('checkpoint.signIn.username')}
          autoComplete="username"
          maxLength={64}
          required
          value={username}
          onValue={setUsername}
          issues={forPath(issues, 'username')}
        />
        {/* TextField has no password type; a plain field with the same markup. */}
        <div class={`field${forPath(issues, 'password').length > 0 ? ' field--invalid' : ''}`}>
          <label for="field-password">{t('checkpoint.signIn.password')}</label>
          <input
            id="field-password"
            name="password"
            type="password"
            autoComplete="current-password"
            maxLength={256}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <FieldErrors path="password" issues={forPath(issues, 'password')} />
        </div>
        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? t('checkpoint.signIn.submitting') : t('checkpoint.signIn.submit')}
        </button>
      </form>
    </section>
  );
}

/** For accounts that the session does not tie to one venue: the venues listVenues returns. */
function VenueChooser(props: {
  session: StaffSession;
  onChosen: (venue: CheckpointVenue) => void;
  onSessionLost: (failure: ApiFailure) => void;
  onSignOut: () => void;
}) {
  const [venues, setVenues] = useState<readonly CheckpointVenue[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const { session, onChosen, onSessionLost } = props;

  useEffect(() => {
    let live = true;
    void fetchVenues(session.token).then((result) => {
      if (!live) return;
      if (!result.ok) {
        if (isSessionLost(result.failure)) return onSessionLost(result.failure);
        return setMessage(describeFailure(result.failure).message);
      }
      const [only] = result.value;
      if (result.value.length === 1 && only !== undefined) return onChosen(only);
      setVenues(result.value);
    });
    return () => {
      live = false;
    };
  }, [session.token, attempt, onChosen, onSessionLost]);

  const locale = currentLocale();
  return (
    <section class="page" aria-labelledby="page-heading">
      <h1 id="page-heading">{t('checkpoint.venue.heading')}</h1>
      {message !== null && (
        <>
          <p class="notice notice--error" role="alert">
            {message}
          </p>
          <button class="button" type="button" onClick={() => setAttempt((n) => n + 1)}>
            {t('app.retry')}
          </button>
        </>
      )}
      {venues === null && message === null && <p class="loading">{t('app.loading')}</p>}
      {venues !== null && venues.length === 0 && (
        <p class="notice notice--error" role="alert">
          {t('checkpoint.venue.none')}
        </p>
      )}
      {venues !== null && venues.length > 0 && (
        <ul class="venue-list">
          {venues.map((v) => (
            <li key={v.id}>
              <button class="button venue-list__choice" type="button" onClick={() => onChosen(v)}>
                <strong>{v.name}</strong> <span>{VENUE_KIND_LABEL[v.kind][locale]}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onSignOut}>
          {t('checkpoint.signOut')}
        </button>
      </div>
    </section>
  );
}

/** A check as the page shows it, decided by the server or, offline, by the page. */
interface ShownResult {
  readonly outcome: 'pass' | 'refuse';
  readonly reasons: readonly RefusalReason[];
  /** The server's sentences, for a reason this page does not know yet. */
  readonly serverText: readonly LocalizedText[];
  readonly colour: Colour | null;
  readonly maskedName: string | null;
  readonly checkedAt: number;
  readonly offline: boolean;
  readonly duplicate: boolean;
  /**
   * A paper code (S3): online the colour now decides; offline the printed colour and validity are
   * all there is. `validUntil` is known offline only (from the verified token).
   */
  readonly paper: { readonly validUntil: number | null } | null;
  /** Offline: an expired paper code, "expired — reprint". */
  readonly paperExpired: { readonly validUntil: number | null } | null;
  /** Online: the badge the server sent (where the venue kind's rule asks for a test or doses). */
  readonly health: HealthBadgeView | null;
  /** Offline: the badge carried in the code, aged on this device's clock. */
  readonly carried: CarriedBadge | null;
  /** Through the no-code lane (a document typed instead of a code shown). */
  readonly lane: boolean;
}

const isKnownReason = (reason: string): reason is RefusalReason =>
  (REFUSAL_REASONS as readonly string[]).includes(reason);

function reasonSentences(result: ShownResult): string[] {
  const locale = currentLocale();
  return result.reasons.map((reason, i) =>
    isKnownReason(reason) ? refusalReasonText(reason, locale) : (result.serverText[i]?.[locale] ?? reason),
  );
}

function CheckpointScreen(props: {
  session: StaffSession;
  venue: CheckpointVenue;
  onSessionLost: (failure: ApiFailure) => void;
  onSignOut: () => void;
}) {
  const { session, venue, onSessionLost } = props;
  const [policy, setPolicy] = useState<CheckpointPolicy>(() => storedPolicy() ?? DEFAULT_CHECKPOINT_POLICY);
  const [online, setOnline] = useState(() => navigator.onLine);
  const [keysCached, setKeysCached] = useState(() => storedJwks() !== null);
  const [queueLength, setQueueLength] = useState(() => queuedChecks().length);
  const [rejectedCount, setRejectedCount] = useState(
    () => queuedChecks().filter((c) => c.lastError !== undefined).length,
  );
  const [codeText, setCodeText] = useState('');
  const [pendingCode, setPendingCode] = useState<string | null>(null);
  const [temperature, setTemperature] = useState('');
  const [maskWorn, setMaskWorn] = useState<boolean | null>(null);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ShownResult | null>(null);
  // The code the no-code lane's lookup returned, while its check is pending or running.
  const laneCode = useRef<string | null>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const uploading = useRef(false);
  const rule = checkpointRule(policy, venue.kind);

  const refreshQueueCounts = () => {
    const queue = queuedChecks();
    setQueueLength(queue.length);
    setRejectedCount(queue.filter((c) => c.lastError !== undefined).length);
  };

  /** Uploads queued checks; one run at a time, whatever triggered it. */
  const flushQueue = useCallback(async () => {
    if (uploading.current || queuedChecks().length === 0) return;
    uploading.current = true;
    try {
      const report = await uploadQueue(async (check) => {
        const sent = await recordCheck(session.token, check.venueId, check.body);
        return sent.ok ? { kind: 'stored' } : uploadOutcome(sent.failure);
      });
      if (report.stoppedBy === 'network') setOnline(false);
      else setOnline(true);
      if (report.stoppedBy === 'session') {
        setMessage(t('checkpoint.queue.sessionLost'));
      }
    } finally {
      uploading.current = false;
      refreshQueueCounts();
    }
  }, [session.token]);

  /** Keys and policy for offline use, refreshed whenever the network answers. */
  const refreshCaches = useCallback(async () => {
    const [jwks, latestPolicy] = await Promise.all([fetchJwks(), fetchCheckpointPolicy(session.token)]);
    if (jwks.ok) {
      storeJwks(jwks.value);
      setKeysCached(true);
    }
    if (latestPolicy.ok) {
      storePolicy(latestPolicy.value);
      setPolicy(latestPolicy.value);
    } else if (isSessionLost(latestPolicy.failure)) {
      return onSessionLost(latestPolicy.failure);
    }
    const reached = jwks.ok || latestPolicy.ok || latestPolicy.failure.kind === 'api';
    setOnline(reached && navigator.onLine);
  }, [session.token, onSessionLost]);

  useEffect(() => {
    const onOnline = () => {
      setOnline(true);
      void refreshCaches().then(flushQueue);
    };
    const onOffline = () => setOnline(false);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    // Also periodically: navigator.onLine says a network is there, not that the server answers.
    const timer = window.setInterval(() => {
      if (!navigator.onLine) return;
      void refreshCaches().then(flushQueue);
    }, RETRY_MS);
    if (navigator.onLine) void refreshCaches().then(flushQueue);
    return () => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.clearInterval(timer);
    };
  }, [refreshCaches, flushQueue]);

  useEffect(() => codeInput.current?.focus(), []);

  const resetPerson = () => {
    setPendingCode(null);
    laneCode.current = null;
    setCodeText('');
    setTemperature('');
    setMaskWorn(null);
    setIssues([]);
  };

  /** Decides in the page with the cached keys and queues the record for upload. */
  const checkOffline = async (body: CheckRequest, deciC: number | null) => {
    const jwks = storedJwks() ?? { keys: [] };
    const now = Date.now() as EpochMs;
    const verification = body.code === null ? null : await verifyOffline(body.code, jwks, now);
    const decision = decideOffline(policy, venue.kind, verification, deciC, body.maskWorn, now);
    const queued = enqueueCheck({
      venueId: venue.id,
      body: { ...body, checkedAt: chinaIsoTime(now), offline: offlineResult(verification) },
    });
    setQueueLength(queued);
    setOnline(false);
    const valid = verification?.valid === true ? verification : null;
    const paperExpired =
      verification !== null &&
      !verification.valid &&
      verification.kind === 'paper' &&
      verification.reason === 'expired'
        ? { validUntil: verification.expiresAt ?? null }
        : null;
    setResult({
      outcome: decision.outcome,
      reasons: decision.reasons,
      serverText: [],
      colour: valid?.colour ?? null,
      maskedName: null,
      checkedAt: now,
      offline: true,
      duplicate: false,
      paper: valid?.kind === 'paper' ? { validUntil: valid.expiresAt } : null,
      paperExpired,
      health: null,
      carried: valid === null ? null : carriedBadge(valid, now),
      lane: false,
    });
  };

  /** One person's check: online the server decides and records it; without a network the page does. */
  const runCheck = async (code: string | null) => {
    const entry = readTemperature(rule.temperature ? temperature : '');
    if (!entry.ok) {
      setIssues(entry.issues);
      setPendingCode(code);
      document.getElementById('field-temperature')?.focus();
      return;
    }
    setIssues([]);
    setMessage(null);
    setBusy(true);
    const body: CheckRequest = {
      // Time-ordered (v7): the server's unique index on it then grows at its end, not at random.
      clientCheckId: uuid7(Date.now(), crypto.getRandomValues(new Uint8Array(10))),
      code,
      temperature: rule.temperature ? entry.celsius : null,
      maskWorn: rule.mask ? maskWorn : null,
    };
    // A refused request keeps this person's inputs so staff can correct them.
    let keepInputs = false;
    try {
      if (!navigator.onLine) return await checkOffline(body, entry.deciC);
      const sent = await recordCheck(session.token, venue.id, body);
      if (!sent.ok) {
        if (sent.failure.kind === 'network') return await checkOffline(body, entry.deciC);
        if (isSessionLost(sent.failure)) return onSessionLost(sent.failure);
        const described = describeFailure(sent.failure, { temperature_out_of_range: 'temperature' });
        keepInputs = true;
        setIssues(described.issues);
        setMessage(described.message);
        setPendingCode(code);
        return;
      }
      const r = sent.value;
      setOnline(true);
      setResult({
        outcome: r.outcome,
        reasons: r.reasons,
        serverText: r.reasonText,
        colour: r.colour,
        maskedName: r.maskedName,
        checkedAt: parseApiTime(r.checkedAt) ?? Date.now(),
        offline: false,
        duplicate: r.duplicate,
        paper: code !== null && claimedCodeKind(code) === 'paper' ? { validUntil: null } : null,
        paperExpired: null,
        health: r.health ?? null,
        carried: null,
        lane: code !== null && code === laneCode.current,
      });
      void flushQueue();
    } finally {
      setBusy(false);
      if (!keepInputs) {
        resetPerson();
        codeInput.current?.focus();
      }
    }
  };

  /** A code arrived from the camera, the scanner (typed + Enter) or a paste. */
  const onCodeRead = (raw: string) => {
    const code = scannedCodeText(raw);
    if (code === null || busy) return;
    const entry = readTemperature(temperature);
    if (readyOnScan(rule, entry.ok ? entry.deciC : null, maskWorn)) {
      void runCheck(code);
      return;
    }
    setPendingCode(code);
    setResult(null);
    setCodeText('');
    // Ask for the first missing input; the check runs from the Check button (or Enter there).
    const missing =
      rule.temperature && (!entry.ok || entry.deciC === null) ? 'field-temperature' : 'mask-worn';
    document.getElementById(missing)?.focus();
  };

  const submitForm = (event: Event) => {
    event.preventDefault();
    const typed = scannedCodeText(codeText);
    if (typed !== null && typed !== pendingCode) return onCodeRead(typed);
    void runCheck(pendingCode);
  };

  const locale = currentLocale();
  return (
    <section class="page checkpoint" aria-labelledby="page-heading">
      <header class="checkpoint__venue">
        <h1 id="page-heading">{venue.name || t('checkpoint.heading')}</h1>
        <p class="hint">
          {VENUE_KIND_LABEL[venue.kind][locale]} · {session.displayName}
        </p>
      </header>

      {!online && (
        <p id="offline-banner" class="notice notice--warning checkpoint__offline" role="status">
          <strong>{t('checkpoint.offline.title')}</strong> {t('checkpoint.offline.colourAtIssue')}
          {!keysCached && <span> {t('checkpoint.offline.noKeys')}</span>}
        </p>
      )}
      <p class="checkpoint__queue" role="status">
        <span id="queue-count" data-count={queueLength}>
          {t('checkpoint.queue.count', { count: queueLength })}
        </span>
        {rejectedCount > 0 && <span> {t('checkpoint.queue.rejected', { count: rejectedCount })}</span>}
      </p>

      {result !== null && <CheckResult result={result} />}

      {message !== null && (
        <p class="notice notice--error" role="alert">
          {message}
        </p>
      )}

      {rule.code === 'none' ? (
        <p class="notice">{t('checkpoint.rule.noCode')}</p>
      ) : (
        <>
          {rule.code === 'visual' && <p class="notice">{t('checkpoint.rule.visual')}</p>}
          {rule.greenVisualOnly && <p class="notice">{t('checkpoint.rule.greenVisualOnly')}</p>}
          <CameraScanner onCode={onCodeRead} label={t('checkpoint.cameraLabel')} decoding={!busy} />
        </>
      )}

      <form class="checkpoint__form" onSubmit={submitForm} noValidate>
        {pendingCode !== null && (
          <p id="pending-code" class="notice" role="status">
            {t('checkpoint.codeRead')}
          </p>
        )}
        <div class="field">
          <label for="field-code">{t('checkpoint.code')}</label>
          <p class="hint" id="hint-field-code">
            {t('checkpoint.codeHint')}
          </p>
          <input
            id="field-code"
            ref={codeInput}
            name="code"
            value={codeText}
            autoComplete="off"
            autoCapitalize="characters"
            spellcheck={false}
            maxLength={1100}
            aria-describedby="hint-field-code"
            onInput={(e) => setCodeText(e.currentTarget.value)}
            onPaste={(e) => {
              const pasted = e.clipboardData?.getData('text') ?? '';
              if (scannedCodeText(pasted) === null) return;
              e.preventDefault();
              onCodeRead(pasted);
            }}
          />
        </div>
        {rule.temperature && (
          <TextField
            path="temperature"
            label={t('checkpoint.temperature')}
            hint={t('checkpoint.temperatureHint')}
            inputMode="decimal"
            maxLength={5}
            value={temperature}
            onValue={setTemperature}
            issues={forPath(issues, 'temperature')}
            class="field--short"
          />
        )}
        {rule.mask && (
          <div class="field">
            <span class="field__label" id="mask-label">
              {t('checkpoint.mask')}
            </span>
            <div class="segmented segmented--wide" role="group" aria-labelledby="mask-label">
              <button
                id="mask-worn"
                type="button"
                class="segmented__option"
                aria-pressed={maskWorn === true}
                onClick={() => setMaskWorn(maskWorn === true ? null : true)}
              >
                {t('checkpoint.maskWorn')}
              </button>
              <button
                id="mask-not-worn"
                type="button"
                class="segmented__option"
                aria-pressed={maskWorn === false}
                onClick={() => setMaskWorn(maskWorn === false ? null : false)}
              >
                {t('checkpoint.maskNotWorn')}
              </button>
            </div>
          </div>
        )}
        <div class="button-row">
          <button class="button button--primary" type="submit" disabled={busy}>
            {busy ? t('checkpoint.checking') : t('checkpoint.check')}
          </button>
          <button
            class="button"
            type="button"
            disabled={busy}
            onClick={() => {
              setCodeText('');
              void runCheck(null);
            }}
          >
            {t('checkpoint.noCode')}
          </button>
        </div>
      </form>

      <NoCodeLane
        token={session.token}
        online={online}
        disabled={busy}
        onSessionLost={onSessionLost}
        onOffline={() => setOnline(false)}
        onFound={(found) => {
          laneCode.current = found.code;
          onCodeRead(found.code);
        }}
      />

      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onSignOut}>
          {t('checkpoint.signOut')}
        </button>
      </div>
    </section>
  );
}

/** Issues of the lane's fields ('documentNumber') under the lane's own paths. */
const lanePath = (path: string) => `lookup.${path}`;

/**
 * The no-code lane (issue 9): for a person with neither phone nor paper code, staff type the ID
 * document number, or a keyboard-wedge ID-card reader types it and presses Enter. The answer is the
 * colour now and the masked name, nothing else, and a short-lived code with which the check is
 * recorded like any other. Online only; lookups are limited per staff account.
 */
function NoCodeLane(props: {
  token: string;
  online: boolean;
  disabled: boolean;
  onSessionLost: (failure: ApiFailure) => void;
  onOffline: () => void;
  onFound: (found: LookupResponse) => void;
}) {
  const [documentType, setDocumentType] = useState<string>('resident_id_card');
  const [documentNumber, setDocumentNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [found, setFound] = useState<LookupResponse | null>(null);
  const disabled = !props.online || busy || props.disabled;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (disabled) return;
    const number = documentNumber.trim().toUpperCase();
    setIssues([]);
    setMessage(null);
    setFound(null);
    if (number === '') {
      setIssues([{ path: lanePath('documentNumber'), code: 'document_number_required', message: '' }]);
      return;
    }
    setBusy(true);
    const result = await lookupByDocument(props.token, documentType, number);
    setBusy(false);
    if (result.ok) {
      setFound(result.value);
      // The number is personal data: it does not stay on the screen.
      setDocumentNumber('');
      props.onFound(result.value);
      return;
    }
    const failure = result.failure;
    if (failure.kind === 'network') {
      props.onOffline();
      return setMessage(t('checkpoint.lane.needsNetwork'));
    }
    if (isSessionLost(failure)) return props.onSessionLost(failure);
    if (failure.status === 429) {
      const seconds = failure.retryAfterSeconds ?? 3600;
      return setMessage(
        t('checkpoint.lane.rateLimited', {
          time: formatChinaClock(Date.now() + seconds * 1000, false).slice(11),
          minutes: Math.max(1, Math.ceil(seconds / 60)),
        }),
      );
    }
    const described = describeFailure(failure);
    setIssues(described.issues.map((i) => ({ ...i, path: lanePath(i.path) })));
    setMessage(described.message);
  };

  return (
    <section id="no-code-lane" class="no-code-lane" aria-labelledby="lane-heading">
      <h2 id="lane-heading">{t('checkpoint.lane.heading')}</h2>
      <p class="hint">{t('checkpoint.lane.intro')}</p>
      {!props.online && (
        <p id="lane-offline" class="notice notice--warning" role="status">
          {t('checkpoint.lane.offline')}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <fieldset disabled={!props.online}>
          <SelectField
            path={lanePath('documentType')}
            label={t('apply.documentType')}
            value={documentType}
            options={DOCUMENT_TYPE_OPTIONS.map((value) => ({
              value,
              label: t(`apply.documentTypes.${value}`),
            }))}
            onValue={setDocumentType}
            issues={forPath(issues, lanePath('documentType'))}
          />
          <TextField
            path={lanePath('documentNumber')}
            label={t('checkpoint.lane.documentNumber')}
            hint={t('checkpoint.lane.documentNumberHint')}
            maxLength={40}
            value={documentNumber}
            onValue={setDocumentNumber}
            issues={forPath(issues, lanePath('documentNumber'))}
          />
          <button id="lane-submit" class="button button--primary" type="submit" disabled={disabled}>
            {busy ? t('checkpoint.lane.looking') : t('checkpoint.lane.submit')}
          </button>
        </fieldset>
      </form>
      <div aria-live="polite">
        {message !== null && (
          <p id="lane-message" class="notice notice--error" role="alert">
            {message}
          </p>
        )}
        {found !== null && (
          <div id="lookup-result" class={`lookup-result lookup-result--${found.colour}`}>
            <p>
              <span id="lookup-colour" class="lookup-result__colour" data-colour={found.colour}>
                {t(`code.colour.${found.colour}`)}
              </span>{' '}
              <span id="lookup-name" class="lookup-result__name">
                {found.maskedName}
              </span>
            </p>
            <p id="lookups-left" class="hint" data-left={found.lookupsLeft}>
              {t('checkpoint.lane.left', { count: found.lookupsLeft })}
            </p>
          </div>
        )}
      </div>
    </section>
  );
}

/** PASS or REFUSE, large; for a green holder who passes only colour, masked name and time (S11). */
function CheckResult(props: { result: ShownResult }) {
  const { result } = props;
  const pass = result.outcome === 'pass';
  const sentences = pass ? [] : reasonSentences(result);
  return (
    <div
      id="check-result"
      class={`check-result check-result--${result.outcome}`}
      data-outcome={result.outcome}
      role="alert"
    >
      <p class="check-result__word">{pass ? t('checkpoint.pass') : t('checkpoint.refuse')}</p>
      {sentences.length > 0 && (
        <ul class="check-result__reasons" id="check-reasons">
          {sentences.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      )}
      <dl class="check-result__details">
        {result.colour !== null && (
          <div>
            <dt>{t('checkpoint.colour')}</dt>
            <dd id="check-colour" data-colour={result.colour}>
              {t(`code.colour.${result.colour}`)}
              {result.offline &&
                ` (${result.paper !== null ? t('checkpoint.paper.printedColour') : t('checkpoint.offline.atIssue')})`}
            </dd>
          </div>
        )}
        {result.maskedName !== null && (
          <div>
            <dt>{t('checkpoint.name')}</dt>
            <dd id="check-name">{result.maskedName}</dd>
          </div>
        )}
        <div>
          <dt>{t('checkpoint.time')}</dt>
          <dd id="check-time">{formatChinaClock(result.checkedAt, true)}</dd>
        </div>
      </dl>
      {result.paper !== null && (
        <p id="check-paper" class="check-result__paper" data-mode={result.offline ? 'offline' : 'online'}>
          {result.offline
            ? t('checkpoint.paper.offline', {
                until:
                  result.paper.validUntil === null ? '' : formatChinaClock(result.paper.validUntil, false),
              })
            : t('checkpoint.paper.online')}
        </p>
      )}
      {result.paperExpired !== null && (
        <p id="paper-expired" class="check-result__paper">
          <span lang="zh-CN">{refusalReasonText('paper_expired', 'zh-CN')}</span>{' '}
          <span lang="en">{refusalReasonText('paper_expired', 'en')}</span>
          {result.paperExpired.validUntil !== null &&
            ` (${t('checkpoint.paper.validUntil', { until: formatChinaClock(result.paperExpired.validUntil, false) })})`}
        </p>
      )}
      {result.lane && (
        <p id="check-lane" class="check-result__note">
          {t('checkpoint.lane.recorded')}
        </p>
      )}
      {result.health !== null && <HealthBadge health={result.health} idPrefix="check-health" />}
      {result.carried !== null && (
        <ul class="health-badge" aria-label={t('health.label')}>
          <li
            id="check-health-test"
            class={`health-badge__item health-badge__item--${result.carried.testDays === null ? 'none' : 'negative'}`}
            data-days={result.carried.testDays ?? ''}
          >
            {result.carried.testText[currentLocale()]} · {t('checkpoint.badge.carried')}
          </li>
          <li
            id="check-health-vaccination"
            class="health-badge__item"
            data-doses={result.carried.vaccineDoses}
          >
            {result.carried.vaccineDoses === 0
              ? t('checkpoint.badge.noDoses')
              : t('checkpoint.badge.doses', { count: result.carried.vaccineDoses })}
          </li>
        </ul>
      )}
      {result.offline && <p class="check-result__note">{t('checkpoint.offline.queued')}</p>}
      {result.duplicate && <p class="check-result__note">{t('checkpoint.duplicate')}</p>}
    </div>
  );
}
