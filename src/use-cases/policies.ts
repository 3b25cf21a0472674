import { listApprovedOverrides } from '../storage/colour-overrides.ts';
import { assessColour, validatePolicy, type Policy } from '../domain/colour/index.ts';
import { formatChinaTime } from '../domain/china-time.ts';
import { findDivision } from '../domain/identity/index.ts';
import type { Colour, EpochMs, ResidentId } from '../domain/types.ts';
import {
  insertPolicy,
  listPolicyVersions,
  withdrawPolicies,
  type PolicyListing,
} from '../storage/policies.ts';
import { residentColoursAfter } from '../storage/residents.ts';
import { loadColourContext, loadResidentFacts } from './colour.ts';
import { AppError, invalid } from './errors.ts';
import { authorize } from './access.ts';
import { announce } from './changes.ts';
import type { Platform } from './platform.ts';
import type { Principal } from './sign-in.ts';
import { inBackground, reassessEveryone, type SweepResult } from './sweep.ts';
import { recordStaffAction } from './audit.ts';
import type { PolicyPreviewResponse, PolicyResponse } from '../contracts/epidemic.ts';

export type PolicyStatus = 'in_force' | 'scheduled' | 'superseded' | 'withdrawn';

/** `from→to`, e.g. `green→yellow`. */
export type Direction = `${Colour}→${Colour}`;

export interface ColourChangeCounts {
  readonly total: number;
  readonly byDirection: Partial<Record<Direction, number>>;
}

function checkPolicy(body: unknown): Policy {
  const checked = validatePolicy(body);
  if (!checked.ok) {
    throw invalid(checked.issues.map((i) => ({ ...i, path: i.path === '' ? 'policy' : `policy.${i.path}` })));
  }
  return checked.value;
}

function addChange(
  counts: { total: number; byDirection: Partial<Record<Direction, number>> },
  from: Colour,
  to: Colour,
): void {
  const key: Direction = `${from}→${to}`;
  counts.total++;
  counts.byDirection[key] = (counts.byDirection[key] ?? 0) + 1;
}

/**
 * How many residents a candidate policy would change, in which direction, per county (P2): each
 * resident's colour under the candidate at its effective time (or now), against the colour their
 * code shows now. Publishing the same policy with the same facts produces exactly these changes as
 * colour events (a test holds the two together).
 */
export async function previewPolicy(
  p: Platform,
  principal: Principal,
  body: unknown,
): Promise<PolicyPreviewResponse> {
  authorize(principal, 'previewPolicy');
  const policy = checkPolicy(body);
  const now = p.clock.now();
  const at = Math.max(now, Date.parse(policy.effectiveFrom)) as EpochMs;
  const { riskAreas } = await loadColourContext(p, now);
  const total = { total: 0, byDirection: {} as Partial<Record<Direction, number>> };
  const counties = new Map<string, { total: number; byDirection: Partial<Record<Direction, number>> }>();
  let residents = 0;
  let after = 0;
  for (;;) {
    const page = await residentColoursAfter(p.db, after, 1000);
    if (page.length === 0) break;
    for (const r of page) {
      residents++;
      const facts = await loadResidentFacts(
        p.db,
        Number(r.id) as ResidentId,
        r.document_key,
        r.address_division,
      );
      // An override in force at `at` keeps its colour whatever the new rules say.
      const overrides = await listApprovedOverrides(p.db, Number(r.id) as ResidentId, at);
      const colour = assessColour({ facts, riskAreas, policy, now: at, overrides }).colour;
      if (colour === r.colour) continue;
      addChange(total, r.colour, colour);
      let county = counties.get(r.address_division);
      if (county === undefined) {
        county = { total: 0, byDirection: {} };
        counties.set(r.address_division, county);
      }
      addChange(county, r.colour, colour);
    }
    after = Number(page[page.length - 1]?.id ?? after);
  }
  return {
    version: policy.version,
    at: formatChinaTime(at),
    residents,
    changes: total,
    byCounty: [...counties.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([divisionCode, c]) => ({
        divisionCode,
        divisionName: findDivision(divisionCode)?.name ?? divisionCode,
        ...c,
      })),
  };
}

function statusOf(row: PolicyListing, inForce: string | null, now: number): PolicyStatus {
  if (row.withdrawnAt !== null) return 'withdrawn';
  if (row.version === inForce) return 'in_force';
  return row.effectiveFrom > now ? 'scheduled' : 'superseded';
}

function inForceVersion(rows: readonly PolicyListing[], now: number): PolicyListing | null {
  let best: PolicyListing | null = null;
  for (const r of rows) {
    if (r.withdrawnAt !== null || r.effectiveFrom > now) continue;
    if (
      best === null ||
      r.effectiveFrom > best.effectiveFrom ||
      (r.effectiveFrom === best.effectiveFrom && r.publishedAt > best.publishedAt)
    ) {
      best = r;
    }
  }
  return best;
}

function view(r: PolicyListing, inForce: string | null, now: number): PolicyResponse {
  const body = r.body as { rules?: unknown[] };
  return {
    version: r.version,
    effectiveFrom: formatChinaTime(r.effectiveFrom as EpochMs),
    publishedAt: formatChinaTime(r.publishedAt as EpochMs),
    status: statusOf(r, inForce, now),
    withdrawnAt: r.withdrawnAt === null ? null : formatChinaTime(r.withdrawnAt as EpochMs),
    note: r.note,
    rules: Array.isArray(body.rules) ? body.rules.length : 0,
    policy: r.body,
  };
}

