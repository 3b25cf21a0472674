import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
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
import { DEFAULT_POLICY } from '../../../domain/colour/index.ts';
import { DAY_MS } from '../../../domain/types.ts';
import { purge } from '../../../use-cases/retention.ts';
import { createImport } from '../../../use-cases/imports.ts';
import { takeColourSnapshot } from '../../../use-cases/statistics.ts';

type Json = Record<string, unknown>;

const ID = {
  a: residentIdNumber('37010219900307123'),
  b: residentIdNumber('37010219850101456'),
  c: residentIdNumber('37020219700505789'),
  unregistered: residentIdNumber('37010219951212111'),
};

for (const dialect of DIALECTS) {
  describe(`epidemic data, risk areas and policies (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let admin: string;
    let officer: string;
    let guard: string;
    const residents: Record<string, string> = {};
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });

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
    const settle = async () => {
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
    };
    const myCode = async (who: string) =>
      (
        await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: auth(residents[who] ?? '') })
      ).json() as {
        colour: string;
        reasons: { ruleId: string }[];
      };
    const upload = async (body: string, query: string, type = 'text/csv', as?: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/imports?${query}`,
        headers: { ...auth(as ?? officer), 'content-type': type },
        payload: body,
      });
      assert.equal(res.statusCode, 202, res.body);
      await settle();
      const id = (res.json() as { importId: string }).importId;
      const status = await t.app.inject({
        method: 'GET',
        url: `/api/v1/imports/${id}`,
        headers: auth(as ?? officer),
      });
      assert.equal(status.statusCode, 200, status.body);
      return status.json() as Json & { errors: { line: number; field: string; code: string }[] };
    };
    const countRecords = async () =>
      Number(
        (
          await t.platform.db
            .selectFrom('epidemic_records')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      t = await createTestPlatform(dialect);
      const now = t.clock.now();
      for (const s of [
        { username: 'admin', role: 'admin', divisionCode: '000000' },
        { username: 'officer', role: 'officer', divisionCode: '370100' },
        { username: 'guard', role: 'checkpoint', divisionCode: '370102' },
      ] as const) {
        await insertStaff(t.platform.db, {
          ...s,
          displayName: s.username,
          passwordHash: await hashPassword('pw'),
          createdAt: now,
        });
      }
      admin = await staffToken('admin');
      officer = await staffToken('officer');
      guard = await staffToken('guard');
      const people = [
        {
          who: 'a',
          mobile: '13800138001',
          doc: ID.a,
          division: '370102',
          stays: [{ divisionCode: '370103', from: '2026-11-20', to: '2026-11-21' }],
        },
        { who: 'b', mobile: '13800138002', doc: ID.b, division: '370102', stays: [] },
        {
          who: 'c',
          mobile: '13800138003',
          doc: ID.c,
          division: '370202',
          stays: [{ divisionCode: '370203', from: '2026-11-22', to: '2026-11-23' }],
        },
      ];
      for (const p of people) {
        residents[p.who] = await signInResident(t, p.mobile);
        const res = await t.app.inject({
          method: 'PUT',
          url: '/api/v1/me/application',
          headers: auth(residents[p.who] ?? ''),
          payload: sampleApplication({
            mobile: p.mobile,
            documentNumber: p.doc,
            address: { divisionCode: p.division, detail: '1 号' },
            contactHistory: p.stays.length > 0 ? { epidemicAreaStays: p.stays } : {},
          }),
        });
        assert.equal(res.statusCode, 200, res.body);
      }
    });
    after(() => t.close());

    test('an import lands its valid rows, reports invalid ones by line and field, and changes colours at once', async () => {
      assert.equal((await myCode('b')).colour, 'green');
      const csv = [
        'sourceId,documentType,documentNumber,isolation,start,end,note',
        `cc-1,resident_id_card,${ID.b},centralised,2026-11-24,,`,
        `cc-2,resident_id_card,${ID.unregistered},home,2026-11-23,,`,
        `cc-3,resident_id_card,37010219900307124,home,2026-11-23,,`,
        `cc-4,resident_id_card,${ID.c},quarantine,2026-11-23,,`,
        `cc-5,resident_id_card,${ID.c},home,2030-01-01,,`,
      ].join('\n');
      const status = await upload(csv, 'kind=closeContact');
      assert.equal(status['status'], 'completed');
      assert.equal(status['rowsRead'], 5);
      assert.equal(status['rowsImported'], 2);
      assert.equal(status['rowsInvalid'], 3);
      assert.equal(status['residentsMatched'], 1);
      assert.deepEqual(
        status.errors.map((e) => [e.line, e.field]),
        [
          [4, 'documentNumber'],
          [5, 'isolation'],
          [6, 'start'],
        ],
      );
      const b = await myCode('b');
      assert.equal(b.colour, 'red');
      assert.equal(b.reasons[0]?.ruleId, 'red.closeContact');

      // The same file again changes nothing.
      const before = await countRecords();
      const again = await upload(csv, 'kind=closeContact');
      assert.equal(again['rowsImported'], 0);
      assert.equal(again['rowsDuplicate'], 2);
      assert.equal(await countRecords(), before);

      const list = await t.app.inject({ method: 'GET', url: '/api/v1/imports', headers: auth(officer) });
      assert.equal((list.json() as { imports: unknown[] }).imports.length, 2);
      const one = await t.app.inject({
        method: 'GET',
        url: '/api/v1/imports?limit=1',
        headers: auth(officer),
      });
      assert.equal((one.json() as { imports: unknown[] }).imports.length, 1);
      const tooMany = await t.app.inject({
        method: 'GET',
        url: '/api/v1/imports?limit=501',
        headers: auth(officer),
      });
      assert.equal(tooMany.statusCode, 400);
      const id = String(again['importId']);
      const noErrors = await t.app.inject({
        method: 'GET',
        url: `/api/v1/imports/${id}?errors=0`,
        headers: auth(officer),
      });
      assert.deepEqual((noErrors.json() as { errors: unknown[] }).errors, []);
      const firstError = await t.app.inject({
        method: 'GET',
        url: `/api/v1/imports/${String(status['importId'])}?errors=1`,
        headers: auth(officer),
      });
      assert.equal((firstError.json() as { errors: unknown[] }).errors.length, 1);
    });

    test('an import whose process stopped reporting shows as interrupted', async () => {
      const id = await createImport(t.platform, {
        kind: 'closeContact',
        format: 'csv',
        strict: false,
        fileName: 'killed.csv',
        bytesTotal: null,
        createdBy: null,
        jurisdiction: '370100',
      });
      const get = async () =>
        (
          await t.app.inject({ method: 'GET', url: `/api/v1/imports/${id}`, headers: auth(officer) })
        ).json() as {
          status: string;
          error: { code: string } | null;
        };
      assert.equal((await get()).status, 'running');
      t.clock.advance(61_000);
      const later = await get();
      assert.equal(later.status, 'interrupted');
      assert.equal(later.error?.code, 'import_interrupted');
    });

    test('records of someone not registered yet apply when they register', async () => {
      const token = await signInResident(t, '13800138009');
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: auth(token),
        payload: sampleApplication({ mobile: '13800138009', documentNumber: ID.unregistered }),
      });
      assert.equal(res.statusCode, 200, res.body);
      residents['late'] = token;
      assert.equal((await myCode('late')).colour, 'red');
    });

    test('a quarantine record with an end closes the contact: green after it', async () => {
      const status = await upload(
        `{"sourceId":"q-1","documentType":"resident_id_card","documentNumber":"${ID.unregistered}","isolation":"home","start":"2026-11-23","end":"2026-11-25T09:00:00+08:00"}\n`,
        'kind=quarantine&format=jsonl',
        'application/x-ndjson',
      );
      assert.equal(status['rowsImported'], 1, JSON.stringify(status));
      assert.equal((await myCode('late')).colour, 'green');
    });

    test('strict: one bad row and nothing is written', async () => {
      const before = await countRecords();
      const status = await upload(
        [
          'sourceId,documentType,documentNumber,visitedAt,note',
          `fc-1,resident_id_card,${ID.a},2026-11-24,`,
          `fc-2,resident_id_card,${ID.a},not-a-date,`,
        ].join('\n'),
        'kind=feverClinic&strict=true',
      );
      assert.equal(status['status'], 'failed');
      assert.equal((status['error'] as Json)['code'], 'import_row_invalid');
      assert.match(String((status['error'] as Json)['message']), /Line 3/);
      assert.equal(await countRecords(), before);
      assert.equal((await myCode('a')).colour, 'green');
    });

    test('a wrong header fails the import with a clear code; bad queries are refused', async () => {
      const status = await upload('id,doc\n1,2\n', 'kind=closeContact');
      assert.equal(status['status'], 'failed');
      assert.equal((status['error'] as Json)['code'], 'import_header_invalid');
      const badKind = await t.app.inject({
        method: 'POST',
        url: '/api/v1/imports?kind=nope',
        headers: { ...auth(officer), 'content-type': 'text/csv' },
        payload: 'x',
      });
      assert.equal(badKind.statusCode, 400);
      const asGuard = await t.app.inject({
        method: 'POST',
        url: '/api/v1/imports?kind=closeContact',
        headers: { ...auth(guard), 'content-type': 'text/csv' },
        payload: 'x',
      });
      assert.equal(asGuard.statusCode, 403);
      const asJson = await t.app.inject({
        method: 'POST',
        url: '/api/v1/imports?kind=closeContact',
        headers: { ...auth(officer), 'content-type': 'application/json' },
        payload: '{"rows": []}',
      });
      assert.equal(asJson.statusCode, 415, asJson.body);
      assert.equal((asJson.json() as { error: { code: string } }).error.code, 'unsupported_media_type');
      const unknown = await t.app.inject({
        method: 'GET',
        url: '/api/v1/imports/00000000-0000-4000-8000-000000000000',
        headers: auth(officer),
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal((unknown.json() as { error: { code: string } }).error.code, 'import_not_found');
    });

    test('declaring a county medium-risk turns yellow exactly who stayed there, and lifting turns them back', async () => {
      assert.equal((await myCode('a')).colour, 'green');
      const declared = await t.app.inject({
        method: 'POST',
        url: '/api/v1/risk-areas',
        headers: auth(admin),
        payload: { divisionCode: '370103', level: 'medium', from: '2026-11-19T00:00:00+08:00', note: 'test' },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const change = declared.json() as {
        riskArea: { riskAreaId: string; inForce: boolean };
        residentsToReassess: number;
      };
      assert.equal(change.residentsToReassess, 1);
      assert.equal(change.riskArea.inForce, true);
      // At once, before the background sweep is awaited.
      assert.equal((await myCode('a')).colour, 'yellow');
      assert.equal((await myCode('c')).colour, 'green');
      await settle();
      const events = await t.platform.db
        .selectFrom('colour_events')
        .select(['from_colour', 'to_colour', 'rule_id'])
        .where('to_colour', '=', 'yellow')
        .execute();
      assert.deepEqual(
        events.map((e) => [e.from_colour, e.rule_id]),
        [['green', 'yellow.stay.medium']],
      );

      // Lifted from the moment it was declared from (the declaration is withdrawn): the stays
      // no longer fall in an area in force, so the colour goes back, at once.
      const lifted = await t.app.inject({
        method: 'POST',
        url: `/api/v1/risk-areas/${change.riskArea.riskAreaId}/lift`,
        headers: auth(admin),
        payload: { at: '2026-11-19T00:00:00+08:00' },
      });
      assert.equal(lifted.statusCode, 200, lifted.body);
      assert.equal((await myCode('a')).colour, 'green');
      await settle();
      const back = await t.platform.db
        .selectFrom('colour_events')
        .select(['from_colour', 'to_colour'])
        .where('from_colour', '=', 'yellow')
        .execute();
      assert.deepEqual(
        back.map((e) => e.to_colour),
        ['green'],
      );
      const again = await t.app.inject({
        method: 'POST',
        url: `/api/v1/risk-areas/${change.riskArea.riskAreaId}/lift`,
        headers: auth(admin),
        payload: {},
      });
      assert.equal(again.statusCode, 409);
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/risk-areas', headers: auth(officer) });
      const areas = (list.json() as { riskAreas: { inForce: boolean; liftedAt: string | null }[] }).riskAreas;
      assert.equal(areas.length, 1);
      assert.equal(areas[0]?.inForce, false);
      assert.notEqual(areas[0]?.liftedAt, null);
    });

    test('an area declared then lifted before the stay leaves the resident green', async () => {
      const declared = await t.app.inject({
        method: 'POST',
        url: '/api/v1/risk-areas',
        headers: auth(admin),
        payload: { divisionCode: '370203', level: 'high', from: '2026-11-21T00:00:00+08:00' },
      });
      assert.equal(declared.statusCode, 201);
      assert.equal((await myCode('c')).colour, 'red');
      const id = (declared.json() as { riskArea: { riskAreaId: string } }).riskArea.riskAreaId;
      const lifted = await t.app.inject({
        method: 'POST',
        url: `/api/v1/risk-areas/${id}/lift`,
        headers: auth(admin),
        payload: { at: '2026-11-21T12:00:00+08:00' },
      });
      assert.equal(lifted.statusCode, 200, lifted.body);
      assert.equal((await myCode('c')).colour, 'green');
      await settle();
      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/v1/risk-areas',
        headers: auth(officer),
        payload: { divisionCode: '370203', level: 'high' },
      });
      assert.equal(bad.statusCode, 403);
      const unknownDivision = await t.app.inject({
        method: 'POST',
        url: '/api/v1/risk-areas',
        headers: auth(admin),
        payload: { divisionCode: '999999', level: 'high' },
      });
      assert.equal(unknownDivision.statusCode, 400);
    });

    test('the policy preview says exactly what publishing then does; rollback restores the old version', async () => {
      // A stricter policy: a close contact at home is yellow, not red; fever-clinic visits red.
      const candidate = structuredClone(DEFAULT_POLICY) as unknown as {
        version: string;
        effectiveFrom: string;
        rules: { id: string; colour: string }[];
      };
      candidate.version = '2026.test';
      candidate.effectiveFrom = '2026-11-25T00:00:00+08:00';
      for (const r of candidate.rules) if (r.id === 'red.closeContact') r.colour = 'yellow';
      const invalidPolicy = { ...candidate, rules: [{ ...candidate.rules[0], when: { nope: [] } }] };
      const refused = await t.app.inject({
        method: 'POST',
        url: '/api/v1/policies/preview',
        headers: auth(admin),
        payload: { policy: invalidPolicy },
      });
      assert.equal(refused.statusCode, 400);
      const issues = (refused.json() as { error: { issues: { path: string }[] } }).error.issues;
      assert.ok(
        issues.some((i) => i.path.startsWith('policy.rules.0.when')),
        JSON.stringify(issues),
      );

      const preview = await t.app.inject({
        method: 'POST',
        url: '/api/v1/policies/preview',
        headers: auth(admin),
        payload: { policy: candidate },
      });
      assert.equal(preview.statusCode, 200, preview.body);
      const counts = preview.json() as {
        changes: { total: number; byDirection: Record<string, number> };
        byCounty: { divisionCode: string; total: number; byDirection: Record<string, number> }[];
      };
      assert.equal(counts.changes.byDirection['red→yellow'], 1); // resident b, the close contact
      assert.equal(counts.changes.total, 1);

      const published = await t.app.inject({
        method: 'POST',
        url: '/api/v1/policies',
        headers: auth(admin),
        payload: { policy: candidate, note: 'test' },
      });
      assert.equal(published.statusCode, 201, published.body);
      assert.equal((published.json() as { status: string }).status, 'in_force');
      await settle();
      const events = await t.platform.db
        .selectFrom('colour_events')
        .select(['division_code', 'from_colour', 'to_colour'])
        .where('policy_version', '=', '2026.test')
        .execute();
      const happened = new Map<string, Record<string, number>>();
      for (const e of events) {
        const county = happened.get(e.division_code) ?? {};
        const key = `${e.from_colour ?? ''}→${e.to_colour}`;
        county[key] = (county[key] ?? 0) + 1;
        happened.set(e.division_code, county);
      }
      assert.deepEqual(
        Object.fromEntries(counts.byCounty.map((c) => [c.divisionCode, c.byDirection])),
        Object.fromEntries(happened),
      );
      assert.equal((await myCode('b')).colour, 'yellow');

      const dup = await t.app.inject({
        method: 'POST',
        url: '/api/v1/policies',
        headers: auth(admin),
        payload: { policy: candidate },
      });
      assert.equal(dup.statusCode, 409);

      const rolled = await t.app.inject({
        method: 'POST',
        url: `/api/v1/policies/${DEFAULT_POLICY.version}/rollback`,
        headers: auth(admin),
        payload: { note: 'too lenient' },
      });
      assert.equal(rolled.statusCode, 200, rolled.body);
      await settle();
      assert.equal((await myCode('b')).colour, 'red');
      const list = (
        await t.app.inject({ method: 'GET', url: '/api/v1/policies', headers: auth(officer) })
      ).json() as {
        policies: { version: string; status: string }[];
      };
      assert.deepEqual(Object.fromEntries(list.policies.map((p) => [p.version, p.status])), {
        '2026.test': 'withdrawn',
        [DEFAULT_POLICY.version]: 'in_force',
      });
    });

    test('statistics: residents by colour per county now and per day', async () => {
      await takeColourSnapshot(t.platform, '2026-11-24');
      const res = await t.app.inject({
        method: 'GET',
        url: '/api/v1/statistics/colours?from=2026-11-20&to=2026-11-25',
        headers: auth(officer),
      });
      assert.equal(res.statusCode, 200, res.body);
      const stats = res.json() as {
        now: { divisionCode: string; green: number; yellow: number; red: number }[];
        days: { day: string }[];
      };
      // The officer of 370100 sees Jinan counties only; a, b and the late registrant live in 370102.
      assert.deepEqual(
        stats.now.map((c) => c.divisionCode),
        ['370102'],
      );
      const county = stats.now[0];
      assert.equal((county?.green ?? 0) + (county?.yellow ?? 0) + (county?.red ?? 0), 3);
      assert.equal(county?.red, 1);
      assert.deepEqual(
        stats.days.map((d) => d.day),
        ['2026-11-24'],
      );
      const outside = await t.app.inject({
        method: 'GET',
        url: '/api/v1/statistics/colours?divisionCode=370202',
        headers: auth(officer),
      });
      assert.equal(outside.statusCode, 403);
    });

    test('purge deletes only data past retention, keeps open cases, and is recorded', async () => {
      const now = t.clock.now();
      // An old closed fever-clinic record and an old, still-open confirmed case.
      await upload(
        [
          'sourceId,documentType,documentNumber,visitedAt,note',
          `old-fc,resident_id_card,${ID.a},2026-09-01,`,
        ].join('\n'),
        'kind=feverClinic',
      );
      await upload(
        [
          'sourceId,documentType,documentNumber,diagnosedAt,note',
          `old-case,resident_id_card,${ID.c},2026-09-01,`,
        ].join('\n'),
        'kind=confirmed',
        'text/csv',
        admin, // resident c lives in Qingdao, outside the officer's Jinan
      );
      assert.equal((await myCode('c')).colour, 'red');
      const result = await purge(t.platform, 'test');
      assert.equal(result.deleted['epidemic_records'], 1);
      const left = await t.platform.db
        .selectFrom('epidemic_records')
        .select('source_id')
        .where('source_id', 'like', 'old-%')
        .execute();
      assert.deepEqual(
        left.map((r) => r.source_id),
        ['old-case'],
      );
      assert.equal((await myCode('c')).colour, 'red');
      const purges = await t.platform.db.selectFrom('purges').selectAll().execute();
      assert.equal(purges.length, 1);
      assert.equal(purges[0]?.actor, 'test');
      void now;
      void DAY_MS;
      void sql;
    });
  });
}
