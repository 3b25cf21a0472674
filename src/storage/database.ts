import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { DatabaseIntrospector, DatabaseMetadata, TableMetadata } from 'kysely';
import type { Tables } from './schema.ts';
import { migrateTo } from './migrations/index.ts';
import { FileDatasync, WalSync } from './wal-sync.ts';
import { BatchLoader } from './batch-loader.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The one storage handle: a Kysely instance over SQLite (one town, one process) or PostgreSQL (a
 * province, many stateless API nodes). Queries live in plain functions taking `db` first, so the
 * same call works inside a transaction.
 */
export interface Database {
  readonly dialect: Dialect;
  readonly db: Kysely<Tables>;
  /**
   * A statement prepared once for the hottest lookups, bypassing the query builder (which costs
   * more than the lookup itself). SQL uses `?` placeholders and must be valid on both dialects.
   * Reads committed data only; never call it inside a transaction of your own (on SQLite it would
   * wait for that transaction to end).
   */
  prepareFirst<Row>(text: string): (params: readonly unknown[]) => Promise<Row | undefined>;
  /**
   * The row of `table` whose integer `keyColumn` equals a key, with `columns` (which must include
   * `keyColumn`). On PostgreSQL the lookups of one event-loop turn go as one `= any($1)` query
   * (BatchLoader): a round trip costs more than the read. On SQLite, a prepared statement per key.
   * Reads committed data; not for use inside a transaction of your own.
   */
  prepareKeyLookup<Row>(
    table: string,
    columns: readonly string[],
    keyColumn: string,
  ): (key: number) => Promise<Row | undefined>;
  /**
   * Inserts many rows of `table(columns)` in one transaction, for the group-commit logs. On SQLite a
   * prepared single-row insert run per row inside one transaction costs a few µs a row (a
   * multi-row statement measured no faster: docs/decisions.md, issue 12). On PostgreSQL one
   * multi-row statement: given the columns' `pgTypes`, an `insert … select from unnest($1::t[], …)`
   * prepared once whatever the number of rows (about a third cheaper a row than a `values` list
   * of that size, which is parsed and planned every time); without them, `values (…), (…)` in
   * chunks of at most 65,535 parameters.
   */
  prepareBatchInsert(
    table: string,
    columns: readonly string[],
    pgTypes?: readonly string[],
  ): (rows: readonly (readonly unknown[])[]) => Promise<void>;
  /**
   * Like prepareBatchInsert, but a row that collides with `conflictColumns` (a unique constraint)
   * is skipped — or, when `updateColumns` are given and any of them differs, updates them. Resolves
   * to the number of rows inserted or changed, so identical rows count 0. For bulk imports.
   */
  prepareBatchInsertIgnore(
    table: string,
    columns: readonly string[],
    conflictColumns: readonly string[],
    updateColumns?: readonly string[],
  ): (rows: readonly (readonly unknown[])[]) => Promise<number>;
  /**
   * Resolves once every write committed so far survives power loss, not only a process crash (P7).
   * Call it before acknowledging a write. SQLite: a coalesced fdatasync of the WAL off the event
   * loop (see WalSync), at once when nothing changed; PostgreSQL: at once (its commit is durable).
   */
  durable(): Promise<void>;
  /**
   * PostgreSQL: a new client outside the pool with the pool's settings (the same server and
   * search_path), not yet connected, for a connection of its own (the change feed's LISTEN,
   * change-feed.ts). null on SQLite.
   */
  readonly dedicatedClient: (() => pg.Client) | null;
  close(): Promise<void>;
}

export type Db = Kysely<Tables>;

