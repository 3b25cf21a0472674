import { ARRIVAL_ISOLATION_DAYS } from '../domain/arrivals.ts';
import {
  DEFAULT_FEEDBACK_RETENTION_DAYS,
  DEFAULT_NOTICE_RETENTION_DAYS,
  DEFAULT_RETENTION,
} from '../domain/colour/index.ts';
import type { FactKind } from '../domain/colour/facts.ts';
import { factsFromRecords } from '../domain/imports/index.ts';
import { DAY_MS, type EpochMs } from '../domain/types.ts';
import { listRecordsForDocument } from '../storage/records.ts';
import {
  deleteEndedFacts,
  deleteFeedbackBefore,
  deleteOrphanAttachments,
  deleteOldImportErrors,
  deleteRecordsOfDocument,
  deleteRowsBefore,
  deleteStandaloneRecords,
  documentKeysWithOldRecords,
  insertPurge,
  purgeDays,
} from '../storage/retention.ts';
import type { DayPartitionedTable } from '../storage/partitions.ts';
import { purgeThrottles } from '../storage/sign-in-throttles.ts';
import type { Platform } from './platform.ts';

/** Fact kinds whose effect runs a fixed time from their start: old starts can go whatever `to` says. */
const FIXED_WINDOW_FACTS: readonly FactKind[] = [
  'asymptomaticContact',
  'feverClinic',
  'symptoms',
  'provincialAbnormal',
  'discharged',
  'overseasArrival',
];
/**
 * Record kinds that can be deleted one by one: they end nothing else. Quarantine and discharge
 * records end other records (imports/facts-from-records.ts), so those go only with the whole
 * history of the person (see purgeRecords).
 */
const RECORDS_ALONE = ['feverClinic', 'symptoms', 'testResult', 'asymptomaticContact'];
const RECORDS_ALONE_BY_END = ['stay', 'riskManagement'];
/** Longest window of any S10 rule: after this from its start a fixed-window fact has no effect. */
const LONGEST_WINDOW_MS = 14 * DAY_MS;

export interface PurgeResult {
  readonly at: string;
  readonly cutoffs: Readonly<Record<string, number>>;
  readonly deleted: Readonly<Record<string, number>>;
  /** PostgreSQL: the day partitions dropped whole (their rows are counted in `deleted`). */
  readonly droppedPartitions: readonly string[];
  /** PostgreSQL: day partitions due that stayed locked past the timeout; the next purge drops them. */
  readonly busyPartitions: readonly string[];
}

/**
 * Deletes personal data past the retention of the policy in force (P5) and records the purge.
 * Facts and records go when they no longer have any effect on a colour, never earlier: a fact's
 * age counts from its end, or from its start for fixed-window kinds; open facts (a case not yet
 * discharged) stay. Events, verifications, visits and checks go by age (on PostgreSQL the last
 * three by whole day partitions). Safe to run any time and on several nodes (each deletion is
 * idempotent; a partition another node dropped first is simply gone).
 */
/** How long after the arrival day a declaration's facts last at most (arrivalFacts). */
const ARRIVAL_FACTS_SPAN_DAYS = ARRIVAL_ISOLATION_DAYS + 1;

