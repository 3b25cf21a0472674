import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

/**
 * Issue 10 items 4, 8, 9: feedback (S14), appeals against one input of a colour (P4), their
 * attachments (bytes kept in the database, so stateless PostgreSQL nodes share them and a backup
 * holds them), the residents' in-app notices and the SMS outbox that tells them to look.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const ms = dialect === 'sqlite' ? 'integer' : 'bigint';
  const bytes = dialect === 'sqlite' ? 'blob' : 'bytea';
  await db.schema
    .createTable('feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', ms, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    /** The resident's address division when filed: the office whose queue it is in. */
    .addColumn('division_code', 'text', (c) => c.notNull())
    /** 'registration' | 'other' */
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    /** 'new' | 'answered' | 'closed' */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('answered_by', ms)
    .addColumn('answered_at', ms)
    .addColumn('created_at', ms, (c) => c.notNull())
    /** Last change (filed, answered): retention counts from here. */
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('feedback_resident')
    .on('feedback')
    .columns(['resident_id', 'created_at'])
    .execute();
  await db.schema.createIndex('feedback_queue').on('feedback').columns(['division_code', 'state']).execute();
  await db.schema.createIndex('feedback_updated').on('feedback').column('updated_at').execute();

  await db.schema
    .createTable('appeals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', ms, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    /** The resident who filed it: the person themself, or the proxy holding their code. */
    .addColumn('filed_by_resident_id', ms, (c) => c.notNull())
    .addColumn('division_code', 'text', (c) => c.notNull())
    .addColumn('fact_id', 'text', (c) => c.notNull())
    /** JSON: the disputed input as the resident saw it (kind, dates, source). */
    .addColumn('fact', 'text', (c) => c.notNull())
    .addColumn('explanation', 'text', (c) => c.notNull())
    /** 'open' | 'answered' | 'escalated' (an open one past its deadline is escalated on read too). */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('deadline_at', ms, (c) => c.notNull())
    .addColumn('escalated_at', ms)
    .addColumn('answer', 'text')
    /** 'upheld' | 'rejected' */
    .addColumn('outcome', 'text')
    /** 'end' | 'withdraw': what was done to the fact through endResidentFact. */
    .addColumn('fact_action', 'text')
    .addColumn('answered_by', ms)
    .addColumn('answered_at', ms)
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('updated_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('appeals_resident')
    .on('appeals')
    .columns(['resident_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('appeals_filer')
    .on('appeals')
    .columns(['filed_by_resident_id', 'created_at'])
    .execute();
  await db.schema.createIndex('appeals_due').on('appeals').columns(['state', 'deadline_at']).execute();
  await db.schema.createIndex('appeals_queue').on('appeals').columns(['division_code', 'state']).execute();
  await db.schema.createIndex('appeals_updated').on('appeals').column('updated_at').execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** 'feedback' | 'appeal' */
    .addColumn('owner_kind', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    /** The type file-type detected in the bytes (equal to the declared one, or it was refused). */
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    /** hex SHA-256 of the bytes */
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', bytes, (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('attachments_owner')
    .on('attachments')
    .columns(['owner_kind', 'owner_id', 'position'])
    .execute();

  await db.schema
    .createTable('notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('resident_id', ms, (c) => c.notNull().references('residents.id').onDelete('cascade'))
    /** 'colour_changed' | 'appeal_answered' | 'appeal_escalated' | 'feedback_answered' */
    .addColumn('kind', 'text', (c) => c.notNull())
    /** JSON: what the inbox shows (the new colour; the appeal or feedback id). Never sent by SMS. */
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', ms, (c) => c.notNull())
    .addColumn('read_at', ms)
    .execute();
  await db.schema
    .createIndex('notices_resident')
    .on('notices')
    .columns(['resident_id', 'created_at'])
    .execute();
  await db.schema.createIndex('notices_created').on('notices').column('created_at').execute();

  await db.schema
    .createTable('notice_outbox')
    .addColumn('id', ms, (c) =>
      dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity(),
    )
    .addColumn('resident_id', ms, (c) => c.notNull())
    .addColumn('notice_id', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    /** null once sent or given up */
    .addColumn('next_attempt_at', ms)
    .addColumn('sent_at', ms)
    .addColumn('last_error', 'text')
    .addColumn('created_at', ms, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notice_outbox_due').on('notice_outbox').column('next_attempt_at').execute();
  await db.schema.createIndex('notice_outbox_created').on('notice_outbox').column('created_at').execute();
}
