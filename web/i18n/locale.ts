import type { Locale } from '../../src/domain/types.ts';
import { readStored } from '../storage.ts';

/**
 * The remembered language and its catalogue, without i18next: the start-up module (web/main.tsx)
 * reads the choice and starts downloading that one catalogue at once, beside the app's code. Each
 * catalogue is a chunk of its own (P8: a phone downloads only the language it shows; the other
 * comes when the resident switches).
 */
export const LOCALE_KEY = 'healthcode.locale';
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export type Catalogue = Record<string, unknown>;

export function storedLocale(): Locale {
  const value = readStored(LOCALE_KEY);
  return value === 'en' || value === 'zh-CN' ? value : DEFAULT_LOCALE;
}

export function loadCatalogue(locale: Locale): Promise<Catalogue> {
  return locale === 'en'
    ? import('./en.json', { with: { type: 'json' } }).then((m) => m.default)
    : import('./zh-CN.json', { with: { type: 'json' } }).then((m) => m.default);
}
