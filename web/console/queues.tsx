import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { ErrorNotice, failureText, shortTime, StatusNotice, useLoad, type ViewProps } from './common.tsx';
import {
  answerAppeal,
  answerFeedback,
  fetchAppeals,
  fetchComplaints,
  fetchFeedback,
  type AppealView,
  type FeedbackItem,
} from './console-api.ts';
import { fetchAttachment, saveFile } from '../api.ts';

/** The files attached to feedback or an appeal, each opened (downloaded) on request; every read is audited. */
function AttachmentButtons(props: {
  token: string;
  files: readonly { attachmentId: string; mediaType: string; size: number }[];
  onFailure: ViewProps['onFailure'];
}) {
  if (props.files.length === 0) return null;
  const open = async (attachmentId: string) => {
    const result = await fetchAttachment(props.token, attachmentId);
    if (result.ok) saveFile(result.value);
    else props.onFailure(result.failure);
  };
  return (
    <span class="attachments">
      {props.files.map((f, i) => (
        <button
          key={f.attachmentId}
          type="button"
          class="link-button"
          onClick={() => void open(f.attachmentId)}
        >
          {t('console.openAttachment', {
            n: i + 1,
            type: f.mediaType.split('/')[1]?.toUpperCase() ?? f.mediaType,
            size: Math.max(1, Math.round(f.size / 1024)),
          })}
        </button>
      ))}
    </span>
  );
}

