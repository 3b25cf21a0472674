import { useCallback, useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { Locale } from '../src/domain/types.ts';
import { deleteSession, storeSession, storedToken, type ApiFailure } from './api.ts';
import { describeFailure } from './failures.ts';
import { currentLocale, setLocale, t } from './i18n/index.ts';
import { placeCodeFromSearch } from './checkpoint/place-code-text.ts';
import { ApplyPage } from './pages/apply.tsx';
import { FamilyPage } from './pages/family.tsx';
import { MyCodePage } from './pages/my-code.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SupportFooter } from './components/support-footer.tsx';
import { lazyPage } from './lazy-page.tsx';
import { navigate, sectionFromPath, useHashRoute, type Section } from './router.ts';
import { readStored, writeStored } from './storage.ts';

// Staff and place-scan pages carry the camera and the QR decoder: loaded only when opened.
const CheckpointPage = lazyPage(() => import('./pages/checkpoint.tsx').then((m) => m.CheckpointPage));
// The authority console carries chart.js: officers' code never reaches a resident's phone.
const ConsolePage = lazyPage(() => import('./pages/console.tsx').then((m) => m.ConsolePage));
const ScanPlacePage = lazyPage(() => import('./pages/scan-place.tsx').then((m) => m.ScanPlacePage));
// The arrivals page carries the table of administrative divisions for its picker.
const ArrivalsPage = lazyPage(() => import('./pages/arrivals.tsx').then((m) => m.ArrivalsPage));

const LARGE_TYPE_KEY = 'healthcode.largeType';
const LANGUAGES: readonly { readonly locale: Locale; readonly label: string }[] = [
  { locale: 'zh-CN', label: '中文' },
  { locale: 'en', label: 'English' },
];

function sectionTitle(section: Section): string {
  if (section === 'checkpoint') return t('checkpoint.title');
  if (section === 'console') return t('console.title');
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
  // Whose code the code page shows: null for one's own, else a family member's binding id.
  const [codeSubject, setCodeSubject] = useState<string | null>(null);
  // The path is fixed for the page's life: leaving a section loads the other one.
  const [section] = useState(() => sectionFromPath(window.location.pathname));
  const [placeCode] = useState(() => placeCodeFromSearch(window.location.search));
  const hashRoute = useHashRoute();
  const route =
    token === null ? 'sign-in' : hashRoute === null || hashRoute === 'sign-in' ? 'code' : hashRoute;

  useEffect(() => {
    if (section === 'resident') navigate(route);
  }, [route, section]);
  // A layout effect: the class lands in the same task as aria-pressed, never a frame later.
  useLayoutEffect(() => applyLargeType(largeType), [largeType]);
  useEffect(() => {
    document.title = sectionTitle(section);
  }, [locale, section]);

  const chooseLocale = (next: Locale) => {
    setLocale(next);
    setLocaleState(next);
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
      <main id="main" tabIndex={-1} class={section === 'console' ? 'main--wide' : undefined}>
        {section === 'checkpoint' ? (
          <CheckpointPage />
        ) : section === 'console' ? (
          <ConsolePage />
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
            onSignOut={() => void signOut()}
          />
        )}
      </main>
      <SupportFooter />
    </>
  );
}