/** Identifiers in generated SQL come from our own code, never from input; quoting is belt and braces. */
function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad identifier ${name}`);
  return `"${name}"`;
}

/** `on conflict … do nothing`, or `do update` of the columns that differ (null-safe comparison). */
function onConflict(
  table: string,
  conflictColumns: readonly string[],
  updateColumns: readonly string[],
  distinct: 'is not' | 'is distinct from',
): string {
  const target = ` on conflict (${conflictColumns.map(quoteIdent).join(', ')})`;
  if (updateColumns.length === 0) return `${target} do nothing`;
  const set = updateColumns.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ');
  const changed = updateColumns
    .map((c) => `${quoteIdent(table)}.${quoteIdent(c)} ${distinct} excluded.${quoteIdent(c)}`)
    .join(' or ');
  return `${target} do update set ${set} where ${changed}`;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares each statement anew on every call; preparing costs more than a
 * primary-key lookup, so keep prepared statements by SQL text (bounded, oldest evicted first).
 */
function cachingSqlite(raw: SqliteDatabase.Database): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (text: string) => {
          let stmt = cache.get(text);
          if (stmt === undefined) {
            stmt = target.prepare(text);
            if (cache.size >= STATEMENT_CACHE_SIZE) {
              const oldest = cache.keys().next().value;
              if (oldest !== undefined) cache.delete(oldest);
            }
            cache.set(text, stmt);
          }
          return stmt;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * better-sqlite3 has one connection. While a Kysely transaction is open on it (awaiting between
 * statements), a raw batch would join that transaction and vanish with its rollback; wait instead
 * until it has finished.
 */
async function outsideTransaction(raw: SqliteDatabase.Database): Promise<void> {
  while (raw.inTransaction) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * The first row of a prepared statement, read outside any open transaction: the one connection may
 * be inside another request's transaction, and reading then would see its uncommitted rows, so it
 * waits for it, as Kysely's own queries do.
 */
function committedFirst<Row>(
  raw: SqliteDatabase.Database,
  text: string,
): (...params: unknown[]) => Promise<Row | undefined> {
  const stmt = raw.prepare(text);
  return async (...params) => {
    if (raw.inTransaction) await outsideTransaction(raw);
    return stmt.get(...params) as Row | undefined;
  };
}

export interface SqliteOptions {
  /** File path, or ':memory:'. */
  readonly file: string;
  /** Migrate only up to this migration (tests of a later migration on an older schema). */
  readonly migrateUpTo?: string;
}

export async function openSqlite(options: SqliteOptions): Promise<Database> {
  if (options.file !== ':memory:') fs.mkdirSync(path.dirname(options.file), { recursive: true });
  const raw = new SqliteDatabase(options.file);
  // WAL lets readers run beside the writer. synchronous=NORMAL in WAL mode never corrupts and loses
  // nothing on a process crash; against power loss, writes that are acknowledged wait for
  // `durable()` (an fdatasync of the WAL off the event loop, see WalSync) rather than every commit
  // syncing on the event loop as synchronous=FULL would.
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  // 64 MiB of page cache (the default is 2 MiB): index lookups and bulk imports into tables of
  // millions of rows stay in memory instead of re-reading pages.
  raw.pragma('cache_size = -65536');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: cachingSqlite(raw) }) });
  await migrateTo(db, 'sqlite', options.migrateUpTo ?? null);
  const totalChanges = raw.prepare('select total_changes()').pluck();
  const wal = options.file === ':memory:' ? null : new FileDatasync(`${options.file}-wal`);
  const walSync =
    wal === null
      ? null
      : new WalSync(
          () => Number(totalChanges.get()),
          () => wal.datasync(),
        );
  return {
    dialect: 'sqlite',
    db,
    dedicatedClient: null,
    durable: () => (walSync === null ? Promise.resolve() : walSync.sync()),
    prepareFirst<Row>(text: string) {
      const get = committedFirst<Row>(raw, text);
      return (params: readonly unknown[]) => get(...params);
    },
    prepareKeyLookup<Row>(table: string, columns: readonly string[], keyColumn: string) {
      const get = committedFirst<Row>(
        raw,
        `select ${columns.map(quoteIdent).join(', ')} from ${quoteIdent(table)} where ${quoteIdent(keyColumn)} = ?`,
      );
      return (key: number) => get(key);
    },
    prepareBatchInsert(table: string, columns: readonly string[]) {
      // Column types matter to PostgreSQL's unnest only; SQLite's columns take what they are given.
      const stmt = raw.prepare(
        `insert into ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) values (${columns.map(() => '?').join(', ')})`,
      );
      const insertAll = raw.transaction((rows: readonly (readonly unknown[])[]) => {
        for (const row of rows) stmt.run(...row);
      });
      return async (rows: readonly (readonly unknown[])[]) => {
        await outsideTransaction(raw);
        insertAll(rows);
      };
    },
    prepareBatchInsertIgnore(
      table: string,
      columns: readonly string[],
      conflictColumns: readonly string[],
      updateColumns: readonly string[] = [],
    ) {
      const stmt = raw.prepare(
        `insert into ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) values (${columns.map(() => '?').join(', ')})${onConflict(table, conflictColumns, updateColumns, 'is not')}`,
      );
      const insertAll = raw.transaction((rows: readonly (readonly unknown[])[]) => {
        let inserted = 0;
        for (const row of rows) inserted += stmt.run(...row).changes;
        return inserted;
      });
      return async (rows: readonly (readonly unknown[])[]) => {
        await outsideTransaction(raw);
        return insertAll(rows);
      };
    },
    close: async () => {
      // Whatever was committed is on disk before the connection goes (P7).
      await walSync?.sync();
      await db.destroy();
      await wal?.close();
    },
  };
}

export interface PostgresOptions {
  readonly url: string;
  /** Schema to use (created if missing); tests give each suite its own. */
  readonly schema?: string;
  readonly poolSize?: number;
  /** Migrate only up to this migration (tests of a later migration on an older schema). */
  readonly migrateUpTo?: string;
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * pg sends every query unnamed, so PostgreSQL parses and plans it each time. Naming a statement by
 * the hash of its text makes pg prepare it once per connection; only plain DML is named, since DDL
 * cannot be prepared.
 */
function namingClient(client: pg.PoolClient): pg.PoolClient {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  // A connection that failed as an unreachable database does (a failover, a restart) is never
  // handed out again: Kysely releases its connections without the error, so it is kept here and
  // given to release(), which then destroys the connection instead of pooling it. pg-pool already
  // drops connections whose socket closed; this also covers one that still answers but is no use,
  // e.g. to a demoted primary (read_only_sql_transaction).
  let broken: Error | undefined;
  const watch = (result: unknown): unknown => {
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        if (error instanceof Error && isDatabaseUnavailable(error)) broken = error;
        throw error;
      });
    }
    return result;
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'query') {
        return (text: unknown, values?: unknown) => {
          if (typeof text === 'string' && /^\s*(select|insert|update|delete|with)\b/i.test(text)) {
            const name = 'k' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
            return watch(query({ name, text, values }));
          }
          return watch(query(text, values));
        };
      }
      if (prop === 'release') {
        return (error?: Error | boolean) => target.release(error ?? broken);
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}

/**
 * Kysely's PostgreSQL introspector lists every column of every table in every schema and calls
 * pg_get_serial_sequence on each; the migrator uses it only to ask whether its own two tables exist.
 * With many schemas on one server (a test run, or tenants) that query is slow, and it fails with
 * `schema "…" does not exist` when another schema is dropped while it runs. This one asks about the
 * tables of our schema only, by name, and nothing else.
 */
class SchemaScopedIntrospector implements DatabaseIntrospector {
  readonly #db: Kysely<unknown>;
  readonly #schema: string | null;
  constructor(db: Kysely<unknown>, schema: string | null) {
    this.#db = db;
    this.#schema = schema;
  }
  async getSchemas(): Promise<{ name: string }[]> {
    const result = await sql<{ nspname: string }>`select nspname from pg_catalog.pg_namespace`.execute(
      this.#db,
    );
    return result.rows.map((r) => ({ name: r.nspname }));
  }
  async getTables(): Promise<TableMetadata[]> {
    const namespace = this.#schema === null ? sql`current_schema()` : sql`${this.#schema}`;
    const result = await sql<{ relname: string; nspname: string; relkind: string }>`
      select c.relname, ns.nspname, c.relkind from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      where ns.nspname = ${namespace} and c.relkind in ('r', 'v', 'p')`.execute(this.#db);
    return result.rows.map((r) => ({
      name: r.relname,
      schema: r.nspname,
      isView: r.relkind === 'v',
      columns: [],
    }));
  }
  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

class ScopedPostgresDialect extends PostgresDialect {
  readonly #schema: string | null;
  constructor(config: ConstructorParameters<typeof PostgresDialect>[0], schema: string | null) {
    super(config);
    this.#schema = schema;
  }
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db, this.#schema);
  }
}

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const schema = options.schema ?? null;
  if (schema !== null && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid schema name "${schema}"`);
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 16,
    // During a failover a connection attempt may hang (a proxy with no primary behind it yet, a
    // machine that vanished): a request waits at most this long, then answers 503 and is retried.
    connectionTimeoutMillis: 10_000,
    // A primary whose machine died sends no reset: TCP keepalive finds the dead connection.
    keepAlive: true,
    // Times are int8 epoch milliseconds, far inside Number's exact range.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === PG_INT8 || oid === PG_NUMERIC
          ? (v: string) => Number(v)
          : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
    },
    ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection whose server went away (primary killed, failover, restart) is reported as
  // an 'error' event on the pool, and an EventEmitter's unheard 'error' ends the process. pg-pool
  // has already removed that connection; the next query opens a new one, to whichever server is
  // primary by then. Nothing else is to be done, so it is only heard.
  pool.on('error', () => undefined);
  // A connection that is checked out (inside a transaction, or between Kysely's queries) reports
  // its broken socket as an 'error' event of its own, besides failing its queries, and pg-pool
  // listens only to idle ones: without a listener that too would end the process. The queries
  // fail and the connection, no longer queryable, is destroyed when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const wrappedPool = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'connect') {
        return async () => namingClient(await target.connect());
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  if (schema !== null) {
    // Created before the pool's first connection, whose search_path names it.
    const client = new pg.Client({ connectionString: options.url });
    await client.connect();
    try {
      await client.query(`create schema if not exists "${schema}"`);
    } finally {
      await client.end();
    }
  }
  const db = new Kysely<Tables>({ dialect: new ScopedPostgresDialect({ pool: wrappedPool }, schema) });
  try {
    await migrateTo(db, 'postgres', options.migrateUpTo ?? null, schema ?? undefined);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    dialect: 'postgres',
    db,
    dedicatedClient: () =>
      new pg.Client({
        connectionString: options.url,
        keepAlive: true,
        ...(schema !== null ? { options: `-c search_path=${schema}` } : {}),
      }),
    durable: () => Promise.resolve(),
    prepareFirst<Row>(text: string) {
      let n = 0;
      const pgText = text.replace(/\?/g, () => `$${++n}`);
      const name = 'h' + createHash('sha1').update(pgText).digest('base64url').slice(0, 20);
      return async (params: readonly unknown[]) => {
        const result = await pool.query({ name, text: pgText, values: [...params] });
        return result.rows[0] as Row | undefined;
      };
    },
    prepareKeyLookup<Row>(table: string, columns: readonly string[], keyColumn: string) {
      const text = `select ${columns.map(quoteIdent).join(', ')} from ${quoteIdent(table)} where ${quoteIdent(keyColumn)} = any($1::bigint[])`;
      const name = 'k' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
      const loader = new BatchLoader<number, Row>(async (keys) => {
        const result = await pool.query({ name, text, values: [keys] });
        const rows = new Map<number, Row>();
        for (const row of result.rows as Record<string, unknown>[])
          rows.set(Number(row[keyColumn]), row as Row);
        return rows;
      });
      return (key: number) => loader.load(key);
    },
    prepareBatchInsert(table: string, columns: readonly string[], pgTypes?: readonly string[]) {
      const into = `insert into ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')})`;
      if (pgTypes !== undefined) {
        if (pgTypes.length !== columns.length) throw new Error(`${table}: one type per column`);
        const casts = pgTypes.map((t, i) => {
          if (!/^[a-z][a-z0-9 ]*$/.test(t)) throw new Error(`bad type ${t}`);
          return `$${i + 1}::${t}[]`;
        });
        const text = `${into} select * from unnest(${casts.join(', ')})`;
        const name = 'b' + createHash('sha1').update(text).digest('base64url').slice(0, 20);
        return async (rows: readonly (readonly unknown[])[]) => {
          if (rows.length === 0) return;
          await pool.query({ name, text, values: columns.map((_, c) => rows.map((r) => r[c])) });
        };
      }
      // PostgreSQL takes at most 65535 parameters per statement.
      const perStatement = Math.floor(65535 / columns.length);
      const statement = (chunk: readonly (readonly unknown[])[]) => {
        let n = 0;
        const values = chunk.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`).join(', ');
        return { text: `${into} values ${values}`, values: chunk.flat() };
      };
      return async (rows: readonly (readonly unknown[])[]) => {
        if (rows.length === 0) return;
        if (rows.length <= perStatement) {
          await pool.query(statement(rows));
          return;
        }
        const client = await pool.connect();
        try {
          await client.query('begin');
          for (let start = 0; start < rows.length; start += perStatement)
            await client.query(statement(rows.slice(start, start + perStatement)));
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      };
    },
    prepareBatchInsertIgnore(
      table: string,
      columns: readonly string[],
      conflictColumns: readonly string[],
      updateColumns: readonly string[] = [],
    ) {
      const head = `insert into ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) values `;
      const tail = onConflict(table, conflictColumns, updateColumns, 'is distinct from');
      // PostgreSQL takes at most 65535 parameters per statement.
      const perStatement = Math.floor(65535 / columns.length);
      return async (rows: readonly (readonly unknown[])[]) => {
        if (rows.length === 0) return 0;
        if (rows.length <= perStatement) {
          // One statement is atomic on its own: one round trip instead of begin, insert, commit.
          let n = 0;
          const values = rows.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`).join(', ');
          return (await pool.query(head + values + tail, rows.flat())).rowCount ?? 0;
        }
        let inserted = 0;
        let failed: unknown;
        const client = await pool.connect();
        try {
          await client.query('begin');
          for (let start = 0; start < rows.length; start += perStatement) {
            const chunk = rows.slice(start, start + perStatement);
            let n = 0;
            const values = chunk.map(() => `(${columns.map(() => `$${++n}`).join(', ')})`).join(', ');
            inserted += (await client.query(head + values + tail, chunk.flat())).rowCount ?? 0;
          }
          await client.query('commit');
        } catch (error) {
          failed = error;
          await client.query('rollback').catch(() => undefined);
          throw error;
        } finally {
          // A connection that broke (even during COMMIT, whose outcome is then unknown) is destroyed.
          client.release(failed instanceof Error && isDatabaseUnavailable(failed) ? failed : undefined);
        }
        return inserted;
      };
    },
    close: () => db.destroy(),
  };
}

