import { randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { ERROR_STATUS, type ErrorCode } from '../contracts/errors.ts';
import { AppError } from '../use-cases/errors.ts';
import type { Platform } from '../use-cases/platform.ts';
import type { EpochMs, FieldIssue } from '../domain/types.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { ErrorBody } from '../contracts/common.ts';
import { isDatabaseUnavailable } from '../storage/unavailable.ts';
import { registerAccess } from './access.ts';
import { registerTextBoundary } from './text-boundary.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { registerRoutes } from './routes/index.ts';

/** bytes; the largest legitimate body (an application with full history) is about 5 KB. */
export const BODY_LIMIT = 64 * 1024;

export interface AppOptions {
  /** Directory of the built web app (dist/web); omitted in API-only tests. */
  readonly webRoot?: string | null;
  readonly logger?: boolean | { level: string };
  /** Comment lines on open report streams keep proxies from closing them (default 15 s). */
  readonly reportStreamHeartbeatMs?: number;
}

/** JSON-schema errors from Ajv as field issues with dotted paths. */
function schemaIssues(error: FastifyError): FieldIssue[] {
  return (error.validation ?? []).map((v) => {
    const base = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const params = v.params;
    if (v.keyword === 'additionalProperties') {
      const extra = String(params['additionalProperty']);
      return {
        path: base ? `${base}.${extra}` : extra,
        code: 'unknown_field',
        message: `Unknown field "${extra}".`,
      };
    }
    if (v.keyword === 'required') {
      const missing = String(params['missingProperty']);
      return {
        path: base ? `${base}.${missing}` : missing,
        code: 'field_required',
        message: `"${missing}" is required.`,
      };
    }
    return { path: base || '(body)', code: `schema_${v.keyword}`, message: v.message ?? 'is invalid' };
  });
}

/**
 * Retry-After of a request refused because the database could not be reached (issue 12): a
 * PostgreSQL failover under Patroni takes a few seconds, so the retry comes back soon.
 */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

function classify(error: FastifyError): { code: ErrorCode; message: string; issues: FieldIssue[] } {
  if (error instanceof AppError)
    return { code: error.code, message: error.message, issues: [...error.issues] };
  if (error.validation !== undefined) {
    const issues = schemaIssues(error);
    return {
      code: 'validation_failed',
      message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      issues,
    };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'malformed_json', message: 'The request body is not valid JSON.', issues: [] };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        code: 'body_too_large',
        message: `The request body is larger than ${BODY_LIMIT} bytes.`,
        issues: [],
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported_media_type', message: 'Send the body as application/json.', issues: [] };
    default:
  }
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return { code: 'malformed_json', message: 'The request could not be parsed.', issues: [] };
  }
  if (error.statusCode === 413)
    return { code: 'body_too_large', message: 'The request is too large.', issues: [] };
  if (error.statusCode === 415)
    return { code: 'unsupported_media_type', message: 'Unsupported content type.', issues: [] };
  if (isDatabaseUnavailable(error)) {
    return {
      code: 'service_unavailable',
      message: `The database cannot be reached for the moment (a failover takes a few seconds). Nothing was acknowledged: send the same request again after ${DATABASE_RETRY_AFTER_SECONDS} s, with the same clientCheckId where it has one.`,
      issues: [],
    };
  }
  return {
    code: 'internal_error',
    message: 'Something went wrong on our side; it has been logged.',
    issues: [],
  };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler's writes are durable before it returns (group commit with a WAL sync). */
    durableWrites?: boolean;
    /**
     * The handler writes when it refuses, too (sign-in limits and lock-out counters): its 4xx
     * answers wait for durability like its successes, so a power cut cannot hand back spent tries.
     */
    durableRefusals?: boolean;
    /** The route takes application/x-www-form-urlencoded bodies (the OAuth token endpoint). */
    formBody?: boolean;
    /** Errors in RFC 6749 §5.2's shape, the API's code beside it (the OAuth token endpoint). */
    oauthErrors?: boolean;
  }
}

