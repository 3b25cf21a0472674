import { EventEmitter } from 'node:events';
import { formatChinaTime } from '../domain/china-time.ts';
import type { EpochMs } from '../domain/types.ts';
import {
  claimOutbox,
  dueOutbox,
  findReport,
  insertReport,
  listReports as listReportRows,
  maxReportId,
  moveReport,
  settleOutbox,
  type ReportKind,
  type ReportRow,
  type ReportState,
} from '../storage/reports.ts';
import { AppError } from './errors.ts';
import { jurisdictionCovers } from '../domain/jurisdiction.ts';
import type { ReportResponse } from '../contracts/reports.ts';
import { authorize } from './access.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import { announce } from './changes.ts';

const time = (ms: number | null) => (ms === null ? null : formatChinaTime(ms as EpochMs));

/** What officers and the webhook receive (S7). */
export function reportView(r: ReportRow): ReportResponse {
  return {
    reportId: r.id,
    venueId: r.venueId,
    venueName: r.venueName,
    divisionCode: r.divisionCode,
    kind: r.kind,
    state: r.state,
    maskedName: r.maskedName,
    checkId: r.checkId,
    createdAt: formatChinaTime(r.createdAt as EpochMs),
    acknowledgedAt: time(r.acknowledgedAt),
    acknowledgedBy: r.acknowledgedBy,
    handledAt: time(r.handledAt),
    handledBy: r.handledBy,
    note: r.note,
  };
}

// ---------------------------------------------------------------------------------------------
// Per-platform state, kept beside the Platform object (its owner closes it with closeReports).

/** This node's report delivery (Platform.reports): the hub of its streams and the webhook. */
export interface ReportsState {
  /** New reports made on this node, for the streams connected to it. */
  readonly hub: EventEmitter;
  readonly streams: Set<() => void>;
  webhook: ReportWebhook | null;
  webhookConfigured: boolean;
}

export function createReportsState(): ReportsState {
  const hub = new EventEmitter();
  // One listener per open stream; an officers' room may hold many.
  hub.setMaxListeners(0);
  return { hub, streams: new Set(), webhook: null, webhookConfigured: false };
}

