import { useState } from 'preact/hooks';
import { CHANNEL_SCOPES } from '../../src/domain/channels.ts';
import { t } from '../i18n/index.ts';
import { ErrorNotice, failureText, Labelled, shortTime, useLoad, type ViewProps } from './common.tsx';
import {
  fetchChannels,
  registerChannel,
  rotateChannelSecret,
  updateChannelStatus,
  type ChannelResponse,
} from './console-api.ts';

/** Partner channels (issue 11): register, rotate the secret (shown once), disable, usage figures. */
export function ChannelsView(props: ViewProps) {
  const channels = useLoad(() => fetchChannels(props.token), props.onFailure);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<readonly string[]>(['code:read']);
  const [limit, setLimit] = useState('600');
  const [secret, setSecret] = useState<{ clientId: string; secret: string; until: string | null } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const register = async (e: Event) => {
    e.preventDefault();
    const result = await registerChannel(props.token, {
      name: name.trim(),
      scopes: CHANNEL_SCOPES.filter((s) => scopes.includes(s)),
      rateLimitPerMinute: Number(limit),
    });
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setSecret({ clientId: result.value.channel.clientId, secret: result.value.clientSecret, until: null });
    void channels.reload();
  };
  const rotate = async (c: ChannelResponse) => {
    const result = await rotateChannelSecret(props.token, c.clientId);
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    setSecret({
      clientId: c.clientId,
      secret: result.value.clientSecret,
      until: result.value.previousSecretExpiresAt,
    });
    void channels.reload();
  };
  const toggle = async (c: ChannelResponse) => {
    const result = await updateChannelStatus(props.token, c.clientId, {
      status: c.status === 'active' ? 'disabled' : 'active',
    });
    if (!result.ok) {
      setError(failureText(result.failure));
      return;
    }
    setError(null);
    void channels.reload();
  };
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.channels.heading')}
      </h1>
      <ErrorNotice message={error ?? channels.error} />
      {secret !== null && (
        <div class="notice notice--warning" role="status">
          <p>{t('console.channels.secretOnce', { clientId: secret.clientId })}</p>
          <p>
            <code id="channel-secret">{secret.secret}</code>
          </p>
          {secret.until !== null && <p>{t('console.channels.overlap', { time: shortTime(secret.until) })}</p>}
        </div>
      )}
      <form class="console-form" onSubmit={(e) => void register(e)} noValidate>
        <h2>{t('console.channels.register')}</h2>
        <Labelled id="channel-name" label={t('console.channels.name')}>
          <input
            id="channel-name"
            maxLength={64}
            autoComplete="off"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </Labelled>
        <fieldset>
          <legend>{t('console.channels.scopes')}</legend>
          {CHANNEL_SCOPES.map((s) => (
            <label key={s} class="checkbox">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) =>
                  setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))
                }
              />{' '}
              <code>{s}</code>
            </label>
          ))}
        </fieldset>
        <Labelled id="channel-limit" label={t('console.channels.limit')}>
          <input
            id="channel-limit"
            inputMode="numeric"
            class="input--short"
            value={limit}
            onInput={(e) => setLimit(e.currentTarget.value)}
          />
        </Labelled>
        <button type="submit" class="button button--primary">
          {t('console.channels.registerSubmit')}
        </button>
      </form>
      <table class="data-table">
        <caption>{t('console.channels.list')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('console.channels.name')}</th>
            <th scope="col">{t('console.channels.scopes')}</th>
            <th scope="col">{t('console.channels.usage')}</th>
            <th scope="col">{t('console.channels.state')}</th>
            <th scope="col">{t('console.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {channels.data?.channels.map((c) => (
            <tr key={c.clientId} class={c.status === 'disabled' ? 'row--disabled' : undefined}>
              <th scope="row">
                {c.name} <code class="muted">{c.clientId}</code>
              </th>
              <td>{c.scopes.join(' ')}</td>
              <td>
                {t('console.channels.usageFigures', {
                  hour: c.usage.requestsLastHour,
                  day: c.usage.requestsLast24Hours,
                  refused: c.usage.refusedLast24Hours,
                  limit: c.rateLimitPerMinute,
                  sessions: c.usage.openSessions,
                })}
                {c.usage.lastUsedAt !== null &&
                  ` · ${t('console.channels.lastUsed', { time: shortTime(c.usage.lastUsedAt) })}`}
              </td>
              <td>{c.status === 'active' ? t('console.channels.active') : t('console.channels.disabled')}</td>
              <td class="button-row">
                <button type="button" class="button button--secondary" onClick={() => void rotate(c)}>
                  {t('console.channels.rotate')} <span class="visually-hidden">{c.name}</span>
                </button>
                <button type="button" class="button button--secondary" onClick={() => void toggle(c)}>
                  {c.status === 'active' ? t('console.channels.disable') : t('console.channels.enable')}{' '}
                  <span class="visually-hidden">{c.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
