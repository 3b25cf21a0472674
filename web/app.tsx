import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { Locale } from '../src/domain/types.ts';
import { deleteSession, fetchUnreadNotices, storeSession, storedToken, type ApiFailure } from './api.ts';
import { describeFailure } from './failures.ts';
import { currentLocale, setLocale, t } from './i18n/index.ts';
import { placeCodeFromSearch } from './checkpoint/place-code-text.ts';
import { MyCodePage } from './pages/my-code.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SupportFooter } from './components/support-footer.tsx';
import { lazyPage } from './lazy-page.tsx';
import { navigate, sectionFromPath, useHashRoute, venueFromHash, type Section } from './router.ts';
import { readStored, writeStored } from './storage.ts';

// Staff and place-scan pages carry the camera and the QR decoder: loaded only when opened.
const CheckpointPage = lazyPage(() => import('./pages/checkpoint.tsx').then((m) => m.CheckpointPage));
// The authority console carries chart.js: officers' code never reaches a resident's phone.
const ConsolePage = lazyPage(() => import('./pages/console.tsx').then((m) => m.ConsolePage));
const ScanPlacePage = lazyPage(() => import('./pages/scan-place.tsx').then((m) => m.ScanPlacePage));
// The arrivals page carries the table of administrative divisions for its picker.
const ArrivalsPage = lazyPage(() => import('./pages/arrivals.tsx').then((m) => m.ArrivalsPage));
// Applying and the family page: opened now and then, so not in the code page's first load (P8).
const ApplyPage = lazyPage(() => import('./pages/apply.tsx').then((m) => m.ApplyPage));
const FamilyPage = lazyPage(() => import('./pages/family.tsx').then((m) => m.FamilyPage));
// Issue 10's resident pages and the staff setup link's page: opened now and then, so not in the first load.
const AppealPage = lazyPage(() => import('./pages/appeal.tsx').then((m) => m.AppealPage));
const FeedbackPage = lazyPage(() => import('./pages/feedback.tsx').then((m) => m.FeedbackPage));
const NoticesPage = lazyPage(() => import('./pages/notices.tsx').then((m) => m.NoticesPage));
const AccessLogPage = lazyPage(() => import('./pages/access-log.tsx').then((m) => m.AccessLogPage));
const ComplaintPage = lazyPage(() => import('./pages/complaint.tsx').then((m) => m.ComplaintPage));
const StaffSetupPage = lazyPage(() => import('./pages/staff-setup.tsx').then((m) => m.StaffSetupPage));

const LARGE_TYPE_KEY = 'healthcode.largeType';
const LANGUAGES: readonly { readonly locale: Locale; readonly label: string }[] = [
  { locale: 'zh-CN', label: '中文' },
  { locale: 'en', label: 'English' },
];

function sectionTitle(section: Section): string {
  if (section === 'checkpoint') return t('checkpoint.title');
  if (section === 'console') return t('console.title');
  if (section === 'staff-setup') return t('staffSetup.title');
  return t('app.title');
}

function applyLargeType(on: boolean): void {
  document.documentElement.classList.toggle('large-type', on);
}

