import { useEffect, useState } from 'preact/hooks';
import {
  fetchFamily,
  isSessionLost,
  type ApiFailure,
  type ApiResult,
  type FamilyMemberView,
} from '../api.ts';
import { describeFailure } from '../failures.ts';
import { t } from '../i18n/index.ts';

/**
 * Me and the family members whose codes I hold (S3): the proxy switches between them. The code
 * page, the colour's inputs and the access log share it.
 */
export function SubjectSwitcher(props: {
  id: string;
  members: readonly FamilyMemberView[];
  subject: string | null;
  onSubject: (memberId: string | null) => void;
}) {
  if (props.members.length === 0) return null;
  return (
    <div
      id={props.id}
      class="segmented segmented--wrap code-switcher"
      role="group"
      aria-label={t('code.switcher')}
    >
      <button
        type="button"
        class="segmented__option"
        aria-pressed={props.subject === null}
        onClick={() => props.onSubject(null)}
      >
        {t('code.mine')}
      </button>
      {props.members.map((m) => (
        <button
          key={m.memberId}
          type="button"
          class="segmented__option"
          data-member-id={m.memberId}
          aria-pressed={props.subject === m.memberId}
          onClick={() => props.onSubject(m.memberId)}
        >
          {m.maskedName} <span class="segmented__note">({t(`family.relationships.${m.relationship}`)})</span>
        </button>
      ))}
    </div>
  );
}

/**
 * The family members whose codes I hold; an empty list until loaded or when the list cannot be
 * read (the page then simply shows my own data). A subject removed meanwhile falls back to me.
 */
export function useFamilyMembers(
  token: string,
  subject: string | null,
  onSubject: (memberId: string | null) => void,
  enabled = true,
): readonly FamilyMemberView[] {
  const [members, setMembers] = useState<readonly FamilyMemberView[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void fetchFamily(token).then((result) => {
      if (!live || !result.ok) return;
      setMembers(result.value.members);
      if (subject !== null && !result.value.members.some((m) => m.memberId === subject)) onSubject(null);
    });
    return () => {
      live = false;
    };
  }, [token, subject, onSubject, enabled]);
  return members;
}

/** A page's data about the person on screen (oneself or a family member). */
export type SubjectLoad<T> =
  | { readonly kind: 'loading' }
  | { readonly kind: 'ready'; readonly value: T }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * Loads `fetcher(token, subject)` whenever the person on screen (or `attempt`) changes: a lost
 * session, a missing application and a member no longer held go to their handlers; other failures
 * become the message shown with a retry button.
 */
export function useSubjectLoad<T>(
  fetcher: (token: string, subject: string | null) => Promise<ApiResult<T>>,
  props: {
    readonly token: string;
    readonly subject: string | null;
    readonly attempt: number;
    readonly onSubject: (memberId: string | null) => void;
    readonly onSessionLost: (failure: ApiFailure) => void;
    readonly onApplicationRequired: () => void;
  },
): SubjectLoad<T> {
  const { token, subject, attempt, onSubject, onSessionLost, onApplicationRequired } = props;
  const [load, setLoad] = useState<SubjectLoad<T>>({ kind: 'loading' });
  useEffect(() => {
    let live = true;
    setLoad({ kind: 'loading' });
    void fetcher(token, subject).then((result) => {
      if (!live) return;
      if (result.ok) return setLoad({ kind: 'ready', value: result.value });
      if (isSessionLost(result.failure)) return onSessionLost(result.failure);
      const code = result.failure.kind === 'api' ? result.failure.error.code : null;
      if (code === 'application_required') return onApplicationRequired();
      if (code === 'family_member_not_found') return onSubject(null);
      setLoad({ kind: 'failed', message: describeFailure(result.failure).message ?? t('errors.unknown') });
    });
    return () => {
      live = false;
    };
  }, [fetcher, token, subject, attempt, onSessionLost, onApplicationRequired, onSubject]);
  return load;
}