/** Every published version with its status, newest first (staff). */
export async function listPolicies(p: Platform, principal: Principal): Promise<PolicyResponse[]> {
  authorize(principal, 'listPolicies');
  const now = p.clock.now();
  const rows = await listPolicyVersions(p.db);
  const inForce = inForceVersion(rows, now)?.version ?? null;
  return rows.map((r) => view(r, inForce, now));
}

export interface PolicyChange {
  readonly policy: PolicyResponse;
  /** Settles when every resident has been reassessed (immediately for a future effective time). */
  readonly sweep: Promise<SweepResult | null>;
}

/**
 * Publishes a new version (P2). Validated first, with issue paths pointing at the faulty rule
 * (`policy.rules.3.when`). Its effectiveFrom may not be earlier than that of the version in force,
 * which it would never replace. When it is in force at once, every resident is reassessed in the
 * background, each change recorded as an event; reads are right at once (ensureFreshColour).
 */
export async function publishPolicy(
  p: Platform,
  principal: Principal,
  input: { policy: unknown; note?: string | null },
): Promise<PolicyChange> {
  const admin = authorize(principal, 'publishPolicy');
  const policy = checkPolicy(input.policy);
  const now = p.clock.now();
  const rows = await listPolicyVersions(p.db);
  if (rows.some((r) => r.version === policy.version)) {
    throw new AppError(
      'policy_version_exists',
      `Version ${policy.version} was published before; give the new policy a new version.`,
    );
  }
  const effectiveFrom = Date.parse(policy.effectiveFrom);
  const current = inForceVersion(rows, now);
  if (current !== null && effectiveFrom < current.effectiveFrom) {
    throw invalid([
      {
        path: 'policy.effectiveFrom',
        code: 'policy_effective_too_early',
        message: `effectiveFrom must not be before ${formatChinaTime(current.effectiveFrom as EpochMs)}, when the version in force (${current.version}) took effect.`,
      },
    ]);
  }
  const note = input.note?.trim() ?? '';
  await insertPolicy(p.db, {
    version: policy.version,
    effectiveFrom,
    body: policy,
    publishedAt: now,
    publishedBy: admin.staffId,
    note: note === '' ? null : note.slice(0, 1000),
  });
  p.policies.invalidate();
  await announce(p, { kind: 'policies' });
  await recordStaffAction(p, admin, 'publish_policy', { version: policy.version, effectiveFrom }, now);
  const listed = await listPolicies(p, principal);
  const published = listed.find((v) => v.version === policy.version);
  if (published === undefined) throw new Error('published policy vanished');
  return { policy: published, sweep: effectiveFrom <= now ? sweepEveryone(p) : Promise.resolve(null) };
}

function sweepEveryone(p: Platform): Promise<SweepResult | null> {
  let result: SweepResult | null = null;
  const done = inBackground(p, 'policy sweep', async () => {
    result = await reassessEveryone(p);
    p.logger.info({ ...result }, 'policy sweep finished');
  }).then(() => result);
  done.catch(() => undefined);
  return done;
}

/**
 * Rolls back to an earlier version: every version published after it is withdrawn (kept as
 * history, never in force again) and everyone is reassessed under the restored version.
 */
export async function rollbackPolicy(
  p: Platform,
  principal: Principal,
  version: string,
  input: { note?: string | null } = {},
): Promise<PolicyChange> {
  const admin = authorize(principal, 'rollbackPolicy');
  const now = p.clock.now();
  const rows = await listPolicyVersions(p.db);
  const target = rows.find((r) => r.version === version);
  if (target === undefined) throw new AppError('policy_not_found', `No policy version ${version}.`);
  if (target.withdrawnAt !== null) {
    throw new AppError(
      'policy_rollback_invalid',
      `Version ${version} was withdrawn; publish it again under a new version.`,
    );
  }
  if (target.effectiveFrom > now) {
    throw new AppError(
      'policy_rollback_invalid',
      `Version ${version} is not in effect yet; there is nothing to roll back to.`,
    );
  }
  const current = inForceVersion(rows, now);
  if (current?.version === version) {
    throw new AppError('policy_rollback_invalid', `Version ${version} is already in force.`);
  }
  const later = rows.filter(
    (r) =>
      r.withdrawnAt === null &&
      (r.effectiveFrom > target.effectiveFrom ||
        (r.effectiveFrom === target.effectiveFrom && r.publishedAt > target.publishedAt)),
  );
  if (later.length === 0)
    throw new AppError('policy_rollback_invalid', `Nothing was published after ${version}.`);
  const note = input.note?.trim() ?? '';
  await withdrawPolicies(
    p.db,
    later.map((r) => r.version),
    {
      at: now,
      by: admin.staffId,
      note: `rolled back to ${version}${note === '' ? '' : `: ${note}`}`.slice(0, 1000),
    },
  );
  p.policies.invalidate();
  await announce(p, { kind: 'policies' });
  await recordStaffAction(
    p,
    admin,
    'rollback_policy',
    { to: version, withdrawn: later.map((r) => r.version) },
    now,
  );
  const listed = await listPolicies(p, principal);
  const restored = listed.find((v) => v.version === version);
  if (restored === undefined) throw new Error('restored policy vanished');
  return { policy: restored, sweep: sweepEveryone(p) };
}
