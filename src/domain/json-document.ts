/**
 * Helpers for checking JSON documents that authorities publish (colour policies, checkpoint
 * policies): every problem becomes a FieldIssue with a dotted path, reported all at once.
 */
import { LOCALES, type FieldIssue, type Validation } from './types.ts';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function issue(path: string, code: string, message: string): FieldIssue {
  return { path, code, message };
}

export function invalid(issues: readonly FieldIssue[]): Validation<never> {
  return { ok: false, issues };
}

/** Published documents are shared by every request; freezing catches a caller that edits one in place. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** A `{ "zh-CN": …, "en": … }` text with both languages, non-empty, and nothing else. */
export function checkLocalizedText(value: unknown, path: string, issues: FieldIssue[]): void {
  const ok =
    isRecord(value) &&
    Object.keys(value).length === LOCALES.length &&
    LOCALES.every((locale) => typeof value[locale] === 'string' && value[locale].trim() !== '');
  if (!ok) {
    issues.push(
      issue(
        path,
        'localized_text',
        `${path} must be an object with non-empty "zh-CN" and "en" texts and nothing else.`,
      ),
    );
  }
}

/** Refuses keys a document may not have, so that a misspelt field is never silently ignored. */
export function reportUnknownKeys(
  json: Record<string, unknown>,
  allowed: ReadonlySet<string>,
  path: string,
  issues: FieldIssue[],
): void {
  for (const key of Object.keys(json)) {
    if (!allowed.has(key)) {
      issues.push(
        issue(
          path === '' ? key : `${path}.${key}`,
          'unknown_field',
          `Unknown field "${key}"; allowed: ${[...allowed].join(', ')}.`,
        ),
      );
    }
  }
}
