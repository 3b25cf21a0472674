/**
 * The floor of an online scan (issue 12 item 5): a bare Fastify route doing only the work no
 * implementation of verifyCode can skip, with none of the platform's code — its own three tiny
 * tables on the same engine, with the platform's durability:
 *
 * 1. the bearer session: SHA-256 of the token, one primary-key read of `floor_sessions`, expiry;
 * 2. the online tag: HMAC-SHA-256 (node:crypto) of the code's claims, compared in constant time,
 *    and the code's expiry;
 * 3. one primary-key read of the resident's row (`floor_residents`);
 * 4. one row appended to `floor_scans` through a group commit (the rows of one event-loop turn in
 *    one transaction / one multi-row insert), answered only once durable: on SQLite (WAL,
 *    synchronous=NORMAL, as the platform) after an fdatasync of the -wal file, coalesced; on
 *    PostgreSQL its own synchronous commit.
 *
 * SQLite in a temp dir, or PostgreSQL at FLOOR_DATABASE_URL (a schema of its own, dropped on
 * exit). Prints {port, database, token, codes} on stdout; SIGTERM cleans up and exits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { pathToFileURL } from 'node:url';
import { Type } from '@sinclair/typebox';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

const RESIDENTS = Number(process.env['BENCH_RESIDENTS'] ?? '2000');
const url = process.env['FLOOR_DATABASE_URL'] ?? '';
const macKey = randomBytes(32);
const now = () => Date.now();

interface Session {
  readonly account_id: number;
  readonly expires_at: number;
}
interface Resident {
  readonly id: number;
  readonly name: string;
  readonly colour: string;
}
type Scan = readonly [at: number, accountId: number, residentId: number, colour: string];

interface Store {
  readonly name: 'sqlite' | 'postgres';
  session(tokenHash: string): Promise<Session | undefined> | Session | undefined;
  resident(id: number): Promise<Resident | undefined> | Resident | undefined;
  /** Stores the rows in one transaction and resolves once they are durable. */
  appendDurably(rows: readonly Scan[]): Promise<void>;
  close(): Promise<void>;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const tagOf = (claims: string) => createHmac('sha256', macKey).update(claims).digest().subarray(0, 16);

/** A floor code: `F1.<resident id>.<expiry, s>.<base64url of the 16-byte HMAC of what precedes>`. */
function makeCode(residentId: number, expSec: number): string {
  const claims = `F1.${residentId}.${expSec}`;
  return `${claims}.${tagOf(claims).toString('base64url')}`;
}

