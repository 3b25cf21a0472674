import { createHmac } from 'node:crypto';

/** Delivers one-time sign-in codes. Production posts to an SMS gateway's webhook; demo keeps them in memory. */
export interface SmsSender {
  sendSignInCode(mobile: string, code: string, expiresAt: number): Promise<void>;
  /**
   * Tells a resident to open the app (issue 10 item 8). `text` is fixed by the platform
   * (NOTICE_SMS_TEXT) and carries no health detail: an SMS is read on lock screens and by others.
   */
  sendNotice(mobile: string, text: string): Promise<void>;
}

/** The only SMS text of notices: no colour, no reason, no name — just "look in the app". */
export const NOTICE_SMS_TEXT =
  '【健康通行码】您的健康码信息有更新，请登录查看。Your health code has an update; open the app to see it.';

export const SIGNATURE_HEADER = 'x-healthcode-signature';
export const TIMESTAMP_HEADER = 'x-healthcode-timestamp';

/**
 * The signature of one webhook POST: `sha256=` and the hex HMAC-SHA256, keyed with the shared secret
 * (its UTF-8 bytes), of `<timestamp>.<raw body>`, the timestamp in unix seconds as sent in
 * X-Healthcode-Timestamp. Binding the timestamp lets the receiver refuse replays of an old POST
 * (docs/operations.md, "Verifying the SMS webhook").
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs JSON {template: 'sign_in_code', mobile, code, expiresAt} or {template: 'notice', mobile,
 * text} to the configured gateway; any non-2xx is a
 * failure. With a secret each POST is signed (X-Healthcode-Timestamp, X-Healthcode-Signature);
 * production refuses to start without one (config.ts). `now` is the platform clock (ms).
 */
export function webhookSmsSender(
  url: string,
  secret: string | null,
  options: { timeoutMs?: number; now?: () => number } = {},
): SmsSender {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const post = async (body: string): Promise<void> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) {
      const timestamp = Math.floor(now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = webhookSignature(secret, timestamp, body);
    }
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`SMS webhook answered ${response.status}`);
  };
  return {
    async sendSignInCode(mobile, code, expiresAt) {
      await post(
        JSON.stringify({
          template: 'sign_in_code',
          mobile,
          code,
          expiresAt: new Date(expiresAt).toISOString(),
        }),
      );
    },
    async sendNotice(mobile, text) {
      await post(JSON.stringify({ template: 'notice', mobile, text }));
    },
  };
}

/** Demo and tests: nothing is sent; the last code per number can be read back (demo exposes it as devCode). */
export class MemorySmsSender implements SmsSender {
  readonly sent = new Map<string, string>();
  /** Every notice SMS, in order. */
  readonly notices: { mobile: string; text: string }[] = [];
  async sendSignInCode(mobile: string, code: string): Promise<void> {
    this.sent.set(mobile, code);
  }
  async sendNotice(mobile: string, text: string): Promise<void> {
    this.notices.push({ mobile, text });
  }
}

/** Production without a gateway configured: refuse loudly rather than pretend a code went out. */
export const unconfiguredSmsSender: SmsSender = {
  async sendSignInCode() {
    throw new Error('SMS_WEBHOOK_URL is not set: sign-in codes cannot be delivered');
  },
  async sendNotice() {
    throw new Error('SMS_WEBHOOK_URL is not set: notices cannot be sent by SMS');
  },
};