const READ_ONLY_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `Bearer <expected>`, compared in constant time. */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${expected}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * The pages' policy, sent as a header (a `<meta>` policy cannot set `frame-ancestors`). The web
 * app loads only its own bundles; QR images are drawn into data: URLs. The service worker is
 * served with it too and needs nothing more: it fetches this origin's files only (connect-src).
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  // The service worker (/sw.js) and the web manifest, both from this origin (issue 11).
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
} as const;

/** Where the web build puts its content-hashed files (scripts/build-web.ts, ASSETS_DIR). */
export const WEB_ASSETS_DIR = 'assets';
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** An incoming X-Request-Id is kept when it is plain (so logs across proxies join up). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** RFC 6749 §5.2's error for the API's codes at the token endpoint; any other is invalid_request. */
const OAUTH_ERROR: Partial<Record<ErrorCode, string>> = {
  channel_credentials_invalid: 'invalid_client',
  channel_disabled: 'invalid_client',
  grant_type_unsupported: 'unsupported_grant_type',
  scope_invalid: 'invalid_scope',
  channel_credentials_locked: 'temporarily_unavailable',
  channel_rate_limited: 'temporarily_unavailable',
  rate_limited: 'temporarily_unavailable',
  service_unavailable: 'temporarily_unavailable',
  internal_error: 'server_error',
};
const oauthError = (code: ErrorCode): string => OAUTH_ERROR[code] ?? 'invalid_request';