export async function purge(p: Platform, actor: string): Promise<PurgeResult> {
  const now = p.clock.now();
  const policy = await p.policies.current(now);
  const retention = policy.retention ?? DEFAULT_RETENTION;
  const cut = (days: number) => now - days * DAY_MS;
  const factsCut = cut(retention.factsDays);
  const cutoffs: Record<string, number> = {
    facts: factsCut,
    events: cut(retention.eventsDays),
    visits: cut(retention.visitsDays),
    checks: cut(retention.checksDays),
    feedback: cut(retention.feedbackDays ?? DEFAULT_FEEDBACK_RETENTION_DAYS),
    notices: cut(retention.noticesDays ?? DEFAULT_NOTICE_RETENTION_DAYS),
  };
  const deleted: Record<string, number> = {};
  const droppedPartitions: string[] = [];
  const busyPartitions: string[] = [];
  const days = async (table: DayPartitionedTable, cutoff: number) => {
    const r = await purgeDays(p.database, table, cutoff);
    droppedPartitions.push(...r.partitions);
    busyPartitions.push(...r.busy);
    deleted[table] = r.rows;
  };
  deleted['facts'] = await deleteEndedFacts(p.db, factsCut, FIXED_WINDOW_FACTS);
  deleted['epidemic_records'] = await purgeRecords(p, factsCut);
  deleted['colour_events'] = await deleteRowsBefore(p.db, 'colour_events', cutoffs['events'] ?? 0);
  await days('verifications', cutoffs['checks'] ?? 0);
  deleted['import_errors'] = await deleteOldImportErrors(p.db, factsCut);
  deleted['sessions'] = await deleteRowsBefore(p.db, 'sessions', now - DAY_MS);
  deleted['sign_in_codes'] = await deleteRowsBefore(p.db, 'sign_in_codes', now - DAY_MS);
  // Wrong guesses and per-number lock rows limit sign-in for an hour; a day later they are useless.
  deleted['sign_in_guesses'] = await deleteRowsBefore(p.db, 'sign_in_guesses', now - DAY_MS);
  deleted['sign_in_limits'] = await deleteRowsBefore(p.db, 'sign_in_limits', now - DAY_MS);
  // Staff sign-in counters whose window and lock-out ended long ago count for nothing.
  deleted['sign_in_throttles'] = await purgeThrottles(p.db, now - DAY_MS);
  // Place-code visits, door checks and the reports they raised (which name a masked person).
  // On PostgreSQL these three go by whole China days (dropped partitions): a row stays at most
  // one day past its retention (docs/decisions.md, issue 12).
  await days('visits', cutoffs['visits'] ?? 0);
  await days('checkpoint_checks', cutoffs['checks'] ?? 0);
  deleted['report_outbox'] = await deleteRowsBefore(p.db, 'report_outbox', cutoffs['events'] ?? 0);
  deleted['reports'] = await deleteRowsBefore(p.db, 'reports', cutoffs['events'] ?? 0);
  // An arrival declaration's facts end at most 15 days after the arrival; the declaration, which
  // names where the person came from and with whom, goes with the facts' retention.
  deleted['arrival_declarations'] = await deleteRowsBefore(
    p.db,
    'arrival_declarations',
    factsCut - ARRIVAL_FACTS_SPAN_DAYS * DAY_MS,
  );
  // Feedback and appeals (with their attachments) from their last change; notices and their SMS
  // outbox from when they were made (issue 10).
  const feedback = await deleteFeedbackBefore(p.db, 'feedback', cutoffs['feedback'] ?? 0);
  const appeals = await deleteFeedbackBefore(p.db, 'appeals', cutoffs['feedback'] ?? 0);
  deleted['feedback'] = feedback.rows;
  deleted['appeals'] = appeals.rows;
  deleted['attachments'] = feedback.attachments + appeals.attachments + (await deleteOrphanAttachments(p.db));
  deleted['notice_outbox'] = await deleteRowsBefore(p.db, 'notice_outbox', cutoffs['notices'] ?? 0);
  deleted['notices'] = await deleteRowsBefore(p.db, 'notices', cutoffs['notices'] ?? 0);
  // Colour overrides (issue 10, P4) have no effect after their end: kept like facts from then on.
  deleted['colour_overrides'] = await deleteRowsBefore(p.db, 'colour_overrides', factsCut);
  // Venue complaints (S16) count for the flag for 30 days; kept as long as events (eventsDays).
  deleted['venue_complaints'] = await deleteRowsBefore(p.db, 'venue_complaints', cutoffs['events'] ?? 0);
  await insertPurge(p.db, { at: now, actor, cutoffs, deleted });
  return { at: new Date(now).toISOString(), cutoffs, deleted, droppedPartitions, busyPartitions };
}

async function purgeRecords(p: Platform, cut: number): Promise<number> {
  let deleted = await deleteStandaloneRecords(p.db, cut, RECORDS_ALONE, RECORDS_ALONE_BY_END);
  // The rest go a whole person at a time, once every fact the person's records give has ended
  // before the cut-off (so removing a quarantine never reopens the contact it ended).
  let afterKey = '';
  for (;;) {
    const keys = await documentKeysWithOldRecords(p.db, afterKey, cut, 500);
    if (keys.length === 0) break;
    for (const key of keys) {
      const records = await listRecordsForDocument(p.db, key);
      const facts = factsFromRecords(records);
      const allOver = facts.every((f) => effectEnd(f.kind, f.from, f.to) < cut);
      const startsOver = records.every((r) => r.from < cut);
      if (allOver && startsOver) deleted += await deleteRecordsOfDocument(p.db, key);
    }
    afterKey = keys[keys.length - 1] ?? afterKey;
  }
  return deleted;
}

function effectEnd(kind: FactKind, from: EpochMs, to: EpochMs | null): number {
  if (FIXED_WINDOW_FACTS.includes(kind)) return Math.max(from + LONGEST_WINDOW_MS, to ?? 0);
  return to ?? Number.POSITIVE_INFINITY;
}
