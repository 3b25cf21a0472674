/**
 * Same-run baselines: a bare Fastify GET hello-world, and a POST route that only parses and
 * schema-validates the same body as verifyCode and answers a constant. Prints its port on stdout.
 */
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';

const app = Fastify({
  logger: false,
  bodyLimit: 64 * 1024,
  ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
});
app.get('/hello', async () => ({ hello: 'world' }));
app.post(
  '/verify-shape',
  {
    schema: {
      body: Type.Object(
        { code: Type.String({ minLength: 1, maxLength: 1024 }) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ valid: Type.Boolean(), colour: Type.String() }) },
    },
  },
  async () => ({ valid: true, colour: 'green' }),
);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 }) + '\n',
);
