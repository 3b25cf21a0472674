import type { ComponentChildren } from 'preact';
import type { FieldIssue } from '../../src/domain/types.ts';
import { errorId, fieldId } from '../application-form.ts';
import { translateIssue } from '../i18n/index.ts';

/** The messages of a field's issues, under the field, announced with it by screen readers. */
export function FieldErrors(props: { path: string; issues: readonly FieldIssue[] | undefined }) {
  if (props.issues === undefined || props.issues.length === 0) return null;
  return (
    <p class="field-error" id={errorId(props.path)}>
      {props.issues.map(translateIssue).join(' ')}
    </p>
  );
}

function describedBy(path: string, hint: boolean, invalid: boolean): string | undefined {
  const ids = [hint ? `hint-${fieldId(path)}` : '', invalid ? errorId(path) : ''].filter((id) => id !== '');
  return ids.length > 0 ? ids.join(' ') : undefined;
}

interface TextFieldProps {
  /** The API path of the value; the control's id and its error's id derive from it. */
  readonly path: string;
  readonly label: string;
  readonly hint?: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly issues: readonly FieldIssue[] | undefined;
  readonly type?: 'text' | 'tel' | 'date' | 'number';
  readonly inputMode?: 'text' | 'numeric' | 'decimal' | 'tel';
  readonly autoComplete?: string;
  readonly maxLength?: number;
  readonly required?: boolean;
  readonly step?: string;
  readonly class?: string;
}

export function TextField(props: TextFieldProps) {
  const invalid = props.issues !== undefined && props.issues.length > 0;
  const id = fieldId(props.path);
  return (
    <div class={`field${invalid ? ' field--invalid' : ''}${props.class ? ` ${props.class}` : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint !== undefined && (
        <p class="hint" id={`hint-${id}`}>
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.path}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
        aria-invalid={invalid}
        aria-describedby={describedBy(props.path, props.hint !== undefined, invalid)}
        inputMode={props.inputMode}
        autoComplete={props.autoComplete ?? 'off'}
        maxLength={props.maxLength}
        required={props.required}
        step={props.step}
      />
      <FieldErrors path={props.path} issues={props.issues} />
    </div>
  );
}

interface SelectFieldProps {
  readonly path: string;
  readonly label: string;
  readonly value: string;
  readonly options: readonly { readonly value: string; readonly label: string }[];
  readonly onValue: (value: string) => void;
  readonly issues: readonly FieldIssue[] | undefined;
  readonly class?: string;
}

export function SelectField(props: SelectFieldProps) {
  const invalid = props.issues !== undefined && props.issues.length > 0;
  const id = fieldId(props.path);
  return (
    <div class={`field${invalid ? ' field--invalid' : ''}${props.class ? ` ${props.class}` : ''}`}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.path}
        value={props.value}
        onChange={(e) => props.onValue(e.currentTarget.value)}
        aria-invalid={invalid}
        aria-describedby={describedBy(props.path, false, invalid)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldErrors path={props.path} issues={props.issues} />
    </div>
  );
}

interface CheckboxFieldProps {
  readonly path: string;
  /** Distinguishes several checkboxes that share one API path (the symptoms list). */
  readonly idSuffix?: string;
  readonly label: ComponentChildren;
  readonly checked: boolean;
  readonly onChecked: (checked: boolean) => void;
  readonly issues: readonly FieldIssue[] | undefined;
}

export function CheckboxField(props: CheckboxFieldProps) {
  const invalid = props.issues !== undefined && props.issues.length > 0;
  const id = fieldId(props.path) + (props.idSuffix !== undefined ? `-${props.idSuffix}` : '');
  return (
    <div class={`field field--checkbox${invalid ? ' field--invalid' : ''}`}>
      <input
        id={id}
        name={props.path}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChecked(e.currentTarget.checked)}
        aria-invalid={invalid}
        aria-describedby={describedBy(props.path, false, invalid)}
      />
      <label for={id}>{props.label}</label>
      <FieldErrors path={props.path} issues={props.issues} />
    </div>
  );
}

interface TextAreaFieldProps {
  readonly path: string;
  readonly label: string;
  readonly hint?: string;
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly issues: readonly FieldIssue[] | undefined;
  readonly maxLength?: number;
  readonly required?: boolean;
  readonly rows?: number;
}

export function TextAreaField(props: TextAreaFieldProps) {
  const invalid = props.issues !== undefined && props.issues.length > 0;
  const id = fieldId(props.path);
  return (
    <div class={`field${invalid ? ' field--invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.hint !== undefined && (
        <p class="hint" id={`hint-${id}`}>
          {props.hint}
        </p>
      )}
      <textarea
        id={id}
        name={props.path}
        value={props.value}
        rows={props.rows ?? 4}
        onInput={(e) => props.onValue(e.currentTarget.value)}
        aria-invalid={invalid}
        aria-describedby={describedBy(props.path, props.hint !== undefined, invalid)}
        maxLength={props.maxLength}
        required={props.required}
      />
      <FieldErrors path={props.path} issues={props.issues} />
    </div>
  );
}
