import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createTestPlatform,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import { insertStaff } from '../../src/storage/staff.ts';
import { BODY_LIMIT } from '../../src/http/app.ts';
import { ACCESS, type Access } from '../../src/use-cases/access.ts';
import fs from 'node:fs';

type Method = 'POST' | 'PUT';
interface Endpoint {
  readonly operationId: string;
  readonly method: Method;
  readonly url: string;
  readonly who: 'none' | 'resident' | 'staff';
  /** A valid body; each case below breaks it in one way. */
  readonly body: Record<string, unknown>;
  /** A field whose type is then made wrong. */
  readonly typedField: string;
  /** False when every field is optional (the missing-field case does not apply). */
  readonly required?: false;
}

const ENDPOINTS: readonly Endpoint[] = [
  {
    operationId: 'requestSignInCode',
    method: 'POST',
    url: '/api/v1/sign-in-codes',
    who: 'none',
    body: { mobile: '13800138000' },
    typedField: 'mobile',
  },
  {
    operationId: 'signIn',
    method: 'POST',
    url: '/api/v1/sessions',
    who: 'none',
    body: { mobile: '13800138000', code: '123456' },
    typedField: 'code',
  },
  {
    operationId: 'staffSignIn',
    method: 'POST',
    url: '/api/v1/staff-sessions',
    who: 'none',
    body: { username: 'a', password: 'b' },
    typedField: 'password',
  },
  {
    operationId: 'submitApplication',
    method: 'PUT',
    url: '/api/v1/me/application',
    who: 'resident',
    body: sampleApplication(),
    typedField: 'pledge',
  },
  {
    operationId: 'verifyCode',
    method: 'POST',
    url: '/api/v1/verifications',
    who: 'staff',
    body: { code: 'HPC1:ABC' },
    typedField: 'code',
  },
  {
    operationId: 'addResidentFact',
    method: 'POST',
    url: '/api/v1/facts',
    who: 'staff',
    body: {
      documentType: 'resident_id_card',
      documentNumber: '370102199003071231',
      fact: { kind: 'feverClinic', from: '2026-11-20' },
    },
    typedField: 'fact',
  },
  {
    operationId: 'declareRiskArea',
    method: 'POST',
    url: '/api/v1/risk-areas',
    who: 'staff',
    body: { divisionCode: '370103', level: 'medium' },
    typedField: 'level',
  },
  {
    operationId: 'liftRiskArea',
    method: 'POST',
    url: '/api/v1/risk-areas/nope/lift',
    who: 'staff',
    body: { note: 'over' },
    typedField: 'note',
    required: false,
  },
  {
    operationId: 'previewPolicy',
    method: 'POST',
    url: '/api/v1/policies/preview',
    who: 'staff',
    body: { policy: { version: 'x' } },
    typedField: 'policy',
  },
  {
    operationId: 'publishPolicy',
    method: 'POST',
    url: '/api/v1/policies',
    who: 'staff',
    body: { policy: { version: 'x' } },
    typedField: 'policy',
  },
  {
    operationId: 'rollbackPolicy',
    method: 'POST',
    url: '/api/v1/policies/2020.1/rollback',
    who: 'staff',
    body: { note: 'back' },
    typedField: 'note',
    required: false,
  },
];

