import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/storage/database.ts';
import { resealStoredValues } from '../../src/storage/sealed-values.ts';
import { ValueSealer } from '../../src/storage/sealing.ts';
import {
  enrolTotpSecret,
  findStaffByUsername,
  insertStaff,
  openTotpSecret,
} from '../../src/storage/staff.ts';
import { authenticator } from 'otplib';
import { rotateSigningKey } from '../../src/use-cases/keyring.ts';
import { createPlatform } from '../../src/platform.ts';
import { MemorySmsSender } from '../../src/use-cases/sms.ts';
import { ManualClock } from '../../src/use-cases/clock.ts';
import { DIALECTS, dialectSuiteOptions, openTestDatabase, TEST_EPOCH } from '../support/platform.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function storedValues(database: Database): Promise<string[]> {
  const keys = await database.db.selectFrom('signing_keys').select(['seed', 'secret']).execute();
  const secrets = await database.db.selectFrom('platform_secrets').select('value').execute();
  const totp = await database.db.selectFrom('staff').select('totp_secret').execute();
  return [
    ...keys.flatMap((k) => [k.seed, k.secret]),
    ...secrets.map((s) => s.value),
    ...totp.flatMap((s) => (s.totp_secret === null ? [] : [s.totp_secret])),
  ];
}

for (const dialect of DIALECTS) {
  describe(`signing keys and secrets sealed at rest (${dialect})`, await dialectSuiteOptions(dialect), () => {
    test('a key-encryption key seals what was stored before, keeps the same keys, and is then required', async () => {
      const { database, dispose } = await openTestDatabase(dialect);
      const clock = new ManualClock(TEST_EPOCH);
      const start = (keyEncryptionKey: Buffer | null) =>
        createPlatform(loadConfig({}, { mode: 'production', dataDir: os.tmpdir(), keyEncryptionKey }), {
          database,
          clock,
          sms: new MemorySmsSender(),
          logger: quiet,
        });
      try {
        const plain = await start(null);
        const kid = plain.keyring.activeKey().kid;
        const pepper = plain.secrets.identityPepper;
        // An officer's second factor, enrolled before the key-encryption key was configured.
        const officerId = await insertStaff(database.db, {
          username: 'officer.sealed',
          displayName: 'officer',
          passwordHash: '',
          role: 'officer',
          divisionCode: '370102',
          createdAt: clock.now(),
        });
        const totp = authenticator.generateSecret();
        await enrolTotpSecret(database.db, plain.sealer, officerId, totp);
        assert.ok((await storedValues(database)).every((v) => !v.startsWith('kek1:')));

        const kek = randomBytes(32);
        const sealed = await start(kek);
        const values = await storedValues(database);
        assert.ok(values.length >= 4);
        assert.ok(
          values.every((v) => v.startsWith('kek1:')),
          'every key and secret is sealed',
        );
        assert.equal(sealed.keyring.activeKey().kid, kid, 'the same signing key');
        assert.deepEqual(sealed.secrets.identityPepper, pepper, 'the same secrets');
        const storedTotp = await findStaffByUsername(database.db, 'officer.sealed');
        const sealedTotp = storedTotp?.totpSecret ?? '';
        assert.ok(sealedTotp.startsWith('kek1:'), 'the TOTP secret is sealed');
        assert.equal(openTotpSecret(sealed.sealer, officerId, sealedTotp), totp);
        // Bound to its row: the sealed value does not open as another account's.
        assert.throws(() => openTotpSecret(sealed.sealer, officerId + 1, sealedTotp), /wrong key|altered/);

        await assert.rejects(start(null), /KEY_ENCRYPTION_KEY_FILE/);
        await assert.rejects(start(randomBytes(32)), /wrong key/);

        const again = await start(kek);
        const rotated = await rotateSigningKey(database.db, again.sealer, clock.now());
        await again.keyring.refresh(clock.now(), true);
        assert.equal(again.keyring.activeKey().kid, rotated.activated);
        assert.ok(
          (await storedValues(database)).every((v) => v.startsWith('kek1:')),
          'new keys are sealed too',
        );
      } finally {
        await dispose();
      }
    });

    test('rotating the key-encryption key: running nodes keep their keys; restarts need the new one', async () => {
      const { database, dispose } = await openTestDatabase(dialect);
      const clock = new ManualClock(TEST_EPOCH);
      const unreadable: string[] = [];
      const logger = {
        ...quiet,
        error: (fields: Record<string, unknown>) => void unreadable.push(String(fields['kid'])),
      };
      const start = (keyEncryptionKey: Buffer | null) =>
        createPlatform(loadConfig({}, { mode: 'production', dataDir: os.tmpdir(), keyEncryptionKey }), {
          database,
          clock,
          sms: new MemorySmsSender(),
          logger,
        });
      try {
        const oldKek = randomBytes(32);
        const newKek = randomBytes(32);
        const running = await start(oldKek);
        const kid = running.keyring.activeKey().kid;
        const written = await resealStoredValues(
          database.db,
          new ValueSealer(oldKek),
          new ValueSealer(newKek),
        );
        assert.ok(written >= 4);
        clock.advance(10_000);
        await running.keyring.refresh(clock.now(), true);
        assert.equal(
          running.keyring.activeKey().kid,
          kid,
          'the running node still signs with the key it holds',
        );

        const restarted = await start(newKek);
        const rotated = await rotateSigningKey(database.db, restarted.sealer, clock.now());
        await running.keyring.refresh(clock.now(), true);
        assert.deepEqual(
          unreadable,
          [rotated.activated],
          'a key sealed under the new KEK is logged, not fatal',
        );
        assert.equal(running.keyring.verificationKey(rotated.activated), undefined);
        assert.equal(running.keyring.verificationKey(kid)?.kid, kid);

        await assert.rejects(start(oldKek), /wrong key/);
        const again = await start(newKek);
        assert.equal(again.keyring.activeKey().kid, rotated.activated);
      } finally {
        await dispose();
      }
    });
  });
}
