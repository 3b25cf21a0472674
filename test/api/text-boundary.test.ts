import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import defaultPolicy from '../../src/domain/colour/default-policy.json' with { type: 'json' };
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import { insertStaff } from '../../src/storage/staff.ts';

/**
 * Issue 8, finding 6: NUL, lone surrogates, invalid UTF-8, other charsets, deep nesting and
 * disguising characters are a 4xx with a stable code on both databases, and store nothing.
 */
type Tables = 'policies' | 'venues' | 'residents' | 'staff';

for (const dialect of DIALECTS) {
  describe(`text at the boundary (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let admin = '';
    let resident = '';
    const count = async (table: Tables) =>
      Number(
        (
          await t.platform.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const counts = async () =>
      Promise.all((['policies', 'venues', 'residents', 'staff'] as const).map(count));
    const send = (
      method: 'POST' | 'PUT' | 'GET',
      url: string,
      body: string | Buffer | undefined,
      token = '',
      contentType = 'application/json',
    ) =>
      t.app.inject({
        method,
        url,
        headers: {
          ...(body === undefined ? {} : { 'content-type': contentType }),
          ...(token === '' ? {} : { authorization: `Bearer ${token}` }),
        },
        ...(body === undefined ? {} : { payload: body }),
      });
    const expectCode = (r: { statusCode: number; body: string }, status: number, code: string) => {
      assert.equal(r.statusCode, status, r.body);
      assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, code, r.body);
    };

    before(async () => {
      t = await createTestPlatform(dialect);
      await insertStaff(t.platform.db, {
        username: 'admin',
        role: 'admin',
        divisionCode: '000000',
        displayName: 'admin',
        passwordHash: await hashPassword('pw'),
        createdAt: t.clock.now(),
      });
      const r = await send(
        'POST',
        '/api/v1/staff-sessions',
        JSON.stringify({ username: 'admin', password: 'pw' }),
      );
      admin = (r.json() as { token: string }).token;
      resident = await signInResident(t, '13800138000');
    });
    after(() => t.close());

    test('a NUL in an unauthenticated staffSignIn is a 400 invalid_text, not a 500', async () => {
      const r = await send('POST', '/api/v1/staff-sessions', '{"username":"ad\\u0000min","password":"pw"}');
      expectCode(r, 400, 'invalid_text');
      assert.equal((r.json() as { error: { issues: { path: string }[] } }).error.issues[0]?.path, 'username');
    });

    test('a lone surrogate in publishPolicy is refused before anything is stored', async () => {
      const before = await counts();
      const body = JSON.stringify({ policy: { ...defaultPolicy, version: 'X' } }).replace(
        '"version":"X"',
        '"version":"v\\ud800"',
      );
      expectCode(await send('POST', '/api/v1/policies', body, admin), 400, 'invalid_text');
      const keyed = '{"policy":{"\\udc00":1}}';
      expectCode(await send('POST', '/api/v1/policies', keyed, admin), 400, 'invalid_text');
      assert.deepEqual(await counts(), before);
    });

    test('nesting deeper than 64 is a 400 too_deeply_nested, however deep the body limit allows', async () => {
      const before = await counts();
      for (const depth of [65, 1_500, 3_500, 6_000]) {
        const rules = `${'{"and":['.repeat(depth)}true${']}'.repeat(depth)}`;
        const r = await send(
          'POST',
          '/api/v1/policies',
          `{"policy":{"version":"deep","rules":${rules}}}`,
          admin,
        );
        expectCode(r, 400, 'too_deeply_nested');
        assert.doesNotMatch(r.body, /call stack/i);
      }
      assert.deepEqual(await counts(), before);
    });

    test('invalid UTF-8 is a 400 invalid_utf8 (never replaced); another charset a 415', async () => {
      const before = await counts();
      const bad = Buffer.concat([
        Buffer.from('{"username":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('","password":"x"}'),
      ]);
      expectCode(await send('POST', '/api/v1/staff-sessions', bad), 400, 'invalid_utf8');
      const latin1 = Buffer.from('{"username":"adm\xe9n","password":"x"}', 'latin1');
      expectCode(
        await send('POST', '/api/v1/staff-sessions', latin1, '', 'application/json; charset=iso-8859-1'),
        415,
        'unsupported_charset',
      );
      const ok = await send(
        'POST',
        '/api/v1/staff-sessions',
        JSON.stringify({ username: 'admin', password: 'pw' }),
        '',
        'application/json; charset=UTF-8',
      );
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(await counts(), before);
    });

    test('NUL and lone surrogates in path and query parameters are a 400 invalid_text', async () => {
      expectCode(await send('GET', '/api/v1/imports?limit=%00', undefined, admin), 400, 'invalid_text');
      expectCode(await send('GET', '/api/v1/venues?status=a%00b', undefined, admin), 400, 'invalid_text');
      const r = await send('GET', '/api/v1/imports/%00', undefined, admin);
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, r.body);
    });

    test('a venue name or a staff display name with bidi or zero-width characters is refused, nothing stored', async () => {
      const before = await counts();
      const venue = {
        name: '银座\u202Eliam',
        kind: 'hotel',
        address: { divisionCode: '370102', detail: '1 号' },
        contact: { name: '王\u200B经理', mobile: '13900139001' },
      };
      const r = await send('POST', '/api/v1/venues', JSON.stringify(venue), resident);
      expectCode(r, 400, 'validation_failed');
      const issues = (r.json() as { error: { issues: { path: string; code: string }[] } }).error.issues;
      assert.deepEqual(issues.map((i) => [i.path, i.code]).sort(), [
        ['contact.name', 'invisible_characters'],
        ['name', 'invisible_characters'],
      ]);
      assert.deepEqual(await counts(), before);

      const ok = await send(
        'POST',
        '/api/v1/venues',
        JSON.stringify({ ...venue, name: '银座', contact: { ...venue.contact, name: '王经理' } }),
        resident,
      );
      assert.equal(ok.statusCode, 201, ok.body);
      const venueId = (ok.json() as { venueId: number }).venueId;
      const staffBefore = await count('staff');
      const staff = await send(
        'POST',
        `/api/v1/venues/${venueId}/staff`,
        JSON.stringify({ username: 'gate-9', displayName: '东门\u2066 1', password: 'long-enough-pw' }),
        resident,
      );
      expectCode(staff, 400, 'validation_failed');
      assert.equal(
        (staff.json() as { error: { issues: { code: string }[] } }).error.issues[0]?.code,
        'invisible_characters',
      );
      assert.equal(await count('staff'), staffBefore);
    });
  });
}
