import { useEffect, useRef, useState } from 'preact/hooks';
import {
  fetchMyNotices,
  isSessionLost,
  type ApiFailure,
  type FamilyMemberView,
  type NoticeListResponse,
} from '../api.ts';
import { useFamilyMembers } from '../components/subject-switcher.tsx';
import { describeFailure } from '../failures.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { t } from '../i18n/index.ts';
import { shownTime } from '../time.ts';

type Notice = NoticeListResponse['notices'][number];

type Load =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly inbox: NoticeListResponse }
  | { readonly kind: 'failed'; readonly message: string };

function noticeText(n: Notice): string {
  if (n.kind === 'colour_changed') {
    return n.colour === null
      ? t('notices.colourChangedPlain')
      : t('notices.colourChanged', { colour: t(`code.colourInSentence.${n.colour}`) });
  }
  return t(`notices.kinds.${n.kind}`);
}

const whose = (n: Notice, members: readonly FamilyMemberView[]): string | null => {
  if (n.memberId === null) return null;
  const m = members.find((x) => x.memberId === n.memberId);
  return m === undefined ? t('notices.member') : m.maskedName;
};

/**
 * The in-app inbox (issue 10 item 8): colour changes, answers to appeals and feedback,
 * escalations — mine and my family members' — newest first. Opening it marks them read.
 */
export function NoticesPage(props: {
  token: string;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onRead: () => void;
  onFeedback: () => void;
  onBack: () => void;
}) {
  const { token, onSessionLost, onApplicationRequired, onRead } = props;
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const noSubject = useRef(() => undefined).current;
  const members = useFamilyMembers(token, null, noSubject);

  useEffect(() => {
    let live = true;
    void fetchMyNotices(token).then((result) => {
      if (!live) return;
      if (result.ok) {
        setLoad({ kind: 'ready', inbox: result.value });
        return onRead();
      }
      if (isSessionLost(result.failure)) return onSessionLost(result.failure);
      if (result.failure.kind === 'api' && result.failure.error.code === 'application_required')
        return onApplicationRequired();
      setLoad({ kind: 'failed', message: describeFailure(result.failure).message ?? t('errors.unknown') });
    });
    return () => {
      live = false;
    };
  }, [token, attempt, onSessionLost, onApplicationRequired, onRead]);
  useEffect(() => heading.current?.focus(), []);

  return (
    <section class="page notices-page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('notices.heading')}
      </h1>
      <LoadStatus load={load} onRetry={() => setAttempt((n) => n + 1)} />
      {load.kind === 'ready' &&
        (load.inbox.notices.length === 0 ? (
          <p id="notices-empty">{t('notices.none')}</p>
        ) : (
          <>
            <p class="hint">{t('notices.newCount', { count: load.inbox.unread })}</p>
            <ul id="notices" class="status-list">
              {load.inbox.notices.map((n) => {
                const name = whose(n, members);
                return (
                  <li
                    key={n.noticeId}
                    class={`status-list__item${n.read ? '' : ' status-list__item--new'}`}
                    data-kind={n.kind}
                  >
                    <p>
                      {!n.read && <span class="tag tag--new">{t('notices.new')}</span>} {noticeText(n)}
                    </p>
                    <p class="hint">
                      <time>{shownTime(n.at)}</time>
                      {name !== null && ` · ${t('notices.about', { name })}`}
                    </p>
                    {(n.appealId !== null || n.feedbackId !== null) && (
                      <button class="button button--link" type="button" onClick={props.onFeedback}>
                        {t('notices.open')}
                      </button>
                    )}
                  </li>
                );
              })}
            </ul>
          </>
        ))}
      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onBack}>
          {t('family.back')}
        </button>
      </div>
    </section>
  );
}
