import { randomBytes } from 'node:crypto';
import {
  createKeyMaterial,
  publicJwk,
  signingKeyFromMaterial,
  verifyHealthCode,
  type SigningKey,
  type VerificationKey,
  type VerifyResult,
} from '../domain/token/index.ts';
import { DAY_MS, type EpochMs } from '../domain/types.ts';
import { AppError } from './errors.ts';
import type { Db } from '../storage/database.ts';
import { SealingError, type ValueSealer } from '../storage/sealing.ts';
import {
  insertSigningKey,
  listSigningKeyInfo,
  readSigningKeyMaterial,
  setKeyStatus,
  type KeyStatus,
} from '../storage/signing-keys.ts';

/**
 * How long a retired key stays published: the longest-lived code (a paper code, S3: 14 days) signed
 * just before retirement must still verify offline, plus a day for clocks and cached key sets.
 */
export const RETIRED_KEY_PUBLISHED_MS = 15 * DAY_MS;
/** Other API nodes see a rotation within this many milliseconds. */
const REFRESH_MS = 5_000;

export interface KeyInfo {
  readonly kid: string;
  readonly status: KeyStatus;
  readonly createdAt: number;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
  /** Published keys are listed by getSigningKeys; offline checkpoints trust exactly these. */
  readonly published: boolean;
}

interface Entry {
  readonly info: KeyInfo;
  readonly key: SigningKey;
}

/**
 * The platform's signing keys, cached in-process and re-read every few seconds so a rotation made on
 * one node reaches the others (on PostgreSQL at once: the change feed calls invalidate); an unknown
 * kid triggers an immediate re-read.
 */
export class Keyring {
  private entries = new Map<string, Entry>();
  /** Public keys of other issuers this platform accepts (verification only; never published as ours). */
  private readonly trusted = new Map<string, VerificationKey>();
  private activeKid: string | null = null;
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;
  /** Bumped by invalidate: a read that began before a change must not count as fresh after it. */
  private generation = 0;
  /** Reads started and the newest applied: an older read finishing late must not undo a newer one. */
  private reads = 0;
  private applied = 0;

  constructor(
    private readonly db: Db,
    private readonly sealer: ValueSealer,
    private readonly onUnreadableKey: (kid: string, error: SealingError) => void = () => undefined,
  ) {}

  /**
   * Reads the key table. Material is opened only for keys this node has not seen, so a running node
   * keeps serving its keys across a key-encryption-key rotation until it restarts with the new file;
   * a new key that does not open here is left out and logged, not fatal.
   */
  async load(now: number): Promise<void> {
    const generation = this.generation;
    const read = ++this.reads;
    const rows = await listSigningKeyInfo(this.db);
    const next = new Map<string, Entry>();
    let active: string | null = null;
    for (const row of rows) {
      const published =
        row.status === 'next' ||
        row.status === 'active' ||
        (row.status === 'retired' && (row.retiredAt ?? 0) + RETIRED_KEY_PUBLISHED_MS > now);
      let key = this.entries.get(row.kid)?.key;
      if (key === undefined) {
        try {
          const material = await readSigningKeyMaterial(this.db, this.sealer, row.kid);
          if (material === null) continue;
          key = signingKeyFromMaterial({ kid: row.kid, ...material });
        } catch (error) {
          if (!(error instanceof SealingError)) throw error;
          this.onUnreadableKey(row.kid, error);
          continue;
        }
      }
      next.set(row.kid, {
        info: {
          kid: row.kid,
          status: row.status,
          createdAt: row.createdAt,
          activatedAt: row.activatedAt,
          retiredAt: row.retiredAt,
          published,
        },
        key,
      });
      if (row.status === 'active') active = row.kid;
    }
    if (read < this.applied) return;
    this.applied = read;
    this.entries = next;
    this.activeKid = active;
    // Read before an invalidate: used, but re-read at the next call.
    if (generation === this.generation) this.loadedAt = now;
  }

  /**
   * The key table changed (announced by another node or the CLI, or the change feed reconnected):
   * the next use re-reads it, and a read already under way is not taken as fresh.
   */
  invalidate(): void {
    this.generation += 1;
    this.loadedAt = -Infinity;
    this.loading = null;
  }

  /** Whether `refresh(now)` would have nothing to do: hot paths skip the await. */
  isFresh(now: number): boolean {
    return now - this.loadedAt < REFRESH_MS;
  }

  /** `verificationKey` as a function value, made once, for verifyHealthCode. */
  readonly lookup = (kid: string): VerificationKey | undefined => this.verificationKey(kid);

