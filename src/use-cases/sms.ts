/** Delivers one-time sign-in codes. Production posts to an SMS gateway's webhook; demo keeps them in memory. */
export interface SmsSender {
  sendSignInCode(mobile: string, code: string, expiresAt: number): Promise<void>;
}

/** POSTs JSON {mobile, code, expiresAt, template} to the configured gateway; any non-2xx is a failure. */
export function webhookSmsSender(url: string, timeoutMs = 5_000): SmsSender {
  return {
    async sendSignInCode(mobile, code, expiresAt) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          template: 'sign_in_code',
          mobile,
          code,
          expiresAt: new Date(expiresAt).toISOString(),
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`SMS webhook answered ${response.status}`);
    },
  };
}

/** Demo and tests: nothing is sent; the last code per number can be read back (demo exposes it as devCode). */
export class MemorySmsSender implements SmsSender {
  readonly sent = new Map<string, string>();
  async sendSignInCode(mobile: string, code: string): Promise<void> {
    this.sent.set(mobile, code);
  }
}

/** Production without a gateway configured: refuse loudly rather than pretend a code went out. */
export const unconfiguredSmsSender: SmsSender = {
  async sendSignInCode() {
    throw new Error('SMS_WEBHOOK_URL is not set: sign-in codes cannot be delivered');
  },
};