describe('every endpoint answers bad input with a 4xx and a stable code, never a 500', () => {
  let t: TestPlatform;
  const tokens: Record<string, string> = {};
  before(async () => {
    t = await createTestPlatform('sqlite');
    await insertStaff(t.platform.db, {
      username: 'adm',
      displayName: 'a',
      passwordHash: await hashPassword('pw'),
      role: 'admin',
      divisionCode: '000000',
      createdAt: t.clock.now(),
    });
    tokens['staff'] = (
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/staff-sessions',
          payload: { username: 'adm', password: 'pw' },
        })
      ).json() as { token: string }
    ).token;
    tokens['resident'] = await signInResident(t, '13700137000');
  });
  after(() => t.close());

  const send = (e: Endpoint, payload: string, contentType = 'application/json') =>
    t.app.inject({
      method: e.method,
      url: e.url,
      payload,
      headers: {
        'content-type': contentType,
        ...(e.who === 'none' ? {} : { authorization: `Bearer ${tokens[e.who] ?? ''}` }),
      },
    });

  const expectError = (r: { statusCode: number; body: string }, code: string) => {
    assert.ok(r.statusCode >= 400 && r.statusCode < 500, `status ${r.statusCode}: ${r.body}`);
    const body = JSON.parse(r.body) as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, code, r.body);
    assert.ok(body.error.message.length > 0);
    assert.ok(body.error.requestId.length > 0);
  };

  for (const e of ENDPOINTS) {
    describe(e.operationId, () => {
      test('malformed JSON', async () => expectError(await send(e, '{"mobile": '), 'malformed_json'));
      test('empty body', async () => expectError(await send(e, ''), 'malformed_json'));
      test('a JSON array instead of an object', async () =>
        expectError(await send(e, '[]'), 'validation_failed'));
      test('wrong type', async () => {
        const r = await send(e, JSON.stringify({ ...e.body, [e.typedField]: 12345 }));
        expectError(r, 'validation_failed');
        assert.ok(r.body.includes(e.typedField), r.body);
      });
      if (e.required !== false) {
        test('missing field', async () => {
          const { [e.typedField]: _dropped, ...rest } = e.body;
          const r = await send(e, JSON.stringify(rest));
          expectError(r, 'validation_failed');
          assert.ok(r.body.includes('field_required'), r.body);
        });
      }
      test('unknown field', async () => {
        const r = await send(e, JSON.stringify({ ...e.body, isAdmin: true }));
        expectError(r, 'validation_failed');
        assert.ok(r.body.includes('unknown_field'), r.body);
      });
      test('oversize body', async () => {
        expectError(
          await send(e, JSON.stringify({ ...e.body, padding: 'x'.repeat(BODY_LIMIT) })),
          'body_too_large',
        );
      });
      test('wrong content type', async () =>
        expectError(
          await send(e, 'mobile=1', 'application/x-www-form-urlencoded'),
          'unsupported_media_type',
        ));
    });
  }

  test('application: every invalid field is reported at once, by path', async () => {
    const r = await send(
      ENDPOINTS[3] as Endpoint,
      JSON.stringify(
        sampleApplication({
          documentNumber: '370102199002301234',
          mobile: '12345',
          nationality: 'QQ',
          address: { divisionCode: '999999', detail: '' },
          contactHistory: { abroad: [{ country: 'JP', from: '2026-11-20', to: '2026-12-30' }] },
          pledge: false,
        }),
      ),
    );
    expectError(r, 'validation_failed');
    const paths = [
      ...new Set(
        (JSON.parse(r.body) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path),
      ),
    ].sort();
    assert.deepEqual(paths, [
      'address.detail',
      'address.divisionCode',
      'contactHistory.abroad.0.to',
      'documentNumber',
      'mobile',
      'nationality',
      'pledge',
    ]);
  });

  test('unknown routes and methods', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/nothing' });
    expectError(r, 'not_found');
  });

  test('no token, a malformed token, an unknown token', async () => {
    for (const authorization of [undefined, 'Basic abc', 'Bearer ' + 'a'.repeat(43)]) {
      const r = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/code',
        headers: authorization === undefined ? {} : { authorization },
      });
      expectError(r, 'unauthenticated');
    }
  });

  test('the image format is validated', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me/code/image?format=gif',
      headers: { authorization: `Bearer ${tokens['resident'] ?? ''}` },
    });
    expectError(r, 'validation_failed');
  });
});

describe('the API contract', () => {
  test('every public operationId is in /openapi.json with request and response schemas; /healthz answers', async () => {
    const t = await createTestPlatform('sqlite');
    try {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<
          string,
          Record<string, { operationId?: string; responses?: Record<string, unknown>; requestBody?: unknown }>
        >;
      };
      const ops = new Map<
        string,
        { responses?: Record<string, unknown>; requestBody?: unknown; method: string }
      >();
      for (const methods of Object.values(doc.paths)) {
        for (const [method, op] of Object.entries(methods))
          if (op.operationId !== undefined) ops.set(op.operationId, { ...op, method });
      }
      // Every operation of the access table is served (but those of the command line only), and
      // nothing is served that the table does not name; the README lists each once.
      const table = Object.entries(ACCESS) as [string, Access][];
      const served = table.filter(([, a]) => a.cliOnly !== true).map(([id]) => id);
      assert.deepEqual(
        [...ops.keys()].filter((id) => !Object.hasOwn(ACCESS, id)),
        [],
        'served but not in ACCESS',
      );
      const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      for (const [id] of table) {
        assert.equal(readme.split(`\`${id}\``).length - 1, 1, `README names \`${id}\` once`);
      }
      for (const id of [...served]) {
        const op = ops.get(id);
        assert.ok(op, `${id} missing from OpenAPI`);
        assert.ok(
          op.responses !== undefined && Object.keys(op.responses).length > 0,
          `${id} has no responses`,
        );
        if (op.method === 'post' || op.method === 'put') {
          if (id !== 'signOut') assert.ok(op.requestBody, `${id} has no request body schema`);
        }
      }
      const health = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
      assert.equal(health.json<{ status: string }>().status, 'ok');
      const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
      assert.ok(docs.statusCode === 200 || docs.statusCode === 302, String(docs.statusCode));
    } finally {
      await t.close();
    }
  });
});
