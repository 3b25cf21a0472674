import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { parseInstant } from '../domain/china-time.ts';
import type { EpochMs } from '../domain/types.ts';
import { invalid } from '../use-cases/errors.ts';

/** What routes share besides the contracts (src/contracts): error responses and query parsing. */

export const errorResponses = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((s) => [s, Type.Ref('ErrorBody')]));

/** A whole-number query value (checked as digits by QueryInteger) in its range, or a clear error. */
export function queryInteger(
  text: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalid([
      { path: name, code: 'out_of_range', message: `${name} must be a whole number from ${min} to ${max}.` },
    ]);
  }
  return n;
}

/** A date or date-time query value (TimeQuery) as an instant, or a clear error naming the field. */
export function instantQuery(text: string | undefined, path: string): EpochMs | undefined {
  if (text === undefined) return undefined;
  const at = parseInstant(text);
  if (at === null) {
    throw invalid([
      {
        path,
        code: 'time_invalid',
        message: `${path} must be a date (2026-11-20) or a date-time with an offset.`,
      },
    ]);
  }
  return at;
}

/** Actions without parameters may be POSTed without a body; `{}` is the same. */
export async function emptyBodyAllowed(request: FastifyRequest): Promise<void> {
  request.body ??= {};
}
