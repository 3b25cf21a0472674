import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import {
  RELATIONSHIPS,
  addFamilyMember,
  fetchFamily,
  isSessionLost,
  removeFamilyBinding,
  type ApiFailure,
  type FamilyListResponse,
  type Relationship,
} from '../api.ts';
import {
  MEMBER_ERROR_FIELD,
  checkFormLocally,
  emptyForm,
  familyMemberRequest,
  fieldId,
  memberFieldPaths,
  memberIssues,
  placeIssues,
  type ApplicationForm,
} from '../application-form.ts';
import { ApplicationFields } from '../components/application-fields.tsx';
import { CheckboxField, SelectField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { LoadStatus } from '../components/load-status.tsx';
import { t, translateIssue } from '../i18n/index.ts';
import { formatChinaClock, parseApiTime } from '../time.ts';

type Load =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly family: FamilyListResponse }
  | { readonly kind: 'failed'; readonly message: string };

const dateOf = (text: string): string => {
  const ms = parseApiTime(text);
  return ms === null ? text : formatChinaClock(ms, false).slice(0, 10);
};

/**
 * S3: the family members whose codes I hold and the people who hold mine; adding a member (their
 * seven items and my pledge) and ending a binding from either side.
 */
export function FamilyPage(props: {
  token: string;
  onSessionLost: (failure: ApiFailure) => void;
  onApplicationRequired: () => void;
  onShowCode: (memberId: string) => void;
  onBack: () => void;
}) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [listMessage, setListMessage] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const { token, onSessionLost, onApplicationRequired } = props;

  useEffect(() => {
    let live = true;
    void fetchFamily(token).then((result) => {
      if (!live) return;
      if (result.ok) return setLoad({ kind: 'ready', family: result.value });
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

  const remove = async (memberId: string, done: string) => {
    setConfirming(null);
    setListMessage(null);
    const result = await removeFamilyBinding(token, memberId);
    if (!result.ok) {
      if (isSessionLost(result.failure)) return onSessionLost(result.failure);
      return setListMessage(describeFailure(result.failure).message ?? t('errors.unknown'));
    }
    setNotice(done);
    setAttempt((n) => n + 1);
  };

  const confirmButton = (memberId: string, label: string, confirmLabel: string, done: string) =>
    confirming === memberId ? (
      <button
        class="button button--remove-confirm"
        type="button"
        data-confirm={memberId}
        onClick={() => void remove(memberId, done)}
      >
        {confirmLabel}
      </button>
    ) : (
      <button
        class="button button--link button--remove"
        type="button"
        data-remove={memberId}
        onClick={() => setConfirming(memberId)}
      >
        {label}
      </button>
    );

  return (
    <section class="page family-page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('family.heading')}
      </h1>
      <p>{t('family.intro')}</p>
      {notice !== null && (
        <p id="family-notice" class="notice" role="status">
          {notice}
        </p>
      )}
      <LoadStatus load={load} onRetry={() => setAttempt((n) => n + 1)} />
      {load.kind === 'ready' && (
        <>
          {listMessage !== null && (
            <p class="notice notice--error" role="alert">
              {listMessage}
            </p>
          )}
          <h2>{t('family.membersHeading')}</h2>
          <p class="hint">
            {t('family.limits', {
              count: load.family.members.length,
              max: load.family.limits.membersPerProxy,
              proxies: load.family.limits.proxiesPerMember,
            })}
          </p>
          {load.family.members.length === 0 ? (
            <p id="family-members-empty">{t('family.noMembers')}</p>
          ) : (
            <ul id="family-members" class="family-list">
              {load.family.members.map((m) => (
                <li key={m.memberId} class="family-list__item" data-member-id={m.memberId}>
                  <span class={`dot dot--${m.colour}`} aria-hidden="true" />
                  <span class="family-list__name">{m.maskedName}</span>{' '}
                  <span class="family-list__meta">
                    {t(`family.relationships.${m.relationship}`)} · {t(`code.colour.${m.colour}`)} ·{' '}
                    {t('family.addedAt', { date: dateOf(m.addedAt) })}
                    {m.ownAccount && ` · ${t('family.ownAccount')}`}
                  </span>
                  <div class="button-row">
                    <button
                      class="button button--secondary"
                      type="button"
                      data-show-code={m.memberId}
                      onClick={() => props.onShowCode(m.memberId)}
                    >
                      {t('family.showCode')}
                    </button>
                    {confirmButton(
                      m.memberId,
                      t('family.remove'),
                      t('family.removeConfirm', { name: m.maskedName }),
                      t('family.removed', { name: m.maskedName }),
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )}

          <h2>{t('family.proxiesHeading')}</h2>
          {load.family.proxies.length === 0 ? (
            <p id="family-proxies-empty">{t('family.noProxies')}</p>
          ) : (
            <ul id="family-proxies" class="family-list">
              {load.family.proxies.map((p) => (
                <li key={p.memberId} class="family-list__item" data-member-id={p.memberId}>
                  <span class="family-list__name">{p.proxyMaskedName}</span>{' '}
                  <span class="family-list__meta">
                    {t('family.proxyMeta', {
                      relationship: t(`family.relationships.${p.relationship}`),
                      date: dateOf(p.since),
                    })}
                  </span>
                  <div class="button-row">
                    {confirmButton(
                      p.memberId,
                      t('family.removeProxy'),
                      t('family.removeProxyConfirm', { name: p.proxyMaskedName }),
                      t('family.proxyRemoved', { name: p.proxyMaskedName }),
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )}

          {adding ? (
            <AddMemberForm
              token={token}
              onSessionLost={onSessionLost}
              onCancel={() => setAdding(false)}
              onAdded={(name) => {
                setAdding(false);
                setNotice(t('family.added', { name }));
                setAttempt((n) => n + 1);
              }}
            />
          ) : (
            <button
              id="family-add"
              class="button button--primary"
              type="button"
              onClick={() => {
                setNotice(null);
                setAdding(true);
              }}
            >
              + {t('family.add')}
            </button>
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

/** The member's seven items (the application form's pieces under `member.`), the relationship, my pledge. */
function AddMemberForm(props: {
  token: string;
  onSessionLost: (failure: ApiFailure) => void;
  onAdded: (maskedName: string) => void;
  onCancel: () => void;
}) {
  const [relationship, setRelationship] = useState<Relationship>('parent');
  const [form, setForm] = useState<ApplicationForm>(() => ({ ...emptyForm(), documentNumber: '' }));
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLHeadingElement>(null);
  useEffect(() => legend.current?.focus(), []);

  const showIssues = (found: readonly FieldIssue[], text: string | null) => {
    setIssues(found);
    setMessage(text);
    window.setTimeout(() => {
      const first = found.map((i) => document.getElementById(fieldId(i.path))).find((el) => el !== null);
      if (first) first.focus();
      else summary.current?.focus();
    }, 0);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const local = memberIssues(checkFormLocally(form));
    if (local.length > 0) return showIssues(local, null);
    setBusy(true);
    const result = await addFamilyMember(props.token, familyMemberRequest(form, relationship));
    setBusy(false);
    if (result.ok) return props.onAdded(result.value.maskedName);
    if (isSessionLost(result.failure)) return props.onSessionLost(result.failure);
    const described = describeFailure(result.failure, MEMBER_ERROR_FIELD);
    showIssues(described.issues, described.message);
  };

  const { byPath, unplaced } = placeIssues(issues, new Set([...memberFieldPaths(form), 'relationship']));
  const at = (path: string) => byPath.get(path);

  return (
    <form id="family-add-form" class="family-add" onSubmit={(e) => void submit(e)} noValidate>
      <h2 tabIndex={-1} ref={legend}>
        {t('family.addHeading')}
      </h2>
      <p class="hint">{t('family.addIntro')}</p>
      <SelectField
        path="relationship"
        label={t('family.relationship')}
        value={relationship}
        options={RELATIONSHIPS.map((value) => ({ value, label: t(`family.relationships.${value}`) }))}
        onValue={(value) => {
          const found = RELATIONSHIPS.find((r) => r === value);
          if (found !== undefined) setRelationship(found);
        }}
        issues={at('relationship')}
      />
      <ApplicationFields
        form={form}
        setForm={setForm}
        at={at}
        prefix="member."
        personLegend={t('family.sectionMember')}
        nameHint={t('family.nameHint')}
        mobileHint={t('family.mobileHint')}
        onRowRemoved={() => setIssues([])}
      />
      <fieldset>
        <legend>{t('apply.sectionPledge')}</legend>
        <CheckboxField
          path="pledge"
          label={t('family.pledge')}
          checked={form.pledge}
          onChecked={(pledge) => setForm((f) => ({ ...f, pledge }))}
          issues={at('pledge')}
        />
      </fieldset>

      <div ref={summary} tabIndex={-1} aria-live="assertive">
        {(issues.length > 0 || message !== null) && (
          <div id="family-add-errors" class="notice notice--error" role="alert">
            {message !== null && <p>{message}</p>}
            {issues.length > 0 && <p>{t('apply.fixErrors', { count: issues.length })}</p>}
            {unplaced.length > 0 && (
              <ul>
                {unplaced.map((issue) => (
                  <li key={`${issue.path}:${issue.code}`}>
                    <code>{issue.path}</code> {translateIssue(issue)}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      <div class="button-row">
        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? t('apply.submitting') : t('family.submit')}
        </button>
        <button class="button button--link" type="button" onClick={props.onCancel}>
          {t('family.cancel')}
        </button>
      </div>
    </form>
  );
}
