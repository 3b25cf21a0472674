import { sql, type Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * The second factor hardened (issue 10):
 *
 * - `staff.totp_secret` is now stored like the other secrets at rest: sealed under the
 *   key-encryption key when one is configured (`kek1:` …), else base64 of the base32 secret. The
 *   secrets enrolled before this migration were the base32 text itself; they are rewritten as base64
 *   here and sealed at the next start with a key-encryption key.
 * - `staff.totp_last_step`: the 30-second step of the last code accepted, so a code is accepted once
 *   (RFC 6238 §5.2): a code seen over someone's shoulder cannot be used again in its window.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const int = dialect === 'sqlite' ? 'integer' : 'bigint';
  await db.schema.alterTable('staff').addColumn('totp_last_step', int).execute();
  const rows = await sql<{ id: number; totp_secret: string }>`
    select id, totp_secret from staff where totp_secret is not null`.execute(db);
  for (const row of rows.rows) {
    const encoded = Buffer.from(row.totp_secret, 'utf8').toString('base64');
    await sql`update staff set totp_secret = ${encoded} where id = ${row.id}`.execute(db);
  }
}
