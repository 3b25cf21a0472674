import fs from 'node:fs';
import path from 'node:path';

/**
 * Configuration, read once from the environment and validated; every problem is reported at once.
 * Nothing else in the code base reads `process.env`.
 */
export interface Config {
  /** 'demo' seeds demo data and exposes development conveniences (devCode); 'production' never does. */
  readonly mode: 'demo' | 'production';
  readonly host: string;
  readonly port: number;
  /** Directory for the embedded database file. */
  readonly dataDir: string;
  /** PostgreSQL URL; when absent the embedded SQLite file `${dataDir}/healthcode.sqlite` is used. */
  readonly databaseUrl: string | null;
  /** Issuer claim written into every code, e.g. 'CN-37' for Shandong. */
  readonly issuer: string;
  /** Where production sends one-time sign-in codes (POST JSON {mobile, code, expiresAt}). */
  readonly smsWebhookUrl: string | null;
  /**
   * Shared secret that signs every SMS webhook POST (HMAC-SHA256, X-Healthcode-Signature);
   * HEALTHCODE_SMS_WEBHOOK_SECRET. Required in production when the URL is set. Never logged.
   */
  readonly smsWebhookSecret: string | null;
  /** Where reports of yellow and red codes and fevers at checkpoints are also POSTed (S7). */
  readonly reportWebhookUrl: string | null;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * The origin residents reach the platform at (`https://hc.example.gov.cn`), printed in the links
   * of place codes and posters. Configuration, never the request's Host header, which any client
   * sets (issue 8, finding 7). PUBLIC_ORIGIN; by default `http://HOST:PORT`, which production
   * accepts only on a loopback HOST.
   */
  readonly publicOrigin: string;
  /** Trust X-Forwarded-* headers (behind a reverse proxy). */
  readonly trustProxy: boolean;
  /**
   * 32 bytes that seal signing keys and platform secrets in the database (KEY_ENCRYPTION_KEY_FILE:
   * a file holding them in base64); null stores them unsealed. Never logged.
   */
  readonly keyEncryptionKey: Buffer | null;
  /** When set, GET /metrics requires `Authorization: Bearer <this>`; otherwise it is open. Never logged. */
  readonly metricsToken: string | null;
  /**
   * The support contact (S15), shown in the app, the console, on posters and paper codes:
   * SUPPORT_PHONE (default 12345, the local government service hotline), SUPPORT_HOURS (default
   * 8:00–20:00), SUPPORT_URL (optional help page).
   */
  readonly support: SupportConfig;
}

export interface SupportConfig {
  readonly phone: string;
  readonly hours: string;
  readonly url: string | null;
}

export const DEFAULT_SUPPORT: SupportConfig = { phone: '12345', hours: '8:00–20:00', url: null };

