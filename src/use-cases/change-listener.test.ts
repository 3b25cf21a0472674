import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import {
  createTestPlatform,
  dialectSuiteOptions,
  POSTGRES_URL,
  type TestPlatform,
} from '../../test/support/platform.ts';
import { DEFAULT_POLICY } from '../domain/colour/index.ts';
import { DEFAULT_CHECKPOINT_POLICY } from '../domain/venues/index.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import type { EpochMs } from '../domain/types.ts';
import { createPlatform } from '../platform.ts';
import { findStaffByUsername } from '../storage/staff.ts';
import { findVenue } from '../storage/venues.ts';
import { startChangeListener } from './change-listener.ts';
import { announceOn } from './changes.ts';
import { publishCheckpointPolicy } from './checkpoint.ts';
import { seedDemoData } from './demo.ts';
import { rotateSigningKey } from './keyring.ts';
import type { Logger, Platform } from './platform.ts';
import { publishPolicy } from './policies.ts';
import { createReport, openReportStream } from './reports.ts';
import { declareRiskArea } from './risk-areas.ts';
import type { Principal } from './sign-in.ts';

/**
 * Two API nodes (two Platforms, each with its own change listener) on one PostgreSQL schema, with a
 * clock that never moves: the caches' timed re-read never comes due, so whatever node B learns of a
 * change made through node A, it learns from the change feed.
 */

