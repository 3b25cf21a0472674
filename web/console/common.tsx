import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { ApiFailure, ApiResult } from '../api.ts';
import { describeFailure } from '../failures.ts';
import { t, translateIssue } from '../i18n/index.ts';

/** What every console view gets: the token, and what to do when the session is gone. */
export interface ViewProps {
  readonly token: string;
  readonly onFailure: (failure: ApiFailure) => void;
}

/** One translated sentence for a failure: its code's translation, or its field issues'. */
export function failureText(failure: ApiFailure): string {
  const described = describeFailure(failure);
  return described.message ?? described.issues.map(translateIssue).join(' ');
}

/** An API time ('2026-11-25T10:00:00+08:00') as 'YYYY-MM-DD HH:mm' (China time, as the API gives it). */
export function shortTime(text: string | null | undefined): string {
  if (text === null || text === undefined) return '—';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(text);
  return m === null ? text : `${m[1]} ${m[2]}`;
}

/**
 * Loads with `load` on mount and on `reload()`; the failure goes to `onFailure` (which signs out on
 * 401) and is also kept to show.
 */
export function useLoad<T>(
  load: () => Promise<ApiResult<T>>,
  onFailure: (failure: ApiFailure) => void,
): { data: T | null; error: string | null; reload: () => Promise<void> } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The latest `load` (a new closure each render); reloading never depends on its identity.
  const latest = useRef(load);
  latest.current = load;
  const reload = useCallback(async () => {
    const result = await latest.current();
    if (result.ok) {
      setData(result.value);
      setError(null);
    } else {
      setError(failureText(result.failure));
      onFailure(result.failure);
    }
  }, [onFailure]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}

export function ErrorNotice(props: { readonly message: string | null }) {
  if (props.message === null) return null;
  return (
    <p class="notice notice--error" role="alert">
      {props.message}
    </p>
  );
}

export function StatusNotice(props: { readonly message: string | null }) {
  if (props.message === null) return null;
  return (
    <p class="notice" role="status">
      {props.message}
    </p>
  );
}

/** A labelled control with a stable id (console forms are not the resident's API-path fields). */
export function Labelled(props: {
  readonly id: string;
  readonly label: string;
  readonly hint?: string;
  readonly children: ComponentChildren;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.hint !== undefined && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.children}
    </div>
  );
}

export const colourWord = (colour: string): string => t(`console.colour.${colour}`);
