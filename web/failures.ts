import type { FieldIssue } from '../src/domain/types.ts';
import type { ApiFailure } from './api.ts';
import { t, translateCode } from './i18n/index.ts';

/**
 * An API failure as the page shows it: field issues to put next to their fields, or one translated
 * sentence. `fieldFor` names the field of error codes that concern one field but carry no issues.
 */
export function describeFailure(
  failure: ApiFailure,
  fieldFor: Readonly<Record<string, string>> = {},
): { readonly issues: readonly FieldIssue[]; readonly message: string | null } {
  if (failure.kind === 'network') return { issues: [], message: t('errors.network') };
  const { code, message, issues } = failure.error;
  if (issues !== undefined && issues.length > 0) return { issues, message: null };
  const path = fieldFor[code];
  if (path !== undefined) return { issues: [{ path, code, message }], message: null };
  return { issues: [], message: translateCode('errors', code, message) };
}
