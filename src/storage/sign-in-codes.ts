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

export async function countSignInCodesSince(db: Db, mobile: string, since: number): Promise<number> {
  const row = await db
    .selectFrom('sign_in_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('mobile', '=', mobile)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
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

/** Atomically counts one wrong try; returns the new count. */
export async function recordFailedAttempt(db: Db, id: number): Promise<number> {
  await db
    .updateTable('sign_in_codes')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
  const row = await db
    .selectFrom('sign_in_codes')
    .select('failed_attempts')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.failed_attempts;
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
