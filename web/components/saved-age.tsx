import { t } from '../i18n/index.ts';
import { formatChinaClock } from '../time.ts';

/** "less than a minute", "12 min", "3 h": how long ago, in the current language. */
export function ageText(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return t('offline.lessThanMinute');
  if (minutes < 120) return t('offline.minutes', { count: minutes });
  return t('offline.hours', { count: Math.floor(minutes / 60) });
}

/**
 * The notice over a code shown without the network (issue 11, P8): the server cannot be reached,
 * and the code on screen arrived at this time, so long ago. Re-rendered every second by the page's
 * ticker, so the age keeps up.
 */
export function SavedAgeNotice(props: { id: string; savedAt: number; offsetMs: number }) {
  return (
    <p id={props.id} class="notice notice--warning notice--offline" role="status">
      <strong>{t('code.stale')}</strong>{' '}
      {t('offline.codeSaved', {
        time: formatChinaClock(props.savedAt + props.offsetMs, false),
        age: ageText(Date.now() - props.savedAt),
      })}
    </p>
  );
}
