import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  residentIdNumber,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { hashPassword } from '../../../use-cases/passwords.ts';
import { insertStaff } from '../../../storage/staff.ts';
import { needsTools, runTool } from '../../../../test/support/machine.ts';
import { revokeSigningKey, rotateSigningKey } from '../../../use-cases/keyring.ts';
import { codeKid } from '../../../domain/token/index.ts';

type Json = Record<string, unknown>;

function zbar(png: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qr-')), 'code.png');
  fs.writeFileSync(file, png);
  return runTool('zbarimg', ['--nodbus', '--quiet', '--raw', file]);
}

for (const dialect of DIALECTS) {
  describe(`health code (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let resident: string;
    let guard: string;
    let officer: string;
    let farOfficer: string;
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });

    before(async () => {
      t = await createTestPlatform(dialect);
      const now = t.clock.now();
      const staff = [
        { username: 'guard', role: 'checkpoint', divisionCode: '370102' },
        { username: 'officer', role: 'officer', divisionCode: '370100' },
        { username: 'far', role: 'officer', divisionCode: '440300' },
      ] as const;
      for (const s of staff) {
        await insertStaff(t.platform.db, {
          ...s,
          displayName: s.username,
          passwordHash: await hashPassword('pw'),
          createdAt: now,
        });
      }
      await staffSignIns();
      resident = await signInResident(t, '13800138000');
    });
    /** Staff sessions last 12 hours; tests that move the clock by days sign in again. */
    const staffSignIns = async () => {
      const staffToken = async (username: string) =>
        (
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/v1/staff-sessions',
              payload: { username, password: 'pw' },
            })
          ).json() as { token: string }
        ).token;
      guard = await staffToken('guard');
      officer = await staffToken('officer');
      farOfficer = await staffToken('far');
    };
    after(() => t.close());

    const apply = (token: string, body: Json) =>
      t.app.inject({ method: 'PUT', url: '/api/v1/me/application', headers: auth(token), payload: body });
    const myCode = async (token: string) =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: auth(token) })).json() as Json;
    const verify = async (code: string, token = guard) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/verifications',
          headers: auth(token),
          payload: { code },
        })
      ).json() as Json;

    test('apply: a clean history gives a green code with a health card id', async () => {
      const r = await apply(resident, sampleApplication());
      assert.equal(r.statusCode, 200, r.body);
      const view = r.json() as Json;
      assert.equal(view['colour'], 'green');
      assert.match(String(view['healthCardId']), /^HC/);
      assert.equal(view['maskedName'], '张*三');
      const code = await myCode(resident);
      assert.equal(code['colour'], 'green');
      assert.match(String(code['code']), /^HPC1:/);
      assert.equal(code['until'], null);
    });

    test(
      'the QR image decodes (zbarimg) to the text getMyCode returns, and verifyCode accepts it',
      needsTools('zbarimg'),
      async () => {
        const code = String((await myCode(resident))['code']);
        const png = await t.app.inject({
          method: 'GET',
          url: '/api/v1/me/code/image?format=png',
          headers: auth(resident),
        });
        assert.equal(png.statusCode, 200);
        assert.equal(png.headers['content-type'], 'image/png');
        assert.equal(zbar(png.rawPayload), code);
        const svg = await t.app.inject({
          method: 'GET',
          url: '/api/v1/me/code/image?format=svg',
          headers: auth(resident),
        });
        assert.match(svg.body, /^<svg|<\?xml/);
        const v = await verify(code);
        assert.equal(v['valid'], true);
        assert.equal(v['colour'], 'green');
        assert.equal(v['maskedName'], '张*三');
        assert.deepEqual(Object.keys(v).sort(), [
          'checkedAt',
          'colour',
          'colourAtIssue',
          'expiresAt',
          'health',
          'issuedAt',
          'kind',
          'maskedName',
          'valid',
        ]);
        // The badge is a status: days since sampling and doses, nothing else from the records.
        assert.deepEqual(v['health'], {
          test: {
            status: 'none',
            days: null,
            sampledAt: null,
            text: { 'zh-CN': '无核酸检测记录', en: 'No nucleic-acid test on record' },
          },
          vaccination: {
            doses: 0,
            lastAt: null,
            text: { 'zh-CN': '无疫苗接种记录', en: 'No vaccination on record' },
          },
        });
      },
    );

    test('the code changes every minute and expires after five', async () => {
      const first = String((await myCode(resident))['code']);
      t.clock.advance(60_000);
      const second = String((await myCode(resident))['code']);
      assert.notEqual(first, second);
      t.clock.advance(5 * 60_000);
      const v = await verify(first);
      assert.equal(v['valid'], false);
      assert.equal(v['reason'], 'expired');
      assert.equal((await verify(String((await myCode(resident))['code'])))['valid'], true);
    });

    test('applying again with the same document updates the record; another number is refused', async () => {
      const r = await apply(
        resident,
        sampleApplication({ address: { divisionCode: '370102', detail: '新地址 2 号' } }),
      );
      assert.equal(r.statusCode, 200);
      assert.equal(
        r.json<Json>()['address'] && r.json<{ address: { detail: string } }>().address.detail,
        '新地址 2 号',
      );
      const other = await signInResident(t, '13900139000');
      const refused = await apply(other, sampleApplication({ mobile: '13900139000' }));
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json<{ error: { code: string } }>().error.code, 'document_taken');
    });

    test('an officer adds a fact: the colour now wins at the checkpoint, with reasons and until', async () => {
      const issued = String((await myCode(resident))['code']);
      const add = await t.app.inject({
        method: 'POST',
        url: '/api/v1/facts',
        headers: auth(officer),
        payload: {
          documentType: 'resident_id_card',
          documentNumber: sampleApplication().documentNumber,
          fact: { kind: 'feverClinic', from: '2026-11-24' },
        },
      });
      assert.equal(add.statusCode, 201, add.body);
      assert.equal(add.json<Json>()['colour'], 'yellow');
      const v = await verify(issued);
      assert.equal(v['valid'], true);
      assert.equal(v['colourAtIssue'], 'green');
      assert.equal(v['colour'], 'yellow');
      const code = await myCode(resident);
      assert.equal(code['colour'], 'yellow');
      assert.equal(code['until'], '2026-12-08T00:00:00+08:00');
      const reasons = code['reasons'] as { ruleId: string; text: { 'zh-CN': string; en: string } }[];
      assert.equal(reasons.length, 1);
      assert.ok(reasons[0]?.text.en.length);
      // Time passing `until` turns it green again, with no batch job.
      t.clock.set(Date.parse('2026-12-08T00:00:00+08:00'));
      assert.equal((await myCode(resident))['colour'], 'green');
      await staffSignIns();
    });

    test('facts: other jurisdictions, checkpoint staff and residents are refused', async () => {
      const payload = {
        documentType: 'resident_id_card',
        documentNumber: sampleApplication().documentNumber,
        fact: { kind: 'confirmed', from: '2026-11-20' },
      };
      const far = await t.app.inject({
        method: 'POST',
        url: '/api/v1/facts',
        headers: auth(farOfficer),
        payload,
      });
      assert.equal(far.json<{ error: { code: string } }>().error.code, 'out_of_jurisdiction');
      const g = await t.app.inject({ method: 'POST', url: '/api/v1/facts', headers: auth(guard), payload });
      assert.equal(g.statusCode, 403);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/facts',
        headers: auth(resident),
        payload,
      });
      assert.equal(r.statusCode, 403);
      const unknown = await t.app.inject({
        method: 'POST',
        url: '/api/v1/facts',
        headers: auth(officer),
        payload: { ...payload, documentNumber: residentIdNumber('37010219800101001') },
      });
      assert.equal(unknown.json<{ error: { code: string } }>().error.code, 'resident_not_found');
    });

    test('residents cannot verify codes', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/verifications',
        headers: auth(resident),
        payload: { code: 'HPC1:X' },
      });
      assert.equal(r.statusCode, 403);
    });

    test('key rotation: codes signed by the retired key stay valid until they expire; both keys are published', async () => {
      const before = String((await myCode(resident))['code']);
      await rotateSigningKey(t.platform.db, t.platform.sealer, t.clock.now());
      await t.platform.keyring.refresh(t.clock.now(), true);
      t.clock.advance(60_000);
      const afterRotation = String((await myCode(resident))['code']);
      assert.notEqual(before, afterRotation);
      assert.equal((await verify(before))['valid'], true);
      assert.equal((await verify(afterRotation))['valid'], true);
      const keys = (await t.app.inject({ method: 'GET', url: '/api/v1/keys' })).json() as {
        keys: { kid: string; status: string }[];
      };
      assert.deepEqual(keys.keys.map((k) => k.status).sort(), ['active', 'retired']);

      // A key that may have leaked: the active one cannot be revoked; the retired one can, and then
      // its codes are refused as revoked and it is no longer published.
      const active = t.platform.keyring.activeKey().kid;
      await assert.rejects(revokeSigningKey(t.platform.db, active, t.clock.now()), /rotate/);
      const retired = keys.keys.find((k) => k.status === 'retired')?.kid;
      assert.ok(retired !== undefined);
      await revokeSigningKey(t.platform.db, retired, t.clock.now());
      await t.platform.keyring.refresh(t.clock.now(), true);
      const refused = await verify(before);
      assert.equal(refused['valid'], false);
      assert.equal(refused['reason'], 'revoked');
      assert.equal((await verify(afterRotation))['valid'], true);
      const published = (await t.app.inject({ method: 'GET', url: '/api/v1/keys' })).json() as {
        keys: { kid: string; status: string }[];
      };
      assert.deepEqual(
        published.keys.map((k) => k.kid),
        [active],
      );
    });

    test('every verification is recorded: who, when, result', async () => {
      const rows = await t.platform.db.selectFrom('verifications').selectAll().execute();
      assert.ok(rows.length >= 5);
      assert.ok(rows.some((r) => r.valid === 1) && rows.some((r) => r.valid === 0 && r.reason === 'expired'));
      const audit = await t.platform.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'add_resident_fact')
        .execute();
      assert.equal(audit.length, 1);
    });

    test('within a minute a display reuses its signed code, but a new colour, a revocation or a new key sign anew (issue 12)', async () => {
      await staffSignIns();
      // All of this happens inside one minute of the clock.
      t.clock.set(Math.floor(t.clock.now() / 60_000) * 60_000 + 1_000);
      const first = String((await myCode(resident))['code']);
      assert.equal(String((await myCode(resident))['code']), first);

      const today = new Date(t.clock.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const add = await t.app.inject({
        method: 'POST',
        url: '/api/v1/facts',
        headers: auth(officer),
        payload: {
          documentType: 'resident_id_card',
          documentNumber: sampleApplication().documentNumber,
          fact: { kind: 'confirmed', from: today },
        },
      });
      assert.equal(add.statusCode, 201, add.body);
      const recoloured = await myCode(resident);
      assert.notEqual(recoloured['colour'], 'green');
      assert.notEqual(String(recoloured['code']), first);
      // The token carries the new colour, not the one signed a moment ago.
      assert.equal((await verify(String(recoloured['code'])))['colourAtIssue'], recoloured['colour']);

      // Codes issued before this instant are revoked: the display must not hand the cached one back.
      const residentId = (
        await t.platform.db
          .selectFrom('residents')
          .innerJoin('accounts', 'accounts.id', 'residents.account_id')
          .select('residents.id')
          .where('accounts.mobile', 'like', '%13800138000')
          .executeTakeFirstOrThrow()
      ).id;
      t.clock.advance(1_000);
      await t.platform.db
        .updateTable('residents')
        .set({ codes_valid_after: t.clock.now() })
        .where('id', '=', residentId)
        .execute();
      const afterRevocation = String((await myCode(resident))['code']);
      assert.notEqual(afterRevocation, String(recoloured['code']));
      assert.equal((await verify(String(recoloured['code'])))['reason'], 'revoked');
      assert.equal((await verify(afterRevocation))['valid'], true);

      await rotateSigningKey(t.platform.db, t.platform.sealer, t.clock.now());
      await t.platform.keyring.refresh(t.clock.now(), true);
      const afterRotation = String((await myCode(resident))['code']);
      assert.notEqual(afterRotation, afterRevocation);
      const kid = t.platform.keyring.activeKey().kid;
      assert.equal(codeKid(afterRotation), kid);
      assert.equal((await verify(afterRotation))['valid'], true);
    });
  });
}
