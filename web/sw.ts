import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

/**
 * The resident app's service worker (issue 11, P8), bundled by scripts/build-web.ts into /sw.js
 * with Workbox's precaching, routing and strategies:
 *
 * - precached at install: index.html and the files of the code page and the place-code pop-up
 *   (the list is the build's, `__PRECACHE_MANIFEST__`); a new build's worker fetches only what
 *   changed and, once it takes over, deletes what the old one had;
 * - navigations to the app's pages are answered with the precached index.html (the app opens
 *   without the network, and at once on a slow one);
 * - other content-hashed files under /assets/ (pages opened now and then) are cached the first
 *   time they are fetched, one cache per build;
 * - nothing else is touched: /api/ requests (personal data, `no-store`) always go to the network.
 *   The app itself keeps the last code and the last place-code pop-up (web/offline-store.ts).
 *
 * The worker waits, as service workers do, until every page of the old build is closed before it
 * takes over, so an open page never mixes two builds' files.
 */

declare const __PRECACHE_MANIFEST__: { url: string; revision: string | null }[];
declare const __BUILD_ID__: string;
declare const __ASSETS_PREFIX__: string;

interface ExtendableEvent {
  waitUntil(work: Promise<unknown>): void;
}

const RUNTIME_CACHE = `healthcode-assets-${__BUILD_ID__}`;

precacheAndRoute(__PRECACHE_MANIFEST__);
cleanupOutdatedCaches();

/** Not pages of the app, though browsers may navigate to them. */
const NOT_APP_PAGES = [/^\/api\//, /^\/docs(\/|$)/, /^\/openapi\.json$/, /^\/metrics$/, /^\/healthz$/];
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: NOT_APP_PAGES }));

registerRoute(
  ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith(__ASSETS_PREFIX__),
  new CacheFirst({ cacheName: RUNTIME_CACHE }),
);

// The previous builds' page caches go once this build's worker is in charge.
globalThis.addEventListener('activate', (event) => {
  (event as unknown as ExtendableEvent).waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith('healthcode-assets-') && name !== RUNTIME_CACHE)
            .map((name) => caches.delete(name)),
        ),
      ),
  );
});
