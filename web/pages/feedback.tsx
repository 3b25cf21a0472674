import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import { FEEDBACK_KINDS, type FeedbackKind } from '../../src/contracts/feedback.ts';
import {
  fetchMyFeedback,
  isSessionLost,
  submitFeedback,
  type ApiFailure,
  type AppealView,
  type FeedbackView,
  type MyFeedbackListResponse,
} from '../api.ts';
import { placeIssues } from '../application-form.ts';
import { AttachmentsField, checkPicked, uploadsOf, type Picked } from '../components/attachments-field.tsx';
import { SelectField, TextAreaField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { ATTACHMENTS_PATH, FEEDBACK_ERROR_FIELD, isBlank } from '../feedback-form.ts';
import { FormErrors, LoadStatus } from '../components/load-status.tsx';
import { t } from '../i18n/index.ts';
import { shownTime } from '../time.ts';
import { factKindText } from './appeal.tsx';

type Load =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly mine: MyFeedbackListResponse }
  | { readonly kind: 'failed'; readonly message: string };

/** S14: a registration problem or anything else, with optional files (submitFeedback). */
function FeedbackForm(props: {
  token: string;
  onSessionLost: (failure: ApiFailure) => void;
  onFiled: (feedback: FeedbackView) => void;
}) {
  const [kind, setKind] = useState<FeedbackKind>('registration');
  const [text, setText] = useState('');
  const [files, setFiles] = useState<readonly Picked[]>([]);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onFiles = (next: readonly Picked[]) => {
    setFiles(next);
    setIssues((old) => [...old.filter((i) => i.path !== ATTACHMENTS_PATH), ...checkPicked(next)]);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const local = [
      ...(isBlank(text) ? [{ path: 'text', code: 'field_required', message: 'Say what is wrong.' }] : []),
      ...checkPicked(files),
    ];
    setMessage(null);
    setIssues(local);
    if (local.length > 0) return;
    setBusy(true);
    const attachments = await uploadsOf(files);
    if (attachments === null) {
      setBusy(false);
      return setIssues(checkPicked(files));
    }
    const result = await submitFeedback(props.token, {
      kind,
      text: text.trim(),
      ...(attachments.length > 0 ? { attachments } : {}),
    });
    setBusy(false);
    if (result.ok) {
      setText('');
      setFiles([]);
      return props.onFiled(result.value);
    }
    if (isSessionLost(result.failure)) return props.onSessionLost(result.failure);
    const described = describeFailure(result.failure, FEEDBACK_ERROR_FIELD);
    setIssues(described.issues);
    setMessage(described.message);
  };

  const { byPath, unplaced } = placeIssues(issues, new Set(['kind', 'text', ATTACHMENTS_PATH]));
  return (
    <form id="feedback-form" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{t('feedback.formHeading')}</h2>
      <SelectField
        path="kind"
        label={t('feedback.kind')}
        value={kind}
        options={FEEDBACK_KINDS.map((value) => ({ value, label: t(`feedback.kinds.${value}`) }))}
        onValue={(value) => {
          const found = FEEDBACK_KINDS.find((k) => k === value);
          if (found !== undefined) setKind(found);
        }}
        issues={byPath.get('kind')}
      />
      <TextAreaField
        path="text"
        label={t('feedback.text')}
        hint={t('feedback.textHint')}
        value={text}
        onValue={setText}
        issues={byPath.get('text')}
        maxLength={2000}
        required
      />
      <AttachmentsField files={files} onFiles={onFiles} issues={byPath.get(ATTACHMENTS_PATH)} />
      <FormErrors id="feedback-errors" message={message} unplaced={unplaced} />
      <button class="button button--primary" type="submit" disabled={busy}>
        {busy ? t('apply.submitting') : t('feedback.submit')}
      </button>
    </form>
  );
}

function AppealItem(props: { appeal: AppealView }) {
  const { appeal } = props;
  return (
    <li class="status-list__item" data-appeal-id={appeal.appealId} data-state={appeal.state}>
      <h3>
        {t('feedback.appealAbout', { kind: factKindText(appeal.fact.kind) })}{' '}
        <span class={`tag tag--${appeal.state}`}>{t(`feedback.appealStates.${appeal.state}`)}</span>
      </h3>
      <p class="status-list__text">{appeal.explanation}</p>
      <p class="hint">
        {t('feedback.filedAt', { at: shownTime(appeal.createdAt) })}
        {appeal.attachments.length > 0 && ` · ${t('feedback.files', { count: appeal.attachments.length })}`}
      </p>
      {appeal.state === 'open' && (
        <p class="status-list__deadline">{t('feedback.deadline', { at: shownTime(appeal.deadline) })}</p>
      )}
      {appeal.state === 'escalated' && (
        <p class="status-list__escalated notice notice--warning">
          {t('feedback.escalated', {
            at: shownTime(appeal.escalatedAt ?? appeal.deadline),
          })}
        </p>
      )}
      {appeal.answer !== null && (
        <div class="status-list__answer">
          <p>
            <strong>
              {appeal.outcome === null ? t('feedback.answer') : t(`feedback.outcomes.${appeal.outcome}`)}
            </strong>
            {appeal.answeredAt !== null && ` (${shownTime(appeal.answeredAt)})`}
          </p>
          <p class="answer">{appeal.answer}</p>
        </div>
      )}
    </li>
  );
}

