import type { Db } from './database.ts';

export interface Account {
  readonly id: number;
  readonly mobile: string;
}

/** Returns the account of a mobile number, creating it on first sign-in. */
export async function upsertAccount(db: Db, mobile: string, now: number): Promise<Account> {
  await db
    .insertInto('accounts')
    .values({ mobile, created_at: now })
    .onConflict((oc) => oc.column('mobile').doNothing())
    .execute();
  const row = await db
    .selectFrom('accounts')
    .select(['id', 'mobile'])
    .where('mobile', '=', mobile)
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), mobile: row.mobile };
}

export async function findAccountById(db: Db, id: number): Promise<Account | null> {
  const row = await db
    .selectFrom('accounts')
    .select(['id', 'mobile'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? null : { id: Number(row.id), mobile: row.mobile };
}