/** Appeals of colours (P4): deadline first; escalated ones marked; an officer answers. */
export function AppealsQueue(props: ViewProps) {
  const appeals = useLoad(() => fetchAppeals(props.token), props.onFailure);
  const [done, setDone] = useState<string | null>(null);
  const list = appeals.data?.appeals ?? [];
  const now = Date.now();
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.appeals.heading')}
      </h1>
      <p class="hint">{t('console.appeals.intro')}</p>
      <ErrorNotice message={appeals.error} />
      <StatusNotice message={done} />
      {list.length === 0 && <p>{t('console.appeals.empty')}</p>}
      <ul class="queue" id="appeals-queue">
        {list.map((a) => {
          const overdue = a.state !== 'answered' && Date.parse(a.deadline) <= now;
          return (
            <li
              key={a.appealId}
              class={`queue__item${a.state === 'escalated' ? ' queue__item--escalated' : ''}`}
              data-appeal-id={a.appealId}
              data-state={a.state}
            >
              <h2 class="queue__title">
                {a.maskedName} · {a.divisionCode}{' '}
                <span class={`badge badge--${a.state}`}>{t(`console.appeals.state.${a.state}`)}</span>
              </h2>
              <dl class="facts">
                <dt>{t('console.appeals.deadline')}</dt>
                <dd class={overdue ? 'overdue' : undefined}>
                  {shortTime(a.deadline)}
                  {overdue && ` · ${t('console.appeals.overdue')}`}
                  {a.escalatedAt !== null &&
                    ` · ${t('console.appeals.escalatedAt', { time: shortTime(a.escalatedAt) })}`}
                </dd>
                <dt>{t('console.appeals.fact')}</dt>
                <dd>
                  {a.fact.kind} · {shortTime(a.fact.from)} – {shortTime(a.fact.to)} ·{' '}
                  {t(`console.source.${a.fact.source.type}`)}
                  {a.fact.source.office !== null && ` ${a.fact.source.office}`}
                  {a.fact.source.importId !== null && ` (${a.fact.source.importId})`}
                </dd>
                <dt>{t('console.appeals.explanation')}</dt>
                <dd class="queue__text">{a.explanation}</dd>
                <dt>{t('console.appeals.filed')}</dt>
                <dd>
                  {shortTime(a.createdAt)}
                  <AttachmentButtons token={props.token} files={a.attachments} onFailure={props.onFailure} />
                </dd>
                {a.answer !== null && (
                  <>
                    <dt>{t('console.appeals.answer')}</dt>
                    <dd class="queue__text">
                      {a.outcome !== null && `${t(`console.appeals.outcome.${a.outcome}`)}: `}
                      {a.answer} ({shortTime(a.answeredAt)})
                    </dd>
                  </>
                )}
              </dl>
              {a.state !== 'answered' && (
                <AppealAnswerForm
                  appeal={a}
                  {...props}
                  onAnswered={() => {
                    setDone(t('console.appeals.answered'));
                    void appeals.reload();
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function AppealAnswerForm(
  props: ViewProps & { readonly appeal: AppealView; readonly onAnswered: () => void },
) {
  const key = props.appeal.appealId;
  const [answer, setAnswer] = useState('');
  const [outcome, setOutcome] = useState<'upheld' | 'rejected'>('rejected');
  const [factAction, setFactAction] = useState<'' | 'end' | 'withdraw'>('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (answer.trim() === '') {
      setError(t('console.required'));
      return;
    }
    setBusy(true);
    const result = await answerAppeal(props.token, key, {
      answer: answer.trim(),
      outcome,
      ...(outcome === 'upheld' && factAction !== '' ? { factAction } : {}),
    });
    setBusy(false);
    if (!result.ok) {
      setError(failureText(result.failure));
      props.onFailure(result.failure);
      return;
    }
    props.onAnswered();
  };
  return (
    <form class="answer-form" onSubmit={(e) => void submit(e)} noValidate>
      <ErrorNotice message={error} />
      <div class="field">
        <label for={`answer-${key}`}>{t('console.appeals.answerLabel')}</label>
        <textarea
          id={`answer-${key}`}
          rows={3}
          maxLength={2000}
          required
          value={answer}
          onInput={(e) => setAnswer(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for={`outcome-${key}`}>{t('console.appeals.outcomeLabel')}</label>
        <select
          id={`outcome-${key}`}
          value={outcome}
          onChange={(e) => setOutcome(e.currentTarget.value === 'upheld' ? 'upheld' : 'rejected')}
        >
          <option value="rejected">{t('console.appeals.outcome.rejected')}</option>
          <option value="upheld">{t('console.appeals.outcome.upheld')}</option>
        </select>
      </div>
      {outcome === 'upheld' && (
        <div class="field">
          <label for={`action-${key}`}>{t('console.appeals.factAction')}</label>
          <select
            id={`action-${key}`}
            value={factAction}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setFactAction(v === 'end' || v === 'withdraw' ? v : '');
            }}
          >
            <option value="">{t('console.appeals.factActionNone')}</option>
            <option value="end">{t('console.appeals.factActionEnd')}</option>
            <option value="withdraw">{t('console.appeals.factActionWithdraw')}</option>
          </select>
        </div>
      )}
      <button type="submit" class="button button--primary" disabled={busy}>
        {t('console.appeals.send')}
      </button>
    </form>
  );
}

/** Feedback (S14): registration problems and other requests; an officer answers or closes. */
export function FeedbackQueue(props: ViewProps) {
  const feedback = useLoad(() => fetchFeedback(props.token), props.onFailure);
  const list = feedback.data?.feedback ?? [];
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.feedback.heading')}
      </h1>
      <ErrorNotice message={feedback.error} />
      {list.length === 0 && <p>{t('console.feedback.empty')}</p>}
      <ul class="queue">
        {list.map((f) => (
          <li key={f.feedbackId} class="queue__item" data-feedback-id={f.feedbackId}>
            <h2 class="queue__title">
              {f.maskedName} · {f.divisionCode} · {t(`console.feedback.kind.${f.kind}`)}{' '}
              <span class={`badge badge--${f.state}`}>{t(`console.feedback.state.${f.state}`)}</span>
            </h2>
            <p class="queue__text">{f.text}</p>
            <p class="muted">
              {shortTime(f.createdAt)}
              <AttachmentButtons token={props.token} files={f.attachments} onFailure={props.onFailure} />
            </p>
            {f.answer !== null && (
              <p class="queue__text">
                {t('console.appeals.answer')}: {f.answer} ({shortTime(f.answeredAt)})
              </p>
            )}
            {f.state !== 'closed' && (
              <FeedbackAnswerForm item={f} {...props} onAnswered={() => void feedback.reload()} />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function FeedbackAnswerForm(
  props: ViewProps & { readonly item: FeedbackItem; readonly onAnswered: () => void },
) {
  const key = props.item.feedbackId;
  const [answer, setAnswer] = useState('');
  const [close, setClose] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (answer.trim() === '') {
      setError(t('console.required'));
      return;
    }
    const result = await answerFeedback(props.token, key, { answer: answer.trim(), close });
    if (!result.ok) {
      setError(failureText(result.failure));
      props.onFailure(result.failure);
      return;
    }
    setAnswer('');
    setError(null);
    props.onAnswered();
  };
  return (
    <form class="answer-form" onSubmit={(e) => void submit(e)} noValidate>
      <ErrorNotice message={error} />
      <div class="field">
        <label for={`fb-answer-${key}`}>{t('console.appeals.answerLabel')}</label>
        <textarea
          id={`fb-answer-${key}`}
          rows={3}
          maxLength={2000}
          value={answer}
          onInput={(e) => setAnswer(e.currentTarget.value)}
        />
      </div>
      <div class="field field--checkbox">
        <input
          id={`fb-close-${key}`}
          type="checkbox"
          checked={close}
          onChange={(e) => setClose(e.currentTarget.checked)}
        />
        <label for={`fb-close-${key}`}>{t('console.feedback.close')}</label>
      </div>
      <button type="submit" class="button button--primary">
        {t('console.appeals.send')}
      </button>
    </form>
  );
}

/** Venue complaints (S16) of the jurisdiction; venues over the policy's threshold flagged. */
export function ComplaintsQueue(props: ViewProps) {
  const complaints = useLoad(() => fetchComplaints(props.token), props.onFailure);
  const page = complaints.data;
  return (
    <section class="console-view" aria-labelledby="view-heading">
      <h1 id="view-heading" tabIndex={-1}>
        {t('console.complaints.heading')}
      </h1>
      <ErrorNotice message={complaints.error} />
      {page !== null && <p class="hint">{t('console.complaints.threshold', { n: page.flagThreshold })}</p>}
      {page !== null && page.complaints.length === 0 && <p>{t('console.complaints.empty')}</p>}
      <ul class="queue">
        {page?.complaints.map((c) => (
          <li key={c.complaintId} class={`queue__item${c.venue.flagged ? ' queue__item--escalated' : ''}`}>
            <h2 class="queue__title">
              {c.venue.name} · {c.venue.divisionCode}{' '}
              {c.venue.flagged && <span class="badge badge--escalated">{t('console.venues.flagged')}</span>}
            </h2>
            <p>
              <strong>{t(`console.complaints.kind.${c.kind}`)}</strong> · {shortTime(c.filedAt)} ·{' '}
              {t('console.venues.complaints30', { n: c.venue.complaints30Days })}
            </p>
            <p class="queue__text">{c.text}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
