import { DEFAULT_RETENTION } from '../domain/colour/index.ts';
import type { FactKind } from '../domain/colour/facts.ts';
import { factsFromRecords } from '../domain/imports/index.ts';
import { DAY_MS, type EpochMs } from '../domain/types.ts';
import { listRecordsForDocument } from '../storage/records.ts';
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
}

/**
 * Deletes personal data past the retention of the policy in force (P5) and records the purge.
 * Facts and records go when they no longer have any effect on a colour, never earlier: a fact's
 * age counts from its end, or from its start for fixed-window kinds; open facts (a case not yet
 * discharged) stay. Events, verifications, visits and checks go by age. Safe to run any time and
 * on several nodes (each deletion is idempotent).
 */
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
  };
  const deleted: Record<string, number> = {};
  const count = (r: { numDeletedRows: bigint }[]) => r.reduce((n, x) => n + Number(x.numDeletedRows), 0);

  deleted['facts'] = count(
    await p.db
      .deleteFrom('facts')
      .where((eb) =>
        eb.or([
          eb('to_ms', '<', factsCut),
          eb.and([
            eb('to_ms', 'is', null),
            eb('kind', 'in', FIXED_WINDOW_FACTS),
            eb('from_ms', '<', factsCut),
          ]),
        ]),
      )
      .execute(),
  );
  deleted['epidemic_records'] = await purgeRecords(p, factsCut);
  deleted['colour_events'] = count(
    await p.db
      .deleteFrom('colour_events')
      .where('at', '<', cutoffs['events'] ?? 0)
      .execute(),
  );
  deleted['verifications'] = count(
    await p.db
      .deleteFrom('verifications')
      .where('at', '<', cutoffs['checks'] ?? 0)
      .execute(),
  );
  const oldImports = p.db.selectFrom('imports').select('id').where('started_at', '<', factsCut);
  deleted['import_errors'] = count(
    await p.db.deleteFrom('import_errors').where('import_id', 'in', oldImports).execute(),
  );
  deleted['sessions'] = count(
    await p.db
      .deleteFrom('sessions')
      .where('expires_at', '<', now - DAY_MS)
      .execute(),
  );
  deleted['sign_in_codes'] = count(
    await p.db
      .deleteFrom('sign_in_codes')
      .where('expires_at', '<', now - DAY_MS)
      .execute(),
  );
  // Wrong guesses and per-number lock rows limit sign-in for an hour; a day later they are useless.
  deleted['sign_in_guesses'] = count(
    await p.db
      .deleteFrom('sign_in_guesses')
      .where('at', '<', now - DAY_MS)
      .execute(),
  );
  deleted['sign_in_limits'] = count(
    await p.db
      .deleteFrom('sign_in_limits')
      .where('touched_at', '<', now - DAY_MS)
      .execute(),
  );
  // Staff sign-in counters whose window and lock-out ended long ago count for nothing.
  deleted['sign_in_throttles'] = await purgeThrottles(p.db, now - DAY_MS);
  // Place-code visits, door checks and the reports they raised (which name a masked person).
  deleted['visits'] = count(
    await p.db
      .deleteFrom('visits')
      .where('at', '<', cutoffs['visits'] ?? 0)
      .execute(),
  );
  deleted['checkpoint_checks'] = count(
    await p.db
      .deleteFrom('checkpoint_checks')
      .where('checked_at', '<', cutoffs['checks'] ?? 0)
      .execute(),
  );
  deleted['report_outbox'] = count(
    await p.db
      .deleteFrom('report_outbox')
      .where('created_at', '<', cutoffs['events'] ?? 0)
      .execute(),
  );
  deleted['reports'] = count(
    await p.db
      .deleteFrom('reports')
      .where('created_at', '<', cutoffs['events'] ?? 0)
      .execute(),
  );
  await p.db
    .insertInto('purges')
    .values({ at: now, actor, cutoffs: JSON.stringify(cutoffs), deleted: JSON.stringify(deleted) })
    .execute();
  return { at: new Date(now).toISOString(), cutoffs, deleted };
}

async function purgeRecords(p: Platform, cut: number): Promise<number> {
  let deleted = 0;
  const one = await p.db
    .deleteFrom('epidemic_records')
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', 'in', RECORDS_ALONE), eb('from_ms', '<', cut)]),
        eb.and([eb('kind', 'in', RECORDS_ALONE_BY_END), eb('to_ms', '<', cut)]),
      ]),
    )
    .execute();
  deleted += Number(one[0]?.numDeletedRows ?? 0);
  // The rest go a whole person at a time, once every fact the person's records give has ended
  // before the cut-off (so removing a quarantine never reopens the contact it ended).
  let afterKey = '';
  for (;;) {
    const keys = await p.db
      .selectFrom('epidemic_records')
      .select('document_key')
      .distinct()
      .where('document_key', '>', afterKey)
      .where((eb) =>
        eb.or([eb('to_ms', '<', cut), eb.and([eb('to_ms', 'is', null), eb('from_ms', '<', cut)])]),
      )
      .orderBy('document_key')
      .limit(500)
      .execute();
    if (keys.length === 0) break;
    for (const { document_key: key } of keys) {
      const records = await listRecordsForDocument(p.db, key);
      const facts = factsFromRecords(records);
      const allOver = facts.every((f) => effectEnd(f.kind, f.from, f.to) < cut);
      const startsOver = records.every((r) => r.from < cut);
      if (allOver && startsOver) {
        const r = await p.db.deleteFrom('epidemic_records').where('document_key', '=', key).execute();
        deleted += Number(r[0]?.numDeletedRows ?? 0);
      }
    }
    afterKey = keys[keys.length - 1]?.document_key ?? afterKey;
  }
  return deleted;
}

function effectEnd(kind: FactKind, from: EpochMs, to: EpochMs | null): number {
  if (FIXED_WINDOW_FACTS.includes(kind)) return Math.max(from + LONGEST_WINDOW_MS, to ?? 0);
  return to ?? Number.POSITIVE_INFINITY;
}
