import type { Db } from './database.ts';

export interface SignInCodeRow {
  readonly id: number;
  readonly codeHash: string;
  readonly expiresAt: number;
  readonly failedAttempts: number;
}

export async function insertSignInCode(
  db: Db,
  row: { mobile: string; codeHash: string; createdAt: number; expiresAt: number },
): Promise<number> {
  const inserted = await db
    .insertInto('sign_in_codes')
    .values({
      mobile: row.mobile,
      code_hash: row.codeHash,
      created_at: row.createdAt,
      expires_at: row.expiresAt,
      failed_attempts: 0,
      used_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(inserted.id);
}

export async function deleteSignInCode(db: Db, id: number): Promise<void> {
  await db.deleteFrom('sign_in_codes').where('id', '=', id).execute();
}

/**
 * Runs `work` in a transaction holding the sign-in lock of one number: the upsert of its
 * `sign_in_limits` row takes the row lock on PostgreSQL (a second request of the number waits for
 * the first to commit, then reads what it wrote); SQLite transactions are serial already. Every
 * limit check and the write it allows happen inside, so they are atomic on both databases.
 */
export async function withSignInLock<T>(
  db: Db,
  mobile: string,
  now: number,
  work: (trx: Db) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('sign_in_limits')
      .values({ mobile, touched_at: now })
      .onConflict((oc) => oc.column('mobile').doUpdateSet({ touched_at: now }))
      .execute();
    return work(trx);
  });
}

export interface WindowCount {
  readonly n: number;
  /** The oldest event in the window, null when there is none. */
  readonly oldest: number | null;
}

/** Codes sent to a number after `since` (call inside withSignInLock). */
export async function countSignInCodesSince(db: Db, mobile: string, since: number): Promise<WindowCount> {
  const row = await db
    .selectFrom('sign_in_codes')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('mobile', '=', mobile)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return { n: Number(row.n), oldest: row.oldest === null ? null : Number(row.oldest) };
}

/** Wrong guesses for a number after `since`, whatever code they were for (call inside withSignInLock). */
export async function countWrongGuessesSince(db: Db, mobile: string, since: number): Promise<WindowCount> {
  const row = await db
    .selectFrom('sign_in_guesses')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
    .where('mobile', '=', mobile)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return { n: Number(row.n), oldest: row.oldest === null ? null : Number(row.oldest) };
}

/** The newest unused code of a number: only the last code sent is valid. */
export async function findLatestUnusedCode(db: Db, mobile: string): Promise<SignInCodeRow | null> {
  const row = await db
    .selectFrom('sign_in_codes')
    .select(['id', 'code_hash', 'expires_at', 'failed_attempts'])
    .where('mobile', '=', mobile)
    .where('used_at', 'is', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined
    ? null
    : {
        id: Number(row.id),
        codeHash: row.code_hash,
        expiresAt: row.expires_at,
        failedAttempts: row.failed_attempts,
      };
}

/** Records a wrong guess against the number's budget and the code's own tally (inside withSignInLock). */
export async function recordWrongGuess(db: Db, mobile: string, codeId: number, at: number): Promise<void> {
  await db.insertInto('sign_in_guesses').values({ mobile, code_id: codeId, at }).execute();
  await db
    .updateTable('sign_in_codes')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', codeId)
    .execute();
}

/** Marks a code used; false if another request used it first (single use under concurrency). */
export async function consumeSignInCode(db: Db, id: number, now: number): Promise<boolean> {
  const result = await db
    .updateTable('sign_in_codes')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