async function openStore(): Promise<Store> {
  if (url === '') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-floor-'));
    const file = path.join(dir, 'floor.sqlite');
    const db = new SqliteDatabase(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`create table floor_sessions (token_hash text primary key, account_id integer not null, expires_at integer not null) without rowid;
      create table floor_residents (id integer primary key, name text not null, colour text not null);
      create table floor_scans (id integer primary key, at integer not null, account_id integer not null, resident_id integer not null, colour text not null);`);
    const session = db.prepare<[string], Session>(
      'select account_id, expires_at from floor_sessions where token_hash = ?',
    );
    const resident = db.prepare<[number], Resident>(
      'select id, name, colour from floor_residents where id = ?',
    );
    const insert = db.prepare(
      'insert into floor_scans (at, account_id, resident_id, colour) values (?, ?, ?, ?)',
    );
    const insertAll = db.transaction((rows: readonly Scan[]) => {
      for (const r of rows) insert.run(...r);
    });
    let fd: number | null = null;
    // Coalesced fdatasync of the WAL: one running, and one queued for whoever arrives meanwhile.
    let running: Promise<void> | null = null;
    let queued: Promise<void> | null = null;
    const datasync = (): Promise<void> => {
      fd ??= fs.openSync(`${file}-wal`, 'r');
      const f = fd;
      return new Promise((resolve, reject) => fs.fdatasync(f, (e) => (e === null ? resolve() : reject(e))));
    };
    const sync = (): Promise<void> => {
      if (queued !== null) return queued;
      if (running !== null) {
        queued = running.then(() => {
          queued = null;
          return sync();
        });
        return queued;
      }
      running = datasync().finally(() => {
        running = null;
      });
      return running;
    };
    return {
      name: 'sqlite',
      session: (h) => session.get(h),
      resident: (id) => resident.get(id),
      appendDurably(rows) {
        insertAll(rows);
        return sync();
      },
      async close() {
        await running;
        await queued;
        if (fd !== null) fs.closeSync(fd);
        db.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
      seed(sessions: readonly [string, number, number][], residents: readonly [number, string, string][]) {
        const s = db.prepare('insert into floor_sessions values (?, ?, ?)');
        const r = db.prepare('insert into floor_residents values (?, ?, ?)');
        db.transaction(() => {
          for (const row of sessions) s.run(...row);
          for (const row of residents) r.run(...row);
        })();
        return Promise.resolve();
      },
    } as Store & Seedable;
  }
  const schema = `floor_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const pool = new pg.Pool({
    connectionString: url,
    max: 16,
    options: `-c search_path=${schema}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === 20
          ? (v: string) => Number(v)
          : (pg.types.getTypeParser(oid, format) as unknown)) as pg.CustomTypesConfig['getTypeParser'],
    },
  });
  await pool.query(`create table floor_sessions (token_hash text primary key, account_id bigint not null, expires_at bigint not null);
    create table floor_residents (id bigint primary key, name text not null, colour text not null);
    create table floor_scans (id bigint generated always as identity primary key, at bigint not null, account_id bigint not null, resident_id bigint not null, colour text not null);`);
  // A round trip and the driver's work cost more than the read: the lookups of one event-loop turn
  // go as one `= any($1)` query (one per table), as any implementation serving many scans would.
  const sessionBatch = batched<string, Session & { token_hash: string }>(async (keys) => {
    const r = await pool.query({
      name: 'floor_sessions',
      text: 'select token_hash, account_id, expires_at from floor_sessions where token_hash = any($1::text[])',
      values: [keys],
    });
    return new Map((r.rows as (Session & { token_hash: string })[]).map((row) => [row.token_hash, row]));
  });
  const residentBatch = batched<number, Resident>(async (keys) => {
    const r = await pool.query({
      name: 'floor_residents',
      text: 'select id, name, colour from floor_residents where id = any($1::bigint[])',
      values: [keys],
    });
    return new Map((r.rows as Resident[]).map((row) => [row.id, row]));
  });
  return {
    name: 'postgres',
    session: sessionBatch,
    resident: residentBatch,
    async appendDurably(rows) {
      let n = 0;
      const values = rows.map(() => `($${++n}, $${++n}, $${++n}, $${++n})`).join(', ');
      await pool.query(
        `insert into floor_scans (at, account_id, resident_id, colour) values ${values}`,
        rows.flat(),
      );
    },
    async close() {
      await pool.query(`drop schema ${schema} cascade`);
      await pool.end();
    },
    async seed(
      sessions: readonly [string, number, number][],
      residents: readonly [number, string, string][],
    ) {
      await pool.query(
        'insert into floor_sessions select * from unnest($1::text[], $2::bigint[], $3::bigint[])',
        [sessions.map((s) => s[0]), sessions.map((s) => s[1]), sessions.map((s) => s[2])],
      );
      await pool.query(
        'insert into floor_residents select * from unnest($1::bigint[], $2::text[], $3::text[])',
        [residents.map((r) => r[0]), residents.map((r) => r[1]), residents.map((r) => r[2])],
      );
    },
  } as Store & Seedable;
}

/** The keys asked for in one event-loop turn, read with one query; equal keys share a lookup. */
function batched<K, R>(readMany: (keys: K[]) => Promise<Map<K, R>>): (key: K) => Promise<R | undefined> {
  let waiting = new Map<K, ((row: R | undefined) => void)[]>();
  let failures: ((e: unknown) => void)[] = [];
  const flush = (): void => {
    const batch = waiting;
    const fail = failures;
    waiting = new Map();
    failures = [];
    readMany([...batch.keys()]).then(
      (rows) => {
        for (const [key, resolves] of batch) for (const resolve of resolves) resolve(rows.get(key));
      },
      (error: unknown) => {
        for (const reject of fail) reject(error);
      },
    );
  };
  return (key) =>
    new Promise<R | undefined>((resolve, reject) => {
      if (waiting.size === 0) setImmediate(flush);
      const list = waiting.get(key);
      if (list === undefined) waiting.set(key, [resolve]);
      else list.push(resolve);
      failures.push(reject);
    });
}

