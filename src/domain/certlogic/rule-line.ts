import { evaluateCertLogic } from './certlogic.ts';

const LINE_KEYS: ReadonlySet<string> = new Set(['logic', 'data']);

/**
 * For `healthcode rules eval`: each input line is JSON {"logic": …, "data": …}; each output line is
 * {"result": …} or {"error": "…"} (malformed JSON lines too). Date results print as ISO strings.
 * A missing `data` means `null`; any other key is an error, so a misspelt `data` is not silently
 * evaluated against nothing.
 */
export function evaluateRuleLine(line: string): string {
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch (error) {
    return failure(`malformed JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return failure('expected a JSON object {"logic": …, "data": …}');
  }
  const unknownKey = Object.keys(input).find((key) => !LINE_KEYS.has(key));
  if (unknownKey !== undefined) {
    return failure(`unknown key "${unknownKey}"; expected {"logic": …, "data": …}`);
  }
  if (!('logic' in input)) return failure('missing "logic"; expected {"logic": …, "data": …}');
  const data = 'data' in input ? input.data : null;
  const outcome = evaluateCertLogic(input.logic, data);
  // JSON.stringify prints Date values through Date.prototype.toJSON, i.e. as ISO 8601 strings.
  return outcome.ok ? JSON.stringify({ result: outcome.value }) : failure(outcome.error);
}

function failure(error: string): string {
  return JSON.stringify({ error });
}