  /**
   * Verifies a code's signature and validity time at `validAt` against this node's keys. A code
   * naming a kid this node has not seen may be signed by a key rotated on another node moments ago:
   * the key table is then re-read once before the code is refused. Hot paths await nothing while
   * the cache is fresh.
   */
  async verify(text: string, now: number, validAt: number = now): Promise<VerifyResult> {
    if (!this.isFresh(now)) await this.refresh(now);
    const result = verifyHealthCode(text, this.lookup, validAt as EpochMs);
    if (result.ok || result.reason !== 'unknown_key') return result;
    await this.refresh(now, true);
    return verifyHealthCode(text, this.lookup, validAt as EpochMs);
  }

  /** Re-reads the key table when the cache is older than a few seconds. */
  async refresh(now: number, force = false): Promise<void> {
    if (!force && now - this.loadedAt < REFRESH_MS) return;
    if (this.loading === null) {
      const loading = this.load(now).finally(() => {
        if (this.loading === loading) this.loading = null;
      });
      this.loading = loading;
    }
    await this.loading;
  }

  activeKey(): SigningKey {
    const entry = this.activeKid === null ? undefined : this.entries.get(this.activeKid);
    if (entry === undefined) throw new Error('no active signing key: run `healthcode keys generate`');
    return entry.key;
  }

  /** Key lookup for verification; revoked keys are reported separately by `status`. */
  verificationKey(kid: string): VerificationKey | undefined {
    return this.entries.get(kid)?.key ?? this.trusted.get(kid);
  }

  /**
   * Accept codes signed by another issuer's public key (a neighbouring platform, or the published
   * test vectors' key). Such codes verify, but their subjects are not ours to resolve.
   */
  trustPublicKey(key: VerificationKey): void {
    this.trusted.set(key.kid, key);
  }

  status(kid: string): KeyStatus | undefined {
    return this.entries.get(kid)?.info.status;
  }

  list(): KeyInfo[] {
    return [...this.entries.values()].map((e) => e.info);
  }

  publishedJwks() {
    return [...this.entries.values()]
      .filter((e) => e.info.published)
      .map((e) => ({ ...publicJwk(e.key), status: e.info.status }));
  }
}

/** Adds a key. 'next' publishes it ahead of use so offline checkpoints fetch it before it signs. */
export async function generateSigningKey(
  db: Db,
  sealer: ValueSealer,
  status: 'next' | 'active',
  now: number,
): Promise<string> {
  const material = createKeyMaterial(randomBytes);
  await insertSigningKey(db, sealer, { ...material, status, createdAt: now });
  return material.kid;
}

/**
 * Rotation: the newest 'next' key (or a new one) becomes active and the active key is retired. Codes
 * signed by the retired key stay valid until they expire; it stays published for that long.
 */
export async function rotateSigningKey(
  db: Db,
  sealer: ValueSealer,
  now: number,
): Promise<{ activated: string; retired: string | null }> {
  return db.transaction().execute(async (trx) => {
    const keys = await listSigningKeyInfo(trx);
    const current = keys.find((k) => k.status === 'active') ?? null;
    const waiting = keys.filter((k) => k.status === 'next').at(-1);
    const activated = waiting?.kid ?? (await generateSigningKey(trx, sealer, 'next', now));
    if (current !== null) await setKeyStatus(trx, current.kid, 'retired', now);
    await setKeyStatus(trx, activated, 'active', now);
    return { activated, retired: current?.kid ?? null };
  });
}

/** First start: make sure one key signs. */
export async function ensureActiveKey(db: Db, sealer: ValueSealer, now: number): Promise<void> {
  const keys = await listSigningKeyInfo(db);
  if (!keys.some((k) => k.status === 'active')) await generateSigningKey(db, sealer, 'active', now);
}

/**
 * Revokes a key that may have leaked: every code it signed is refused as `revoked` from now on, and
 * it is no longer published. The active key cannot be revoked — rotate first, so that something signs.
 */
export async function revokeSigningKey(db: Db, kid: string, now: number): Promise<void> {
  const key = (await listSigningKeyInfo(db)).find((k) => k.kid === kid);
  if (key === undefined) throw new AppError('not_found', `There is no signing key ${kid}.`);
  if (key.status === 'active') {
    throw new AppError(
      'forbidden',
      `${kid} is the active key: run "healthcode keys rotate" first, then revoke it.`,
    );
  }
  if (key.status !== 'revoked') await setKeyStatus(db, kid, 'revoked', now);
}