/** Where the embedded database lives in a data directory. */
export function sqliteFileIn(dataDir: string): string {
  return path.join(dataDir, 'healthcode.sqlite');
}

export async function openDatabase(config: {
  databaseUrl: string | null;
  dataDir: string;
}): Promise<Database> {
  return config.databaseUrl !== null
    ? openPostgres({ url: config.databaseUrl })
    : openSqlite({ file: sqliteFileIn(config.dataDir) });
}

/**
 * An online, consistent copy of the embedded database to `destination` (SQLite's backup API, from a
 * read-only connection, beside a running server). Refuses to overwrite. Signing keys and secrets are
 * copied as stored: sealed when a key-encryption key is configured, so keep that key apart.
 */
export async function backupSqlite(source: string, destination: string): Promise<{ pages: number }> {
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  if (fs.existsSync(destination)) throw new Error(`${destination} exists; a backup never overwrites a file`);
  const raw = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    const result = await raw.backup(destination);
    return { pages: result.totalPages };
  } catch (error) {
    // A copy that stopped half way is no backup: leave nothing that could be mistaken for one.
    fs.rmSync(destination, { force: true });
    throw error;
  } finally {
    raw.close();
  }
}

/** Answers whether the database responds; used by /healthz. */
export async function pingDatabase(database: Database): Promise<boolean> {
  try {
    await sql`select 1`.execute(database.db);
    return true;
  } catch {
    return false;
  }
}
