import { useEffect, useState } from 'preact/hooks';
import { callApi, type SupportContact } from '../api.ts';
import { t } from '../i18n/index.ts';
import { readStored, writeStored } from '../storage.ts';

const STORED_KEY = 'healthcode.support';

function isSupportContact(value: unknown): value is SupportContact {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['phone'] === 'string' &&
    typeof v['hours'] === 'string' &&
    (v['url'] === null || typeof v['url'] === 'string')
  );
}

function storedContact(): SupportContact | null {
  try {
    const parsed: unknown = JSON.parse(readStored(STORED_KEY) ?? 'null');
    return isSupportContact(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The support contact (S15) at the foot of every page: fetched once (getSupportContact) and kept, so
 * a checkpoint that has lost its network still shows whom to call.
 */
export function SupportFooter() {
  const [contact, setContact] = useState<SupportContact | null>(storedContact);
  useEffect(() => {
    let live = true;
    void callApi<SupportContact>('GET', '/api/v1/support').then((result) => {
      if (!live || !result.ok || !isSupportContact(result.value)) return;
      writeStored(STORED_KEY, JSON.stringify(result.value));
      setContact(result.value);
    });
    return () => {
      live = false;
    };
  }, []);
  if (contact === null) return null;
  return (
    <footer class="support-footer" aria-label={t('app.support.label')}>
      <span>
        {t('app.support.phone')}{' '}
        <a href={`tel:${contact.phone.replace(/[^0-9+]/g, '')}`} data-testid="support-phone">
          {contact.phone}
        </a>{' '}
        ({contact.hours})
      </span>
      {contact.url === null ? null : (
        <span>
          {' · '}
          <a href={contact.url} rel="noopener noreferrer" target="_blank">
            {t('app.support.help')}
          </a>
        </span>
      )}
    </footer>
  );
}
