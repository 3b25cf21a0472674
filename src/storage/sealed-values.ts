import type { Db } from './database.ts';
import { ValueSealer } from './sealing.ts';
import { secretContext } from './secrets.ts';
import { keyContext } from './signing-keys.ts';
import { totpContext } from './staff.ts';

/**
 * Rewrites every signing key, platform secret and staff TOTP secret, opened with `from` and sealed with `to`, in one
 * transaction; returns how many values it wrote. Every value is opened first, so a missing or wrong
 * key-encryption key fails here, naming it, before anything changes.
 *
 * `onlyUnsealed`: write only values still in plain base64, and only when `to` seals (the start-up
 * pass); otherwise every value is written (a key-encryption-key rotation).
 */
export async function resealStoredValues(
  db: Db,
  from: ValueSealer,
  to: ValueSealer,
  options: { readonly onlyUnsealed?: boolean } = {},
): Promise<number> {
  const skip = (stored: string) =>
    options.onlyUnsealed === true && (!to.sealing || ValueSealer.isSealed(stored));
  return db.transaction().execute(async (trx) => {
    let written = 0;
    const keys = await trx.selectFrom('signing_keys').select(['kid', 'seed', 'secret']).execute();
    for (const k of keys) {
      const seed = from.open(k.seed, keyContext(k.kid, 'seed'));
      const secret = from.open(k.secret, keyContext(k.kid, 'secret'));
      if (skip(k.seed) && skip(k.secret)) continue;
      await trx
        .updateTable('signing_keys')
        .set({
          seed: to.seal(seed, keyContext(k.kid, 'seed')),
          secret: to.seal(secret, keyContext(k.kid, 'secret')),
        })
        .where('kid', '=', k.kid)
        .execute();
      written += 2;
    }
    const secrets = await trx.selectFrom('platform_secrets').select(['name', 'value']).execute();
    for (const s of secrets) {
      const value = from.open(s.value, secretContext(s.name));
      if (skip(s.value)) continue;
      await trx
        .updateTable('platform_secrets')
        .set({ value: to.seal(value, secretContext(s.name)) })
        .where('name', '=', s.name)
        .execute();
      written += 1;
    }
    const staff = await trx
      .selectFrom('staff')
      .select(['id', 'totp_secret'])
      .where('totp_secret', 'is not', null)
      .execute();
    for (const s of staff) {
      if (s.totp_secret === null) continue;
      const id = Number(s.id);
      const value = from.open(s.totp_secret, totpContext(id));
      if (skip(s.totp_secret)) continue;
      await trx
        .updateTable('staff')
        .set({ totp_secret: to.seal(value, totpContext(id)) })
        .where('id', '=', id)
        .execute();
      written += 1;
    }
    return written;
  });
}

/**
 * At start: with a key-encryption key, seals what is still stored in plain base64 (written before
 * it was configured); without one, checks that nothing is sealed — so a missing or wrong
 * KEY_ENCRYPTION_KEY_FILE fails at start with a clear message, not at the first signature.
 */
export function sealStoredValues(db: Db, sealer: ValueSealer): Promise<number> {
  return resealStoredValues(db, sealer, sealer, { onlyUnsealed: true });
}
