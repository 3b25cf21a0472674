import { render } from 'preact';
import type { Locale } from '../src/domain/types.ts';
import { App } from './app.tsx';
import { initI18n } from './i18n/index.ts';
import type { Catalogue } from './i18n/locale.ts';

/** Renders the app once web/main.tsx has both this module and the language's catalogue. */
export function start(locale: Locale, catalogue: Catalogue): void {
  initI18n(locale, catalogue);
  const root = document.getElementById('app');
  if (root !== null) render(<App />, root);
}
