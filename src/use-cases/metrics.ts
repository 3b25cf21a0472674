import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Operational metrics (P9) in the Prometheus text format, served at GET /metrics. Counts and
 * latencies only: no metric carries a person, a document, a venue or a division, so the endpoint
 * discloses nothing personal. One registry per Platform (tests build many).
 *
 * The hot paths (every scan, every request) count through children looked up once per label value
 * and kept, so counting costs a Map lookup and an increment, not hashing a label object each time.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status_code'>;
  private readonly httpChildren = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  private readonly verifications: CachedCounter;
  private readonly checks: CachedCounter;
  private readonly reports: CachedCounter;
  private readonly batchRows: Histogram<'writer'>;
  private readonly batchDurable: Histogram<'writer'>;
  private readonly changesHeard: CachedCounter;
  private readonly changeFeedLosses: Counter;
  private readonly changeFeedListening: Gauge;
  private defaultsStarted = false;

  constructor() {
    const registers = [this.registry];
    this.http = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status code, from arrival to the last byte sent.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.verifications = new CachedCounter(
      new Counter({
        name: 'healthcode_verifications_total',
        help: 'Codes verified at checkpoints (verifyCode), by result: valid or the reason it was refused.',
        labelNames: ['result'],
        registers,
      }),
    );
    this.checks = new CachedCounter(
      new Counter({
        name: 'healthcode_checkpoint_checks_total',
        help: 'Door checks recorded (recordCheckpointCheck), by outcome: pass, refuse, or duplicate upload.',
        labelNames: ['outcome'],
        registers,
      }),
    );
    this.reports = new CachedCounter(
      new Counter({
        name: 'healthcode_reports_total',
        help: 'Reports to epidemic-control offices created (S7), by kind.',
        labelNames: ['kind'],
        registers,
      }),
    );
    this.batchRows = new Histogram({
      name: 'healthcode_group_commit_rows',
      help: 'Rows per group-commit transaction, by writer.',
      labelNames: ['writer'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    });
    this.batchDurable = new Histogram({
      name: 'healthcode_group_commit_seconds',
      help: 'Time from a group-commit batch closing until its rows were committed and durable, by writer.',
      labelNames: ['writer'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.changesHeard = new CachedCounter(
      new Counter({
        name: 'healthcode_changes_heard_total',
        help: 'Changes announced by other API nodes and heard on this one (PostgreSQL LISTEN), by kind.',
        labelNames: ['kind'],
        registers,
      }),
    );
    this.changeFeedLosses = new Counter({
      name: 'healthcode_change_feed_losses_total',
      help: 'Times the change feed’s listening connection failed or dropped (it reconnects by itself).',
      registers,
    });
    this.changeFeedListening = new Gauge({
      name: 'healthcode_change_feed_listening',
      help: '1 while this node listens for other nodes’ changes; 0 while reconnecting (caches then rely on their timed re-read). Absent on SQLite.',
      registers,
    });
  }

  /** Process metrics (CPU, memory, event-loop delay, GC): for the serving process only. */
  collectProcessMetrics(): void {
    if (this.defaultsStarted) return;
    this.defaultsStarted = true;
    collectDefaultMetrics({ register: this.registry });
  }

  request(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${statusCode} ${route}`;
    let child = this.httpChildren.get(key);
    if (child === undefined) {
      child = this.http.labels(method, route, String(statusCode));
      this.httpChildren.set(key, child);
    }
    child.observe(seconds);
  }

  verification(result: string): void {
    this.verifications.inc(result);
  }

  check(outcome: 'pass' | 'refuse' | 'duplicate'): void {
    this.checks.inc(outcome);
  }

  report(kind: string): void {
    this.reports.inc(kind);
  }

  changeHeard(kind: string): void {
    this.changesHeard.inc(kind);
  }

  changeFeed(listening: boolean): void {
    if (!listening) this.changeFeedLosses.inc();
    this.changeFeedListening.set(listening ? 1 : 0);
  }

  /** For GroupCommitWriter's `observe` option. */
  groupCommit(writer: string): (rows: number, seconds: number) => void {
    const rows = this.batchRows.labels(writer);
    const time = this.batchDurable.labels(writer);
    return (n, seconds) => {
      rows.observe(n);
      time.observe(seconds);
    };
  }
}

class CachedCounter {
  private readonly children = new Map<string, Counter.Internal>();
  constructor(private readonly counter: Counter) {}
  inc(value: string): void {
    let child = this.children.get(value);
    if (child === undefined) {
      child = this.counter.labels(value);
      this.children.set(value, child);
    }
    child.inc();
  }
}
