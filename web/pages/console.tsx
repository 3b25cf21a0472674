import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ApiFailure } from '../api.ts';
import { describeFailure } from '../failures.ts';
import { t } from '../i18n/index.ts';
import { readStored, writeStored } from '../storage.ts';
import { ErrorNotice, failureText, shortTime, type ViewProps } from '../console/common.tsx';
import { ChannelsView } from '../console/channels.tsx';
import { staffSignIn, staffSignOut, type StaffSessionResponse } from '../console/console-api.ts';
import { Dashboard, ReportQueue } from '../console/dashboard.tsx';
import {
  AuditLogView,
  ImportsView,
  OverridesView,
  ResidentLookup,
  RiskAreasView,
  StaffView,
  VenuesView,
} from '../console/manage.tsx';
import { addConsoleStrings } from '../console/strings.ts';
import { AppealsQueue, ComplaintsQueue, FeedbackQueue } from '../console/queues.tsx';
// Loaded with this chunk, never by the code page (web/stylesheets.ts).
import '../console/console.css';

/** The authority console (issue 10 item 3): officers, admins and auditors. */

addConsoleStrings();

type ConsoleSession = Omit<StaffSessionResponse, 'venueId'>;

const SESSION_KEY = 'healthcode.console.session';

const VIEWS = [
  'dashboard',
  'lookup',
  'reports',
  'imports',
  'risk',
  'venues',
  'appeals',
  'feedback',
  'complaints',
  'overrides',
  'staff',
  'channels',
  'audit',
] as const;
type View = (typeof VIEWS)[number];

/** Which views each role sees: the ACCESS table's callers, as navigation. */
export function viewsFor(role: string): readonly View[] {
  const officer: readonly View[] = VIEWS.filter((v) => v !== 'staff' && v !== 'channels' && v !== 'audit');
  if (role === 'officer') return officer;
  if (role === 'admin') return VIEWS;
  if (role === 'auditor') return ['audit'];
  return [];
}

function storedSession(): ConsoleSession | null {
  try {
    const value = JSON.parse(readStored(SESSION_KEY) ?? 'null') as Partial<ConsoleSession> | null;
    if (value === null || typeof value.token !== 'string' || typeof value.role !== 'string') return null;
    if (Date.parse(value.expiresAt ?? '') <= Date.now()) return null;
    return value as ConsoleSession;
  } catch {
    return null;
  }
}

function storeSession(session: ConsoleSession | null): void {
  writeStored(SESSION_KEY, session === null ? null : JSON.stringify(session));
}

