import i18next from 'i18next';
import type { Locale } from '../../src/domain/types.ts';
import { writeStored } from '../storage.ts';
import { LOCALE_KEY, loadCatalogue, type Catalogue } from './locale.ts';

export { DEFAULT_LOCALE } from './locale.ts';

/** The shared i18next instance, started with the catalogue web/main.tsx loaded for the remembered language. */
export const i18n = i18next.createInstance();

/** The languages whose catalogue has arrived (the console adds its own strings for both, so i18next's own bundles do not tell). */
const loaded = new Set<Locale>();

/** Initialises i18next synchronously with the remembered language and its catalogue. */
export function initI18n(locale: Locale, catalogue: Catalogue): Locale {
  void i18n.init({
    lng: locale,
    fallbackLng: false,
    resources: { [locale]: { translation: catalogue } },
    initAsync: false,
    // Preact escapes text itself; escaping here would show "&amp;" on screen.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  loaded.add(locale);
  document.documentElement.lang = locale;
  return locale;
}

/**
 * Switches the language (downloading its catalogue the first time), remembers the choice and
 * updates `<html lang>` for screen readers. Rejects when the catalogue cannot be fetched; the
 * language then stays as it was.
 */
export async function setLocale(locale: Locale): Promise<void> {
  if (!loaded.has(locale)) {
    const catalogue = await loadCatalogue(locale);
    // Deep and overwriting: strings the console added for this language stay.
    i18n.addResourceBundle(locale, 'translation', catalogue, true, true);
    loaded.add(locale);
  }
  await i18n.changeLanguage(locale);
  writeStored(LOCALE_KEY, locale);
  document.documentElement.lang = locale;
}

export function currentLocale(): Locale {
  return i18n.language === 'en' ? 'en' : 'zh-CN';
}

export const t = (key: string, options?: Record<string, unknown>): string => i18n.t(key, options ?? {});

/**
 * A message for an API error or field issue: the translation of its stable code when the catalogue
 * has one, else the server's English sentence.
 */
export function translateCode(group: 'errors' | 'issues', code: string, fallback: string): string {
  const key = `${group}.${code}`;
  return i18n.exists(key) ? t(key) : fallback;
}

/** A field issue's message; its code may be a field issue code or an API error code placed on a field. */
export function translateIssue(issue: { readonly code: string; readonly message: string }): string {
  return translateCode('issues', issue.code, translateCode('errors', issue.code, issue.message));
}
