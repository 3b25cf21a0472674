import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestPlatform, dialectSuiteOptions, DIALECTS, type TestPlatform } from '../support/platform.ts';
import { verifyAuditChain } from '../../src/storage/audit.ts';

for (const dialect of DIALECTS) {
  describe(`audit log hash chain (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    before(async () => {
      t = await createTestPlatform(dialect);
      // Written concurrently, as requests do: the group commit chains them in one order.
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          t.platform.auditLog.write({
            at: t.clock.now() + i,
            actorKind: 'staff',
            actorId: 1,
            action: 'read_resident',
            residentId: i,
            detail: { i, note: 'a "quoted" value\u001f' },
          }),
        ),
      );
      await t.platform.auditLog.write({
        at: t.clock.now(),
        actorKind: 'system',
        actorId: null,
        action: 'purge',
        residentId: null,
        detail: {},
      });
    });
    after(() => t.close());

    const ids = async () =>
      (await t.platform.db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id').execute()).map(
        (r) => ({
          id: Number(r.id),
          hash: r.hash,
        }),
      );

    test('an untouched log verifies, and its head is the last row’s hash', async () => {
      const report = await verifyAuditChain(t.platform.db);
      const rows = await ids();
      assert.equal(report.broken, null);
      assert.equal(report.rows, rows.length);
      assert.equal(report.head, rows.at(-1)?.hash);
    });

    test('a changed row is found', async () => {
      const rows = await ids();
      const target = rows[10]?.id ?? 0;
      const original = await t.platform.db
        .selectFrom('audit_log')
        .select('detail')
        .where('id', '=', target)
        .executeTakeFirstOrThrow();
      await t.platform.db
        .updateTable('audit_log')
        .set({ detail: '{"i":999}' })
        .where('id', '=', target)
        .execute();
      const report = await verifyAuditChain(t.platform.db);
      assert.equal(report.broken?.id, target);
      assert.match(report.broken?.reason ?? '', /changed/);
      await t.platform.db
        .updateTable('audit_log')
        .set({ detail: original.detail })
        .where('id', '=', target)
        .execute();
      assert.equal((await verifyAuditChain(t.platform.db)).broken, null);
    });

    test('a removed row is found at the row after it', async () => {
      const rows = await ids();
      const removed = rows[5]?.id ?? 0;
      await t.platform.db.deleteFrom('audit_log').where('id', '=', removed).execute();
      const report = await verifyAuditChain(t.platform.db);
      assert.equal(report.broken?.id, rows[6]?.id);
      assert.match(report.broken?.reason ?? '', /removed or inserted/);
    });

    test('a row inserted directly into the table is found at the row after it', async () => {
      // Restore a verifying chain first: drop everything, write a fresh chain of three.
      await t.platform.db.deleteFrom('audit_log').execute();
      for (let i = 0; i < 3; i++)
        await t.platform.auditLog.write({
          at: t.clock.now() + i,
          actorKind: 'system',
          actorId: null,
          action: 'purge',
          residentId: null,
          detail: { i },
        });
      assert.equal((await verifyAuditChain(t.platform.db)).broken, null);
      const rows = await ids();
      const first = rows[0];
      assert.ok(first);
      // A forged row copying the first row's link and hash, slipped in after it by id.
      await t.platform.db
        .insertInto('audit_log')
        .values({
          id: (rows.at(-1)?.id ?? 0) + 100,
          at: t.clock.now() + 10,
          actor_kind: 'staff',
          actor_id: 1,
          action: 'read_resident',
          resident_id: 1,
          detail: '{}',
          prev_hash: first.hash,
          hash: first.hash,
        } as never)
        .execute();
      const report = await verifyAuditChain(t.platform.db);
      assert.equal(report.broken?.id, (rows.at(-1)?.id ?? 0) + 100);
    });
  });
}
