import type { Db } from './database.ts';
import type { SigningKeysTable } from './schema.ts';
import type { ValueSealer } from './sealing.ts';

export type KeyStatus = SigningKeysTable['status'];

export interface StoredKey {
  readonly kid: string;
  readonly seed: Uint8Array;
  readonly secret: Uint8Array;
  readonly status: KeyStatus;
  readonly createdAt: number;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
}

export type KeyInfoRow = Omit<StoredKey, 'seed' | 'secret'>;

export function keyContext(kid: string, part: 'seed' | 'secret'): string {
  return `signing_keys:${kid}:${part}`;
}

/** Keys with their material, opened through `sealer`. */
export async function listSigningKeys(db: Db, sealer: ValueSealer): Promise<StoredKey[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
  return rows.map((r) => ({
    kid: r.kid,
    seed: sealer.open(r.seed, keyContext(r.kid, 'seed')),
    secret: sealer.open(r.secret, keyContext(r.kid, 'secret')),
    status: r.status,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
    retiredAt: r.retired_at,
  }));
}

/** Keys without their material: for listings that need no secret. */
export async function listSigningKeyInfo(db: Db): Promise<KeyInfoRow[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'status', 'created_at', 'activated_at', 'retired_at'])
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    kid: r.kid,
    status: r.status,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
    retiredAt: r.retired_at,
  }));
}

export async function insertSigningKey(
  db: Db,
  sealer: ValueSealer,
  k: { kid: string; seed: Uint8Array; secret: Uint8Array; status: KeyStatus; createdAt: number },
): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: k.kid,
      seed: sealer.seal(k.seed, keyContext(k.kid, 'seed')),
      secret: sealer.seal(k.secret, keyContext(k.kid, 'secret')),
      status: k.status,
      created_at: k.createdAt,
      activated_at: k.status === 'active' ? k.createdAt : null,
      retired_at: null,
    })
    .execute();
}

export async function setKeyStatus(db: Db, kid: string, status: KeyStatus, now: number): Promise<void> {
  await db
    .updateTable('signing_keys')
    .set({
      status,
      ...(status === 'active' ? { activated_at: now } : {}),
      ...(status === 'retired' || status === 'revoked' ? { retired_at: now } : {}),
    })
    .where('kid', '=', kid)
    .execute();
}