/** Waits until `check` holds (polling every 10 ms); fails with `what` after 10 s. */
async function eventually(what: string, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > 10_000) throw new Error(`not within 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const quiet: Logger & { lines: string[] } = {
  lines: [],
  info(_f, m) {
    this.lines.push(`info ${m}`);
  },
  warn(_f, m) {
    this.lines.push(`warn ${m}`);
  },
  error(_f, m) {
    this.lines.push(`error ${m}`);
  },
};

async function staffPrincipal(p: Platform, username: string): Promise<Principal> {
  const s = await findStaffByUsername(p.db, username);
  if (s === null) throw new Error(`no ${username}`);
  return {
    kind: 'staff',
    staffId: s.id,
    role: s.role,
    divisionCode: s.divisionCode,
    divisionCodes: s.divisionCodes,
    displayName: s.displayName,
    tokenHash: '',
  };
}

describe(
  'two API nodes on one PostgreSQL follow each other’s changes',
  await dialectSuiteOptions('postgres'),
  () => {
    let t: TestPlatform;
    let a: Platform;
    let b: Platform;
    let admin: Principal;
    let officer: Principal;
    let now: EpochMs;
    before(async () => {
      t = await createTestPlatform('postgres');
      a = t.platform;
      b = await createPlatform(a.config, { database: a.database, clock: t.clock, sms: t.sms, logger: quiet });
      await seedDemoData(a);
      admin = await staffPrincipal(a, 'admin');
      officer = await staffPrincipal(a, 'officer');
      now = t.clock.now() as EpochMs;
      startChangeListener(a);
      startChangeListener(b, { minRetryMs: 1_000 });
      await eventually(
        'both nodes listen',
        () => a.changes.listener?.listening === true && b.changes.listener?.listening === true,
      );
    });
    after(async () => {
      await b.close();
      await t.close();
    });

    test('a policy published on A is in force on B at once, though B’s cached copy is not due for a re-read', async () => {
      assert.equal((await b.policies.current(now)).version, DEFAULT_POLICY.version);
      const version = `${DEFAULT_POLICY.version}.feed`;
      const change = await publishPolicy(a, admin, {
        policy: { ...DEFAULT_POLICY, version, effectiveFrom: formatChinaTime(now) },
      });
      await change.sweep;
      const ms = await eventually(
        'B applies the new policy',
        async () => (await b.policies.current(now)).version === version,
      );
      console.log(`policy published on A in force on B after ${ms} ms`);
    });

    test('a risk area declared on A is known to B at once', async () => {
      const before = (await b.riskAreas.all(now)).length;
      const declared = await declareRiskArea(a, admin, { divisionCode: '370112', level: 'medium' });
      await declared.sweep;
      await eventually('B knows the area', async () => (await b.riskAreas.all(now)).length === before + 1);
      assert.ok(
        (await b.riskAreas.all(now)).some((r) => r.divisionCode === '370112'),
        'the declared area is among those B knows',
      );
    });

    test('a checkpoint policy published on A decides checks on B at once', async () => {
      assert.equal((await b.checkpoint.policy.current(now)).version, DEFAULT_CHECKPOINT_POLICY.version);
      const version = `${DEFAULT_CHECKPOINT_POLICY.version}.feed`;
      await publishCheckpointPolicy(a, admin, {
        ...DEFAULT_CHECKPOINT_POLICY,
        version,
        effectiveFrom: formatChinaTime(now),
      });
      await eventually(
        'B applies the new checkpoint policy',
        async () => (await b.checkpoint.policy.current(now)).version === version,
      );
    });

    test('a key rotated from the CLI signs on B at once', async () => {
      await b.keyring.refresh(now);
      const before = b.keyring.activeKey().kid;
      const rotated = await rotateSigningKey(a.db, a.sealer, now);
      await announceOn(a.database, 'cli-test', { kind: 'signing_keys' }, quiet);
      await eventually('B drops its key cache', () => !b.keyring.isFresh(now));
      await b.keyring.refresh(now);
      assert.notEqual(rotated.activated, before);
      assert.equal(b.keyring.activeKey().kid, rotated.activated);
    });

    test('a report created on A reaches a stream on B through the feed, not its fallback poll', async () => {
      const venue = await findVenue(a.db, 1);
      assert.ok(venue !== null, 'the demo venue');
      const received: { id: number; at: number }[] = [];
      const stream = await openReportStream(b, officer, null, (r) =>
        received.push({ id: r.reportId, at: Date.now() }),
      );
      try {
        const heardBefore = await b.metrics.registry.getSingleMetricAsString(
          'healthcode_changes_heard_total',
        );
        const started = Date.now();
        const id = await createReport(a, {
          venueId: venue.id,
          divisionCode: venue.divisionCode,
          kind: 'fever',
          residentId: null,
          maskedName: null,
          checkId: randomUUID(),
        });
        assert.ok(id !== null);
        await eventually('the stream on B has the report', () => received.some((r) => r.id === id));
        const ms = (received.find((r) => r.id === id)?.at ?? 0) - started;
        console.log(`report created on A on B's stream after ${ms} ms`);
        // B heard it announced (its stream polls only every few seconds while the feed listens).
        const heard = await b.metrics.registry.getSingleMetricAsString('healthcode_changes_heard_total');
        assert.doesNotMatch(heardBefore, /kind="report"/);
        assert.match(heard, /healthcode_changes_heard_total\{kind="report"\} 1/);
      } finally {
        stream.close();
      }
    });

    test('B’s feed connection dropped: B says so, comes back, and re-reads what changed while it was deaf', async () => {
      const version = `${DEFAULT_POLICY.version}.deaf`;
      assert.notEqual((await b.policies.current(now)).version, version);
      const pid = b.changes.listener?.backendPid;
      assert.ok(typeof pid === 'number');
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query('select pg_terminate_backend($1)', [pid]);
      } finally {
        await client.end();
      }
      await eventually('B notices', () => b.changes.listener?.listening === false);
      // Published while B cannot hear it (B waits a second before reconnecting), in force a second
      // after the last one (B's copy, read at `now`, is still a second from its timed re-read).
      const later = (now + 1_000) as EpochMs;
      t.clock.set(later);
      const change = await publishPolicy(a, admin, {
        policy: { ...DEFAULT_POLICY, version, effectiveFrom: formatChinaTime(later) },
      });
      await change.sweep;
      assert.equal(b.changes.listener?.listening, false, 'still deaf when the policy was published');
      await eventually('B listens again', () => b.changes.listener?.listening === true);
      assert.equal((await b.policies.current(later)).version, version);
      assert.ok(
        quiet.lines.some((l) => l.startsWith('warn change feed lost')),
        quiet.lines.join('\n'),
      );
      assert.ok(
        quiet.lines.some((l) => l.startsWith('info change feed listening again')),
        quiet.lines.join('\n'),
      );
      const metrics = await b.metrics.registry.metrics();
      assert.match(metrics, /healthcode_change_feed_losses_total 1/);
      assert.match(metrics, /healthcode_change_feed_listening 1/);
    });
  },
);
