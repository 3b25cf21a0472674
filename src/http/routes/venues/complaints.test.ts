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
import { DEFAULT_POLICY } from '../../../domain/colour/index.ts';
import { DAY_MS } from '../../../domain/types.ts';

type Json = Record<string, unknown>;
interface Complaint {
  complaintId: string;
  venue: { id: number; name: string; divisionCode: string; complaints30Days: number; flagged: boolean };
  kind: string;
  text: string;
}
interface Page {
  complaints: Complaint[];
  flagThreshold: number;
  nextBefore: string | null;
}

for (const dialect of DIALECTS) {
  describe(`venue complaints (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    const tokens: Record<string, string> = {};
    let jinanVenue = 0;
    let qingdaoVenue = 0;

    const call = async (method: 'GET' | 'POST', url: string, who: string, payload?: Json) =>
      t.app.inject({
        method,
        url,
        headers: bearer(tokens[who] ?? ''),
        ...(payload === undefined ? {} : { payload }),
      });
    const complain = (venueId: number, kind = 'does_not_check', text = '门口无人查码') =>
      call('POST', '/api/v1/venue-complaints', 'resident', { venueId, kind, text });
    const list = async (who: string, query = '') => {
      const res = await call('GET', `/api/v1/venue-complaints${query}`, who);
      assert.equal(res.statusCode, 200, res.body);
      return res.json<Page>();
    };
    const stored = async () =>
      Number(
        (
          await t.platform.db
            .selectFrom('venue_complaints')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const venueInList = async (who: string, venueId: number) => {
      const res = await call('GET', '/api/v1/venues', who);
      assert.equal(res.statusCode, 200, res.body);
      return res.json<{ venues: Json[] }>().venues.find((v) => v['venueId'] === venueId);
    };

    before(async () => {
      t = await createTestPlatform(dialect);
      await addStaff(t, [
        { username: 'jinan', role: 'officer', divisionCode: '370100' },
        { username: 'qingdao', role: 'officer', divisionCode: '370200' },
        { username: 'admin', role: 'admin', divisionCode: '000000' },
      ]);
      for (const u of ['jinan', 'qingdao', 'admin']) tokens[u] = await staffToken(t, u);
      tokens['manager'] = await signInResident(t, '13900139001');
      tokens['resident'] = await signInResident(t, '13800138000');
      tokens['newcomer'] = await signInResident(t, '13700137000');
      const put = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/me/application',
        headers: bearer(tokens['resident'] ?? ''),
        payload: sampleApplication(),
      });
      assert.equal(put.statusCode, 200, put.body);
      const register = async (divisionCode: string, name: string) => {
        const res = await call('POST', '/api/v1/venues', 'manager', {
          name,
          kind: 'mallOrSupermarket',
          address: { divisionCode, detail: '1 号' },
          contact: { name: '王经理', mobile: '13900139001' },
        });
        assert.equal(res.statusCode, 201, res.body);
        return Number(res.json<Json>()['venueId']);
      };
      jinanVenue = await register('370102', '泉城广场银座商城');
      qingdaoVenue = await register('370202', '青岛台东商场');
      for (const [venue, officer] of [
        [jinanVenue, 'jinan'],
        [qingdaoVenue, 'qingdao'],
      ] as const) {
        const ok = await call('POST', `/api/v1/venues/${venue}/approval`, officer, {});
        assert.equal(ok.statusCode, 200, ok.body);
      }
    });
    after(() => t.close());

    test('bad complaints are refused with stable codes and store nothing', async () => {
      const unknown = await complain(987_654);
      assert.equal(unknown.statusCode, 404, unknown.body);
      assert.equal(errorCode(unknown), 'venue_not_found');
      const badKind = await complain(jinanVenue, 'too_loud');
      assert.equal(badKind.statusCode, 400);
      assert.equal(errorCode(badKind), 'validation_failed');
      const blank = await complain(jinanVenue, 'does_not_check', '   ');
      assert.equal(errorCode(blank), 'validation_failed');
      const noApplication = await call('POST', '/api/v1/venue-complaints', 'newcomer', {
        venueId: jinanVenue,
        kind: 'does_not_check',
        text: 'x',
      });
      assert.equal(errorCode(noApplication), 'application_required');
      const officer = await call('POST', '/api/v1/venue-complaints', 'jinan', {
        venueId: jinanVenue,
        kind: 'does_not_check',
        text: 'x',
      });
      assert.equal(officer.statusCode, 403);
      assert.equal(await stored(), 0);
      const resident = await call('GET', '/api/v1/venue-complaints', 'resident');
      assert.equal(resident.statusCode, 403);
    });

    test('a complaint goes to the venue’s district; more than the policy allows in 30 days flags the venue', async () => {
      const filed = await complain(jinanVenue, 'turns_green_away', '绿码也不让进');
      assert.equal(filed.statusCode, 201, filed.body);
      assert.equal(filed.json<Json>()['venueId'], jinanVenue);
      assert.equal((await complain(qingdaoVenue, 'records_health_info', '登记了体温和病史')).statusCode, 201);

      const jinan = await list('jinan');
      assert.deepEqual(
        jinan.complaints.map((c) => [c.venue.id, c.kind, c.text]),
        [[jinanVenue, 'turns_green_away', '绿码也不让进']],
      );
      assert.equal(jinan.flagThreshold, 5);
      const qingdao = await list('qingdao');
      assert.deepEqual(
        qingdao.complaints.map((c) => c.venue.id),
        [qingdaoVenue],
      );
      assert.equal((await list('admin')).complaints.length, 2);
      const other = await call('GET', `/api/v1/venue-complaints?venueId=${qingdaoVenue}`, 'jinan');
      assert.equal(other.statusCode, 403);
      assert.equal(errorCode(other), 'out_of_jurisdiction');

      // The default policy allows 5 in 30 days: the 5th does not flag, the 6th does.
      for (let i = 0; i < 4; i++) assert.equal((await complain(jinanVenue)).statusCode, 201);
      let page = await list('jinan', `?venueId=${jinanVenue}`);
      assert.equal(page.complaints.length, 5);
      assert.ok(page.complaints.every((c) => c.venue.complaints30Days === 5 && !c.venue.flagged));
      assert.equal((await venueInList('jinan', jinanVenue))?.['flagged'], false);
      assert.equal((await complain(jinanVenue)).statusCode, 201);
      page = await list('jinan', `?venueId=${jinanVenue}`);
      assert.ok(page.complaints.every((c) => c.venue.complaints30Days === 6 && c.venue.flagged));
      const listed = await venueInList('jinan', jinanVenue);
      assert.equal(listed?.['flagged'], true);
      assert.equal(listed?.['complaints30Days'], 6);
      assert.equal((await venueInList('admin', qingdaoVenue))?.['flagged'], false);

      // Paging, newest first.
      const first = await list('jinan', '?limit=4');
      assert.equal(first.complaints.length, 4);
      assert.ok(first.nextBefore !== null);
      const second = await list('jinan', `?limit=4&before=${encodeURIComponent(first.nextBefore)}`);
      assert.equal(second.complaints.length, 2);
      assert.equal(new Set([...first.complaints, ...second.complaints].map((c) => c.complaintId)).size, 6);
      const badCursor = await call('GET', '/api/v1/venue-complaints?before=nonsense', 'jinan');
      assert.equal(errorCode(badCursor), 'validation_failed');

      // A policy with a lower threshold flags the Qingdao venue (1 complaint > 0 is not allowed: 1 min).
      const policy = {
        ...structuredClone(DEFAULT_POLICY),
        version: 'complaints.1',
        effectiveFrom: '2026-11-25T00:00:00+08:00',
        services: {
          familyMembersPerProxy: 8,
          proxiesPerMember: 2,
          paperCodeValidDays: 14,
          documentLookupsPerHour: 120,
          venueComplaintsFlag: 1,
        },
      };
      const published = await call('POST', '/api/v1/policies', 'admin', { policy, note: 'test' });
      assert.equal(published.statusCode, 201, published.body);
      assert.equal((await complain(qingdaoVenue)).statusCode, 201);
      const q = await list('qingdao');
      assert.equal(q.flagThreshold, 1);
      assert.ok(q.complaints.every((c) => c.venue.flagged && c.venue.complaints30Days === 2));

      // 30 days later the old complaints no longer count.
      t.clock.set(t.clock.now() + 31 * DAY_MS);
      for (const u of ['jinan', 'qingdao', 'admin']) tokens[u] = await staffToken(t, u);
      const later = await venueInList('jinan', jinanVenue);
      assert.equal(later?.['complaints30Days'], 0);
      assert.equal(later?.['flagged'], false);
    });

    test('retention: complaints go after the policy’s eventsDays', async () => {
      const before = await stored();
      assert.ok(before > 0);
      t.clock.set(t.clock.now() + 100 * DAY_MS);
      const { purge } = await import('../../../use-cases/retention.ts');
      const result = await purge(t.platform, 'test');
      assert.equal(result.deleted['venue_complaints'], before);
      assert.equal(await stored(), 0);
    });
  });
}
