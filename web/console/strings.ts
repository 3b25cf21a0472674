import en from '../i18n/en.json' with { type: 'json' };
import zhCN from '../i18n/zh-CN.json' with { type: 'json' };
import { i18n } from '../i18n/index.ts';

/**
 * The console's strings (`console.*` of the two catalogues) come with the console's chunk: the
 * build leaves them out of the catalogues the resident app loads (scripts/build-web.ts,
 * `consoleStrings`), so a resident's phone never downloads them. Adding them again is harmless
 * where they are already there (tests, tsx).
 */
export function addConsoleStrings(): void {
  i18n.addResourceBundle('en', 'translation', { console: en.console }, true, true);
  i18n.addResourceBundle('zh-CN', 'translation', { console: zhCN.console }, true, true);
}
