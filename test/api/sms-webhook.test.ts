import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/use-cases/clock.ts';
import { createPlatform } from '../../src/platform.ts';
import { requestSignInCode } from '../../src/use-cases/sign-in.ts';
import { webhookSmsSender } from '../../src/use-cases/sms.ts';
import { openSqlite } from '../../src/storage/database.ts';
import { TEST_EPOCH } from '../support/platform.ts';

const SECRET = 'b3f1c0de9a5e47d2a8f6c1e0d9b7a4c3e2f1a0b9c8d7e6f5';
const MAX_SKEW_S = 300;

interface Received {
  readonly method: string | undefined;
  readonly type: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly raw: string;
  readonly verdict: 'ok' | 'unsigned' | 'stale' | 'bad_signature';
}

/**
 * A stand-in SMS gateway on loopback that verifies each POST the way docs/operations.md tells a
 * receiver to — written here from that description, not with the platform's signing code — and
 * answers 401 to what does not verify, `status` to what does. `nowS` is the gateway's clock.
 */
async function gateway(options: { status?: number; secret?: string; nowS?: () => number } = {}) {
  const secret = options.secret ?? SECRET;
  const nowS = options.nowS ?? (() => Math.floor(Date.now() / 1000));
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const timestamp = req.headers['x-healthcode-timestamp'] as string | undefined;
      const signature = req.headers['x-healthcode-signature'] as string | undefined;
      let verdict: Received['verdict'];
      if (timestamp === undefined || signature === undefined || !/^\d+$/.test(timestamp)) {
        verdict = 'unsigned';
      } else if (Math.abs(nowS() - Number(timestamp)) > MAX_SKEW_S) {
        verdict = 'stale';
      } else {
        const expected = Buffer.from(
          'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex'),
        );
        const given = Buffer.from(signature);
        verdict =
          given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad_signature';
      }
      received.push({
        method: req.method,
        type: req.headers['content-type'],
        timestamp,
        signature,
        raw,
        verdict,
      });
      res.statusCode = verdict === 'ok' ? (options.status ?? 204) : 401;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sms`,
    received,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Re-sends a captured request byte for byte, as an attacker who recorded it would. */
async function replay(url: string, r: Received, body = r.raw): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-healthcode-timestamp': r.timestamp ?? '',
      'x-healthcode-signature': r.signature ?? '',
    },
    body,
  });
  return response.status;
}

describe('production SMS sender posts signed requests to the configured webhook', () => {
  test('delivers mobile, code and expiry as JSON, with a timestamp and an HMAC the gateway verifies', async () => {
    const g = await gateway();
    try {
      const before = Math.floor(Date.now() / 1000);
      await webhookSmsSender(g.url, SECRET).sendSignInCode(
        '+8613800138000',
        '123456',
        Date.parse('2026-11-25T02:05:00Z'),
      );
      const [r] = g.received;
      assert.ok(r);
      assert.equal(g.received.length, 1);
      assert.equal(r.verdict, 'ok');
      assert.equal(r.method, 'POST');
      assert.equal(r.type, 'application/json');
      assert.deepEqual(JSON.parse(r.raw), {
        template: 'sign_in_code',
        mobile: '+8613800138000',
        code: '123456',
        expiresAt: '2026-11-25T02:05:00.000Z',
      });
      assert.ok(Math.abs(Number(r.timestamp) - before) <= 2, `timestamp ${r.timestamp} is unix seconds`);
      assert.match(r.signature ?? '', /^sha256=[0-9a-f]{64}$/);
    } finally {
      await g.close();
    }
  });

  test('a gateway with another secret, a changed body or an old replay refuses: the sender fails loudly', async () => {
    let gatewayNow = Math.floor(Date.now() / 1000);
    const g = await gateway({ nowS: () => gatewayNow });
    const other = await gateway({ secret: 'another-secret-another-secret-another-secret' });
    try {
      await assert.rejects(
        webhookSmsSender(other.url, SECRET).sendSignInCode('+8613800138000', '123456', 0),
        /SMS webhook answered 401/,
      );
      assert.equal(other.received[0]?.verdict, 'bad_signature');

      await webhookSmsSender(g.url, SECRET).sendSignInCode('+8613800138000', '654321', 0);
      const captured = g.received[0];
      assert.ok(captured);
      assert.equal(captured.verdict, 'ok');
      // The same signature over another code, or another number: refused.
      assert.equal(await replay(g.url, captured, captured.raw.replace('654321', '000000')), 401);
      assert.equal(g.received[1]?.verdict, 'bad_signature');
      // Byte for byte again, at once: accepted (the timestamp is still fresh); a receiver that must
      // refuse even that keeps the signatures it saw in the last five minutes (docs/operations.md).
      assert.equal(await replay(g.url, captured), 204);
      // Ten minutes later: stale.
      gatewayNow += 600;
      assert.equal(await replay(g.url, captured), 401);
      assert.equal(g.received[3]?.verdict, 'stale');
      // A sender whose clock is ten minutes behind signs a timestamp the gateway refuses, though the
      // HMAC itself is right: the timestamp is part of what is signed, not decoration.
      gatewayNow -= 600;
      await assert.rejects(
        webhookSmsSender(g.url, SECRET, { now: () => Date.now() - 600_000 }).sendSignInCode(
          '+8613800138000',
          '111111',
          0,
        ),
        /401/,
      );
      assert.equal(g.received[4]?.verdict, 'stale');
    } finally {
      await g.close();
      await other.close();
    }
  });

  test('a gateway error is a failure, not a silent success', async () => {
    const g = await gateway({ status: 500 });
    try {
      await assert.rejects(
        webhookSmsSender(g.url, SECRET).sendSignInCode('+8613800138000', '123456', 0),
        /500/,
      );
      assert.equal(g.received[0]?.verdict, 'ok');
    } finally {
      await g.close();
    }
  });

  test('a production platform signs the sign-in codes it sends with HEALTHCODE_SMS_WEBHOOK_SECRET', async () => {
    const g = await gateway({ nowS: () => Math.floor(TEST_EPOCH / 1000) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-sms-'));
    const database = await openSqlite({ file: path.join(dir, 'test.sqlite') });
    const config = loadConfig(
      { SMS_WEBHOOK_URL: g.url, HEALTHCODE_SMS_WEBHOOK_SECRET: SECRET },
      { mode: 'production', dataDir: os.tmpdir() },
    );
    const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const p = await createPlatform(config, { clock: new ManualClock(TEST_EPOCH), database, logger: silent });
    try {
      const sent = await requestSignInCode(p, '13800138000');
      assert.equal(sent.devCode, undefined);
      assert.equal(g.received.length, 1);
      assert.equal(g.received[0]?.verdict, 'ok');
      assert.equal((JSON.parse(g.received[0]?.raw ?? '{}') as { mobile?: string }).mobile, '+8613800138000');
    } finally {
      await p.close();
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
      await g.close();
    }
  });
});

describe('the SMS webhook secret is required in production', () => {
  const url = 'https://sms.example.cn/hook';

  test('SMS_WEBHOOK_URL without HEALTHCODE_SMS_WEBHOOK_SECRET is refused in production, allowed in demo', () => {
    assert.throws(
      () => loadConfig({ SMS_WEBHOOK_URL: url }, { mode: 'production' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => /HEALTHCODE_SMS_WEBHOOK_SECRET is not/.test(p)),
    );
    assert.equal(loadConfig({ SMS_WEBHOOK_URL: url }, { mode: 'demo' }).smsWebhookSecret, null);
    assert.equal(
      loadConfig({ SMS_WEBHOOK_URL: url, HEALTHCODE_SMS_WEBHOOK_SECRET: SECRET }).smsWebhookSecret,
      SECRET,
    );
    assert.equal(loadConfig({}).smsWebhookUrl, null, 'no URL, no secret needed');
    assert.throws(
      () => loadConfig({ SMS_WEBHOOK_URL: url, HEALTHCODE_SMS_WEBHOOK_SECRET: 'short' }),
      /32–512 printable ASCII/,
    );
    assert.throws(
      () =>
        loadConfig({ SMS_WEBHOOK_URL: url, HEALTHCODE_SMS_WEBHOOK_SECRET: 'has a space in it '.repeat(3) }),
      /without spaces/,
    );
  });

  test('healthcode serve refuses to start, saying what to set', () => {
    const r = spawnSync(process.execPath, ['bin/healthcode.js', 'serve'], {
      encoding: 'utf8',
      env: {
        ...process.env,
        SMS_WEBHOOK_URL: url,
        HEALTHCODE_SMS_WEBHOOK_SECRET: undefined,
        PORT: '0',
        DATA_DIR: os.tmpdir(),
      },
      timeout: 60_000,
    });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /SMS_WEBHOOK_URL is set but HEALTHCODE_SMS_WEBHOOK_SECRET is not/);
  });
});