/** Builds the HTTP app; never listens (server.ts does), so tests use `inject()`. */
export async function buildApp(p: Platform, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    trustProxy: p.config.trustProxy,
    // The router refuses a path it cannot decode (bad percent-encoding, e.g. `%ud800` or an encoded
    // lone surrogate) or whose parameter is longer than any valid value before any hook runs; by
    // default it answers in Fastify's own shape. Answer with the API's envelope and a stable code.
    frameworkErrors: (error, request, reply) => {
      const issue: FieldIssue | null =
        error.code === 'FST_ERR_BAD_URL'
          ? { path: 'path', code: 'invalid_url', message: 'The path is not valid percent-encoded UTF-8.' }
          : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? { path: 'path', code: 'too_long', message: 'A path parameter is longer than any valid value.' }
            : null;
      if (issue === null) request.log.error({ err: error }, 'request failed');
      const code: ErrorCode = issue === null ? 'internal_error' : 'validation_failed';
      void (reply as FastifyReply)
        .header('x-request-id', request.id)
        .header('cache-control', 'no-store')
        .status(ERROR_STATUS[code])
        .send({
          error: {
            code,
            message: issue?.message ?? 'Something went wrong on our side; it has been logged.',
            requestId: request.id,
            ...(issue === null ? {} : { issues: [issue] }),
          },
        });
    },
    ajv: {
      // Unknown fields are refused, not silently dropped; types are never coerced.
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true, useDefaults: false },
    },
  });
  app.addSchema(ErrorBody);
  registerTextBoundary(app);

  // Security headers from a maintained library (helmet), computed once at start. HSTS is sent
  // always: browsers ignore it over plain HTTP, and behind TLS it is what keeps residents on HTTPS.
  // Every answer names its request; API answers (personal data) are never cached unless a route
  // says otherwise (e.g. the public keys). (Hooks on every request take `done` rather than being
  // async: no promise per request.)
  registerSecurityHeaders(
    app,
    {
      contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
      referrerPolicy: { policy: 'no-referrer' },
      frameguard: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
    },
    (request, reply) => {
      void reply.header('x-request-id', request.id);
      if (request.url.startsWith('/api/')) void reply.header('cache-control', 'no-store');
    },
  );

  // P9: every answered request counted by route pattern (never the raw URL, which may name people).
  app.addHook('onResponse', (request, reply, done) => {
    p.metrics.request(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  // P7: a crash loses no acknowledged write. Mutating requests that succeeded wait, before their
  // answer goes out, until what they committed survives power loss (a coalesced WAL sync on SQLite,
  // nothing on PostgreSQL). Routes whose writes go through a durable group-commit writer say so
  // with `config: { durableWrites: true }` and skip the second wait.
  app.addHook('onSend', (request, reply, payload, done) => {
    const config = request.routeOptions.config;
    if (
      (reply.statusCode < 400 || (reply.statusCode < 500 && config.durableRefusals === true)) &&
      !READ_ONLY_METHODS.has(request.method) &&
      config.durableWrites !== true
    ) {
      p.database.durable().then(
        () => done(null, payload),
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
      return;
    }
    done(null, payload);
  });

  registerAccess(app, p);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Health pass code platform API',
        version: '1',
        description:
          'Residents apply and carry a signed red/yellow/green code; checkpoints verify it. Errors are `{ "error": { "code", "message", "requestId" } }` with stable codes.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    // Routes that take a raw file (imports) cannot give Fastify a body schema, which would validate
    // the stream; they describe the body for the document only, as `x-file-body`.
    transform: ({ schema, url }) => {
      const fileBody = (schema as { 'x-file-body'?: unknown } | undefined)?.['x-file-body'];
      if (schema === undefined || fileBody === undefined) return { schema, url };
      const { 'x-file-body': _omit, ...rest } = schema as Record<string, unknown>;
      return { schema: { ...rest, body: fileBody }, url };
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`,
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, message, issues } = classify(error);
    const status = ERROR_STATUS[code];
    const databaseDown = !(error instanceof AppError) && code === 'service_unavailable';
    // An unreachable database is expected during a failover: a warning, not a failure of ours.
    if (code === 'service_unavailable') request.log.warn({ err: error }, 'service unavailable');
    else if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof AppError && error.retryAfterSeconds !== undefined) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
    } else if (databaseDown) {
      void reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    }
    if (request.routeOptions.config.oauthErrors === true) {
      if (status === 401) void reply.header('www-authenticate', 'Basic realm="channels"');
      void reply.status(status).send({
        error: oauthError(code),
        error_description: message,
        code,
        requestId: request.id,
        ...(error instanceof AppError && error.retryAt !== undefined
          ? { retryAt: formatChinaTime(error.retryAt as EpochMs) }
          : {}),
      });
      return;
    }
    void reply.status(status).send({
      error: {
        code,
        message,
        requestId: request.id,
        ...(issues.length > 0 ? { issues } : {}),
        ...(error instanceof AppError && error.retryAt !== undefined
          ? { retryAt: formatChinaTime(error.retryAt as EpochMs) }
          : {}),
      },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    if (
      request.method === 'GET' &&
      !request.url.startsWith('/api/') &&
      // A missing content-hashed file is a 404, never the page (which would be cached for a year).
      !request.url.startsWith(`/${WEB_ASSETS_DIR}/`) &&
      options.webRoot
    ) {
      // Client-side routes of the web app all load index.html.
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send({
      error: {
        code: 'not_found',
        message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
        requestId: request.id,
      },
    });
  });

  registerRoutes(app, p, options);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // Prometheus text format. Counts and latencies only, nothing personal (see use-cases/metrics.ts);
  // restrict it at the proxy like any operations endpoint.
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const token = p.config.metricsToken;
    if (token !== null && !bearerMatches(request.headers.authorization, token)) {
      throw new AppError('unauthenticated', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.');
    }
    return reply.type(p.metrics.registry.contentType).send(await p.metrics.registry.metrics());
  });

  if (options.webRoot) {
    if (!fs.existsSync(path.join(options.webRoot, 'index.html'))) {
      throw new Error(`web app not built: ${options.webRoot}/index.html is missing (run npm run build)`);
    }
    // The build writes a brotli and a gzip form beside every text file (scripts/build-web.ts):
    // sent to browsers that accept them, the plain file to the others. Content-hashed files under
    // /assets/ never change, so browsers keep them a year without asking; index.html, the web
    // manifest and the service worker name them, and are revalidated on every load.
    await app.register(fastifyStatic, {
      root: options.webRoot,
      prefix: '/',
      wildcard: false,
      index: 'index.html',
      preCompressed: true,
      cacheControl: false,
      setHeaders: (reply, file) => {
        const relative = path
          .relative(options.webRoot ?? '', file)
          .split(path.sep)
          .join('/');
        void reply.header(
          'cache-control',
          relative.startsWith(`${WEB_ASSETS_DIR}/`) ? IMMUTABLE_CACHE_CONTROL : 'no-cache',
        );
      },
    });
  }
  return app;
}
