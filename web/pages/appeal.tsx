import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import {
  fetchColourInputs,
  fileAppeal,
  isSessionLost,
  type ApiFailure,
  type AppealView,
  type ColourInput,
} from '../api.ts';
import { placeIssues } from '../application-form.ts';
import { AttachmentsField, checkPicked, uploadsOf, type Picked } from '../components/attachments-field.tsx';
import { TextAreaField } from '../components/field.tsx';
import { SubjectSwitcher, useFamilyMembers, useSubjectLoad } from '../components/subject-switcher.tsx';
import { describeFailure } from '../failures.ts';
import { ATTACHMENTS_PATH, FEEDBACK_ERROR_FIELD, isBlank } from '../feedback-form.ts';
import { FormErrors, LoadStatus } from '../components/load-status.tsx';
import { currentLocale, i18n, t } from '../i18n/index.ts';
import { shownTime } from '../time.ts';

/** A fact kind in words; an unknown kind as the server names it. */
export function factKindText(kind: string): string {
  return i18n.exists(`appeal.kinds.${kind}`) ? t(`appeal.kinds.${kind}`) : kind;
}

/** Where an input came from: the import (and its record), the office, the application, a declaration. */
function sourceText(source: ColourInput['source']): string {
  const office = source.office ?? '—';
  switch (source.type) {
    case 'import':
      return t('appeal.source.import', {
        kind: factKindText(source.importKind ?? ''),
        record: source.sourceId ?? '—',
        importId: source.importId ?? '—',
        office,
      });
    case 'officer':
      return t('appeal.source.officer', {
        role: source.role === null ? '—' : t(`appeal.roles.${source.role}`),
        office,
      });
    case 'declaration':
      return t('appeal.source.declaration');
    case 'application':
      return t('appeal.source.application');
    case 'hospital':
      return t('appeal.source.hospital');
  }
}

function InputItem(props: {
  input: ColourInput;
  disputing: boolean;
  onDispute: () => void;
  children?: ComponentChildren;
}) {
  const { input } = props;
  return (
    <li class="input-list__item" data-fact-id={input.factId}>
      <h3 class="input-list__kind">
        {factKindText(input.kind)}
        {input.inReasons && <span class="tag tag--warning">{t('appeal.inReasons')}</span>}
      </h3>
      <dl class="input-list__facts">
        <div>
          <dt>{t('appeal.period')}</dt>
          <dd>
            {input.to === null
              ? t('appeal.since', { from: shownTime(input.from) })
              : t('appeal.fromTo', { from: shownTime(input.from), to: shownTime(input.to) })}
          </dd>
        </div>
        <div>
          <dt>{t('appeal.sourceLabel')}</dt>
          <dd class="input-list__source">{sourceText(input.source)}</dd>
        </div>
        {input.recordedAt !== null && (
          <div>
            <dt>{t('appeal.recordedAt')}</dt>
            <dd>{shownTime(input.recordedAt)}</dd>
          </div>
        )}
        {input.correction !== null && (
          <div>
            <dt>{t('appeal.correction')}</dt>
            <dd>
              {t(`appeal.corrections.${input.correction.action}`, {
                at: shownTime(input.correction.at),
                reason: input.correction.reason,
              })}
            </dd>
          </div>
        )}
      </dl>
      {!props.disputing && (
        <button
          type="button"
          class="button button--secondary"
          data-dispute={input.factId}
          onClick={props.onDispute}
        >
          {t('appeal.dispute')}
        </button>
      )}
      {props.children}
    </li>
  );
}

/** The dispute of one input: why it is wrong, optional files; sent with fileAppeal. */
function DisputeForm(props: {
  token: string;
  factId: string;
  memberId: string | null;
  onSessionLost: (failure: ApiFailure) => void;
  onFiled: (appeal: AppealView) => void;
  onCancel: () => void;
}) {
  const [explanation, setExplanation] = useState('');
  const [files, setFiles] = useState<readonly Picked[]>([]);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLHeadingElement>(null);
  useEffect(() => first.current?.focus(), []);

  const onFiles = (next: readonly Picked[]) => {
    setFiles(next);
    setIssues((old) => [...old.filter((i) => i.path !== ATTACHMENTS_PATH), ...checkPicked(next)]);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const local = [
      ...(isBlank(explanation)
        ? [{ path: 'explanation', code: 'field_required', message: 'Say why it is wrong.' }]
        : []),
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
    const result = await fileAppeal(props.token, {
      factId: props.factId,
      explanation: explanation.trim(),
      ...(props.memberId === null ? {} : { memberId: props.memberId }),
      ...(attachments.length > 0 ? { attachments } : {}),
    });
    setBusy(false);
    if (result.ok) return props.onFiled(result.value);
    if (isSessionLost(result.failure)) return props.onSessionLost(result.failure);
    const described = describeFailure(result.failure, FEEDBACK_ERROR_FIELD);
    setIssues(described.issues);
    setMessage(described.message);
  };

  const { byPath, unplaced } = placeIssues(issues, new Set(['explanation', ATTACHMENTS_PATH]));
  return (
    <form id="appeal-form" class="dispute-form" onSubmit={(e) => void submit(e)} noValidate>
      <h3 tabIndex={-1} ref={first}>
        {t('appeal.formHeading')}
      </h3>
      <TextAreaField
        path="explanation"
        label={t('appeal.explanation')}
        hint={t('appeal.explanationHint')}
        value={explanation}
        onValue={setExplanation}
        issues={byPath.get('explanation')}
        maxLength={2000}
        required
      />
      <AttachmentsField files={files} onFiles={onFiles} issues={byPath.get(ATTACHMENTS_PATH)} />
      <FormErrors id="appeal-errors" message={message} unplaced={unplaced} />
      <div class="button-row">
        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? t('apply.submitting') : t('appeal.submit')}
        </button>
        <button class="button button--link" type="button" onClick={props.onCancel}>
          {t('family.cancel')}
        </button>
      </div>
    </form>
  );
}

