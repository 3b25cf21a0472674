import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FieldIssue } from '../../src/domain/types.ts';
import {
  deleteSession,
  setStaffPassword,
  staffSignIn,
  type ApiFailure,
  type StaffPasswordSetResponse,
} from '../api.ts';
import { placeIssues } from '../application-form.ts';
import { TextField } from '../components/field.tsx';
import { describeFailure } from '../failures.ts';
import { setupTokenFromHash, totpCode } from '../feedback-form.ts';
import { t, translateIssue } from '../i18n/index.ts';

type Step =
  | { readonly kind: 'password' }
  | {
      readonly kind: 'enrolled';
      readonly answer: StaffPasswordSetResponse;
      /** Kept in memory only, to confirm the first code by signing in once. */
      readonly password: string;
    }
  | { readonly kind: 'done'; readonly username: string };

/** The otpauth URI as a QR for an authenticator app, drawn on the device. */
function OtpauthQr(props: { uri: string }) {
  const [svg, setSvg] = useState('');
  useEffect(() => {
    let live = true;
    QRCode.toString(props.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }).then(
      (markup) => live && setSvg(markup),
      () => live && setSvg(''),
    );
    return () => {
      live = false;
    };
  }, [props.uri]);
  return (
    <div
      id="totp-qr"
      class="qr setup-qr"
      role="img"
      aria-label={t('staffSetup.qrLabel')}
      // The qrcode library's SVG of module coordinates; it carries no user text.
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}

const SETUP_ERROR_FIELD: Readonly<Record<string, string>> = {
  second_factor_invalid: 'totp',
  second_factor_required: 'totp',
};

/**
 * The page of a staff member's one-time setup link (`/staff/setup#token=…`, setStaffPassword):
 * choose a password; officers, admins and auditors then add the TOTP secret to an authenticator
 * app (QR and text) and confirm it with a first code — one staffSignIn, whose session is ended.
 */
