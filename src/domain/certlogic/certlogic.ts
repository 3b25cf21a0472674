import { evaluate, specificationVersion } from 'certlogic-js';
import type { CertLogicExpression as UpstreamCertLogicExpression } from 'certlogic-js';
import { boolsiness } from 'certlogic-js/dist/internals.js';
import { validate } from 'certlogic-js/dist/validation/index.js';

/**
 * A CertLogic expression: a JSON literal (boolean, integer, string), an array of expressions, or an
 * operation object `{ "<operator>": [operands…] }` (`{ "var": "<path>" }` for data access).
 */
export type CertLogicExpression = UpstreamCertLogicExpression;

/**
 * The CertLogic specification version this evaluator conforms to. It is the latest version published
 * (2022-05-12); see README.md in this folder for why there is no 1.3.3 to conform to.
 */
export const CERTLOGIC_SPECIFICATION_VERSION: string = specificationVersion;

/** A problem with a (sub-)expression, in the shape of the official validation test suite. */
export interface CertLogicIssue {
  readonly expr: unknown;
  readonly message: string;
}

export type CertLogicResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/**
 * Property names every JavaScript object, array or string inherits. certlogic-js 1.2.2 resolves a
 * `var` path fragment with `data[fragment]`, so `{ "var": "constructor" }` yields a function and
 * `{ "var": "xs.length" }` a number, where the specification says a missing property is `null`.
 * Such paths never name real data, so they are rejected up front instead.
 */
const INHERITED_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'length',
]);

/**
 * The format problems of `expr` (the official validator's checks, same messages as the official
 * validation test suite), plus data-access paths that would read inherited JavaScript properties.
 * Empty when `expr` is a valid CertLogic expression.
 */
export function certLogicIssues(expr: unknown): readonly CertLogicIssue[] {
  let formatIssues: readonly CertLogicIssue[];
  try {
    formatIssues = validate(expr).map(({ expr: sub, message }) => ({ expr: sub as unknown, message }));
  } catch (error) {
    return [{ expr, message: `cannot validate: ${errorMessage(error)}` }];
  }
  if (formatIssues.length > 0) return formatIssues;
  const issues: CertLogicIssue[] = [];
  for (const access of varAccesses(expr)) {
    const inherited = access.path.split('.').find((fragment) => INHERITED_NAMES.has(fragment));
    if (inherited !== undefined) {
      issues.push({
        expr: access.expr,
        message: `data access path "${access.path}" reads "${inherited}", an inherited JavaScript property rather than data`,
      });
    }
  }
  return issues;
}

/** Descriptive problems with `expr` as a CertLogic expression; `[]` when it is valid. */
export function validateCertLogic(expr: unknown): readonly string[] {
  return certLogicIssues(expr).map((issue) => `${issue.message} (in ${describeValue(issue.expr)})`);
}

/**
 * Validates `expr`, then evaluates it against `data`. Every problem (invalid expression, type mismatch
 * at run time, an invalid date-time in the result) comes back as `{ ok: false }`, never as a throw.
 */
export function evaluateCertLogic(expr: unknown, data: unknown): CertLogicResult {
  const problems = validateCertLogic(expr);
  if (problems.length > 0)
    return { ok: false, error: `invalid CertLogic expression: ${problems.join('; ')}` };
  return evaluateValidCertLogic(expr as CertLogicExpression, data);
}

/**
 * Evaluates an expression already accepted by {@link validateCertLogic}; skips re-validation, which
 * matters when the same policy rules run for millions of residents.
 */
export function evaluateValidCertLogic(expr: CertLogicExpression, data: unknown): CertLogicResult {
  try {
    const value: unknown = evaluate(expr, data);
    // certlogic-js turns a well-formed but impossible date string (2021-13-45) into an Invalid Date.
    return containsInvalidDate(value)
      ? { ok: false, error: 'evaluated to an invalid date-time' }
      : { ok: true, value };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}

/**
 * CertLogic truthiness: `true` for truthy values, `false` for falsy ones (`false`, `null`, `""`, `0`,
 * `[]`, `{}`), `undefined` for values that are neither (date-times). It is the evaluator's own
 * function, so a rule's `when` is judged exactly as an `if` guard inside it would be (certlogic-js
 * counts a non-integer number such as 1.5 as truthy; integers are all CertLogic can write).
 */
export function certLogicTruthiness(value: unknown): boolean | undefined {
  return boolsiness(value);
}

/** Short JSON rendering of a (sub-)expression or value for messages. */
export function describeValue(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  text ??= String(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

interface VarAccess {
  readonly expr: unknown;
  readonly path: string;
}

/** Every `var` path in a format-valid expression, including those inside `reduce` lambdas. */
function varAccesses(expr: unknown): VarAccess[] {
  const found: VarAccess[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const [entry] = Object.entries(node as Record<string, unknown>);
    if (entry === undefined) return;
    const [operator, operands] = entry;
    if (operator === 'var') {
      if (typeof operands === 'string') found.push({ expr: node, path: operands });
      return;
    }
    if (Array.isArray(operands)) operands.forEach(visit);
  };
  visit(expr);
  return found;
}

function containsInvalidDate(value: unknown): boolean {
  if (value instanceof Date) return Number.isNaN(value.getTime());
  return Array.isArray(value) && value.some(containsInvalidDate);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
