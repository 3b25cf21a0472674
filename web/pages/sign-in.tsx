import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import { createSession, requestSignInCode, type ApiFailure, type SessionResponse } from '../api.ts';
import { fieldId } from '../application-form.ts';
import { TextField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { t } from '../i18n/index.ts';
import { formatChinaClock, parseApiTime } from '../time.ts';

const forPath = (issues: readonly FieldIssue[], path: string) => issues.filter((i) => i.path === path);

type Step =
  | { readonly kind: 'mobile' }
  | { readonly kind: 'code'; readonly expiresAt: string; readonly devCode: string | null };

export function SignInPage(props: {
  notice: string | null;
  onSignedIn: (mobile: string, session: SessionResponse) => void;
}) {
  const [step, setStep] = useState<Step>({ kind: 'mobile' });
  const [mobile, setMobile] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(props.notice);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  const show = (failure: ApiFailure, fieldFor: Readonly<Record<string, string>>) => {
    const described = describeFailure(failure, fieldFor);
    setIssues(described.issues);
    setMessage(described.message);
  };

  const sendCode = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await requestSignInCode(mobile.trim());
    setBusy(false);
    if (!result.ok) return show(result.failure, {});
    setIssues([]);
    setMessage(null);
    setCode(result.value.devCode ?? '');
    setStep({ kind: 'code', expiresAt: result.value.expiresAt, devCode: result.value.devCode ?? null });
    window.setTimeout(() => document.getElementById(fieldId('code'))?.focus(), 0);
  };

  const signIn = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await createSession(mobile.trim(), code.trim());
    setBusy(false);
    if (!result.ok) {
      // Sign-in code errors belong next to the code field.
      return show(result.failure, {
        sign_in_code_invalid: 'code',
        sign_in_code_expired: 'code',
        sign_in_code_attempts_exceeded: 'code',
      });
    }
    props.onSignedIn(mobile.trim(), result.value);
  };

  const expires = step.kind === 'code' ? parseApiTime(step.expiresAt) : null;
  return (
    <section class="page" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('signIn.heading')}
      </h1>
      <p>{t('signIn.intro')}</p>
      {message !== null && (
        <p class="notice notice--error" role="alert">
          {message}
        </p>
      )}
      {step.kind === 'mobile' ? (
        <form onSubmit={(e) => void sendCode(e)} noValidate>
          <TextField
            path="mobile"
            label={t('signIn.mobile')}
            hint={t('signIn.mobileHint')}
            type="tel"
            inputMode="tel"
            autoComplete="tel"
            maxLength={24}
            required
            value={mobile}
            onValue={setMobile}
            issues={forPath(issues, 'mobile')}
          />
          <button class="button button--primary" type="submit" disabled={busy}>
            {busy ? t('signIn.sending') : t('signIn.sendCode')}
          </button>
        </form>
      ) : (
        <form onSubmit={(e) => void signIn(e)} noValidate>
          <p class="notice" role="status">
            {t('signIn.codeSent', {
              time: expires === null ? step.expiresAt : formatChinaClock(expires, false),
            })}
          </p>
          {step.devCode !== null && (
            <div class="demo-code" role="note" aria-labelledby="demo-code-label">
              <strong id="demo-code-label" class="demo-code__label">
                {t('signIn.demoLabel')}
              </strong>
              <span>{t('signIn.demoNote')}</span>
              <span class="demo-code__value" id="dev-code">
                {step.devCode}
              </span>
            </div>
          )}
          <TextField
            path="code"
            label={t('signIn.code')}
            hint={t('signIn.codeHint')}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            value={code}
            onValue={setCode}
            issues={forPath(issues, 'code')}
          />
          <button class="button button--primary" type="submit" disabled={busy}>
            {busy ? t('signIn.submitting') : t('signIn.submit')}
          </button>
          <div class="button-row">
            <button
              class="button button--link"
              type="button"
              disabled={busy}
              onClick={(e) => void sendCode(e)}
            >
              {t('signIn.resend')}
            </button>
            <button
              class="button button--link"
              type="button"
              onClick={() => {
                setStep({ kind: 'mobile' });
                setCode('');
                setIssues([]);
                setMessage(null);
              }}
            >
              {t('signIn.changeMobile')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