export function StaffSetupPage() {
  const [token] = useState(() => setupTokenFromHash(window.location.hash));
  const [step, setStep] = useState<Step>({ kind: 'password' });
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [code, setCode] = useState('');
  const [issues, setIssues] = useState<readonly FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [step.kind]);
  // The token leaves the address bar (and the history) once read.
  useEffect(() => {
    if (token !== null) window.history.replaceState(null, '', window.location.pathname);
  }, [token]);

  const failed = (failure: ApiFailure) => {
    const described = describeFailure(failure, SETUP_ERROR_FIELD);
    setIssues(described.issues);
    setMessage(described.message);
  };

  const choosePassword = async (event: Event) => {
    event.preventDefault();
    if (token === null) return;
    setMessage(null);
    if (password !== repeat) {
      return setIssues([{ path: 'repeat', code: 'password_mismatch', message: 'The passwords differ.' }]);
    }
    setIssues([]);
    setBusy(true);
    const result = await setStaffPassword(token, password);
    setBusy(false);
    if (!result.ok) return failed(result.failure);
    if (result.value.secondFactor === null) return setStep({ kind: 'done', username: result.value.username });
    setStep({ kind: 'enrolled', answer: result.value, password });
    setPassword('');
    setRepeat('');
  };

  const confirm = async (event: Event) => {
    event.preventDefault();
    if (step.kind !== 'enrolled') return;
    setMessage(null);
    const totp = totpCode(code);
    if (totp === null) {
      return setIssues([{ path: 'totp', code: 'totp_format', message: 'Enter the 6 digits.' }]);
    }
    setIssues([]);
    setBusy(true);
    const result = await staffSignIn(step.answer.username, step.password, totp);
    setBusy(false);
    if (!result.ok) return failed(result.failure);
    // The code works: the session was only the proof, so it ends here.
    await deleteSession(result.value.token);
    setStep({ kind: 'done', username: step.answer.username });
  };

  const { byPath, unplaced } = placeIssues(issues, new Set(['password', 'repeat', 'totp']));
  const errors = (message !== null || unplaced.length > 0) && (
    <div id="setup-errors" class="notice notice--error" role="alert">
      {message !== null && <p>{message}</p>}
      {unplaced.map((issue) => (
        <p key={`${issue.path}:${issue.code}`}>{translateIssue(issue)}</p>
      ))}
    </div>
  );

  if (token === null) {
    return (
      <section class="page" aria-labelledby="page-heading">
        <h1 id="page-heading" tabIndex={-1} ref={heading}>
          {t('staffSetup.heading')}
        </h1>
        <p id="setup-no-token" class="notice notice--error" role="alert">
          {t('staffSetup.noToken')}
        </p>
      </section>
    );
  }

  if (step.kind === 'done') {
    return (
      <section class="page" aria-labelledby="page-heading">
        <h1 id="page-heading" tabIndex={-1} ref={heading}>
          {t('staffSetup.doneHeading')}
        </h1>
        <p id="setup-done" class="notice" role="status">
          {t('staffSetup.done', { username: step.username })}
        </p>
      </section>
    );
  }

  if (step.kind === 'enrolled' && step.answer.secondFactor !== null) {
    const { otpauthUri, secret } = step.answer.secondFactor;
    return (
      <section class="page staff-setup" aria-labelledby="page-heading">
        <h1 id="page-heading" tabIndex={-1} ref={heading}>
          {t('staffSetup.totpHeading')}
        </h1>
        <p>{t('staffSetup.totpIntro', { username: step.answer.username })}</p>
        <div class="qr-frame">
          <OtpauthQr uri={otpauthUri} />
        </div>
        <p>
          {t('staffSetup.secretLabel')}{' '}
          <code id="totp-secret" class="setup-secret">
            {secret}
          </code>
        </p>
        <p class="hint">{t('staffSetup.secretHint')}</p>
        <form id="setup-totp-form" onSubmit={(e) => void confirm(e)} noValidate>
          <TextField
            path="totp"
            label={t('staffSetup.code')}
            hint={t('staffSetup.codeHint')}
            value={code}
            onValue={setCode}
            issues={byPath.get('totp')}
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            required
          />
          <div aria-live="assertive">{errors}</div>
          <button class="button button--primary" type="submit" disabled={busy}>
            {t('staffSetup.confirm')}
          </button>
        </form>
      </section>
    );
  }

  return (
    <section class="page staff-setup" aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1} ref={heading}>
        {t('staffSetup.heading')}
      </h1>
      <p>{t('staffSetup.intro')}</p>
      <form id="setup-password-form" onSubmit={(e) => void choosePassword(e)} noValidate>
        <PasswordField
          path="password"
          label={t('staffSetup.password')}
          hint={t('staffSetup.passwordHint')}
          value={password}
          onValue={setPassword}
          issues={byPath.get('password')}
        />
        <PasswordField
          path="repeat"
          label={t('staffSetup.repeat')}
          value={repeat}
          onValue={setRepeat}
          issues={byPath.get('repeat')}
        />
        <div aria-live="assertive">{errors}</div>
        <button class="button button--primary" type="submit" disabled={busy}>
          {t('staffSetup.submit')}
        </button>
      </form>
    </section>
  );
}

function PasswordField(props: {
  path: string;
  label: string;
  hint?: string;
  value: string;
  onValue: (value: string) => void;
  issues: readonly FieldIssue[] | undefined;
}) {
  const id = `field-${props.path}`;
  const invalid = props.issues !== undefined && props.issues.length > 0;
  const describedBy = [props.hint === undefined ? '' : `hint-${id}`, invalid ? `error-${props.path}` : '']
    .filter((x) => x !== '')
    .join(' ');
  return (
    <div class={`field${invalid ? ' field--invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint !== undefined && (
        <p class="hint" id={`hint-${id}`}>
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.path}
        type="password"
        autoComplete="new-password"
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
        aria-invalid={invalid}
        aria-describedby={describedBy === '' ? undefined : describedBy}
        maxLength={256}
        required
      />
      {invalid && (
        <p class="field-error" id={`error-${props.path}`}>
          {(props.issues ?? []).map(translateIssue).join(' ')}
        </p>
      )}
    </div>
  );
}
