import type { Db } from './database.ts';

export interface PolicyRow {
  readonly version: string;
  readonly effectiveFrom: number;
  readonly body: unknown;
}

/** The policy in force at `now`: the latest effective time not after now. */
export async function findPolicyInForce(db: Db, now: number): Promise<PolicyRow | null> {
  const row = await db
    .selectFrom('policies')
    .select(['version', 'effective_from', 'body'])
    .where('effective_from', '<=', now)
    .where('withdrawn_at', 'is', null)
    .orderBy('effective_from', 'desc')
    .orderBy('published_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined
    ? null
    : { version: row.version, effectiveFrom: row.effective_from, body: JSON.parse(row.body) as unknown };
}

export async function insertPolicy(
  db: Db,
  p: {
    version: string;
    effectiveFrom: number;
    body: unknown;
    publishedAt: number;
    publishedBy: number | null;
    note?: string | null;
  },
): Promise<void> {
  await db
    .insertInto('policies')
    .values({
      version: p.version,
      effective_from: p.effectiveFrom,
      body: JSON.stringify(p.body),
      published_at: p.publishedAt,
      published_by: p.publishedBy,
      note: p.note ?? null,
    })
    .onConflict((oc) => oc.column('version').doNothing())
    .execute();
}

export interface PolicyListing {
  readonly version: string;
  readonly effectiveFrom: number;
  readonly publishedAt: number;
  readonly publishedBy: number | null;
  readonly withdrawnAt: number | null;
  readonly note: string | null;
  readonly body: unknown;
}

/** Every version ever published, newest first, withdrawn ones included (the history). */
export async function listPolicyVersions(db: Db): Promise<PolicyListing[]> {
  const rows = await db
    .selectFrom('policies')
    .selectAll()
    .orderBy('published_at', 'desc')
    .orderBy('effective_from', 'desc')
    .execute();
  return rows.map((r) => ({
    version: r.version,
    effectiveFrom: r.effective_from,
    publishedAt: r.published_at,
    publishedBy: r.published_by,
    withdrawnAt: r.withdrawn_at,
    note: r.note,
    body: JSON.parse(r.body) as unknown,
  }));
}

/** Withdraws the given versions (a rollback to an earlier one), noting who and why. */
export async function withdrawPolicies(
  db: Db,
  versions: readonly string[],
  withdrawal: { at: number; by: number; note: string },
): Promise<void> {
  if (versions.length === 0) return;
  await db
    .updateTable('policies')
    .set({ withdrawn_at: withdrawal.at, withdrawn_by: withdrawal.by, note: withdrawal.note })
    .where('version', 'in', versions)
    .execute();
}
