import type { HealthBadgeView } from '../api.ts';
import { currentLocale, t } from '../i18n/index.ts';

/**
 * The test and vaccination badge under the colour (issue 9 item 4): the server's sentences, in the
 * interface language. It never changes the colour by itself.
 */
export function HealthBadge(props: { health: HealthBadgeView; idPrefix?: string }) {
  const locale = currentLocale();
  const { test, vaccination } = props.health;
  const id = props.idPrefix ?? 'health';
  return (
    <ul class="health-badge" aria-label={t('health.label')}>
      <li
        id={`${id}-test`}
        class={`health-badge__item health-badge__item--${test.status}`}
        data-days={test.days ?? ''}
      >
        {test.text[locale]}
      </li>
      <li id={`${id}-vaccination`} class="health-badge__item" data-doses={vaccination.doses}>
        {vaccination.text[locale]}
      </li>
    </ul>
  );
}
