import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { sql } from 'kysely';
import type { Database } from './database.ts';

/**
 * The change feed between API nodes on PostgreSQL (issue 12): a node that changes shared data that
 * other nodes cache tells them with NOTIFY, and every node LISTENs on one connection of its own and
 * drops its copy at once. On SQLite there is no feed: several nodes are processes on one file, and
 * their caches' timed re-reads are how a change reaches them.
 */

/** What a node announces. A report carries its id: listeners read it and push it to their streams. */
export type Change =
  | { readonly kind: 'policies' | 'risk_areas' | 'checkpoint_policies' | 'signing_keys' }
  | { readonly kind: 'report'; readonly id: number };

export const CACHE_CHANGE_KINDS = ['policies', 'risk_areas', 'checkpoint_policies', 'signing_keys'] as const;

/**
 * One channel per schema (tests and tenants share a server; notifications are per database already):
 * computed by the server on both sides, so a publisher and a listener whose search_path names the
 * same schema meet, whatever URL or option put it there. A hash keeps it under the 63-byte limit.
 */
const CHANNEL_SQL = `'healthcode_' || left(md5(coalesce(current_schema(), '')), 16)`;

/**
 * Announces a change to every node listening (the sender's own listener hears it too and skips it
 * by `origin`). Sent after the change committed, so a listener that re-reads sees it. Resolves
 * when sent; on SQLite it does nothing.
 */
export async function publishChange(database: Database, origin: string, change: Change): Promise<void> {
  if (database.dedicatedClient === null) return;
  const payload = JSON.stringify(
    change.kind === 'report' ? { o: origin, k: 'report', id: change.id } : { o: origin, k: change.kind },
  );
  await sql`select pg_notify(${sql.raw(CHANNEL_SQL)}, ${payload})`.execute(database.db);
}

