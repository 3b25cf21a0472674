import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
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

/** Issue 8, finding 3: an officer's import changes only their own district's residents (P3). */
const ID = {
  jinan: residentIdNumber('37010219900307123'),
  qingdao: residentIdNumber('37020219700505789'),
  laterQingdao: residentIdNumber('37020219800101222'),
  laterJinan: residentIdNumber('37010219800101333'),
};

for (const dialect of DIALECTS) {
  describe(`imports hold the jurisdiction (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    const token: Record<string, string> = {};
    const auth = (who: string) => ({ authorization: `Bearer ${token[who] ?? ''}` });
    const settle = async () => {
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
    };
    const count = async (table: 'epidemic_records' | 'imports') =>
      Number(
        (
          await t.platform.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const colourOf = async (who: string) =>
      (
        (await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: auth(who) })).json() as {
          colour: string;
        }
      ).colour;
    const csv = (...rows: string[]) =>
      ['sourceId,documentType,documentNumber,isolation,start,end,note', ...rows].join('\n');
    const upload = async (who: string, body: string, query = 'kind=closeContact') => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/imports?${query}`,
        headers: { ...auth(who), 'content-type': 'text/csv' },
        payload: body,
      });
      await settle();
      return res;
    };
    const statusOf = async (who: string, importId: string) =>
      t.app.inject({ method: 'GET', url: `/api/v1/imports/${importId}`, headers: auth(who) });
    const apply = async (who: string, mobile: string, doc: string, division: string) => {
      token[who] = await signInResident(t, mobile);
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: auth(who),
        payload: sampleApplication({
          mobile,
          documentNumber: doc,
          address: { divisionCode: division, detail: '1 号' },
        }),
      });
      assert.equal(res.statusCode, 200, res.body);
    };

    before(async () => {
      t = await createTestPlatform(dialect);
      for (const s of [
        { username: 'admin', role: 'admin', divisionCode: '000000' },
        { username: 'jinan', role: 'officer', divisionCode: '370100' },
        { username: 'qingdao', role: 'officer', divisionCode: '370200' },
      ] as const) {
        await insertStaff(t.platform.db, {
          ...s,
          displayName: s.username,
          passwordHash: await hashPassword('pw'),
          createdAt: t.clock.now(),
        });
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/staff-sessions',
          payload: { username: s.username, password: 'pw' },
        });
        token[s.username] = (res.json() as { token: string }).token;
      }
      await apply('jinanResident', '13800138001', ID.jinan, '370102');
      await apply('qingdaoResident', '13800138003', ID.qingdao, '370202');
    });
    after(() => t.close());

    test('a row naming another district’s resident is refused and stored nowhere; the rest lands', async () => {
      const records = await count('epidemic_records');
      const res = await upload(
        'jinan',
        csv(
          `j-1,resident_id_card,${ID.jinan},home,2026-11-24,,`,
          `j-2,resident_id_card,${ID.qingdao},centralised,2026-11-24,,`,
        ),
      );
      assert.equal(res.statusCode, 202, res.body);
      const status = await statusOf('jinan', (res.json() as { importId: string }).importId);
      const body = status.json() as {
        status: string;
        jurisdiction: string;
        rowsImported: number;
        rowsInvalid: number;
        errors: { line: number; field: string; code: string }[];
      };
      assert.equal(body.status, 'completed');
      assert.equal(body.jurisdiction, '370100');
      assert.equal(body.rowsImported, 1);
      assert.equal(body.rowsInvalid, 1);
      assert.deepEqual(
        body.errors.map((e) => [e.line, e.field, e.code]),
        [[3, 'documentNumber', 'out_of_jurisdiction']],
      );
      assert.equal(await count('epidemic_records'), records + 1);
      assert.equal(await colourOf('jinanResident'), 'red');
      assert.equal(await colourOf('qingdaoResident'), 'green');
    });

    test('a strict import with one out-of-jurisdiction row stores nothing', async () => {
      const records = await count('epidemic_records');
      const res = await upload(
        'jinan',
        csv(
          `s-1,resident_id_card,${ID.jinan},home,2026-11-24,,`,
          `s-2,resident_id_card,${ID.qingdao},home,2026-11-24,,`,
        ),
        'kind=closeContact&strict=true',
      );
      assert.equal(res.statusCode, 202, res.body);
      const body = (await statusOf('jinan', (res.json() as { importId: string }).importId)).json() as {
        status: string;
        error: { code: string } | null;
        errors: { code: string }[];
      };
      assert.equal(body.status, 'failed');
      assert.equal(body.error?.code, 'import_row_invalid');
      assert.equal(body.errors[0]?.code, 'out_of_jurisdiction');
      assert.equal(await count('epidemic_records'), records);
      assert.equal(await colourOf('qingdaoResident'), 'green');
    });

    test('an import for a division outside the officer’s jurisdiction is refused before anything is stored', async () => {
      const [imports, records] = [await count('imports'), await count('epidemic_records')];
      const res = await upload(
        'jinan',
        csv(`d-1,resident_id_card,${ID.qingdao},home,2026-11-24,,`),
        'kind=closeContact&division=370200',
      );
      assert.equal(res.statusCode, 403, res.body);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'out_of_jurisdiction');
      assert.equal(await count('imports'), imports);
      assert.equal(await count('epidemic_records'), records);
    });

    test('a record of someone not registered yet applies only if they register inside the import’s jurisdiction', async () => {
      const res = await upload(
        'jinan',
        csv(
          `l-1,resident_id_card,${ID.laterQingdao},home,2026-11-24,,`,
          `l-2,resident_id_card,${ID.laterJinan},home,2026-11-24,,`,
        ),
      );
      assert.equal(res.statusCode, 202, res.body);
      await apply('laterQingdao', '13800138005', ID.laterQingdao, '370202');
      await apply('laterJinan', '13800138006', ID.laterJinan, '370103');
      assert.equal(await colourOf('laterQingdao'), 'green');
      assert.equal(await colourOf('laterJinan'), 'red');
    });

    test('officers see only their jurisdiction’s imports; provincial admins see all and reach everyone', async () => {
      const jinanList = await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: auth('jinan') });
      const jinanImports = (jinanList.json() as { imports: { importId: string; jurisdiction: string }[] })
        .imports;
      assert.ok(jinanImports.length >= 3);
      assert.ok(jinanImports.every((i) => i.jurisdiction === '370100'));
      const qingdaoList = await t.app.inject({
        method: 'GET',
        url: '/api/v1/imports',
        headers: auth('qingdao'),
      });
      assert.deepEqual((qingdaoList.json() as { imports: unknown[] }).imports, []);
      const other = await statusOf('qingdao', jinanImports[0]?.importId ?? '');
      assert.equal(other.statusCode, 403, other.body);
      assert.equal((other.json() as { error: { code: string } }).error.code, 'out_of_jurisdiction');

      const res = await upload('admin', csv(`a-1,resident_id_card,${ID.qingdao},home,2026-11-24,,`));
      assert.equal(res.statusCode, 202, res.body);
      assert.equal(await colourOf('qingdaoResident'), 'red');
      const adminList = await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: auth('admin') });
      assert.equal((adminList.json() as { imports: unknown[] }).imports.length, jinanImports.length + 1);
      const stillHidden = await t.app.inject({
        method: 'GET',
        url: '/api/v1/imports',
        headers: auth('qingdao'),
      });
      assert.deepEqual(
        (stillHidden.json() as { imports: unknown[] }).imports,
        [],
        'a province-wide import is the admins’',
      );
    });
  });
}