interface Seedable {
  seed(
    sessions: readonly [string, number, number][],
    residents: readonly [number, string, string][],
  ): Promise<void>;
}

/**
 * Group commit: the scans of one event-loop turn go in one transaction; each waits until its batch
 * is durable. One batch is stored at a time; rows arriving meanwhile form the next one.
 */
function groupCommit(store: Store): (row: Scan) => Promise<void> {
  let pending: { row: Scan; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  let storing = false;
  const flush = (): void => {
    scheduled = false;
    if (storing || pending.length === 0) return;
    const batch = pending;
    pending = [];
    storing = true;
    let stored: Promise<void>;
    try {
      stored = store.appendDurably(batch.map((p) => p.row));
    } catch (error) {
      stored = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // SQLite's insert is synchronous: the next batch may commit while this one's sync runs.
    if (store.name === 'sqlite') storing = false;
    stored.then(
      () => {
        for (const p of batch) p.resolve();
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
    void stored
      .catch(() => undefined)
      .finally(() => {
        storing = false;
        if (pending.length > 0 && !scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
  };
  return (row) =>
    new Promise<void>((resolve, reject) => {
      pending.push({ row, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}

export interface Floor {
  readonly app: FastifyInstance;
  readonly database: 'sqlite' | 'postgres';
  /** A valid bearer token and a valid code for each resident row. */
  readonly token: string;
  readonly codes: readonly string[];
  close(): Promise<void>;
}

/** The floor's app and its data (FLOOR_DATABASE_URL or SQLite in a temp dir); not listening. */
export async function createFloor(): Promise<Floor> {
  const store = (await openStore()) as Store & Seedable;
  const token = randomBytes(32).toString('base64url');
  const expSec = Math.floor(now() / 1000) + 3600;
  const colours = ['green', 'green', 'green', 'yellow', 'red'];
  await store.seed(
    [[hashToken(token), 1, now() + 24 * 3600_000]],
    Array.from({ length: RESIDENTS }, (_, i) => [
      i + 1,
      `居民${i + 1}`,
      colours[i % colours.length] ?? 'green',
    ]),
  );
  const codes = Array.from({ length: RESIDENTS }, (_, i) => makeCode(i + 1, expSec));
  const append = groupCommit(store);

  const app = Fastify({
    logger: false,
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });
  const BEARER = /^Bearer ([A-Za-z0-9_-]{20,100})$/;
  const CODE = /^F1\.([0-9]{1,15})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})$/;
  app.post<{ Body: { code: string } }>(
    '/scan',
    {
      schema: {
        body: Type.Object(
          { code: Type.String({ minLength: 1, maxLength: 1024 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ valid: Type.Boolean(), colour: Type.String(), name: Type.String() }) },
      },
    },
    async (request, reply) => {
      const bearer = BEARER.exec(request.headers.authorization ?? '');
      const session = bearer?.[1] === undefined ? undefined : await store.session(hashToken(bearer[1]));
      const at = now();
      if (session === undefined || session.expires_at <= at) return reply.code(401).send();
      const code = CODE.exec(request.body.code);
      if (code === null) return reply.code(400).send();
      const [, id, exp, tag] = code;
      const claims = `F1.${id}.${exp}`;
      const given = Buffer.from(tag ?? '', 'base64url');
      if (given.length !== 16 || !timingSafeEqual(tagOf(claims), given) || Number(exp) * 1000 <= at)
        return reply.code(422).send();
      const resident = await store.resident(Number(id));
      if (resident === undefined) return reply.code(422).send();
      await append([at, session.account_id, resident.id, resident.colour]);
      return { valid: true, colour: resident.colour, name: resident.name };
    },
  );
  return {
    app,
    database: store.name,
    token,
    codes,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const floor = await createFloor();
  await floor.app.listen({ host: '127.0.0.1', port: 0 });
  const address = floor.app.server.address();
  process.stdout.write(
    JSON.stringify({
      port: typeof address === 'object' && address !== null ? address.port : 0,
      database: floor.database,
      token: floor.token,
      codes: floor.codes,
    }) + '\n',
  );
  process.on('SIGTERM', () => {
    void floor.close().then(() => process.exit(0));
  });
}