/** The change a payload names, or null for one this version does not know (a newer node's). */
export function parseChange(payload: string | undefined): { origin: string; change: Change } | null {
  if (payload === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { o, k, id } = value as Record<string, unknown>;
  if (typeof o !== 'string') return null;
  if (k === 'report')
    return typeof id === 'number' && Number.isSafeInteger(id) && id > 0
      ? { origin: o, change: { kind: 'report', id } }
      : null;
  return (CACHE_CHANGE_KINDS as readonly unknown[]).includes(k)
    ? { origin: o, change: { kind: k as (typeof CACHE_CHANGE_KINDS)[number] } }
    : null;
}

export interface ChangeListenerEvents {
  /** A change announced by another node or by the CLI (this node's own are left out). */
  change(change: Change): void;
  /**
   * Listening, for the first time or again after the connection dropped: whatever was announced
   * in between was not heard, so a reconnected node re-reads what it caches.
   */
  listening(reconnected: boolean): void;
  /** The connection failed or dropped; the next attempt is in `retryInMs`. Never fatal. */
  lost(error: Error, retryInMs: number): void;
}

export interface ChangeListenerOptions {
  /** This node's id in payloads: its own announcements are not handed back to it. */
  readonly origin: string;
  /** First reconnect after this long, doubling up to maxRetryMs. */
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
  /**
   * This often the connection NOTIFYs itself and waits for it to come back, within pingTimeoutMs
   * (once also before it counts as listening). That finds a server that vanished without closing
   * the socket (a machine lost, a partition), and a path that does not deliver notifications at
   * all (a pooler in transaction mode), which a `select 1` would not.
   */
  readonly pingMs?: number;
  readonly pingTimeoutMs?: number;
}

/**
 * LISTENs on one dedicated PostgreSQL connection (not from the pool) and hands each announced
 * change to `events.change`. When the connection drops — a failover, a restart, a terminated
 * backend — it says so in `events.lost` and reconnects with backoff until closed; nothing it does
 * throws into the process.
 */
export class ChangeListener {
  private readonly origin: string;
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly pingMs: number;
  private readonly pingTimeoutMs: number;
  private client: pg.Client | null = null;
  private channel: string | null = null;
  private pid: number | null = null;
  private live = false;
  private everListened = false;
  private attempt = 0;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pinging = false;
  private echoWaiting: { token: string; resolve: () => void } | null = null;

  constructor(
    private readonly database: Database,
    private readonly events: ChangeListenerEvents,
    options: ChangeListenerOptions,
  ) {
    this.origin = options.origin;
    this.minRetryMs = options.minRetryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
    this.pingMs = options.pingMs ?? 10_000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  }

  /** Whether the connection is up and listening now (changes arrive as they are made). */
  get listening(): boolean {
    return this.live;
  }

  /** The server process of the listening connection, while there is one (for operators and tests). */
  get backendPid(): number | null {
    return this.live ? this.pid : null;
  }

  /** Connects in the background; on SQLite it does nothing. */
  start(): void {
    if (this.database.dedicatedClient === null || this.closed || this.client !== null) return;
    void this.connect();
  }

  private async connect(): Promise<void> {
    const make = this.database.dedicatedClient;
    if (make === null || this.closed) return;
    const client = make();
    this.client = client;
    const fail = (error: Error) => this.drop(client, error);
    client.on('error', fail);
    client.on('end', () => fail(new Error('the listening connection to the database ended')));
    client.on('notification', (message) => {
      if (this.client !== client || message.channel !== this.channel) return;
      const echo = this.echoWaiting;
      if (echo !== null && message.payload?.includes(echo.token) === true) {
        echo.resolve();
        return;
      }
      const parsed = parseChange(message.payload);
      if (parsed === null || parsed.origin === this.origin) return;
      try {
        this.events.change(parsed.change);
      } catch {
        // A consumer's failure must not end the connection; its own fallback re-read covers it.
      }
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ channel: string; pid: number }>(
        `select ${CHANNEL_SQL} as channel, pg_backend_pid() as pid`,
      );
      const row = rows[0];
      if (row === undefined) throw new Error('the server named no channel');
      this.channel = row.channel;
      this.pid = row.pid;
      await client.query(`listen "${row.channel}"`);
      // Listening counts once a notification has made the round trip.
      await this.echo(client);
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (this.client !== client) {
      // Closed (or dropped) while connecting.
      client.end().catch(() => undefined);
      return;
    }
    this.attempt = 0;
    this.live = true;
    const reconnected = this.everListened;
    this.everListened = true;
    this.pingTimer = setInterval(() => void this.ping(client), this.pingMs);
    this.pingTimer.unref();
    this.events.listening(reconnected);
  }

  private async ping(client: pg.Client): Promise<void> {
    // One at a time: a ping still waiting is the one that times out.
    if (this.pinging) return;
    this.pinging = true;
    try {
      await this.echo(client);
    } catch (error) {
      this.drop(client, error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.pinging = false;
    }
  }

  /** NOTIFYs this connection's own channel and waits for it to arrive here, within pingTimeoutMs. */
  private async echo(client: pg.Client): Promise<void> {
    const token = randomUUID();
    const heard = new Promise<void>((resolve) => {
      this.echoWaiting = { token, resolve };
    });
    const sent = client.query('select pg_notify($1, $2)', [
      this.channel,
      JSON.stringify({ o: this.origin, k: 'echo', t: token }),
    ]);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.all([sent, heard]),
        new Promise((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `a notification sent on the listening connection did not come back within ${this.pingTimeoutMs} ms`,
                ),
              ),
            this.pingTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (this.echoWaiting?.token === token) this.echoWaiting = null;
    }
  }

  /** Gives up `client` (once; later calls for it do nothing) and schedules the next attempt. */
  private drop(client: pg.Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.live = false;
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    // Not awaited: on a socket to a vanished server it waits for TCP; the client is dropped anyway.
    client.end().catch(() => undefined);
    if (this.closed) return;
    const delay = Math.min(this.maxRetryMs, this.minRetryMs * 2 ** this.attempt);
    this.attempt += 1;
    try {
      this.events.lost(error, delay);
    } catch {
      // Reporting the loss must not stop the reconnecting.
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
    this.retryTimer.unref();
  }

  /** Stops listening and reconnecting. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
    const client = this.client;
    this.client = null;
    this.live = false;
    if (client === null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.end().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 1_000);
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }
}
