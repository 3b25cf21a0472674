import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchAccessLog, type AccessLogResponse, type ApiFailure } from '../api.ts';
import { SubjectSwitcher, useFamilyMembers, useSubjectLoad } from '../components/subject-switcher.tsx';
import { LoadStatus } from '../components/load-status.tsx';
import { i18n, t } from '../i18n/index.ts';
import { shownTime } from '../time.ts';

type Entry = AccessLogResponse['entries'][number];

/** Who read the data: the staff member's role and office, the proxy, oneself, the system. */
function actorText(actor: Entry['actor']): string {
  if (actor.self) return t('accessLog.actors.self');
  if (actor.kind === 'resident')
    return t('accessLog.actors.proxy', { name: actor.maskedName ?? t('notices.member') });
  if (actor.kind === 'system') return t('accessLog.actors.system');
  const offices = actor.divisionCodes ?? [];
  return t('accessLog.actors.staff', {
    role: actor.role === undefined ? '—' : t(`appeal.roles.${actor.role}`),
    office: offices.length === 0 ? '—' : offices.join(', '),
  });
}

const actionText = (action: string): string =>
  i18n.exists(`accessLog.actions.${action}`) ? t(`accessLog.actions.${action}`) : action;

/**
 * "Who saw my data" (P3, issue 10 item 7): checkpoint checks (venue, time, outcome), staff lookups
 * (role, office, reason), proxy views, exports — for oneself and the family members one holds.
 */
export function AccessLogPage(props: {
  token: string;
  subject: string | null;
  onSubject: (memberId: string | null) => void;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onBack: () => void;
}) {
  const { token, subject, onSubject, onSessionLost, onApplicationRequired } = props;
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const members = useFamilyMembers(token, subject, onSubject);

  const load = useSubjectLoad(fetchAccessLog, {
    token,
    subject,
    attempt,
    onSubject,
    onSessionLost,
    onApplicationRequired,
  });
  useEffect(() => heading.current?.focus(), []);
  const member = subject === null ? undefined : members.find((m) => m.memberId === subject);

  return (
    <section class="page access-log-page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {member === undefined
          ? t('accessLog.heading')
          : t('accessLog.memberHeading', { name: member.maskedName })}
      </h1>
      <SubjectSwitcher id="access-log-switcher" members={members} subject={subject} onSubject={onSubject} />
      <p>{t('accessLog.intro')}</p>
      <LoadStatus load={load} onRetry={() => setAttempt((n) => n + 1)} />
      {load.kind === 'ready' &&
        (load.value.entries.length === 0 ? (
          <p id="access-log-empty">{t('accessLog.none')}</p>
        ) : (
          <ul id="access-log" class="status-list">
            {load.value.entries.map((e, i) => (
              <li key={`${e.at}:${i}`} class="status-list__item" data-kind={e.kind}>
                <h3>{t(`accessLog.kinds.${e.kind}`)}</h3>
                <dl class="input-list__facts">
                  <div>
                    <dt>{t('accessLog.when')}</dt>
                    <dd>
                      <time>{shownTime(e.at)}</time>
                    </dd>
                  </div>
                  {e.venue !== undefined && (
                    <div>
                      <dt>{t('accessLog.venue')}</dt>
                      <dd class="access-log__venue">{e.venue.name}</dd>
                    </div>
                  )}
                  {e.outcome !== undefined && (
                    <div>
                      <dt>{t('accessLog.outcome')}</dt>
                      <dd>{t(`accessLog.outcomes.${e.outcome}`)}</dd>
                    </div>
                  )}
                  <div>
                    <dt>{t('accessLog.who')}</dt>
                    <dd class="access-log__actor">{actorText(e.actor)}</dd>
                  </div>
                  {e.reason !== undefined && (
                    <div>
                      <dt>{t('accessLog.reason')}</dt>
                      <dd class="access-log__reason">{e.reason}</dd>
                    </div>
                  )}
                  {e.kind !== 'checkpoint_check' && (
                    <div>
                      <dt>{t('accessLog.action')}</dt>
                      <dd>{actionText(e.action)}</dd>
                    </div>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        ))}
      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onBack}>
          {t('family.back')}
        </button>
      </div>
    </section>
  );
}
