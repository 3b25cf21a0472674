import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addStaff,
  bearer,
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  errorCode,
  sampleApplication,
  signInResident,
  staffToken,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { formatChinaTime } from '../../../domain/china-time.ts';
import { purge } from '../../../use-cases/retention.ts';
import { DAY_MS, MINUTE_MS, type EpochMs } from '../../../domain/types.ts';

type Json = Record<string, unknown>;
interface Reason {
  ruleId: string;
  colour: string;
  factId: string;
  factKind: string;
  until: number | null;
  text: { 'zh-CN': string; en: string };
}
interface Code {
  colour: string;
  until: string | null;
  reasons: Reason[];
}

/** A resident of 370102 (历下区, 济南); officers of Jinan (370100) and of that county see them. */
const DOC = sampleApplication().documentNumber;
const OFFICERS = ['jinan', 'lixia', 'qingdao', 'admin'] as const;

for (const dialect of DIALECTS) {
  describe(`colour overrides (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let resident: string;
    const tokens: Record<string, string> = {};
    const staffIds: Record<string, number> = {};

    before(async () => {
      t = await createTestPlatform(dialect);
      await addStaff(t, [
        { username: 'jinan', role: 'officer', divisionCode: '370100' },
        { username: 'lixia', role: 'officer', divisionCode: '370102' },
        { username: 'qingdao', role: 'officer', divisionCode: '370200' },
        { username: 'admin', role: 'admin', divisionCode: '000000' },
      ]);
      for (const row of await t.platform.db.selectFrom('staff').select(['id', 'username']).execute())
        staffIds[row.username] = Number(row.id);
      await signInStaff();
      resident = await signInResident(t, '13800138000');
      const applied = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: bearer(resident),
        payload: sampleApplication(),
      });
      assert.equal(applied.statusCode, 200, applied.body);
    });
    after(() => t.close());

    /** Staff sessions last 12 hours; tests that move the clock by days sign in again. */
    const signInStaff = async () => {
      for (const u of OFFICERS) tokens[u] = await staffToken(t, u);
    };
    const moveTo = async (ms: number) => {
      t.clock.set(ms);
      await signInStaff();
    };
    const myCode = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: bearer(resident) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json<Code>();
    };
    const request = (body: Json, as: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/colour-overrides',
        headers: bearer(tokens[as] ?? ''),
        payload: { documentType: 'resident_id_card', documentNumber: DOC, ...body },
      });
    const approve = (overrideId: string, as: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/colour-overrides/${encodeURIComponent(overrideId)}/approval`,
        headers: bearer(tokens[as] ?? ''),
        payload: {},
      });
    const storedOverrides = async () =>
      Number(
        (
          await t.platform.db
            .selectFrom('colour_overrides')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const settle = async () => {
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
    };

    test('green → red: no effect while pending, none from self-approval or another county; the approved override ends at its end time', async () => {
      await moveTo(Date.parse('2026-11-25T10:00:00+08:00'));
      assert.equal((await myCode()).colour, 'green');
      const endsAt = '2026-11-28T12:00:00+08:00';
      const requested = await request(
        { colour: 'red', reason: '流调发现与确诊病例同乘 G123 次列车', endsAt },
        'lixia',
      );
      assert.equal(requested.statusCode, 201, requested.body);
      const o = requested.json<Json>();
      assert.equal(o['status'], 'pending');
      assert.equal(o['requestedBy'], staffIds['lixia']);
      assert.equal(o['approvedAt'], null);
      const overrideId = String(o['overrideId']);

      // Pending: nothing changes, now or days later.
      let code = await myCode();
      assert.equal(code.colour, 'green');
      assert.deepEqual(code.reasons, []);
      await moveTo(Date.parse('2026-11-26T10:00:00+08:00'));
      assert.equal((await myCode()).colour, 'green');

      // The requester cannot approve their own; an officer of another county cannot approve it.
      const self = await approve(overrideId, 'lixia');
      assert.equal(self.statusCode, 403, self.body);
      assert.equal(errorCode(self), 'override_self_approval');
      const far = await approve(overrideId, 'qingdao');
      assert.equal(far.statusCode, 403, far.body);
      assert.equal(errorCode(far), 'out_of_jurisdiction');
      assert.equal((await myCode()).colour, 'green');
      const row = await t.platform.db
        .selectFrom('colour_overrides')
        .select(['approved_at', 'approved_by'])
        .where('id', '=', overrideId)
        .executeTakeFirstOrThrow();
      assert.equal(row.approved_at, null);
      assert.equal(row.approved_by, null);

      // A second officer approves: red at once, with the override and its reason on the code.
      const approved = await approve(overrideId, 'jinan');
      assert.equal(approved.statusCode, 200, approved.body);
      const body = approved.json<{ override: Json; resident: Code }>();
      assert.equal(body.override['status'], 'in_force');
      assert.equal(body.override['approvedBy'], staffIds['jinan']);
      assert.equal(body.resident.colour, 'red');
      assert.equal(body.resident.until, endsAt);
      code = await myCode();
      assert.equal(code.colour, 'red');
      assert.equal(code.until, endsAt);
      const first = code.reasons[0];
      assert.ok(first !== undefined);
      assert.equal(first.ruleId, 'override');
      assert.equal(first.factKind, 'override');
      assert.equal(first.factId, overrideId);
      assert.equal(first.colour, 'red');
      assert.match(first.text['zh-CN'], /流调发现与确诊病例同乘 G123 次列车/);
      assert.match(first.text['zh-CN'], /红码/);
      assert.match(first.text.en, /red/);
      assert.match(first.text.en, /2026-11-28 12:00/);
      const again = await approve(overrideId, 'admin');
      assert.equal(errorCode(again), 'override_already_approved');

      // Audited: who requested, who approved.
      const audit = await t.platform.db
        .selectFrom('audit_log')
        .select(['action', 'actor_id', 'detail'])
        .where('action', 'in', ['request_colour_override', 'approve_colour_override'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audit.map((a) => [a.action, Number(a.actor_id)]),
        [
          ['request_colour_override', staffIds['lixia']],
          ['approve_colour_override', staffIds['jinan']],
        ],
      );
      const detail = JSON.parse(audit[1]?.detail ?? '{}') as Json;
      assert.equal(detail['requestedBy'], staffIds['lixia']);
      assert.equal(detail['approvedBy'], staffIds['jinan']);

      // It ends by itself: red one minute before the end, green one minute after.
      await moveTo(Date.parse(endsAt) - MINUTE_MS);
      assert.equal((await myCode()).colour, 'red');
      await moveTo(Date.parse(endsAt) + MINUTE_MS);
      code = await myCode();
      assert.equal(code.colour, 'green');
      assert.deepEqual(code.reasons, []);
      assert.equal(code.until, null);
      await settle();
    });

    test('yellow → green: an approved green override ends at its end time and the rules’ yellow returns', async () => {
      await moveTo(Date.parse('2026-12-01T10:00:00+08:00'));
      const fact = await t.app.inject({
        method: 'POST',
        url: '/api/v1/facts',
        headers: bearer(tokens['lixia'] ?? ''),
        payload: {
          documentType: 'resident_id_card',
          documentNumber: DOC,
          fact: { kind: 'feverClinic', from: '2026-12-01' },
        },
      });
      assert.equal(fact.statusCode, 201, fact.body);
      assert.equal((await myCode()).colour, 'yellow');
      const endsAt = '2026-12-03T18:30:00+08:00';
      const requested = await request(
        { colour: 'green', reason: 'Fever clinic visit was for a relative, confirmed by the clinic', endsAt },
        'jinan',
      );
      assert.equal(requested.statusCode, 201, requested.body);
      const overrideId = String(requested.json<Json>()['overrideId']);
      assert.equal((await myCode()).colour, 'yellow', 'a pending override has no effect');
      const approved = await approve(overrideId, 'admin');
      assert.equal(approved.statusCode, 200, approved.body);
      let code = await myCode();
      assert.equal(code.colour, 'green');
      assert.equal(code.until, endsAt);
      assert.deepEqual(
        code.reasons.map((r) => [r.ruleId, r.colour]),
        [
          ['override', 'green'],
          ['yellow.feverClinic', 'yellow'],
        ],
        'the override first, then what the rules alone give',
      );
      await moveTo(Date.parse(endsAt) - MINUTE_MS);
      assert.equal((await myCode()).colour, 'green');
      await moveTo(Date.parse(endsAt) + MINUTE_MS);
      code = await myCode();
      assert.equal(code.colour, 'yellow');
      assert.deepEqual(
        code.reasons.map((r) => r.ruleId),
        ['yellow.feverClinic'],
      );
      await settle();
    });

    test('bad requests are refused with stable codes and store nothing', async () => {
      await moveTo(Date.parse('2026-12-20T10:00:00+08:00'));
      const now = t.clock.now() as EpochMs;
      const before = await storedOverrides();
      const tooLong = await request(
        { colour: 'red', reason: 'x', endsAt: formatChinaTime((now + 14 * DAY_MS + MINUTE_MS) as EpochMs) },
        'lixia',
      );
      assert.equal(tooLong.statusCode, 400, tooLong.body);
      assert.equal(errorCode(tooLong), 'override_too_long');
      const past = await request(
        { colour: 'red', reason: 'x', endsAt: formatChinaTime((now - MINUTE_MS) as EpochMs) },
        'lixia',
      );
      assert.equal(errorCode(past), 'override_end_invalid');
      const noReason = await request({ colour: 'red', reason: '   ', endsAt: '2026-12-22' }, 'lixia');
      assert.equal(noReason.statusCode, 400);
      assert.equal(errorCode(noReason), 'validation_failed');
      const missingReason = await t.app.inject({
        method: 'POST',
        url: '/api/v1/colour-overrides',
        headers: bearer(tokens['lixia'] ?? ''),
        payload: {
          documentType: 'resident_id_card',
          documentNumber: DOC,
          colour: 'red',
          endsAt: '2026-12-22',
        },
      });
      assert.equal(errorCode(missingReason), 'validation_failed');
      const far = await request({ colour: 'red', reason: 'x', endsAt: '2026-12-22' }, 'qingdao');
      assert.equal(far.statusCode, 403, far.body);
      assert.equal(errorCode(far), 'out_of_jurisdiction');
      const resident403 = await t.app.inject({
        method: 'POST',
        url: '/api/v1/colour-overrides',
        headers: bearer(resident),
        payload: {
          documentType: 'resident_id_card',
          documentNumber: DOC,
          colour: 'green',
          reason: 'me',
          endsAt: '2026-12-22',
        },
      });
      assert.equal(resident403.statusCode, 403);
      assert.equal(await storedOverrides(), before, 'nothing stored');
      // Exactly 14 days is allowed.
      const longest = await request(
        { colour: 'yellow', reason: 'x', endsAt: formatChinaTime((now + 14 * DAY_MS) as EpochMs) },
        'lixia',
      );
      assert.equal(longest.statusCode, 201, longest.body);
      // Unknown override; an override whose end passed before approval cannot be approved.
      assert.equal(errorCode(await approve('no-such-override', 'jinan')), 'override_not_found');
      const short = await request(
        { colour: 'red', reason: 'x', endsAt: formatChinaTime((now + 60 * MINUTE_MS) as EpochMs) },
        'lixia',
      );
      const shortId = String(short.json<Json>()['overrideId']);
      await moveTo(now + 61 * MINUTE_MS);
      const late = await approve(shortId, 'jinan');
      assert.equal(late.statusCode, 409, late.body);
      assert.equal(errorCode(late), 'override_ended');
      assert.equal((await myCode()).colour, 'green');
    });

    test('retention: overrides go the policy’s factsDays after their end', async () => {
      assert.ok((await storedOverrides()) > 0);
      await moveTo(Date.parse('2027-03-01T10:00:00+08:00'));
      const result = await purge(t.platform, 'test');
      assert.ok((result.deleted['colour_overrides'] ?? 0) > 0);
      assert.equal(await storedOverrides(), 0);
    });

    test('listColourOverrides: the pending requests of the jurisdiction for a second officer, then in force, then ended; nothing of another county', async () => {
      const now = t.clock.now();
      await signInStaff();
      const endsAt = formatChinaTime((now + 2 * DAY_MS) as EpochMs);
      const requested = await request({ colour: 'yellow', reason: '待复核的密接线索', endsAt }, 'lixia');
      assert.equal(requested.statusCode, 201, requested.body);
      const overrideId = String(requested.json<Json>()['overrideId']);
      const list = async (as: string, status?: string) => {
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/v1/colour-overrides${status === undefined ? '' : `?status=${status}`}`,
          headers: bearer(tokens[as] ?? ''),
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.ok(!res.body.includes(DOC), 'no document number in the list');
        return res.json<{ overrides: Json[] }>().overrides;
      };
      const ids = (overrides: Json[]) => overrides.map((o) => o['overrideId']);

      const pending = await list('jinan', 'pending');
      assert.deepEqual(ids(pending), [overrideId]);
      assert.equal(pending[0]?.['status'], 'pending');
      assert.equal(pending[0]?.['requestedBy'], staffIds['lixia']);
      assert.equal(pending[0]?.['divisionCode'], '370102');
      assert.equal(pending[0]?.['reason'], '待复核的密接线索');
      assert.deepEqual(ids(await list('lixia')), [overrideId], 'no filter: every status');
      assert.deepEqual(ids(await list('admin', 'pending')), [overrideId]);
      assert.deepEqual(await list('qingdao'), [], 'another county sees nothing');

      assert.equal((await approve(overrideId, 'jinan')).statusCode, 200);
      assert.deepEqual(await list('lixia', 'pending'), []);
      assert.deepEqual(ids(await list('lixia', 'in_force')), [overrideId]);
      await moveTo(now + 2 * DAY_MS);
      assert.deepEqual(await list('lixia', 'in_force'), []);
      assert.deepEqual(ids(await list('lixia', 'ended')), [overrideId]);

      for (const [as, url, status, code] of [
        ['lixia', '/api/v1/colour-overrides?status=approved', 400, 'validation_failed'],
        ['lixia', '/api/v1/colour-overrides?colour=red', 400, 'validation_failed'],
      ] as const) {
        const res = await t.app.inject({ method: 'GET', url, headers: bearer(tokens[as] ?? '') });
        assert.equal(res.statusCode, status, res.body);
        assert.equal(errorCode(res), code);
      }
      // Months on, the resident signs in again: residents are not among the callers.
      const asResident = await t.app.inject({
        method: 'GET',
        url: '/api/v1/colour-overrides',
        headers: bearer(await signInResident(t, '13800138000')),
      });
      assert.equal(asResident.statusCode, 403);
    });
  });
}
