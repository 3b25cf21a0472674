import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  ACCESS,
  CHANNEL_SCOPE,
  authorize,
  describeCallers,
  isOperationId,
  isPublic,
  type Caller,
} from '../use-cases/access.ts';
import type { Platform } from '../use-cases/platform.ts';
import { chargeChannelRequest } from '../use-cases/channels.ts';
import type { Caller as CallerPrincipal } from '../use-cases/sign-in.ts';
import { callerOf } from './auth.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller, once the access hook or a handler resolved it. */
    principal: CallerPrincipal | null;
  }
}

/**
 * The one access hook (issue 8, finding 13): every documented route names its operation, the
 * operation has an entry in the access table (the app refuses to start otherwise), the entry is
 * published as `x-roles` and `x-access-rule`, and callers it does not admit are refused before
 * the body is validated or the handler runs. Register before the routes.
 */
export function registerAccess(app: FastifyInstance, p: Platform): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (schema === undefined || schema['hide'] === true) return;
    const op = schema['operationId'];
    if (typeof op !== 'string' || !isOperationId(op)) {
      throw new Error(
        `Route ${String(route.method)} ${route.url} has no entry in the access table (src/use-cases/access.ts).`,
      );
    }
    const access = ACCESS[op];
    if ((access.callers as readonly Caller[]).length === 0) {
      throw new Error(`Operation ${op} declares no callers in the access table (src/use-cases/access.ts).`);
    }
    schema['x-roles'] = [...access.callers];
    schema['x-access-rule'] = access.rule;
    const scope = CHANNEL_SCOPE[op];
    if (scope !== undefined) schema['x-channel-scope'] = scope;
    const description = typeof schema['description'] === 'string' ? `${schema['description']}\n\n` : '';
    schema['description'] = `${description}Callers: ${describeCallers(op)}.`;
    if (isPublic(op)) return;
    const check = async (request: FastifyRequest) => {
      const caller = await callerOf(p, request);
      // A partner channel's every request counts against its limit, refused ones included (issue 11).
      const channel =
        caller.kind === 'channel' ? caller : caller.kind === 'resident' ? caller.channel : undefined;
      if (channel !== undefined) await chargeChannelRequest(p, channel);
      authorize(caller, op);
    };
    // Before validation: a caller who may not call the operation learns nothing about its input.
    const existing = route.preValidation;
    route.preValidation = existing === undefined ? [check] : [check, ...[existing].flat()];
  });
}
