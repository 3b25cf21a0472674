import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../../../../test/support/platform.ts';
import { hashPassword } from '../../../use-cases/passwords.ts';
import { insertStaff } from '../../../storage/staff.ts';
import { needsTools, runTool } from '../../../../test/support/machine.ts';
import { listAuditEntries } from '../../../storage/audit.ts';
import { purge } from '../../../use-cases/retention.ts';
import { parseHealthCodeText } from '../../../domain/token/index.ts';
import { parsePlaceCodeSubject } from '../../../use-cases/venues.ts';

type Json = Record<string, unknown>;

/** A value deep inside a JSON response, by dotted path (`error.code`). */
function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (typeof v === 'object' && v !== null ? (v as Json)[key] : undefined), value);
}
const list = (value: unknown, path: string): Json[] => (at(value, path) ?? []) as Json[];

const VENUE = {
  name: '泉城广场银座商城',
  kind: 'mallOrSupermarket',
  address: { divisionCode: '370102', detail: '泺源大街 66 号' },
  contact: { name: '王经理', mobile: '13900139001' },
};

for (const dialect of DIALECTS) {
  describe(`venues and place codes (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    const tokens: Record<string, string> = {};
    let venueId = 0;
    const auth = (who: string) => ({ authorization: `Bearer ${tokens[who] ?? who}` });
    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: unknown) =>
      t.app.inject({
        method,
        url,
        headers: auth(who),
        ...(payload === undefined ? {} : { payload: payload as Json }),
      });
    const staffToken = async (username: string, password = 'pw') => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username, password },
      });
      return r.statusCode === 200 ? (r.json() as { token: string }).token : null;
    };
    const expectError = (r: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(r.statusCode, status, r.body);
      assert.equal(at(JSON.parse(r.body), 'error.code'), code, r.body);
    };

    before(async () => {
      t = await createTestPlatform(dialect);
      for (const [username, role, divisionCode] of [
        ['officer', 'officer', '370100'],
        ['far', 'officer', '440300'],
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
        tokens[username] = (await staffToken(username)) ?? '';
      }
      tokens['manager'] = await signInResident(t, '13900139000');
      tokens['other'] = await signInResident(t, '13900139002');
      tokens['visitor'] = await signInResident(t, '13800138000');
      const applied = await call('PUT', '/api/v1/me/application', 'visitor', sampleApplication());
      assert.equal(applied.statusCode, 200, applied.body);
    });
    after(() => t.close());

    test('a resident registers a venue and becomes its manager; it waits for approval', async () => {
      const r = await call('POST', '/api/v1/venues', 'manager', VENUE);
      assert.equal(r.statusCode, 201, r.body);
      const v = r.json() as Json;
      venueId = v['venueId'] as number;
      assert.equal(v['status'], 'pending');
      assert.equal(v['placeCodeVersion'], 0);
      assert.deepEqual(v['kindLabel'], { 'zh-CN': '商场超市', en: 'mall or supermarket' });
      assert.equal(at(v, 'contact.mobile'), '+8613900139001');
      expectError(
        await call('GET', `/api/v1/venues/${venueId}/place-code`, 'manager'),
        409,
        'venue_not_approved',
      );
    });

    test('registration: every invalid field at once; staff cannot register', async () => {
      const r = await call('POST', '/api/v1/venues', 'manager', {
        ...VENUE,
        name: ' ',
        kind: 'casino',
        address: { divisionCode: '999999', detail: '' },
        contact: { name: 'x', mobile: '123' },
      });
      expectError(r, 400, 'validation_failed');
      const paths = list(r.json(), 'error.issues')
        .map((i) => i['path'])
        .sort();
      assert.deepEqual(paths, ['address.detail', 'address.divisionCode', 'contact.mobile', 'kind', 'name']);
      expectError(await call('POST', '/api/v1/venues', 'officer', VENUE), 403, 'forbidden');
    });

    test('approval: only an officer of the area (or an admin), once', async () => {
      expectError(
        await call('POST', `/api/v1/venues/${venueId}/approval`, 'far', {}),
        403,
        'out_of_jurisdiction',
      );
      expectError(await call('POST', `/api/v1/venues/${venueId}/approval`, 'manager', {}), 403, 'forbidden');
      expectError(
        await call('POST', '/api/v1/venues/999999/approval', 'officer', {}),
        404,
        'venue_not_found',
      );
      const r = await call('POST', `/api/v1/venues/${venueId}/approval`, 'officer', {});
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((r.json() as Json)['status'], 'approved');
      assert.equal((r.json() as Json)['placeCodeVersion'], 1);
      expectError(
        await call('POST', `/api/v1/venues/${venueId}/approval`, 'admin'),
        409,
        'venue_already_approved',
      );
    });

    test('listVenues: own for a manager, jurisdiction for an officer, all for an admin', async () => {
      const other = await call('POST', '/api/v1/venues', 'other', {
        ...VENUE,
        name: '深圳某酒店',
        kind: 'hotel',
        address: { divisionCode: '440304', detail: '福田区 1 号' },
      });
      assert.equal(other.statusCode, 201, other.body);
      const ids = async (who: string, query = '') =>
        list((await call('GET', `/api/v1/venues${query}`, who)).json(), 'venues').map((v) => v['name']);
      assert.deepEqual(await ids('manager'), [VENUE.name]);
      assert.deepEqual(await ids('officer'), [VENUE.name]);
      assert.deepEqual(await ids('far'), ['深圳某酒店']);
      assert.deepEqual((await ids('admin')).sort(), [VENUE.name, '深圳某酒店'].sort());
      assert.deepEqual(await ids('admin', '?status=pending'), ['深圳某酒店']);
      assert.deepEqual(await ids('admin', '?division=370000'), [VENUE.name]);
      expectError(await call('GET', '/api/v1/venues?status=closed', 'admin'), 400, 'validation_failed');
    });

    test('listVenues pages oldest first: each venue once, nextAfter null at the end; bad paging is a 400', async () => {
      for (const name of ['分页测试一', '分页测试二', '分页测试三']) {
        const r = await call('POST', '/api/v1/venues', 'manager', { ...VENUE, name });
        assert.equal(r.statusCode, 201, r.body);
      }
      const all = list((await call('GET', '/api/v1/venues', 'admin')).json(), 'venues').map(
        (v) => v['venueId'],
      );
      assert.ok(all.length >= 5, `admin sees ${all.length} venues`);
      const seen: unknown[] = [];
      let after: number | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const r = await call(
          'GET',
          `/api/v1/venues?limit=2${after === null ? '' : `&after=${after}`}`,
          'admin',
        );
        assert.equal(r.statusCode, 200, r.body);
        const page = r.json() as Json;
        const venues = list(page, 'venues');
        assert.ok(venues.length <= 2);
        seen.push(...venues.map((v) => v['venueId']));
        const next = page['nextAfter'];
        assert.ok(next === null || typeof next === 'number', `nextAfter ${String(next)}`);
        after = next;
        if (after === null) break;
      }
      assert.equal(after, null, 'the last page says so');
      assert.deepEqual(seen, all);
      assert.equal(new Set(seen).size, seen.length);
      const firstOnly = (await call('GET', '/api/v1/venues?limit=1', 'admin')).json() as Json;
      assert.equal(firstOnly['nextAfter'], all[0]);
      expectError(await call('GET', '/api/v1/venues?limit=0', 'admin'), 400, 'validation_failed');
      expectError(await call('GET', '/api/v1/venues?limit=1001', 'admin'), 400, 'validation_failed');
      expectError(await call('GET', '/api/v1/venues?after=abc', 'admin'), 400, 'validation_failed');
    });

    test(
      'the place code is a signed place token naming the venue and version; its QR decodes to it',
      needsTools('zbarimg'),
      async () => {
        const r = await call('GET', `/api/v1/venues/${venueId}/place-code`, 'manager');
        assert.equal(r.statusCode, 200, r.body);
        const pc = r.json() as Json;
        assert.equal(pc['version'], 1);
        const parsed = parseHealthCodeText(pc['code'] as string);
        assert.ok(parsed.ok);
        assert.equal(parsed.value.claims.kind, 'place');
        assert.deepEqual(parsePlaceCodeSubject(parsed.value.claims.subject), { venueId, version: 1 });
        assert.ok((pc['url'] as string).endsWith(`/scan?c=${encodeURIComponent(pc['code'] as string)}`));
        const png = await call('GET', `/api/v1/venues/${venueId}/place-code?format=png`, 'officer');
        assert.equal(png.headers['content-type'], 'image/png');
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'place-')), 'qr.png');
        fs.writeFileSync(file, png.rawPayload);
        assert.equal(runTool('zbarimg', ['--nodbus', '--quiet', '--raw', file]), pc['code']);
        expectError(
          await call('GET', `/api/v1/venues/${venueId}/place-code`, 'other'),
          403,
          'not_venue_manager',
        );
        expectError(
          await call('GET', `/api/v1/venues/${venueId}/place-code`, 'far'),
          403,
          'out_of_jurisdiction',
        );
      },
    );

    test('place-code links use the configured public origin, never the Host header (finding 7)', async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/v1/venues/${venueId}/place-code`,
        headers: { ...auth('manager'), host: 'evil.example', 'x-forwarded-host': 'evil.example' },
      });
      assert.equal(r.statusCode, 200, r.body);
      const url = (r.json() as Json)['url'] as string;
      assert.equal(new URL(url).origin, t.platform.config.publicOrigin);
      assert.doesNotMatch(url, /evil/);
    });

    test(
      'the poster is an A4 PDF with the venue name in Chinese and a QR that decodes to the place code',
      needsTools('zbarimg', 'pdftotext', 'pdftoppm'),
      async () => {
        const r = await call('GET', `/api/v1/venues/${venueId}/place-code/poster`, 'manager');
        assert.equal(r.statusCode, 200, r.body.slice(0, 200));
        assert.equal(r.headers['content-type'], 'application/pdf');
        assert.equal(r.rawPayload.subarray(0, 5).toString(), '%PDF-');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poster-'));
        const pdf = path.join(dir, 'poster.pdf');
        fs.writeFileSync(pdf, r.rawPayload);
        assert.ok(runTool('pdftotext', [pdf, '-']).includes(VENUE.name));
        runTool('pdftoppm', ['-r', '150', '-png', pdf, path.join(dir, 'page')]);
        const page = fs.readdirSync(dir).find((f) => f.startsWith('page'));
        assert.ok(page);
        const code = ((await call('GET', `/api/v1/venues/${venueId}/place-code`, 'manager')).json() as Json)[
          'code'
        ];
        assert.equal(runTool('zbarimg', ['--nodbus', '--quiet', '--raw', path.join(dir, page)]), code);
      },
    );

    test('scanning the place code shows the venue and my code, records the visit, and changes no colour', async () => {
      const code = ((await call('GET', `/api/v1/venues/${venueId}/place-code`, 'manager')).json() as Json)[
        'code'
      ] as string;
      const before = ((await call('GET', '/api/v1/me/code', 'visitor')).json() as Json)['colour'];
      const r = await call('POST', '/api/v1/place-scans', 'visitor', { placeCode: code });
      assert.equal(r.statusCode, 201, r.body);
      const scan = r.json() as Json;
      assert.equal(at(scan, 'venue.name'), VENUE.name);
      assert.equal(at(scan, 'venue.id'), venueId);
      assert.equal(scan['scannedAt'], '2026-11-25T10:00:00+08:00');
      assert.equal(at(scan, 'myCode.colour'), before);
      assert.match(at(scan, 'myCode.code') as string, /^HPC1:/);
      // The link printed under the QR works as well as the QR text.
      const url = ((await call('GET', `/api/v1/venues/${venueId}/place-code`, 'manager')).json() as Json)[
        'url'
      ];
      assert.equal(
        (await call('POST', '/api/v1/place-scans', 'visitor', { placeCode: url })).statusCode,
        201,
      );
      // A personal code is not a place code; a resident without an application has no code to show.
      const personal = at(scan, 'myCode.code') as string;
      expectError(
        await call('POST', '/api/v1/place-scans', 'visitor', { placeCode: personal }),
        400,
        'place_code_invalid',
      );
      expectError(
        await call('POST', '/api/v1/place-scans', 'visitor', { placeCode: 'HPC1:XYZ' }),
        400,
        'place_code_invalid',
      );
      expectError(
        await call('POST', '/api/v1/place-scans', 'other', { placeCode: code }),
        404,
        'application_required',
      );
      expectError(
        await call('POST', '/api/v1/place-scans', 'officer', { placeCode: code }),
        403,
        'forbidden',
      );
    });

    test('visits: officers of the area read them (masked), each read is audited; managers may not', async () => {
      const r = await call('GET', `/api/v1/venues/${venueId}/visits?from=2026-11-25`, 'officer');
      assert.equal(r.statusCode, 200, r.body);
      const visits = (r.json() as Json)['visits'] as Json[];
      assert.equal(visits.length, 2);
      assert.equal(visits[0]?.['maskedName'], '张*三');
      await t.platform.auditLog.drain();
      const audit = await listAuditEntries(t.platform.db, visits[0]?.['residentId'] as number);
      assert.ok(
        audit.some((e) => e.action === 'read_venue_visits' && e.actorKind === 'staff'),
        JSON.stringify(audit),
      );
      expectError(await call('GET', `/api/v1/venues/${venueId}/visits`, 'manager'), 403, 'forbidden');
      expectError(await call('GET', `/api/v1/venues/${venueId}/visits`, 'far'), 403, 'out_of_jurisdiction');
      const empty = await call(
        'GET',
        `/api/v1/venues/${venueId}/visits?from=2026-11-20&to=2026-11-24`,
        'admin',
      );
      assert.deepEqual((empty.json() as Json)['visits'], []);
      expectError(
        await call('GET', `/api/v1/venues/${venueId}/visits?from=yesterday`, 'admin'),
        400,
        'validation_failed',
      );
    });

    test('revoking the place code issues the next version; the old code then fails with place_code_revoked', async () => {
      const old = ((await call('GET', `/api/v1/venues/${venueId}/place-code`, 'manager')).json() as Json)[
        'code'
      ];
      expectError(
        await call('POST', `/api/v1/venues/${venueId}/place-code/revocation`, 'other'),
        403,
        'not_venue_manager',
      );
      const r = await call('POST', `/api/v1/venues/${venueId}/place-code/revocation`, 'manager');
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), { venueId, version: 2 });
      const fresh = (await call('GET', `/api/v1/venues/${venueId}/place-code`, 'manager')).json() as Json;
      assert.equal(fresh['version'], 2);
      assert.notEqual(fresh['code'], old);
      expectError(
        await call('POST', '/api/v1/place-scans', 'visitor', { placeCode: old }),
        410,
        'place_code_revoked',
      );
      assert.equal(
        (await call('POST', '/api/v1/place-scans', 'visitor', { placeCode: fresh['code'] })).statusCode,
        201,
      );
      const byOfficer = await call('POST', `/api/v1/venues/${venueId}/place-code/revocation`, 'officer', {});
      assert.deepEqual(byOfficer.json(), { venueId, version: 3 });
    });

    test('staff: the manager adds checkpoint staff; usernames are unique; removal ends their sessions', async () => {
      const url = `/api/v1/venues/${venueId}/staff`;
      const added = await call('POST', url, 'manager', {
        username: 'Gate-1',
        displayName: '东门 1',
        password: 'long-enough-pw',
      });
      assert.equal(added.statusCode, 201, added.body);
      const staff = added.json() as Json;
      assert.equal(staff['username'], 'gate-1');
      expectError(
        await call('POST', url, 'manager', {
          username: 'gate-1',
          displayName: 'again',
          password: 'long-enough-pw',
        }),
        409,
        'staff_username_taken',
      );
      expectError(
        await call('POST', url, 'manager', {
          username: 'admin',
          displayName: 'x',
          password: 'long-enough-pw',
        }),
        409,
        'staff_username_taken',
      );
      expectError(
        await call('POST', url, 'manager', { username: 'gate-2', displayName: 'x', password: 'short' }),
        400,
        'validation_failed',
      );
      expectError(
        await call('POST', url, 'manager', {
          username: 'no spaces',
          displayName: 'x',
          password: 'long-enough-pw',
        }),
        400,
        'validation_failed',
      );
      expectError(
        await call('POST', url, 'other', {
          username: 'gate-3',
          displayName: 'x',
          password: 'long-enough-pw',
        }),
        403,
        'not_venue_manager',
      );
      const token = await staffToken('gate-1', 'long-enough-pw');
      assert.ok(token);
      tokens['gate'] = token;
      const mine = (await call('GET', '/api/v1/venues', 'gate')).json() as Json;
      assert.deepEqual(
        list(mine, 'venues').map((v) => v['venueId']),
        [venueId],
      );

      expectError(
        await call('DELETE', `${url}/${String(staff['staffId'])}`, 'other'),
        403,
        'not_venue_manager',
      );
      const removed = await call('DELETE', `${url}/${String(staff['staffId'])}`, 'manager');
      assert.equal(removed.statusCode, 204, removed.body);
      // Its session was cached by this node a moment ago; removal ends it at once (finding 8).
      expectError(await call('GET', '/api/v1/venues', 'gate'), 401, 'unauthenticated');
      assert.equal(await staffToken('gate-1', 'long-enough-pw'), null);
      expectError(await call('DELETE', `${url}/999999`, 'manager'), 404, 'not_found');
    });

    test('visits go when the policy retention has passed (P5), and the purge says how many', async () => {
      const count = async () =>
        Number(
          (
            await t.platform.db
              .selectFrom('visits')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      assert.ok(before > 0);
      assert.equal((await purge(t.platform, 'test')).deleted['visits'], 0);
      t.clock.advance(29 * 86_400_000); // the default keeps visits 28 days
      const result = await purge(t.platform, 'test');
      assert.equal(result.deleted['visits'], before);
      assert.equal(await count(), 0);
    });

    test('staff of a venue still pending can do nothing: verifyCode and door checks answer venue_not_approved (finding 4)', async () => {
      // A resident registers a venue, makes themself its staff and signs in as checkpoint staff.
      const pending = await call('POST', '/api/v1/venues', 'other', { ...VENUE, name: '自封检查点' });
      assert.equal(pending.statusCode, 201, pending.body);
      const pendingId = (pending.json() as Json)['venueId'] as number;
      const added = await call('POST', `/api/v1/venues/${pendingId}/staff`, 'other', {
        username: 'self-made',
        displayName: '自封',
        password: 'long-enough-pw',
      });
      assert.equal(added.statusCode, 201, added.body);
      tokens['selfMade'] = (await staffToken('self-made', 'long-enough-pw')) ?? '';
      assert.ok(tokens['selfMade']);
      const code = ((await call('GET', '/api/v1/me/code', 'visitor')).json() as Json)['code'] as string;
      assert.ok(code);
      expectError(
        await call('POST', '/api/v1/verifications', 'selfMade', { code }),
        409,
        'venue_not_approved',
      );
      expectError(
        await call('POST', `/api/v1/venues/${pendingId}/checks`, 'selfMade', {
          clientCheckId: '0190f5d2-0000-7000-8000-000000000001',
          code,
          temperature: 36.5,
          maskWorn: true,
        }),
        409,
        'venue_not_approved',
      );
      const verifications = await t.platform.db
        .selectFrom('verifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(verifications.n), 0, 'nothing was logged as a verification');
    });
  });
}
