import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The headers helmet sets for `options`, computed once. helmet is a function of its options only
 * (no nonces here), but @fastify/helmet rebuilt its middleware — parsing every CSP directive —
 * on every request, ≈ 10 % of a scan's CPU (issue 12). Throws what helmet throws for bad options.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): ReadonlyMap<string, string> {
  const headers = new Map<string, string>();
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return res;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  // helmet throws on options it refuses (8.1 and later; earlier versions passed them to `next`).
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined && error !== null)
      throw error instanceof Error ? error : new Error('helmet refused its options');
  });
  return headers;
}

/**
 * Every answer carries helmet's security headers for `options` (as @fastify/helmet's global mode
 * did: set on the raw response when the request arrives, so a route may still override one).
 * `alsoOnRequest` runs in the same hook, one hook fewer on every request.
 */
export function registerSecurityHeaders(
  app: FastifyInstance,
  options: Readonly<HelmetOptions>,
  alsoOnRequest?: (request: FastifyRequest, reply: FastifyReply) => void,
): void {
  const headers = [...helmetHeaders(options)];
  app.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of headers) raw.setHeader(name, value);
    alsoOnRequest?.(request, reply);
    done();
  });
}
