import i18next from 'i18next';
import type { Locale } from '../../src/domain/types.ts';
import en from './en.json' with { type: 'json' };
import zhCN from './zh-CN.json' with { type: 'json' };
import { readStored, writeStored } from '../storage.ts';

const LOCALE_KEY = 'healthcode.locale';
export const DEFAULT_LOCALE: Locale = 'zh-CN';

function storedLocale(): Locale {
  const value = readStored(LOCALE_KEY);
  return value === 'en' || value === 'zh-CN' ? value : DEFAULT_LOCALE;
}

/** The shared i18next instance; both catalogues are bundled, so it is ready synchronously. */
export const i18n = i18next.createInstance();

/** Initialises i18next with the remembered language (zh-CN unless the resident chose English). */
export function initI18n(): Locale {
  const locale = storedLocale();
  void i18n.init({
    lng: locale,
    fallbackLng: false,
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    initAsync: false,
    // Preact escapes text itself; escaping here would show "&amp;" on screen.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = locale;
  return locale;
}

/** Switches the language, remembers the choice and updates `<html lang>` for screen readers. */
export function setLocale(locale: Locale): void {
  void i18n.changeLanguage(locale);
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
