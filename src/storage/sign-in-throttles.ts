import { sql } from 'kysely';
import type { Db } from './database.ts';

export interface ThrottleRule {
  /** Tries allowed in one window; the try that reaches it starts the lock-out. */
  readonly limit: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

export interface ThrottleCharge {
  /** This try may go on to check the password. */
  readonly allowed: boolean;
  /** When the key's lock-out ends (epoch ms), or null when it is not locked. */
  readonly lockedUntil: number | null;
  /** Tries counted in the current window, this one included. */
  readonly attempts: number;
}

const T = 'sign_in_throttles';
const col = (name: string) => sql.ref(`${T}.${name}`);

/**
 * Counts one try against `key` before the password is checked, in one atomic upsert (a single
 * statement on both dialects, so concurrent tries can never all see "not yet locked"):
 *
 * - while locked, the try is counted and refused, and the lock's end does not move;
 * - after the window or a lock-out ended, counting starts again at this try;
 * - the try that reaches `limit` is still allowed and locks the key for `lockMs` from now (a right
 *   password then clears it, see `clearThrottle`); every try beyond the limit is refused.
 */
export async function chargeThrottle(
  db: Db,
  key: string,
  now: number,
  rule: ThrottleRule,
): Promise<ThrottleCharge> {
  const locked = sql<boolean>`${col('locked_until')} > ${now}`;
  const fresh = sql<boolean>`(${col('window_started_at')} <= ${now - rule.windowMs} or ${col('locked_until')} <= ${now})`;
  const counted = sql<number>`case when ${locked} then ${col('attempts')} + 1 when ${fresh} then 1 else ${col('attempts')} + 1 end`;
  const row = await db
    .insertInto(T)
    .values({
      key,
      window_started_at: now,
      attempts: 1,
      locked_until: rule.limit <= 1 ? now + rule.lockMs : null,
    })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        attempts: counted,
        window_started_at: sql<number>`case when ${locked} then ${col('window_started_at')} when ${fresh} then ${now} else ${col('window_started_at')} end`,
        locked_until: sql<
          number | null
        >`case when ${locked} then ${col('locked_until')} when ${counted} >= ${rule.limit} then ${now + rule.lockMs} else null end`,
      }),
    )
    .returning(['attempts', 'locked_until'])
    .executeTakeFirstOrThrow();
  const lockedUntil = row.locked_until === null ? null : Number(row.locked_until);
  return { allowed: Number(row.attempts) <= rule.limit, lockedUntil, attempts: Number(row.attempts) };
}

/** A right password: the account's count starts again. */
export async function clearThrottle(db: Db, key: string): Promise<void> {
  await db.deleteFrom(T).where('key', '=', key).execute();
}

/**
 * A right password from an address: its own try is taken back (not the address's other failures),
 * and a lock-out that this try alone brought about is lifted.
 */
export async function refundThrottle(db: Db, key: string, rule: ThrottleRule): Promise<void> {
  await db
    .updateTable(T)
    .set({
      attempts: sql<number>`${col('attempts')} - 1`,
      locked_until: sql<
        number | null
      >`case when ${col('attempts')} - 1 < ${rule.limit} then null else ${col('locked_until')} end`,
    })
    .where('key', '=', key)
    .where('attempts', '>', 0)
    .execute();
}

/** Rows whose window and lock-out both ended before `before`: they count for nothing. */
export async function purgeThrottles(db: Db, before: number): Promise<number> {
  const result = await db
    .deleteFrom(T)
    .where('window_started_at', '<', before)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
