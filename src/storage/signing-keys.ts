import type { Db } from './database.ts';
import type { SigningKeysTable } from './schema.ts';
import type { ValueSealer } from './sealing.ts';

export type KeyStatus = SigningKeysTable['status'];

export interface KeyInfoRow {
  readonly kid: string;
  readonly status: KeyStatus;
  readonly createdAt: number;
  readonly activatedAt: number | null;
  readonly retiredAt: number | null;
}

export function keyContext(kid: string, part: 'seed' | 'secret'): string {
  return `signing_keys:${kid}:${part}`;
}

/** One key's material, opened through `sealer`; null if there is no such key. */
export async function readSigningKeyMaterial(
  db: Db,
  sealer: ValueSealer,
  kid: string,
): Promise<{ seed: Buffer; secret: Buffer } | null> {
  const row = await db
    .selectFrom('signing_keys')
    .select(['seed', 'secret'])
    .where('kid', '=', kid)
    .executeTakeFirst();
  if (row === undefined) return null;
  return {
    seed: sealer.open(row.seed, keyContext(kid, 'seed')),
    secret: sealer.open(row.secret, keyContext(kid, 'secret')),
  };
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