/**
 * "Why is my code this colour" (P2, P4): every input behind the colour of oneself or a family
 * member, each with its source and dates, any override and its reason; one input disputed with
 * an explanation and files (fileAppeal).
 */
export function AppealPage(props: {
  token: string;
  subject: string | null;
  onSubject: (memberId: string | null) => void;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onFeedback: () => void;
  onBack: () => void;
}) {
  const { token, subject, onSubject, onSessionLost, onApplicationRequired } = props;
  const [attempt, setAttempt] = useState(0);
  const [disputing, setDisputing] = useState<string | null>(null);
  const [filed, setFiled] = useState<AppealView | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const members = useFamilyMembers(token, subject, onSubject);
  const locale = currentLocale();

  const load = useSubjectLoad(fetchColourInputs, {
    token,
    subject,
    attempt,
    onSubject,
    onSessionLost,
    onApplicationRequired,
  });
  // A new person on screen: no input of the previous one is being disputed.
  useEffect(() => setDisputing(null), [subject, attempt]);

  useEffect(() => heading.current?.focus(), []);
  const member = subject === null ? undefined : members.find((m) => m.memberId === subject);

  return (
    <section class="page appeal-page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {member === undefined ? t('appeal.heading') : t('appeal.memberHeading', { name: member.maskedName })}
      </h1>
      <SubjectSwitcher id="appeal-switcher" members={members} subject={subject} onSubject={onSubject} />
      <p>{t('appeal.intro')}</p>
      {filed !== null && (
        <div id="appeal-filed" class="notice" role="status">
          <p>{t('appeal.filed', { deadline: shownTime(filed.deadline) })}</p>
          <button class="button button--link" type="button" onClick={props.onFeedback}>
            {t('appeal.follow')}
          </button>
        </div>
      )}
      <LoadStatus load={load} onRetry={() => setAttempt((n) => n + 1)} />
      {load.kind === 'ready' && (
        <>
          <div
            id="appeal-colour"
            class={`colour-band colour-band--${load.value.colour}`}
            data-colour={load.value.colour}
          >
            <span class="colour-band__word">{t(`code.colour.${load.value.colour}`)}</span>
            <span class="colour-band__meaning">
              {load.value.until === null
                ? t(`code.meaning.${load.value.colour}`)
                : t('appeal.until', { time: shownTime(load.value.until) })}
            </span>
          </div>
          {load.value.reasons
            .filter((r) => r.ruleId === 'override')
            .map((r) => (
              <div key={r.factId} id="appeal-override" class="notice notice--warning">
                <h2>{t('appeal.overrideHeading', { colour: t(`code.colourInSentence.${r.colour}`) })}</h2>
                {/* The server's sentence: who approved it, the officer's reason, when it ends. */}
                <p class="appeal-override__reason">{r.text[locale]}</p>
              </div>
            ))}
          {load.value.reasons.length > 0 && (
            <>
              <h2>{t('code.reasons')}</h2>
              <ul id="appeal-reasons">
                {load.value.reasons.map((r) => (
                  <li key={`${r.ruleId}:${r.factId}`}>{r.text[locale]}</li>
                ))}
              </ul>
            </>
          )}
          <h2>{t('appeal.inputsHeading')}</h2>
          {load.value.inputs.length === 0 ? (
            <p id="colour-inputs-empty">{t('appeal.noInputs')}</p>
          ) : (
            <ul id="colour-inputs" class="input-list">
              {load.value.inputs.map((input) => (
                <InputItem
                  key={input.factId}
                  input={input}
                  disputing={disputing === input.factId}
                  onDispute={() => {
                    setFiled(null);
                    setDisputing(input.factId);
                  }}
                >
                  {disputing === input.factId && (
                    <DisputeForm
                      token={token}
                      factId={input.factId}
                      memberId={subject}
                      onSessionLost={onSessionLost}
                      onCancel={() => setDisputing(null)}
                      onFiled={(appeal) => {
                        setDisputing(null);
                        setFiled(appeal);
                        heading.current?.focus();
                      }}
                    />
                  )}
                </InputItem>
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
