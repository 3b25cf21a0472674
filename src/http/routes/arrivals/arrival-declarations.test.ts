import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addStaff,
  bearer,
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  errorCode,
  residentIdNumber,
  sampleApplication,
  signInResident,
  staffToken,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { purge } from '../../../use-cases/retention.ts';

type Json = Record<string, unknown>;
interface Declared {
  declarations: (Json & {
    colour: string;
    until: string | null;
    reasons: { ruleId: string; factKind: string }[];
  })[];
}

/** A domestic declaration; now is 2026-11-25 10:00 China time (TEST_EPOCH). */
const domestic = (overrides: Json = {}): Json => ({
  kind: 'domestic',
  originDivisionCode: '110101',
  departedOn: '2026-11-24',
  arrivedOn: '2026-11-24',
  transport: { mode: 'train', number: 'G123' },
  homeCodeColour: 'green',
  ...overrides,
});
const overseas = (overrides: Json = {}): Json => ({
  kind: 'overseas',
  countries: ['KR'],
  departedOn: '2026-11-08',
  arrivedOn: '2026-11-08',
  transport: { mode: 'flight', number: 'KE831' },
  ...overrides,
});

for (const dialect of DIALECTS) {
  describe(`arrival declarations (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let admin = '';
    let officer = '';
    let serial = 0;
    const docs = new Map<string, string>();

    /** A new resident who has applied; returns their token. */
    const newResident = async (name: string): Promise<string> => {
      serial += 1;
      const mobile = `1390000${String(serial).padStart(4, '0')}`;
      const doc = residentIdNumber(`37010219800101${String(serial).padStart(3, '0')}`);
      docs.set(name, doc);
      const token = await signInResident(t, mobile);
      const applied = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: bearer(token),
        payload: sampleApplication({ mobile, documentNumber: doc }),
      });
      assert.equal(applied.statusCode, 200, applied.body);
      return token;
    };
    const declare = (token: string, payload: Json) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/me/arrival-declarations',
        headers: bearer(token),
        payload,
      });
    const declared = async (token: string, payload: Json): Promise<Declared> => {
      const res = await declare(token, payload);
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };
    const myCode = async (token: string) =>
      (
        await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: bearer(token) })
      ).json() as Json & {
        colour: string;
        reasons: { ruleId: string; text: { en: string } }[];
      };
    const counts = async () => {
      const [d, f] = await Promise.all([
        t.platform.db
          .selectFrom('arrival_declarations')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow(),
        t.platform.db
          .selectFrom('facts')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('source', '=', 'declaration')
          .executeTakeFirstOrThrow(),
      ]);
      return { declarations: Number(d.n), facts: Number(f.n) };
    };
    const importJsonl = async (kind: string, rows: Json[]) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/imports?kind=${kind}&format=jsonl`,
        headers: { ...bearer(officer), 'content-type': 'application/x-ndjson' },
        payload: rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
      });
      assert.equal(res.statusCode, 202, res.body);
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
      const status = await t.app.inject({
        method: 'GET',
        url: `/api/v1/imports/${(res.json() as { importId: string }).importId}`,
        headers: bearer(officer),
      });
      assert.equal((status.json() as Json)['rowsImported'], rows.length, status.body);
    };
    const quarantine = (who: string, sourceId: string, start: string, end: string | null) =>
      importJsonl('quarantine', [
        {
          sourceId,
          documentType: 'resident_id_card',
          documentNumber: docs.get(who),
          isolation: 'centralised',
          start,
          ...(end === null ? {} : { end }),
        },
      ]);
    const negativeTest = (who: string, sourceId: string, sampledAt: string) =>
      importJsonl('testResult', [
        {
          sourceId,
          documentType: 'resident_id_card',
          documentNumber: docs.get(who),
          testKind: 'nucleicAcid',
          sampledAt,
          result: 'negative',
        },
      ]);

    before(async () => {
      t = await createTestPlatform(dialect);
      await addStaff(t, [
        { username: 'admin', role: 'admin', divisionCode: '370000' },
        { username: 'officer', role: 'officer', divisionCode: '370100' },
      ]);
      admin = await staffToken(t, 'admin');
      officer = await staffToken(t, 'officer');
      for (const [divisionCode, level, from] of [
        ['420100', 'high', '2026-11-10'],
        ['440300', 'medium', '2026-11-01'],
      ] as const) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/risk-areas',
          headers: bearer(admin),
          payload: { divisionCode, level, from: `${from}T00:00:00+08:00`, note: 'test' },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(() => t.close());

    // S8 / S10: the colour from the origin's risk level and the days since arrival.
    const domesticCases = [
      {
        name: 'from a high-risk area: red',
        origin: '420102',
        arrived: '2026-11-24',
        colour: 'red',
        rule: 'red.stay.high',
      },
      {
        name: 'from a medium-risk area, arrived 5 days ago (inside 14 days): yellow',
        origin: '440304',
        arrived: '2026-11-20',
        colour: 'yellow',
        rule: 'yellow.stay.medium',
      },
      {
        name: 'from a medium-risk area, arrived 20 days ago (outside 14 days): green',
        origin: '440304',
        arrived: '2026-11-05',
        colour: 'green',
        rule: null,
      },
      {
        name: 'from a high-risk area, arrived 20 days ago, left before it was declared: green',
        origin: '420102',
        arrived: '2026-11-05',
        colour: 'green',
        rule: null,
      },
      {
        name: 'from a low-risk area: green, no conditions',
        origin: '110101',
        arrived: '2026-11-24',
        colour: 'green',
        rule: null,
      },
    ];
    for (const c of domesticCases) {
      test(`domestic ${c.name}`, async () => {
        const token = await newResident(c.name);
        const result = await declared(
          token,
          domestic({ originDivisionCode: c.origin, departedOn: c.arrived, arrivedOn: c.arrived }),
        );
        const [mine] = result.declarations;
        assert.equal(mine?.['subject'], 'self');
        assert.equal(mine?.colour, c.colour);
        assert.deepEqual(
          mine?.reasons.map((r) => r.ruleId),
          c.rule === null ? [] : [c.rule],
        );
        const code = await myCode(token);
        assert.equal(code.colour, c.colour, 'the code follows at once');
        if (c.rule !== null) assert.match(code.reasons[0]?.text.en ?? '', /area/);
      });
    }

    test('medium-risk arrival: yellow for 14 days after the arrival day, then green by itself', async () => {
      const token = await newResident('medium-timeline');
      const result = await declared(
        token,
        domestic({ originDivisionCode: '440304', departedOn: '2026-11-24', arrivedOn: '2026-11-25' }),
      );
      assert.equal(result.declarations[0]?.colour, 'yellow');
      assert.equal(result.declarations[0]?.until, '2026-12-10T00:00:00+08:00');
      const start = t.clock.now();
      try {
        t.clock.set(Date.parse('2026-12-09T23:00:00+08:00'));
        assert.equal((await myCode(token)).colour, 'yellow');
        t.clock.set(Date.parse('2026-12-10T00:30:00+08:00'));
        assert.equal((await myCode(token)).colour, 'green');
      } finally {
        t.clock.set(start);
      }
    });

    test('a yellow or red home-province code is kept: yellow / red for 14 days', async () => {
      const yellow = await newResident('home-yellow');
      const y = await declared(yellow, domestic({ homeCodeColour: 'yellow' }));
      assert.equal(y.declarations[0]?.colour, 'yellow');
      assert.equal(y.declarations[0]?.reasons[0]?.factKind, 'riskManagement');
      const red = await newResident('home-red');
      assert.equal((await declared(red, domestic({ homeCodeColour: 'red' }))).declarations[0]?.colour, 'red');
    });

    test('family members travelling along are declared too; the list shows both sides', async () => {
      const proxy = await newResident('proxy');
      serial += 1;
      const added = await t.app.inject({
        method: 'POST',
        url: '/api/v1/me/family-members',
        headers: bearer(proxy),
        payload: {
          relationship: 'child',
          pledge: true,
          member: (({ pledge: _p, ...items }: Json) => items)(
            sampleApplication({ name: '李小明', documentNumber: residentIdNumber('37010220150101003') }),
          ),
        },
      });
      assert.equal(added.statusCode, 201, added.body);
      const memberId = String((added.json() as Json)['memberId']);
      const result = await declared(
        proxy,
        domestic({
          originDivisionCode: '420102',
          companions: [{ familyMemberId: memberId }, { name: '张伟' }],
        }),
      );
      assert.equal(result.declarations.length, 2);
      assert.deepEqual(
        result.declarations.map((d) => d.colour),
        ['red', 'red'],
      );
      assert.deepEqual(result.declarations[1]?.['subject'], { memberId, maskedName: '李*明' });
      assert.deepEqual(result.declarations[0]?.['companionNames'], ['张伟']);
      const memberCode = await t.app.inject({
        method: 'GET',
        url: `/api/v1/me/family-members/${memberId}/code`,
        headers: bearer(proxy),
      });
      assert.equal((memberCode.json() as Json)['colour'], 'red');
      const list = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/arrival-declarations',
        headers: bearer(proxy),
      });
      assert.equal(list.statusCode, 200, list.body);
      const listed = (list.json() as { declarations: Json[] }).declarations;
      assert.equal(listed.length, 2);
      assert.deepEqual(
        new Set(listed.map((d) => JSON.stringify(d['subject']))),
        new Set(['"self"', JSON.stringify({ memberId, maskedName: '李*明' })]),
      );
      assert.equal(listed[0]?.['originName'], '湖北省武汉市江岸区');
    });

    // S9: overseas arrivals declare after quarantine, with a negative test; their records decide.
    test('overseas: no quarantine on record yet: refused with the earliest date, nothing stored', async () => {
      const token = await newResident('overseas-none');
      const before = await counts();
      const res = await declare(token, overseas());
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(errorCode(res), 'arrival_not_yet_allowed');
      assert.match(res.json<{ error: { message: string } }>().error.message, /2026-11-22/);
      assert.deepEqual(await counts(), before);
    });

    test('overseas: quarantine not over: refused with the date from which it can be made', async () => {
      const token = await newResident('overseas-open');
      await quarantine('overseas-open', 'q-open', '2026-11-20', null);
      const res = await declare(token, overseas({ departedOn: '2026-11-20', arrivedOn: '2026-11-20' }));
      assert.equal(errorCode(res), 'arrival_not_yet_allowed');
      const body = res.json<{ error: { message: string; issues: { code: string }[] } }>().error;
      assert.match(body.message, /not before 2026-12-04/);
      assert.equal(body.issues[0]?.code, 'overseas_quarantineEnd');
    });

    test('overseas: quarantine over but no negative test: refused', async () => {
      const token = await newResident('overseas-untested');
      await quarantine('overseas-untested', 'q-untested', '2026-11-08', '2026-11-22T09:00:00+08:00');
      // A test before the quarantine began (before departure) does not count.
      await negativeTest('overseas-untested', 't-early', '2026-11-06T09:00:00+08:00');
      const res = await declare(token, overseas());
      assert.equal(errorCode(res), 'arrival_not_yet_allowed');
      assert.equal(
        res.json<{ error: { issues: { code: string }[] } }>().error.issues[0]?.code,
        'overseas_negativeTest',
      );
    });

    test('overseas: quarantine over with a negative test: accepted, colour from the records', async () => {
      const token = await newResident('overseas-cleared');
      await quarantine('overseas-cleared', 'q-cleared', '2026-11-08', '2026-11-22T09:00:00+08:00');
      await negativeTest('overseas-cleared', 't-cleared', '2026-11-21T09:00:00+08:00');
      const result = await declared(token, overseas());
      assert.equal(result.declarations[0]?.colour, 'green');
      assert.deepEqual(result.declarations[0]?.['countries'], ['KR']);
      const code = await myCode(token);
      assert.equal(code.colour, 'green');
      assert.equal((code['health'] as { test: { days: number } }).test.days, 4);
    });

    test('bad input: each a 4xx with a stable code, nothing stored', async () => {
      const token = await newResident('bad-input');
      const before = await counts();
      const cases: [Json, number, string, string][] = [
        [domestic({ arrivedOn: '2026-11-26' }), 400, 'arrivedOn', 'date_in_future'],
        [
          domestic({ departedOn: '2026-11-27', arrivedOn: '2026-11-28' }),
          400,
          'departedOn',
          'date_in_future',
        ],
        [domestic({ departedOn: '2026-11-24', arrivedOn: '2026-11-22' }), 400, 'arrivedOn', 'date_order'],
        [domestic({ originDivisionCode: '999999' }), 400, 'originDivisionCode', 'division_unknown'],
        [domestic({ originDivisionCode: '370102' }), 400, 'originDivisionCode', 'arrival_origin_in_province'],
        [domestic({ arrivedOn: '2026-02-30' }), 400, 'arrivedOn', 'date_invalid'],
        [domestic({ arrivedOn: '2026-10-01', departedOn: '2026-10-01' }), 400, 'arrivedOn', 'date_too_old'],
        [domestic({ transport: { mode: 'train' } }), 400, 'transport.number', 'field_required'],
        [domestic({ homeCodeColour: undefined }), 400, 'homeCodeColour', 'field_required'],
        [
          domestic({ companions: [{ name: '张伟', familyMemberId: crypto.randomUUID() }] }),
          400,
          'companions.0',
          'companion_invalid',
        ],
        [overseas({ countries: ['XX'] }), 400, 'countries.0', 'country_invalid'],
        [overseas({ countries: [] }), 400, 'countries', 'field_required'],
        [
          domestic({ companions: [{ familyMemberId: crypto.randomUUID() }] }),
          404,
          'companions.0.familyMemberId',
          'family_member_not_found',
        ],
      ];
      for (const [payload, status, path, code] of cases) {
        const res = await declare(token, JSON.parse(JSON.stringify(payload)) as Json);
        assert.equal(res.statusCode, status, `${path} ${code}: ${res.body}`);
        const issues =
          res.json<{ error: { issues?: { path: string; code: string }[] } }>().error.issues ?? [];
        assert.ok(
          issues.some((i) => i.path === path && i.code === code),
          `${path} ${code} in ${res.body}`,
        );
      }
      const schema = await declare(token, { ...domestic(), transport: { mode: 'rocket', number: 'X1' } });
      assert.equal(schema.statusCode, 400);
      assert.equal(errorCode(schema), 'validation_failed');
      assert.deepEqual(await counts(), before, 'nothing stored');
    });

    test('only residents who have applied; staff are refused', async () => {
      const fresh = await signInResident(t, '13911119999');
      const res = await declare(fresh, domestic());
      assert.equal(res.statusCode, 404);
      assert.equal(errorCode(res), 'application_required');
      const staff = await declare(officer, domestic());
      assert.equal(staff.statusCode, 403);
      assert.equal(errorCode(staff), 'forbidden');
    });

    test('every declaration is in the audit log for the person it is for', async () => {
      const rows = await t.platform.db
        .selectFrom('audit_log')
        .select(['action', 'resident_id'])
        .where('action', '=', 'arrival_declaration')
        .execute();
      const stored = await counts();
      assert.equal(rows.length, stored.declarations);
    });

    test('retention (P5): declarations go with their facts, after the facts retention', async () => {
      const stored = await counts();
      assert.ok(stored.declarations > 0);
      const first = await purge(t.platform, 'test');
      assert.equal(first.deleted['arrival_declarations'], 0, JSON.stringify(first));
      // factsDays 30 (default) after the facts end, which is at most 15 days after the arrival.
      t.clock.set(Date.parse('2026-12-01T10:00:00+08:00'));
      assert.equal((await purge(t.platform, 'test')).deleted['arrival_declarations'], 0);
      t.clock.set(Date.parse('2027-01-15T10:00:00+08:00'));
      const result = await purge(t.platform, 'test');
      assert.equal(result.deleted['arrival_declarations'], stored.declarations);
      assert.deepEqual(await counts(), { declarations: 0, facts: 0 });
    });
  });
}
