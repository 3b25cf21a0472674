import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import { fetchMyApplication, isSessionLost, submitMyApplication, type ApiFailure } from '../api.ts';
import {
  ERROR_FIELD,
  applicationRequest,
  checkFormLocally,
  emptyForm,
  fieldId,
  formFieldPaths,
  formFromView,
  placeIssues,
  type ApplicationForm,
} from '../application-form.ts';
import { ApplicationFields } from '../components/application-fields.tsx';
import { CheckboxField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { t, translateIssue } from '../i18n/index.ts';

type Load =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly existing: boolean }
  | { readonly kind: 'failed'; readonly message: string };

export function ApplyPage(props: {
  token: string;
  signedInMobile: string | null;
  onApplied: () => void;
  onSessionLost: (failure: ApiFailure) => void;
  onBack: () => void;
}) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [form, setForm] = useState<ApplicationForm>(() => emptyForm(props.signedInMobile ?? ''));
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  const { token, onSessionLost } = props;

  useEffect(() => {
    let live = true;
    void (async () => {
      const result = await fetchMyApplication(token);
      if (!live) return;
      if (result.ok) {
        setForm(formFromView(result.value));
        setLoad({ kind: 'ready', existing: true });
      } else if (result.failure.kind === 'api' && result.failure.error.code === 'application_required') {
        setLoad({ kind: 'ready', existing: false });
      } else if (isSessionLost(result.failure)) {
        onSessionLost(result.failure);
      } else {
        setLoad({ kind: 'failed', message: describeFailure(result.failure).message ?? t('errors.unknown') });
      }
      window.setTimeout(() => heading.current?.focus(), 0);
    })();
    return () => {
      live = false;
    };
  }, [attempt, token, onSessionLost]);

  const update = (patch: Partial<ApplicationForm>) => setForm((f) => ({ ...f, ...patch }));

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
    const localIssues = checkFormLocally(form);
    if (localIssues.length > 0) return showIssues(localIssues, null);
    setBusy(true);
    const result = await submitMyApplication(token, applicationRequest(form));
    setBusy(false);
    if (result.ok) return props.onApplied();
    if (isSessionLost(result.failure)) return props.onSessionLost(result.failure);
    const described = describeFailure(result.failure, ERROR_FIELD);
    showIssues(described.issues, described.message);
  };

  if (load.kind === 'loading') return <p class="page loading">{t('app.loading')}</p>;
  if (load.kind === 'failed') {
    return (
      <section class="page">
        <p class="notice notice--error" role="alert">
          {load.message}
        </p>
        <button class="button" type="button" onClick={() => setAttempt((n) => n + 1)}>
          {t('app.retry')}
        </button>
      </section>
    );
  }

  const { byPath, unplaced } = placeIssues(issues, formFieldPaths(form));
  const at = (path: string) => byPath.get(path);

  return (
    <section class="page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {load.existing ? t('apply.headingUpdate') : t('apply.heading')}
      </h1>
      <p>{t('apply.intro')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ApplicationFields form={form} setForm={setForm} at={at} onRowRemoved={() => setIssues([])} />

        <fieldset>
          <legend>{t('apply.sectionPledge')}</legend>
          <CheckboxField
            path="pledge"
            label={t('apply.pledge')}
            checked={form.pledge}
            onChecked={(pledge) => update({ pledge })}
            issues={at('pledge')}
          />
        </fieldset>

        <div ref={summary} tabIndex={-1} aria-live="assertive">
          {(issues.length > 0 || message !== null) && (
            <div class="notice notice--error" role="alert">
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

        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? t('apply.submitting') : load.existing ? t('apply.submitUpdate') : t('apply.submit')}
        </button>
        {load.existing && (
          <button class="button button--link" type="button" onClick={props.onBack}>
            {t('apply.back')}
          </button>
        )}
      </form>
    </section>
  );
}