export function App() {
  const [locale, setLocaleState] = useState<Locale>(currentLocale);
  const [largeType, setLargeType] = useState(() => readStored(LARGE_TYPE_KEY) === '1');
  const [token, setToken] = useState(storedToken);
  // Kept in memory only, to prefill the application right after signing in.
  const [signedInMobile, setSignedInMobile] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [languageFailed, setLanguageFailed] = useState(false);
  // Whose code the code page shows: null for one's own, else a family member's binding id.
  const [codeSubject, setCodeSubject] = useState<string | null>(null);
  // The path is fixed for the page's life: leaving a section loads the other one.
  const [section] = useState(() => sectionFromPath(window.location.pathname));
  const [placeCode] = useState(() => placeCodeFromSearch(window.location.search));
  const hashRoute = useHashRoute();
  const route =
    token === null ? 'sign-in' : hashRoute === null || hashRoute === 'sign-in' ? 'code' : hashRoute;
  // The inbox's unread count in the top bar (countMyUnreadNotices marks nothing read).
  const [unread, setUnread] = useState(0);
  const [unreadCheck, setUnreadCheck] = useState(0);
  useEffect(() => {
    if (section !== 'resident' || token === null) return setUnread(0);
    let live = true;
    void fetchUnreadNotices(token).then((result) => {
      if (live && result.ok) setUnread(result.value.unread);
    });
    return () => {
      live = false;
    };
  }, [section, token, route, unreadCheck]);
  const onNoticesRead = useCallback(() => setUnreadCheck((n) => n + 1), []);

  useEffect(() => {
    if (section === 'resident') navigate(route);
  }, [route, section]);
  // A layout effect: the class lands in the same task as aria-pressed, never a frame later.
  useLayoutEffect(() => applyLargeType(largeType), [largeType]);
  useEffect(() => {
    document.title = sectionTitle(section);
  }, [locale, section]);

  const chooseLocale = (next: Locale) => {
    // The other language's catalogue is downloaded on the first switch; offline it may not come.
    setLocale(next).then(
      () => {
        setLanguageFailed(false);
        setLocaleState(next);
      },
      () => setLanguageFailed(true),
    );
  };
  const toggleLargeType = () => {
    writeStored(LARGE_TYPE_KEY, largeType ? null : '1');
    setLargeType(!largeType);
  };
  const onSessionLost = useCallback((failure: ApiFailure) => {
    storeSession(null);
    setToken(null);
    setNotice(describeFailure(failure).message);
  }, []);
  const onApplicationRequired = useCallback(() => navigate('apply'), []);
  const signOut = async () => {
    if (token !== null) await deleteSession(token);
    storeSession(null);
    setToken(null);
    setNotice(null);
    setCodeSubject(null);
  };
  const onShowMemberCode = useCallback((memberId: string) => {
    setCodeSubject(memberId);
    navigate('code');
  }, []);
  const toCode = useCallback(() => navigate('code'), []);
  const toFeedback = useCallback(() => navigate('feedback'), []);
  const toAppeal = useCallback(() => navigate('appeal'), []);

  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(e) => {
          // A plain #main link would replace the hash route.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('app.skipToContent')}
      </a>
      <header class="top-bar">
        <span class="top-bar__title">{sectionTitle(section)}</span>
        <div class="top-bar__controls">
          {section === 'resident' && token !== null && (
            <a
              id="top-notices"
              class="toggle top-bar__notices"
              href="#/notices"
              aria-label={t('app.noticesCount', { count: unread })}
            >
              {t('app.notices')}
              {unread > 0 && (
                <span id="unread-count" class="badge" aria-hidden="true">
                  {unread}
                </span>
              )}
            </a>
          )}
          <div class="segmented" role="group" aria-label={t('app.languageGroup')}>
            {LANGUAGES.map((l) => (
              <button
                key={l.locale}
                type="button"
                lang={l.locale}
                class="segmented__option"
                aria-pressed={locale === l.locale}
                onClick={() => chooseLocale(l.locale)}
              >
                {l.label}
              </button>
            ))}
          </div>
          <button type="button" class="toggle" aria-pressed={largeType} onClick={toggleLargeType}>
            <span aria-hidden="true">A+ </span>
            {t('app.largeType')}
          </button>
        </div>
      </header>
      {languageFailed && (
        <p class="notice notice--error" role="alert">
          {t('app.languageUnavailable')}
        </p>
      )}
      <main id="main" tabIndex={-1} class={section === 'console' ? 'main--wide' : undefined}>
        {section === 'checkpoint' ? (
          <CheckpointPage />
        ) : section === 'console' ? (
          <ConsolePage />
        ) : section === 'staff-setup' ? (
          <StaffSetupPage />
        ) : route === 'sign-in' || token === null ? (
          <SignInPage
            notice={notice}
            onSignedIn={(mobile, session) => {
              storeSession(session);
              setSignedInMobile(mobile);
              setNotice(null);
              setToken(session.token);
            }}
          />
        ) : section === 'scan' ? (
          <ScanPlacePage
            token={token}
            initialCode={placeCode}
            onSessionLost={onSessionLost}
            onApplicationRequired={() => window.location.assign('/#/apply')}
            onMyCode={() => window.location.assign('/#/code')}
            onComplain={(hash) => window.location.assign(`/${hash}`)}
          />
        ) : route === 'apply' ? (
          <ApplyPage
            token={token}
            signedInMobile={signedInMobile}
            onApplied={() => navigate('code')}
            onSessionLost={onSessionLost}
            onBack={() => navigate('code')}
          />
        ) : route === 'arrivals' ? (
          <ArrivalsPage
            token={token}
            onSessionLost={onSessionLost}
            onApplicationRequired={onApplicationRequired}
            onBack={() => navigate('code')}
          />
        ) : route === 'family' ? (
          <FamilyPage
            token={token}
            onSessionLost={onSessionLost}
            onApplicationRequired={onApplicationRequired}
            onShowCode={onShowMemberCode}
            onBack={() => navigate('code')}
          />
        ) : route === 'appeal' ? (
          <AppealPage
            token={token}
            subject={codeSubject}
            onSubject={setCodeSubject}
            onSessionLost={onSessionLost}
            onApplicationRequired={onApplicationRequired}
            onFeedback={toFeedback}
            onBack={toCode}
          />
        ) : route === 'feedback' ? (
          <FeedbackPage
            token={token}
            onSessionLost={onSessionLost}
            onApplicationRequired={onApplicationRequired}
            onComplaint={() => navigate('complaint')}
            onAppeal={toAppeal}
            onBack={toCode}
          />
        ) : route === 'notices' ? (
          <NoticesPage
            token={token}
            onSessionLost={onSessionLost}
            onApplicationRequired={onApplicationRequired}
            onRead={onNoticesRead}
            onFeedback={toFeedback}
            onBack={toCode}
          />
        ) : route === 'access-log' ? (
          <AccessLogPage
            token={token}
            subject={codeSubject}
            onSubject={setCodeSubject}
            onSessionLost={onSessionLost}
            onApplicationRequired={onApplicationRequired}
            onBack={toCode}
          />
        ) : route === 'complaint' ? (
          <ComplaintPage
            key={window.location.hash}
            token={token}
            venue={venueFromHash(window.location.hash)}
            onSessionLost={onSessionLost}
            onScan={() => window.location.assign('/scan')}
            onBack={toFeedback}
          />
        ) : (
          <MyCodePage
            token={token}
            subject={codeSubject}
            onSubject={setCodeSubject}
            onSessionLost={onSessionLost}
            onApplicationRequired={onApplicationRequired}
            onUpdate={() => navigate('apply')}
            onFamily={() => navigate('family')}
            onArrivals={() => navigate('arrivals')}
            onAppeal={toAppeal}
            onFeedback={toFeedback}
            onNotices={() => navigate('notices')}
            onAccessLog={() => navigate('access-log')}
            onSignOut={() => void signOut()}
          />
        )}
      </main>
      <SupportFooter />
    </>
  );
}