const viewFromHash = (hash: string): View | null => {
  const name = hash.replace(/^#\/?/, '');
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : null;
};

function useConsoleView(): [View | null, (view: View) => void] {
  const [view, setView] = useState(() => viewFromHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setView(viewFromHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  const go = useCallback((next: View) => {
    window.location.hash = `#/${next}`;
    setView(next);
  }, []);
  return [view, go];
}

export function ConsolePage() {
  const [session, setSession] = useState<ConsoleSession | null>(storedSession);
  const [notice, setNotice] = useState<string | null>(null);
  const [view, go] = useConsoleView();

  const signOut = useCallback(async (message: string | null, token: string | null) => {
    if (token !== null) await staffSignOut(token);
    storeSession(null);
    setSession(null);
    setNotice(message);
  }, []);
  const onFailure = useCallback(
    (failure: ApiFailure) => {
      if (failure.kind === 'api' && failure.status === 401)
        void signOut(describeFailure(failure).message, null);
    },
    [signOut],
  );

  if (session === null) {
    return (
      <ConsoleSignIn
        notice={notice}
        onSignedIn={(s) => {
          const kept: ConsoleSession = {
            token: s.token,
            expiresAt: s.expiresAt,
            role: s.role,
            displayName: s.displayName,
            divisionCode: s.divisionCode,
          };
          storeSession(kept);
          setNotice(null);
          setSession(kept);
        }}
      />
    );
  }
  const views = viewsFor(session.role);
  const current = view !== null && views.includes(view) ? view : (views[0] ?? null);
  const props: ViewProps = { token: session.token, onFailure };
  return (
    <div class="console">
      <nav class="console-nav" aria-label={t('console.nav.label')}>
        <p class="console-nav__who">
          <strong>{session.displayName}</strong>
          <br />
          {t(`console.role.${session.role}`, { defaultValue: session.role })} · {session.divisionCode}
        </p>
        <ul>
          {views.map((v) => (
            <li key={v}>
              <a
                href={`#/${v}`}
                aria-current={current === v ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  go(v);
                }}
              >
                {t(`console.nav.${v}`)}
              </a>
            </li>
          ))}
        </ul>
        <button
          type="button"
          class="button button--secondary"
          onClick={() => void signOut(null, session.token)}
        >
          {t('console.signOut')}
        </button>
      </nav>
      <div class="console-main">
        {current === null ? (
          <p class="notice notice--error" role="alert">
            {t('console.noViews')}
          </p>
        ) : (
          <ViewOf view={current} props={props} admin={session.role === 'admin'} />
        )}
      </div>
    </div>
  );
}

function ViewOf(p: { readonly view: View; readonly props: ViewProps; readonly admin: boolean }) {
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => {
    heading.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [p.view]);
  const { props } = p;
  return (
    <div ref={heading}>
      {p.view === 'dashboard' && <Dashboard {...props} />}
      {p.view === 'lookup' && <ResidentLookup {...props} />}
      {p.view === 'reports' && (
        <section class="console-view" aria-labelledby="view-heading">
          <h1 id="view-heading" tabIndex={-1}>
            {t('console.nav.reports')}
          </h1>
          <ReportQueue {...props} all />
        </section>
      )}
      {p.view === 'imports' && <ImportsView {...props} />}
      {p.view === 'risk' && <RiskAreasView {...props} admin={p.admin} />}
      {p.view === 'venues' && <VenuesView {...props} />}
      {p.view === 'appeals' && <AppealsQueue {...props} />}
      {p.view === 'feedback' && <FeedbackQueue {...props} />}
      {p.view === 'complaints' && <ComplaintsQueue {...props} />}
      {p.view === 'overrides' && <OverridesView {...props} />}
      {p.view === 'staff' && <StaffView {...props} />}
      {p.view === 'channels' && <ChannelsView {...props} />}
      {p.view === 'audit' && <AuditLogView {...props} />}
    </div>
  );
}

/** Username, password and the authenticator's code; a lock-out shows when it ends. */
function ConsoleSignIn(props: {
  readonly notice: string | null;
  readonly onSignedIn: (s: StaffSessionResponse) => void;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(props.notice);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (username.trim() === '' || password === '') {
      setMessage(t('console.signIn.missing'));
      return;
    }
    setBusy(true);
    const result = await staffSignIn(username.trim(), password, totp.replace(/\s/g, ''));
    setBusy(false);
    if (!result.ok) {
      const f = result.failure;
      const retryAt = f.kind === 'api' ? f.error.retryAt : undefined;
      setMessage(
        f.kind === 'api' && f.error.code === 'sign_in_locked' && retryAt !== undefined
          ? t('console.signIn.lockedUntil', { time: shortTime(retryAt) })
          : failureText(f),
      );
      return;
    }
    if (result.value.role !== 'officer' && result.value.role !== 'admin' && result.value.role !== 'auditor') {
      await staffSignOut(result.value.token);
      setMessage(t('console.signIn.notForRole'));
      return;
    }
    props.onSignedIn(result.value);
  };

  return (
    <section class="page console-sign-in" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('console.signIn.heading')}
      </h1>
      <p>{t('console.signIn.intro')}</p>
      <ErrorNotice message={message} />
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div class="field">
          <label for="console-username">{t('console.signIn.username')}</label>
          <input
            id="console-username"
            autoComplete="username"
            maxLength={64}
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="console-password">{t('console.signIn.password')}</label>
          <input
            id="console-password"
            type="password"
            autoComplete="current-password"
            maxLength={256}
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="console-totp">{t('console.signIn.totp')}</label>
          <p class="hint" id="console-totp-hint">
            {t('console.signIn.totpHint')}
          </p>
          <input
            id="console-totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            aria-describedby="console-totp-hint"
            value={totp}
            onInput={(e) => setTotp(e.currentTarget.value)}
          />
        </div>
        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? t('console.signIn.submitting') : t('console.signIn.submit')}
        </button>
      </form>
    </section>
  );
}