/** The node's report state, its webhook made on first use (the webhook needs the whole platform). */
function stateOf(p: Platform): ReportsState {
  const s = p.reports;
  if (!s.webhookConfigured) {
    s.webhookConfigured = true;
    const url = p.config.reportWebhookUrl;
    if (url !== null) s.webhook = new ReportWebhook(p, { url });
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Creating and moving reports

/** The report a check creates, if any (S7): a yellow or red code, else a fever. */
export function reportKindOf(reasons: readonly string[]): ReportKind | null {
  if (reasons.includes('red_code')) return 'red_code';
  if (reasons.includes('yellow_code')) return 'yellow_code';
  if (reasons.includes('fever')) return 'fever';
  return null;
}

/**
 * Stores the report of a check (once per check, whatever retries happen) and delivers it at once to
 * the streams of this node and to the webhook. Streams on other nodes get it from the change feed
 * at once (PostgreSQL), or find it by polling (SQLite, or while their feed reconnects).
 */
export async function createReport(
  p: Platform,
  r: {
    venueId: number;
    divisionCode: string;
    kind: ReportKind;
    residentId: number | null;
    maskedName: string | null;
    checkId: string;
  },
): Promise<number | null> {
  const s = stateOf(p);
  const now = p.clock.now();
  const id = await insertReport(p.db, { ...r, createdAt: now }, s.webhook !== null);
  if (id === null) return null;
  p.metrics.report(r.kind);
  const row = await findReport(p.db, id);
  if (row !== null) s.hub.emit('report', row);
  s.webhook?.kick();
  await announce(p, { kind: 'report', id });
  return id;
}

/**
 * A report another node created and announced (the change feed): read once for this node and
 * handed to its open streams, which keep only their jurisdiction's. Nothing is read when no stream
 * is open. A failed read is left to the streams' fallback poll.
 */
export async function deliverAnnouncedReport(p: Platform, reportId: number): Promise<void> {
  const s = p.reports;
  if (s.streams.size === 0) return;
  try {
    const row = await findReport(p.db, reportId);
    if (row !== null) s.hub.emit('report', row);
  } catch {
    // The database is briefly unreachable: the streams' poll finds it.
  }
}

/**
 * The change feed dropped or came back: announcements may have been missed, so every stream polls
 * now, and goes on at the pace that suits the feed's state.
 */
export function resyncReportStreams(p: Platform): void {
  p.reports.hub.emit('resync');
}

/** Reports per page at most; page back with `before` = the `nextBefore` of the previous page. */
export const MAX_REPORTS_PAGE = 1000;

export async function listReports(
  p: Platform,
  principal: Principal,
  query: { state?: ReportState; from?: EpochMs; before?: number | undefined; limit?: number | undefined },
): Promise<{ reports: ReportResponse[]; nextBefore: number | null }> {
  const staff = authorize(principal, 'listReports');
  const limit = Math.min(Math.max(query.limit ?? 100, 1), MAX_REPORTS_PAGE);
  const rows = await listReportRows(p.db, {
    jurisdiction: staff.divisionCodes,
    ...(query.state === undefined ? {} : { state: query.state }),
    ...(query.from === undefined ? {} : { from: query.from }),
    ...(query.before === undefined ? {} : { beforeId: query.before }),
    limit,
    order: 'desc',
  });
  const reports = rows.map(reportView);
  // Reports name (masked) the people refused at a door (P3).
  await p.auditLog.write({
    at: p.clock.now(),
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'read_reports',
    residentId: null,
    detail: { reports: reports.map((r) => r.reportId) },
  });
  const last = reports.at(-1);
  return { reports, nextBefore: reports.length === limit && last !== undefined ? last.reportId : null };
}

const ORDER: Readonly<Record<ReportState, number>> = { new: 0, acknowledged: 1, handled: 2 };

/** An officer moves a report forward: new → acknowledged → handled, recording who and when. */
export async function acknowledgeReport(
  p: Platform,
  principal: Principal,
  reportId: number,
  input: { state: 'acknowledged' | 'handled'; note?: string },
): Promise<ReportResponse> {
  const staff = authorize(principal, 'acknowledgeReport');
  const s = stateOf(p);
  for (;;) {
    const report = await findReport(p.db, reportId);
    if (report === null || !jurisdictionCovers(staff.divisionCodes, report.divisionCode)) {
      // A report outside the jurisdiction is not even confirmed to exist.
      throw new AppError('report_not_found', `There is no report ${reportId} in your jurisdiction.`);
    }
    if (ORDER[input.state] <= ORDER[report.state]) {
      throw new AppError(
        'report_state_invalid',
        `The report is already ${report.state}; it can only move forward (new → acknowledged → handled).`,
      );
    }
    const now = p.clock.now();
    const note = input.note === undefined ? null : input.note.trim() === '' ? null : input.note.trim();
    const moved = await moveReport(
      p.db,
      report.id,
      { from: report.state, to: input.state, by: staff.staffId, at: now, note },
      s.webhook !== null,
    );
    // Another officer moved it in between: read it again and judge the move against its new state.
    if (!moved) continue;
    s.webhook?.kick();
    const updated = await findReport(p.db, report.id);
    if (updated === null) throw new Error(`report ${report.id} vanished`);
    return reportView(updated);
  }
}

// ---------------------------------------------------------------------------------------------
// The live stream (server-sent events)

/**
 * How often a stream looks for reports made on other API nodes when it cannot hear of them: on
 * SQLite (several processes on one file), and on PostgreSQL while the change feed is not listening.
 */
export const STREAM_POLL_MS = 500;
/**
 * How often it looks while the change feed listens (announced reports arrive at once): only a
 * report whose announcement was lost — its node died between commit and NOTIFY — waits for this.
 */
export const STREAM_FALLBACK_POLL_MS = 5_000;
/** Ids this far below the highest one seen are looked at again: a PostgreSQL id may commit late. */
const POLL_OVERLAP = 64;

export interface ReportStream {
  close(): void;
}

/**
 * Follows the reports of an officer's jurisdiction from `afterId` (or from now): those made on this
 * node at once, those of other nodes at once when the change feed listens (PostgreSQL), else within
 * STREAM_POLL_MS. `send` gets each report exactly once.
 */
export async function openReportStream(
  p: Platform,
  principal: Principal,
  afterId: number | null,
  send: (report: ReportResponse) => void,
  /** Called when the platform closes the stream (shutdown), not when the caller does. */
  onShutdown: () => void = () => undefined,
): Promise<ReportStream> {
  const staff = authorize(principal, 'streamReports');
  // Opening the stream is the read (P3): what it then delivers is in the reports table.
  await p.auditLog.write({
    at: p.clock.now(),
    actorKind: 'staff',
    actorId: staff.staffId,
    action: 'open_report_stream',
    residentId: null,
    detail: { afterId, jurisdiction: staff.divisionCodes },
  });
  const s = stateOf(p);
  const sent = new Set<number>();
  let cursor = afterId ?? (await maxReportId(p.db));
  let closed = false;
  const deliver = (row: ReportRow) => {
    if (closed || sent.has(row.id) || row.id <= (afterId ?? -1)) return;
    if (!jurisdictionCovers(staff.divisionCodes, row.divisionCode)) return;
    sent.add(row.id);
    send(reportView(row));
  };
  const onReport = (row: ReportRow) => deliver(row);
  s.hub.on('report', onReport);
  let polling = false;
  const poll = async () => {
    if (polling || closed) return;
    polling = true;
    try {
      const rows = await listReportRows(p.db, {
        jurisdiction: staff.divisionCodes,
        afterId: Math.max(afterId ?? 0, cursor - POLL_OVERLAP),
        limit: 500,
        order: 'asc',
      });
      for (const row of rows) {
        deliver(row);
        cursor = Math.max(cursor, row.id);
      }
      for (const id of sent) if (id <= cursor - POLL_OVERLAP) sent.delete(id);
    } catch {
      // The database is briefly unreachable: the next poll tries again.
    } finally {
      polling = false;
    }
  };
  await poll();
  // One loop per stream: wait, poll, again. A resync (the feed dropped or came back) ends the wait.
  let wake: (() => void) | null = null;
  void (async () => {
    while (!closed) {
      const ms = p.changes.listener?.listening === true ? STREAM_FALLBACK_POLL_MS : STREAM_POLL_MS;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
      await poll();
    }
  })();
  const onResync = () => wake?.();
  s.hub.on('resync', onResync);
  const close = () => {
    if (closed) return;
    closed = true;
    wake?.();
    s.hub.off('report', onReport);
    s.hub.off('resync', onResync);
    s.streams.delete(shutdown);
  };
  const shutdown = () => {
    close();
    onShutdown();
  };
  s.streams.add(shutdown);
  return { close };
}

// ---------------------------------------------------------------------------------------------
// The webhook (outbox with retries)

export interface ReportWebhookOptions {
  readonly url: string;
  /** First retry after this long; each next one waits twice as long, up to maxDelayMs. */
  readonly retryBaseMs?: number;
  readonly maxDelayMs?: number;
  /** Attempts before a delivery is given up (and left in the outbox with its last error). */
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
  /** How often the outbox is looked at for retries and for deliveries left by another node. */
  readonly pollMs?: number;
}

/**
 * Posts `{event, report}` as JSON for every new report and every state change, from a durable outbox:
 * a delivery survives a restart, is retried with exponential backoff, and is made by one node only.
 */
class ReportWebhook {
  private readonly url: string;
  private readonly retryBaseMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly timer: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private closed = false;

  constructor(
    private readonly p: Platform,
    o: ReportWebhookOptions,
  ) {
    this.url = o.url;
    this.retryBaseMs = o.retryBaseMs ?? 1_000;
    this.maxDelayMs = o.maxDelayMs ?? 5 * 60_000;
    this.maxAttempts = o.maxAttempts ?? 15;
    this.timeoutMs = o.timeoutMs ?? 5_000;
    this.timer = setInterval(() => this.kick(), o.pollMs ?? 1_000);
    this.timer.unref();
  }

  kick(): void {
    if (this.closed) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async run(): Promise<void> {
    try {
      const now = this.p.clock.now();
      for (const row of await dueOutbox(this.p.db, now, 50)) {
        if (this.closed) return;
        if (!(await claimOutbox(this.p.db, row, now + this.timeoutMs * 2))) continue;
        const report = await findReport(this.p.db, row.reportId);
        const attempts = row.attempts + 1;
        let error: string | null = null;
        if (report !== null) {
          try {
            const response = await fetch(this.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ event: row.event, report: reportView(report) }),
              signal: AbortSignal.timeout(this.timeoutMs),
            });
            if (!response.ok) error = `webhook answered ${response.status}`;
          } catch (e) {
            error = (e as Error).message;
          }
        }
        const at = this.p.clock.now();
        if (error === null) {
          await settleOutbox(this.p.db, row.id, { deliveredAt: at, nextAttemptAt: null, error: null });
        } else {
          const delay = Math.min(this.maxDelayMs, this.retryBaseMs * 2 ** (attempts - 1));
          await settleOutbox(this.p.db, row.id, {
            deliveredAt: null,
            nextAttemptAt: attempts >= this.maxAttempts ? null : at + delay,
            error,
          });
        }
      }
    } catch {
      // The database is briefly unreachable: the timer tries again.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }
}

/**
 * Sets (or replaces) the webhook of a platform, e.g. from a test with short retry delays. Production
 * takes the URL from config (REPORT_WEBHOOK_URL) on first use.
 */
export async function configureReportWebhook(
  p: Platform,
  options: ReportWebhookOptions | null,
): Promise<void> {
  const s = stateOf(p);
  await s.webhook?.close();
  s.webhook = options === null ? null : new ReportWebhook(p, options);
}

/** Starts delivering the outbox now (deliveries left by a restart), rather than at the first report. */
export function startReportDelivery(p: Platform): void {
  stateOf(p).webhook?.kick();
}

/** Ends this node's report streams and webhook deliveries; call from Platform.close(). */
export async function closeReports(p: Platform): Promise<void> {
  const s = p.reports;
  for (const shutdown of [...s.streams]) shutdown();
  await s.webhook?.close();
  s.webhook = null;
}
