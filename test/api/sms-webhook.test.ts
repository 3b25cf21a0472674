import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSmsSender } from '../../src/use-cases/sms.ts';

/** A stand-in SMS gateway on loopback that records what it receives and answers `status`. */
async function gateway(status: number) {
  const received: unknown[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({
        method: req.method,
        type: req.headers['content-type'],
        body: JSON.parse(body) as unknown,
      });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sms`, received, close: () => new Promise((r) => server.close(r)) };
}

describe('production SMS sender posts to the configured webhook', () => {
  test('delivers mobile, code and expiry as JSON', async () => {
    const g = await gateway(204);
    try {
      await webhookSmsSender(g.url).sendSignInCode(
        '+8613800138000',
        '123456',
        Date.parse('2026-11-25T02:05:00Z'),
      );
      assert.deepEqual(g.received, [
        {
          method: 'POST',
          type: 'application/json',
          body: {
            template: 'sign_in_code',
            mobile: '+8613800138000',
            code: '123456',
            expiresAt: '2026-11-25T02:05:00.000Z',
          },
        },
      ]);
    } finally {
      await g.close();
    }
  });

  test('a gateway error is a failure, not a silent success', async () => {
    const g = await gateway(500);
    try {
      await assert.rejects(webhookSmsSender(g.url).sendSignInCode('+8613800138000', '123456', 0), /500/);
    } finally {
      await g.close();
    }
  });
});
