import type { Db } from './database.ts';
import type { SigningKeysTable } from './schema.ts';

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

export async function listSigningKeys(db: Db): Promise<StoredKey[]> {
  const rows = await db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
  return rows.map((r) => ({
    kid: r.kid,
    seed: Buffer.from(r.seed, 'base64'),
    secret: Buffer.from(r.secret, 'base64'),
    status: r.status,
    createdAt: r.created_at,
    activatedAt: r.activated_at,
    retiredAt: r.retired_at,
  }));
}

export async function insertSigningKey(
  db: Db,
  k: { kid: string; seed: Uint8Array; secret: Uint8Array; status: KeyStatus; createdAt: number },
): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: k.kid,
      seed: Buffer.from(k.seed).toString('base64'),
      secret: Buffer.from(k.secret).toString('base64'),
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