function FeedbackItem(props: { feedback: FeedbackView }) {
  const { feedback } = props;
  return (
    <li class="status-list__item" data-feedback-id={feedback.feedbackId} data-state={feedback.state}>
      <h3>
        {t(`feedback.kinds.${feedback.kind}`)}{' '}
        <span class={`tag tag--${feedback.state}`}>{t(`feedback.states.${feedback.state}`)}</span>
      </h3>
      <p class="status-list__text">{feedback.text}</p>
      <p class="hint">
        {t('feedback.filedAt', { at: shownTime(feedback.createdAt) })}
        {feedback.attachments.length > 0 &&
          ` · ${t('feedback.files', { count: feedback.attachments.length })}`}
      </p>
      {feedback.answer !== null && (
        <div class="status-list__answer">
          <p>
            <strong>{t('feedback.answer')}</strong>
            {feedback.answeredAt !== null && ` (${shownTime(feedback.answeredAt)})`}
          </p>
          <p class="answer">{feedback.answer}</p>
        </div>
      )}
    </li>
  );
}

/**
 * S14, P4: file feedback, and follow one's feedback and appeals — state, the office's answer, the
 * deadline, and "in the provincial queue" once it passed unanswered. Venue complaints start here too.
 */
export function FeedbackPage(props: {
  token: string;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onComplaint: () => void;
  onAppeal: () => void;
  onBack: () => void;
}) {
  const { token, onSessionLost, onApplicationRequired } = props;
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let live = true;
    void fetchMyFeedback(token).then((result) => {
      if (!live) return;
      if (result.ok) return setLoad({ kind: 'ready', mine: result.value });
      if (isSessionLost(result.failure)) return onSessionLost(result.failure);
      if (result.failure.kind === 'api' && result.failure.error.code === 'application_required')
        return onApplicationRequired();
      setLoad({ kind: 'failed', message: describeFailure(result.failure).message ?? t('errors.unknown') });
    });
    return () => {
      live = false;
    };
  }, [token, attempt, onSessionLost, onApplicationRequired]);
  useEffect(() => heading.current?.focus(), []);

  return (
    <section class="page feedback-page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('feedback.heading')}
      </h1>
      <p>{t('feedback.intro')}</p>
      <div class="button-row">
        <button id="go-complaint" class="button button--secondary" type="button" onClick={props.onComplaint}>
          {t('feedback.complain')}
        </button>
        <button class="button button--secondary" type="button" onClick={props.onAppeal}>
          {t('feedback.disputeColour')}
        </button>
      </div>
      {notice !== null && (
        <p id="feedback-notice" class="notice" role="status">
          {notice}
        </p>
      )}
      <FeedbackForm
        token={token}
        onSessionLost={onSessionLost}
        onFiled={() => {
          setNotice(t('feedback.filed'));
          setAttempt((n) => n + 1);
        }}
      />
      <LoadStatus load={load} onRetry={() => setAttempt((n) => n + 1)} />
      {load.kind === 'ready' && (
        <>
          <h2>{t('feedback.appealsHeading')}</h2>
          {load.mine.appeals.length === 0 ? (
            <p id="my-appeals-empty">{t('feedback.noAppeals')}</p>
          ) : (
            <ul id="my-appeals" class="status-list">
              {load.mine.appeals.map((a) => (
                <AppealItem key={a.appealId} appeal={a} />
              ))}
            </ul>
          )}
          <h2>{t('feedback.feedbackHeading')}</h2>
          {load.mine.feedback.length === 0 ? (
            <p id="my-feedback-empty">{t('feedback.noFeedback')}</p>
          ) : (
            <ul id="my-feedback" class="status-list">
              {load.mine.feedback.map((f) => (
                <FeedbackItem key={f.feedbackId} feedback={f} />
              ))}
            </ul>
          )}
        </>
      )}
      <div class="button-column">
        <button class="button button--link" type="button" onClick={props.onBack}>
          {t('family.back')}
        </button>
      </div>
    </section>
  );
}