/** Reads SUPPORT_PHONE, SUPPORT_HOURS and SUPPORT_URL; each problem is added to `problems`. */
function readSupport(env: Readonly<Record<string, string | undefined>>, problems: string[]): SupportConfig {
  const phone = (env['SUPPORT_PHONE'] ?? DEFAULT_SUPPORT.phone).trim();
  if (!/^\+?[0-9][0-9 ()-]{1,22}[0-9]$/.test(phone)) {
    problems.push(
      `SUPPORT_PHONE must be a phone number of digits, spaces, "-", "(", ")" and an optional leading "+" (3–24 characters), got "${phone}"`,
    );
  }
  const hours = (env['SUPPORT_HOURS'] ?? DEFAULT_SUPPORT.hours).trim();
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (hours.length === 0 || hours.length > 40 || /[\u0000-\u001f\u007f]/.test(hours)) {
    problems.push(`SUPPORT_HOURS must be 1–40 printable characters such as "8:00–20:00", got "${hours}"`);
  }
  const givenUrl = env['SUPPORT_URL']?.trim() ?? '';
  let url: string | null = null;
  if (givenUrl !== '') {
    let parsed: URL | null = null;
    try {
      parsed = new URL(givenUrl);
    } catch {
      parsed = null;
    }
    if (
      parsed === null ||
      (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
      parsed.username !== '' ||
      parsed.password !== '' ||
      givenUrl.length > 200
    ) {
      problems.push(`SUPPORT_URL must be an http(s) address of at most 200 characters, got "${givenUrl}"`);
    } else {
      url = parsed.href;
    }
  }
  return { phone, hours, url };
}

/**
 * Reads a key-encryption key file (KEY_ENCRYPTION_KEY_FILE): base64 of exactly 32 bytes, surrounding
 * whitespace allowed. A problem is added to `problems` and null returned when it is not one.
 */
export function readKeyEncryptionKey(file: string | undefined, problems: string[]): Buffer | null {
  if (file === undefined || file === '') return null;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    problems.push(
      `KEY_ENCRYPTION_KEY_FILE ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return null;
  }
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32) {
    problems.push(
      'KEY_ENCRYPTION_KEY_FILE must hold 32 random bytes in base64 (make one with `healthcode kek generate FILE`)',
    );
    return null;
  }
  return key;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A plain http(s) origin (scheme, host, optional port; no path, query or credentials), or null. */
function parseOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const plain =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    !text.endsWith('/');
  return plain ? url.origin : null;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<Config> = {},
): Config {
  const problems: string[] = [];
  const port = Number(env['PORT'] ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push(`PORT must be an integer 0–65535, got "${env['PORT']}"`);
  }
  const databaseUrl = env['DATABASE_URL'] ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const smsWebhookUrl = env['SMS_WEBHOOK_URL'] ?? null;
  if (smsWebhookUrl !== null && !/^https?:\/\//.test(smsWebhookUrl)) {
    problems.push('SMS_WEBHOOK_URL must be an http(s) URL');
  }
  const smsWebhookSecret = env['HEALTHCODE_SMS_WEBHOOK_SECRET'] ?? null;
  if (smsWebhookSecret !== null && !/^[\x21-\x7e]{32,512}$/.test(smsWebhookSecret)) {
    problems.push(
      'HEALTHCODE_SMS_WEBHOOK_SECRET must be 32–512 printable ASCII characters without spaces (e.g. `openssl rand -hex 32`)',
    );
  }
  const reportWebhookUrl = env['REPORT_WEBHOOK_URL'] ?? null;
  if (reportWebhookUrl !== null && !/^https?:\/\//.test(reportWebhookUrl)) {
    problems.push('REPORT_WEBHOOK_URL must be an http(s) URL');
  }
  const logLevel = (env['LOG_LEVEL'] ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const issuer = env['HEALTHCODE_ISSUER'] ?? 'CN-37';
  if (!/^[A-Z0-9-]{2,16}$/.test(issuer)) problems.push('HEALTHCODE_ISSUER must be 2–16 of A–Z, 0–9, -');
  const keyEncryptionKey = readKeyEncryptionKey(env['KEY_ENCRYPTION_KEY_FILE'], problems);
  const metricsToken = env['METRICS_TOKEN'] ?? null;
  if (metricsToken !== null && !/^[A-Za-z0-9._~+/=-]{16,200}$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN must be 16–200 characters of A–Z, a–z, 0–9 and ._~+/=-');
  }
  const givenOrigin = env['PUBLIC_ORIGIN'] ?? null;
  const publicOrigin = givenOrigin === null ? null : parseOrigin(givenOrigin);
  if (givenOrigin !== null && publicOrigin === null) {
    problems.push(
      `PUBLIC_ORIGIN must be an origin such as https://hc.example.gov.cn (no path or trailing slash), got "${givenOrigin}"`,
    );
  }
  const host = overrides.host ?? env['HOST'] ?? '127.0.0.1';
  const config: Config = {
    mode: 'production',
    host,
    publicOrigin: publicOrigin ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    dataDir: path.resolve(env['DATA_DIR'] ?? 'data'),
    databaseUrl,
    issuer,
    smsWebhookUrl,
    smsWebhookSecret,
    reportWebhookUrl,
    logLevel,
    trustProxy: env['TRUST_PROXY'] === '1',
    keyEncryptionKey,
    metricsToken,
    support: readSupport(env, problems),
    ...overrides,
  };
  if (config.mode === 'production' && givenOrigin === null && !isLoopback(config.host)) {
    problems.push(
      `PUBLIC_ORIGIN must be set when serving on HOST=${config.host}: it is the https:// origin residents reach the platform at, printed on place-code posters`,
    );
  }
  if (config.mode === 'production' && config.smsWebhookUrl !== null && config.smsWebhookSecret === null) {
    problems.push(
      'SMS_WEBHOOK_URL is set but HEALTHCODE_SMS_WEBHOOK_SECRET is not: production signs every sign-in code it posts, so that the gateway can refuse forged ones; set a shared secret of at least 32 characters (e.g. `openssl rand -hex 32`) and give it to the gateway (docs/operations.md)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
