import type { ErrorCode } from '../contracts/errors.ts';
import type { FieldIssue } from '../domain/types.ts';

/** An expected failure of a use case, carried to the HTTP layer and the CLI as a stable code. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    /** When trying again can help (rate limits, lock-outs); HTTP answers send it as Retry-After. */
    readonly retryAfterSeconds?: number,
    /** When the refusal ends (a lock-out): sent as `retryAt` in the error body. */
    readonly retryAt?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalid = (issues: readonly FieldIssue[]): AppError =>
  new AppError(
    'validation_failed',
    issues.length === 1 && issues[0] !== undefined
      ? `${issues[0].path}: ${issues[0].message}`
      : `${issues.length} fields are invalid: ${issues.map((i) => i.path).join(', ')}`,
    issues,
  );
