import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { helmetHeaders, registerSecurityHeaders } from './security-headers.ts';

test('helmet headers are computed once from the options, as helmet sets them', () => {
  const headers = helmetHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'self'"] } },
    frameguard: { action: 'deny' },
  });
  assert.equal(headers.get('content-security-policy'), "default-src 'self'");
  assert.equal(headers.get('x-frame-options'), 'DENY');
  assert.equal(headers.get('x-content-type-options'), 'nosniff');
});

test('options helmet refuses are refused at start', () => {
  assert.throws(() =>
    helmetHeaders({
      contentSecurityPolicy: { useDefaults: false, directives: { 'default-src': ["'self'; script-src *"] } },
    }),
  );
});

test('every answer carries them, errors too, and a route may still set its own', async () => {
  const app = Fastify();
  registerSecurityHeaders(app, { frameguard: { action: 'deny' } });
  app.get('/own', async (_request, reply) => reply.header('x-frame-options', 'SAMEORIGIN').send('x'));
  const own = await app.inject({ method: 'GET', url: '/own' });
  assert.equal(own.headers['x-frame-options'], 'SAMEORIGIN');
  const missing = await app.inject({ method: 'GET', url: '/missing' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.headers['x-frame-options'], 'DENY');
  await app.close();
});
