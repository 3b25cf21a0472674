import type { FastifyInstance, FastifyRequest } from 'fastify';
import { unstorableText } from '../domain/text.ts';
import type { FieldIssue } from '../domain/types.ts';
import { AppError } from '../use-cases/errors.ts';

/**
 * Nesting a JSON body may have. The deepest real body, a colour policy, nests about 14 levels;
 * without a bound, a body nested thousands deep overflows the stack of whatever walks it next.
 */
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The charset parameter of a content type, lower-cased; null when none is given. */
function charsetOf(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m?.[1]?.toLowerCase() ?? null;
}

/**
 * Refuses text no database can hold the same way (NUL, lone surrogates) anywhere in a value,
 * keys included, and nesting deeper than MAX_JSON_DEPTH. Iterative, so depth cannot overflow it.
 */
export function checkValue(value: unknown, root: string): void {
  const stack: [unknown, number, string][] = [[value, 0, root]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [v, depth, path] = item;
    if (typeof v === 'string') {
      const why = unstorableText(v);
      if (why !== null) throw invalidText(path, why);
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new AppError(
        'too_deeply_nested',
        `The request nests more than ${MAX_JSON_DEPTH} levels deep (at ${path === '' ? 'the top' : path}); flatten it.`,
      );
    }
    if (Array.isArray(v)) {
      v.forEach((e, i) => stack.push([e, depth + 1, `${path}[${i}]`]));
      continue;
    }
    for (const [k, e] of Object.entries(v)) {
      const why = unstorableText(k);
      if (why !== null) throw invalidText(path === '' ? '(key)' : `${path}.(key)`, why);
      stack.push([e, depth + 1, path === '' ? k : `${path}.${k}`]);
    }
  }
}

function invalidText(path: string, why: string): AppError {
  const where = path === '' ? 'The body' : path;
  const issue: FieldIssue = { path, code: 'invalid_text', message: `${where} ${why}; remove it.` };
  return new AppError('invalid_text', issue.message, [issue]);
}

/**
 * The one JSON body parser (issue 8, finding 6): UTF-8 only — another declared charset is a 415
 * `unsupported_charset`, bytes that are not UTF-8 a 400 `invalid_utf8` (never silently replaced)
 * — then Fastify's own parser (prototype-poisoning checks kept), then the text and depth checks.
 * Path and query parameters get the same text check before validation.
 */
export function registerTextBoundary(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer | string, done: (err: Error | null, value?: unknown) => void) => {
      const charset = charsetOf(request.headers['content-type']);
      if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
        done(new AppError('unsupported_charset', `Send JSON as UTF-8; charset=${charset} is not accepted.`));
        return;
      }
      let text: string;
      try {
        text = typeof body === 'string' ? body : utf8.decode(body);
      } catch {
        done(new AppError('invalid_utf8', 'The request body is not valid UTF-8; send it encoded as UTF-8.'));
        return;
      }
      void parseJson(request, text, (error, value) => {
        if (error !== null) {
          done(error);
          return;
        }
        try {
          checkValue(value, '');
          done(null, value);
        } catch (e) {
          done(e as Error);
        }
      });
    },
  );
  // RFC 6749 §4.4.2: the token endpoint takes an application/x-www-form-urlencoded body. Parsed by
  // URLSearchParams after the same UTF-8 check, then the same text checks; refused on other routes.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    (request: FastifyRequest, body: Buffer | string, done: (err: Error | null, value?: unknown) => void) => {
      if (request.routeOptions.config.formBody !== true) {
        done(new AppError('unsupported_media_type', 'Send the body as application/json.'));
        return;
      }
      const charset = charsetOf(request.headers['content-type']);
      if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
        done(
          new AppError('unsupported_charset', `Send the form as UTF-8; charset=${charset} is not accepted.`),
        );
        return;
      }
      try {
        const text = typeof body === 'string' ? body : utf8.decode(body);
        const form: Record<string, string> = Object.create(null) as Record<string, string>;
        for (const [key, value] of new URLSearchParams(text)) {
          // RFC 6749 §3.2: parameters must not be sent more than once.
          if (Object.hasOwn(form, key))
            throw new AppError(
              'validation_failed',
              `The form sends ${key} twice; send each parameter once.`,
              [{ path: key, code: 'repeated', message: `${key} is sent more than once.` }],
            );
          form[key] = value;
        }
        checkValue(form, '');
        done(null, { ...form });
      } catch (e) {
        done(
          e instanceof AppError
            ? e
            : new AppError('invalid_utf8', 'The request body is not valid UTF-8; send it encoded as UTF-8.'),
        );
      }
    },
  );
  app.addHook('preValidation', async (request) => {
    checkValue(request.params, 'path');
    checkValue(request.query, 'query');
  });
}
