import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 11 item 1, partner channels (S2):
 *
 * - `channels`: a partner registered by a provincial admin: its public client id, name, allowed
 *   scopes (a JSON array of strings), requests allowed per minute, and whether it is disabled.
 * - `channel_secrets`: the channel's client secrets as SHA-256 (secrets are 32 random bytes, so a
 *   fast hash is enough); a secret rotated out keeps working until `expires_at` (the overlap).
 * - `channel_usage`: requests per channel per minute (`minute` = the minute's start, epoch ms), counted by one
 *   atomic upsert on every API node; `refused` counts the 429 answers. Usage figures on the
 *   console are sums of these rows.
 * - `sessions.channel_id`: a resident session a channel opened for a resident (channelActForUser);
 *   it works only while the channel is active and only for the scopes in `channel_scopes` (a JSON
 *   array: those of the access token that opened it) that the channel still holds.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const ref = dialect === 'sqlite' ? 'integer' : 'bigint';
  const id = (t: ReturnType<typeof db.schema.createTable>) =>
    dialect === 'sqlite'
      ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : t.addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
  await id(db.schema.createTable('channels'))
    .addColumn('client_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('rate_limit_per_minute', 'integer', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('created_by', ref)
    .addColumn('disabled_at', ms)
    .execute();
  await id(db.schema.createTable('channel_secrets'))
    .addColumn('channel_id', ref, (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('expires_at', ms)
    .execute();
  await db.schema.createIndex('channel_secrets_channel').on('channel_secrets').column('channel_id').execute();
  await db.schema
    .createTable('channel_usage')
    .addColumn('channel_id', ref, (c) => c.notNull().references('channels.id').onDelete('cascade'))
    .addColumn('minute', ms, (c) => c.notNull())
    .addColumn('requests', 'integer', (c) => c.notNull())
    .addColumn('refused', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_usage_pk', ['channel_id', 'minute'])
    .execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('channel_id', ref, (c) => c.references('channels.id').onDelete('cascade'))
    .execute();
  await db.schema.alterTable('sessions').addColumn('channel_scopes', 'text').execute();
}
