import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
import { DEFAULT_CHECKPOINT_POLICY } from '../../../domain/venues/index.ts';
import { parseHealthCodeText } from '../../../domain/token/cose.ts';

type Json = Record<string, unknown>;

/** A value deep inside a JSON response, by dotted path (`error.code`). */
function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Json)[key] : undefined), value);
}

const venueBody = (name: string, kind = 'mallOrSupermarket') => ({
  name,
  kind,
  address: { divisionCode: '370102', detail: '泺源大街 66 号' },
  contact: { name: '王经理', mobile: '13900139001' },
});

for (const dialect of DIALECTS) {
  describe(`checkpoint checks (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    const tokens: Record<string, string> = {};
    const venues: Record<string, number> = {};
    const call = (method: 'GET' | 'POST' | 'PUT', url: string, who: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${tokens[who] ?? who}` },
        ...(payload === undefined ? {} : { payload: payload as Json }),
      });
    const expectError = (r: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(r.statusCode, status, r.body);
      assert.equal(at(JSON.parse(r.body), 'error.code'), code, r.body);
    };
    const myCode = async (who: string) =>
      ((await call('GET', '/api/v1/me/code', who)).json() as Json)['code'] as string;
    const check = (body: Json, who = 'gate', venue = venues['mall']) =>
      call('POST', `/api/v1/venues/${venue}/checks`, who, {
        clientCheckId: randomUUID(),
        code: null,
        temperature: 36.5,
        maskWorn: true,
        ...body,
      });
    const storedChecks = async () =>
      Number(
        (
          await t.platform.db
            .selectFrom('checkpoint_checks')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      t = await createTestPlatform(dialect);
      for (const [username, role, divisionCode] of [
        ['officer', 'officer', '370100'],
        ['admin', 'admin', '000000'],
      ] as const) {
        await insertStaff(t.platform.db, {
          username,
          role,
          divisionCode,
          displayName: username,
          passwordHash: await hashPassword('pw'),
          createdAt: t.clock.now(),
        });
      }
      const staffToken = async (username: string, password: string) =>
        (
          (
            await t.app.inject({
              method: 'POST',
              url: '/api/v1/staff-sessions',
              payload: { username, password },
            })
          ).json() as { token: string }
        ).token;
      tokens['officer'] = await staffToken('officer', 'pw');
      tokens['admin'] = await staffToken('admin', 'pw');
      tokens['manager'] = await signInResident(t, '13900139000');
      for (const [key, approve] of [
        ['mall', true],
        ['school', true],
        ['pending', false],
      ] as const) {
        const v = await call(
          'POST',
          '/api/v1/venues',
          'manager',
          venueBody(`venue ${key}`, key === 'school' ? 'school' : 'mallOrSupermarket'),
        );
        venues[key] = (v.json() as Json)['venueId'] as number;
        if (approve)
          assert.equal(
            (await call('POST', `/api/v1/venues/${venues[key]}/approval`, 'officer', {})).statusCode,
            200,
          );
        const username = `gate-${key}`;
        const added = await call('POST', `/api/v1/venues/${venues[key]}/staff`, 'manager', {
          username,
          displayName: username,
          password: 'checkpoint-pw',
        });
        assert.equal(added.statusCode, 201, added.body);
        tokens[key === 'mall' ? 'gate' : `gate-${key}`] = await staffToken(username, 'checkpoint-pw');
      }
      tokens['green'] = await signInResident(t, '13800138000');
      assert.equal(
        (await call('PUT', '/api/v1/me/application', 'green', sampleApplication())).statusCode,
        200,
      );
      tokens['red'] = await signInResident(t, '13800138001');
      const redDoc = residentIdNumber('37010219850101002');
      const applied = await call(
        'PUT',
        '/api/v1/me/application',
        'red',
        sampleApplication({ name: '李四', mobile: '13800138001', documentNumber: redDoc }),
      );
      assert.equal(applied.statusCode, 200, applied.body);
      const fact = await call('POST', '/api/v1/facts', 'officer', {
        documentType: 'resident_id_card',
        documentNumber: redDoc,
        fact: { kind: 'closeContact', from: '2026-11-24T10:00:00+08:00', isolation: 'home' },
      });
      assert.equal(fact.statusCode, 201, fact.body);
      assert.equal((fact.json() as Json)['colour'], 'red');
    });
    after(() => t.close());

    test('a green holder who meets the checks passes; the answer carries only colour, masked name and time', async () => {
      const r = await check({ code: await myCode('green') });
      assert.equal(r.statusCode, 201, r.body);
      const c = r.json() as Json;
      assert.equal(c['outcome'], 'pass');
      assert.deepEqual(c['reasons'], []);
      assert.deepEqual(c['reasonText'], []);
      assert.equal(c['colour'], 'green');
      assert.equal(c['maskedName'], '张*三');
      assert.equal(c['checkedAt'], '2026-11-25T10:00:00+08:00');
      assert.equal(c['duplicate'], false);
      assert.deepEqual(Object.keys(c).sort(), [
        'checkId',
        'checkedAt',
        'clientCheckId',
        'colour',
        'duplicate',
        'maskedName',
        'outcome',
        'reasonText',
        'reasons',
      ]);
    });

    test('refusals carry every reason with its sentence in both languages', async () => {
      const table: [string, Json, string[]][] = [
        ['red code', { code: await myCode('red') }, ['red_code']],
        ['no code', { code: null }, ['no_code']],
        [
          'fever and no mask',
          { code: await myCode('green'), temperature: 37.3, maskWorn: false },
          ['fever', 'no_mask'],
        ],
        [
          'nothing taken',
          { code: await myCode('green'), temperature: null, maskWorn: null },
          ['temperature_missing', 'mask_missing'],
        ],
        ['a tampered code', { code: (await myCode('green')).slice(0, -3) + 'AAA' }, ['invalid_code']],
      ];
      for (const [name, body, reasons] of table) {
        const r = await check(body);
        assert.equal(r.statusCode, 201, `${name}: ${r.body}`);
        const c = r.json() as Json;
        assert.equal(c['outcome'], 'refuse', name);
        assert.deepEqual(c['reasons'], reasons, name);
        assert.equal((c['reasonText'] as Json[]).length, reasons.length, name);
        assert.ok(
          (c['reasonText'] as Json[]).every((x) => x['zh-CN'] && x['en']),
          name,
        );
      }
      const red = await check({ code: await myCode('red') });
      assert.equal((red.json() as Json)['colour'], 'red');
      assert.equal((red.json() as Json)['maskedName'], '李*');
    });

    test('a place code shown at the door is an invalid code', async () => {
      const place = (
        (await call('GET', `/api/v1/venues/${venues['mall']}/place-code`, 'manager')).json() as Json
      )['code'];
      const r = await check({ code: place });
      assert.deepEqual((r.json() as Json)['reasons'], ['invalid_code']);
    });

    test('the same clientCheckId twice (in turn, or at once) is stored once and answers the stored result', async () => {
      const before = await storedChecks();
      const body = { clientCheckId: randomUUID(), code: await myCode('green') };
      const first = await check(body);
      assert.equal(first.statusCode, 201);
      const again = await check(body);
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual({ ...(again.json() as Json), duplicate: false }, first.json());
      assert.equal((again.json() as Json)['duplicate'], true);
      const racing = { clientCheckId: randomUUID(), code: await myCode('red') };
      const answers = await Promise.all([check(racing), check(racing), check(racing)]);
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 200, 201]);
      assert.equal(new Set(answers.map((a) => (a.json() as Json)['checkId'])).size, 1);
      assert.equal(await storedChecks(), before + 2);
      const reports = (await call('GET', '/api/v1/reports', 'officer')).json() as Json;
      const checkId = (answers[0]?.json() as Json)['checkId'];
      assert.equal((reports['reports'] as Json[]).filter((x) => x['checkId'] === checkId).length, 1);
    });

    test('bad input: each a 4xx with its stable code, and nothing stored', async () => {
      const before = await storedChecks();
      const green = await myCode('green');
      const cases: [string, () => Promise<{ statusCode: number; body: string }>, number, string][] = [
        ['29.9 °C', () => check({ code: green, temperature: 29.9 }), 400, 'temperature_out_of_range'],
        ['45.1 °C', () => check({ code: green, temperature: 45.1 }), 400, 'temperature_out_of_range'],
        ['36.55 °C', () => check({ code: green, temperature: 36.55 }), 400, 'validation_failed'],
        [
          'a temperature as text',
          () => check({ code: green, temperature: '36.5' }),
          400,
          'validation_failed',
        ],
        ['unknown venue', () => check({ code: green }, 'gate', 987654), 404, 'venue_not_found'],
        [
          'unapproved venue',
          () => check({ code: green }, 'gate-pending', venues['pending']),
          409,
          'venue_not_approved',
        ],
        [
          'staff of another venue',
          () => check({ code: green }, 'gate-school', venues['mall']),
          403,
          'not_venue_staff',
        ],
        ['an officer', () => check({ code: green }, 'officer'), 403, 'not_venue_staff'],
        ['a resident (refused by the access table)', () => check({ code: green }, 'green'), 403, 'forbidden'],
        [
          'clientCheckId not a UUID',
          () => check({ code: green, clientCheckId: 'abc' }),
          400,
          'validation_failed',
        ],
        [
          'checked in the future',
          () => check({ code: green, checkedAt: '2026-11-25T10:03:00+08:00' }),
          400,
          'check_time_invalid',
        ],
        [
          'checked 73 h ago',
          () => check({ code: green, checkedAt: '2026-11-22T09:00:00+08:00' }),
          400,
          'check_time_invalid',
        ],
        [
          'checkedAt without offset',
          () => check({ code: green, checkedAt: '2026-11-25T09:00:00' }),
          400,
          'check_time_invalid',
        ],
      ];
      for (const [name, send, status, code] of cases) {
        const r = await send();
        assert.equal(r.statusCode, status, `${name}: ${r.body}`);
        assert.equal(at(JSON.parse(r.body), 'error.code'), code, name);
      }
      const precision = await check({ code: green, temperature: 36.55 });
      assert.equal(at(precision.json(), 'error.issues.0.code'), 'temperature_precision');
      assert.equal(await storedChecks(), before);
    });

    test('a check queued offline is judged at its time: a code valid then passes although expired now', async () => {
      const code = await myCode('green');
      t.clock.advance(30 * 60_000);
      const late = await check({ code });
      assert.deepEqual((late.json() as Json)['reasons'], ['expired_code']);
      const queued = await check({
        code,
        checkedAt: '2026-11-25T10:01:00+08:00',
        offline: { valid: true, colour: 'green' },
      });
      assert.equal(queued.statusCode, 201, queued.body);
      assert.equal((queued.json() as Json)['outcome'], 'pass');
      assert.equal((queued.json() as Json)['checkedAt'], '2026-11-25T10:01:00+08:00');
      const log = (
        await call('GET', `/api/v1/venues/${venues['mall']}/checks?limit=1000`, 'manager')
      ).json() as Json;
      const row = (log['checks'] as Json[]).find((c) => c['checkId'] === (queued.json() as Json)['checkId']);
      assert.equal(row?.['offline'], true);
    });

    test('the entry log shows masked names only, to the manager and officers of the area', async () => {
      const r = await call('GET', `/api/v1/venues/${venues['mall']}/checks`, 'manager');
      assert.equal(r.statusCode, 200, r.body);
      const checks = (r.json() as Json)['checks'] as Json[];
      assert.ok(checks.length > 5);
      assert.ok(checks.every((c) => c['maskedName'] === null || /\*/.test(c['maskedName'] as string)));
      assert.ok(!r.body.includes('张小三') && !r.body.includes('李四'));
      assert.equal((await call('GET', `/api/v1/venues/${venues['mall']}/checks`, 'officer')).statusCode, 200);
      await t.platform.auditLog.drain();
      const reads = await t.platform.db
        .selectFrom('audit_log')
        .select(['actor_kind', 'action'])
        .where('action', '=', 'read_venue_checks')
        .execute();
      assert.ok(
        reads.some((e) => e.actor_kind === 'resident'),
        'the manager’s read is recorded',
      );
      assert.ok(
        reads.some((e) => e.actor_kind === 'staff'),
        'the officer’s read is recorded',
      );
      expectError(
        await call('GET', `/api/v1/venues/${venues['mall']}/checks`, 'green'),
        403,
        'not_venue_manager',
      );
      expectError(
        await call('GET', `/api/v1/venues/${venues['mall']}/checks?limit=0`, 'manager'),
        400,
        'validation_failed',
      );
    });

    test('checkpoint policy (S12): admins publish versions; green holders then get the visual check only', async () => {
      const current = await call('GET', '/api/v1/checkpoint-policy', 'gate');
      assert.equal(current.statusCode, 200, current.body);
      assert.equal((current.json() as Json)['version'], DEFAULT_CHECKPOINT_POLICY.version);
      const next = {
        ...DEFAULT_CHECKPOINT_POLICY,
        version: '2020-05-01',
        effectiveFrom: '2026-11-25T00:00:00+08:00',
        kinds: {
          ...DEFAULT_CHECKPOINT_POLICY.kinds,
          mallOrSupermarket: { code: 'scan', temperature: true, mask: true, greenVisualOnly: true },
        },
      };
      expectError(await call('PUT', '/api/v1/checkpoint-policy', 'officer', next), 403, 'forbidden');
      expectError(
        await call('PUT', '/api/v1/checkpoint-policy', 'admin', {
          ...next,
          kinds: { hotel: next.kinds.hotel },
        }),
        400,
        'validation_failed',
      );
      const published = await call('PUT', '/api/v1/checkpoint-policy', 'admin', next);
      assert.equal(published.statusCode, 200, published.body);
      expectError(
        await call('PUT', '/api/v1/checkpoint-policy', 'admin', next),
        409,
        'policy_version_exists',
      );
      assert.equal(
        ((await call('GET', '/api/v1/checkpoint-policy', 'officer')).json() as Json)['version'],
        '2020-05-01',
      );

      const r = await check({ code: await myCode('green'), temperature: 37.5, maskWorn: null });
      assert.equal((r.json() as Json)['outcome'], 'pass', r.body);
      // S11: no temperature or mask is kept about a green holder who was let in on the visual check.
      const row = await t.platform.db
        .selectFrom('checkpoint_checks')
        .select(['temperature_deci_c', 'mask_worn', 'policy_version'])
        .where('id', '=', (r.json() as Json)['checkId'] as string)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { temperature_deci_c: null, mask_worn: null, policy_version: '2020-05-01' });
      // Anyone not green is still checked in full; other venue kinds keep their rule.
      const red = await check({ code: await myCode('red'), temperature: 37.5, maskWorn: null });
      assert.deepEqual((red.json() as Json)['reasons'], ['red_code', 'fever', 'mask_missing']);
      const school = await check(
        { code: await myCode('green'), temperature: 37.5 },
        'gate-school',
        venues['school'],
      );
      assert.deepEqual((school.json() as Json)['reasons'], ['fever']);
    });

    test('test badge (issue 9): a venue kind that requires a negative test within 48 h refuses a green holder sampled 3 days ago', async () => {
      const current = (
        await call('GET', '/api/v1/checkpoint-policy', 'admin')
      ).json() as typeof DEFAULT_CHECKPOINT_POLICY;
      const published = await call('PUT', '/api/v1/checkpoint-policy', 'admin', {
        ...current,
        version: '2020-06-01',
        effectiveFrom: '2026-11-25T09:00:00+08:00',
        kinds: { ...current.kinds, school: { ...current.kinds.school, negativeTestWithinHours: 48 } },
      });
      assert.equal(published.statusCode, 200, published.body);
      const importTest = async (sourceId: string, sampledAt: string) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/v1/imports?kind=testResult',
          headers: { authorization: `Bearer ${tokens['officer']}`, 'content-type': 'text/csv' },
          payload: [
            'sourceId,documentType,documentNumber,testKind,sampledAt,result',
            `${sourceId},resident_id_card,${residentIdNumber('37010219900307123')},nucleicAcid,${sampledAt},negative`,
          ].join('\n'),
        });
        assert.equal(res.statusCode, 202, res.body);
        while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
      };
      const atSchool = async () => {
        const r = await check(
          { code: await myCode('green'), temperature: 36.5 },
          'gate-school',
          venues['school'],
        );
        assert.equal(r.statusCode, 201, r.body);
        return r.json() as Json & { health: { test: { status: string; days: number | null } } };
      };

      // No test on record: refused with the reason, and the badge says so.
      const none = await atSchool();
      assert.deepEqual(none['reasons'], ['test_required']);
      assert.deepEqual(none.health.test, {
        ...none.health.test,
        status: 'none',
        days: null,
      });
      // Sampled 3 calendar days ago (China time): 70 hours, more than 48.
      await importTest('LAB-1', '2026-11-22T12:00:00+08:00');
      const old = await atSchool();
      assert.equal(old['outcome'], 'refuse');
      assert.equal(old['colour'], 'green');
      assert.deepEqual(old['reasons'], ['test_required']);
      assert.deepEqual(
        (old['reasonText'] as { en: string }[]).map((x) => x.en),
        ['This venue requires a recent negative nucleic-acid test.'],
      );
      assert.equal(old.health.test.days, 3);
      // The mall has no such rule: the same holder passes there.
      assert.equal(((await check({ code: await myCode('green') })).json() as Json)['outcome'], 'pass');

      // Sampled yesterday at 22:00 China time (12 hours ago): 1 day, within 48 h — pass.
      await importTest('LAB-2', '2026-11-24T22:00:00+08:00');
      const fresh = await atSchool();
      assert.equal(fresh['outcome'], 'pass', JSON.stringify(fresh));
      assert.equal(fresh.health.test.days, 1);
      const mine = (await call('GET', '/api/v1/me/code', 'green')).json() as Json & {
        health: { test: { days: number; text: { 'zh-CN': string } } };
      };
      assert.equal(mine.health.test.days, 1);
      assert.equal(mine.health.test.text['zh-CN'], '核酸阴性 · 1天');
      // The badge is carried in the signed code for offline checkpoints.
      const parsed = parseHealthCodeText(mine['code'] as string);
      assert.ok(parsed.ok);
      assert.equal(parsed.value.claims.testSampledAt, Date.parse('2026-11-24T22:00:00+08:00'));
      const verified = (
        await call('POST', '/api/v1/verifications', 'gate', { code: mine['code'] })
      ).json() as Json & {
        health: { test: { days: number } };
      };
      assert.equal(verified.health.test.days, 1);
    });
  });
}
