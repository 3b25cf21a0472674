import type { Db } from './database.ts';

export interface CheckpointPolicyRow {
  readonly version: string;
  readonly effectiveFrom: number;
  readonly body: unknown;
  readonly publishedAt: number;
}

/** The checkpoint policy in force at `now`: the latest effective time not after now, or null. */
export async function findCheckpointPolicyInForce(db: Db, now: number): Promise<CheckpointPolicyRow | null> {
  const row = await db
    .selectFrom('checkpoint_policies')
    .select(['version', 'effective_from', 'body', 'published_at'])
    .where('effective_from', '<=', now)
    .orderBy('effective_from', 'desc')
    .orderBy('published_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined
    ? null
    : {
        version: row.version,
        effectiveFrom: Number(row.effective_from),
        body: JSON.parse(row.body) as unknown,
        publishedAt: Number(row.published_at),
      };
}

/** Stores a new version; false when the version already exists (versions are never replaced). */
export async function insertCheckpointPolicy(
  db: Db,
  p: {
    version: string;
    effectiveFrom: number;
    body: unknown;
    publishedAt: number;
    publishedBy: number | null;
  },
): Promise<boolean> {
  const r = await db
    .insertInto('checkpoint_policies')
    .values({
      version: p.version,
      effective_from: p.effectiveFrom,
      body: JSON.stringify(p.body),
      published_at: p.publishedAt,
      published_by: p.publishedBy,
    })
    .onConflict((oc) => oc.column('version').doNothing())
    .returning('version')
    .executeTakeFirst();
  return r !== undefined;
}
