import { prefetchMyCode } from './code-prefetch.ts';
import { loadCatalogue, storedLocale } from './i18n/locale.ts';
import { registerServiceWorker } from './service-worker-registration.ts';

/**
 * Start-up, kept tiny (P8): the app's code (web/start.tsx, whose files index.html already
 * preloads), the remembered language's catalogue and the code page's own code (web/code-prefetch.ts)
 * are fetched side by side, not one after the other.
 */
const locale = storedLocale();
prefetchMyCode();
document.documentElement.lang = locale;
Promise.all([import('./start.tsx'), loadCatalogue(locale)]).then(
  ([app, catalogue]) => app.start(locale, catalogue),
  () => {
    // Offline before the service worker had cached the app, or a deploy removed these files.
    const root = document.getElementById('app');
    if (root === null) return;
    root.textContent = '';
    for (const [lang, text] of [
      ['zh-CN', '无法加载健康通行码，请检查网络后刷新页面。'],
      ['en', 'The health pass code could not load. Check the connection and reload the page.'],
    ] as const) {
      const p = document.createElement('p');
      p.lang = lang;
      p.className = 'notice notice--error';
      p.textContent = text;
      root.append(p);
    }
  },
);
registerServiceWorker();
