import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { sql } from 'kysely';
import {
  createTestPlatform,
  dialectSuiteOptions,
  DIALECTS,
  residentIdNumber,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';
import { hashPassword } from '../../src/use-cases/passwords.ts';
import { insertStaff } from '../../src/storage/staff.ts';
import { insertSession } from '../../src/storage/sessions.ts';
import { BODY_LIMIT } from '../../src/http/app.ts';
import { ERROR_CODES } from '../../src/contracts/errors.ts';
import { DEFAULT_POLICY } from '../../src/domain/colour/index.ts';

/**
 * The bad-input sweep (docs/decisions.md): every operation of /openapi.json, on both databases,
 * gets malformed requests derived from its own schema — each case breaks one thing of a valid
 * baseline — sent with a credential of a role that may call it. No answer may be a 5xx; every 4xx
 * is JSON with a stable `error.code`; a 4xx stores nothing.
 */

type Json = Record<string, unknown>;
type PathKey = string | number;

interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly enum?: readonly unknown[];
  readonly nullable?: boolean;
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly additionalProperties?: boolean | Schema;
  readonly $ref?: string;
}

interface Parameter {
  readonly in: 'path' | 'query' | 'header';
  readonly name: string;
  readonly required?: boolean;
  readonly schema: Schema;
}

interface Operation {
  readonly operationId?: string;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: Schema }>> };
  readonly 'x-roles'?: readonly string[];
  readonly description?: string;
}

interface OpenApi {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components?: { readonly schemas?: Readonly<Record<string, Schema>> };
}

interface SweptOperation {
  readonly operationId: string;
  readonly method: string;
  readonly path: string;
  readonly op: Operation;
}

/** The document every sweep walks, read once from a throwaway platform. */
async function readDocument(): Promise<OpenApi> {
  const t = await createTestPlatform('sqlite');
  try {
    const r = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(r.statusCode, 200);
    return r.json() as OpenApi;
  } finally {
    await t.close();
  }
}

const DOC = await readDocument();
const OPERATIONS: readonly SweptOperation[] = Object.entries(DOC.paths).flatMap(([path, methods]) =>
  Object.entries(methods).flatMap(([method, op]) =>
    op.operationId === undefined
      ? []
      : [{ operationId: op.operationId, method: method.toUpperCase(), path, op }],
  ),
);

/** Operations also swept without any credential. */
const UNAUTHENTICATED = [
  'submitApplication',
  'verifyCode',
  'approveVenue',
  'removeVenueStaff',
  'getImportStatus',
  'declareRiskArea',
  'listVenues',
  'importRecords',
];

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);
const TABLES = [
  'accounts',
  'residents',
  'facts',
  'venues',
  'policies',
  'risk_areas',
  'staff',
  'imports',
  'checkpoint_checks',
  'checkpoint_policies',
] as const;

function resolve(schema: Schema): Schema {
  const ref = schema.$ref;
  if (ref === undefined) return schema;
  const name = ref.replace(/^#\/components\/schemas\//, '');
  const target = DOC.components?.schemas?.[name];
  assert.ok(target, `unresolved $ref ${ref}`);
  return resolve(target);
}

/** The first alternative of an anyOf (the routes use anyOf only for string enums). */
function concrete(schema: Schema): Schema {
  const s = resolve(schema);
  const first = s.anyOf?.[0];
  return first === undefined ? s : concrete(first);
}

/** A plausible string for a field, from its pattern, format or name. */
function plausibleString(name: string, s: Schema): string {
  if (s.enum !== undefined) return String(s.enum[0]);
  const pattern = s.pattern ?? '';
  if (s.format === 'uuid' || pattern.includes('[0-9a-fA-F]{8}')) return randomUUID();
  if (pattern === '^\\d{4}-\\d{2}-\\d{2}$') return '2026-11-20';
  if (pattern === '^\\d{6}$') return name === 'code' ? '123456' : '370102';
  if (pattern.startsWith('^[1-9]') || pattern.startsWith('^[0-9]') || pattern.startsWith('^(1000'))
    return '1';
  const byName: Record<string, string> = {
    mobile: '13800138000',
    divisionCode: '370102',
    from: '2026-11-20',
    to: '2026-11-21',
    at: '2026-11-25T10:00:00+08:00',
    checkedAt: '2026-11-25T09:00:00+08:00',
    country: 'JP',
    nationality: 'CN',
    documentType: 'resident_id_card',
    documentNumber: residentIdNumber('37010219900307123'),
    password: 'sweep-password-1',
  };
  const value = byName[name] ?? 'sweep';
  return value.padEnd(s.minLength ?? 0, 'x');
}

/** A valid-looking value of a schema: required properties only, arrays with one item when filled. */
function sample(schema: Schema, name = '', fill = false): unknown {
  const s = concrete(schema);
  if (s.enum !== undefined) return s.enum[0];
  switch (s.type ?? '') {
    case 'object': {
      const out: Json = {};
      for (const key of s.required ?? []) {
        const prop = s.properties?.[key];
        if (prop !== undefined) out[key] = sample(prop, key);
      }
      return out;
    }
    case 'array':
      return fill && s.items !== undefined ? [sample(s.items, name)] : [];
    case 'string':
      return plausibleString(name, s);
    case 'number':
      return 36.5;
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'sweep';
  }
}

/** Every node of a body schema below the root: its path and schema (array items at index 0). */
function walk(
  schema: Schema,
  path: PathKey[] = [],
): { path: PathKey[]; schema: Schema; required: boolean }[] {
  const s = concrete(schema);
  const out: { path: PathKey[]; schema: Schema; required: boolean }[] = [];
  if (s.type === 'object') {
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      out.push({ path: [...path, key], schema: prop, required: (s.required ?? []).includes(key) });
      out.push(...walk(prop, [...path, key]));
    }
  } else if (s.type === 'array' && s.items !== undefined) {
    out.push({ path: [...path, 0], schema: s.items, required: true });
    out.push(...walk(s.items, [...path, 0]));
  }
  return out;
}

/** The schema at a path below `root`. */
function schemaAt(root: Schema, path: readonly PathKey[]): Schema {
  let s = concrete(root);
  for (const key of path) {
    const next = typeof key === 'number' ? s.items : s.properties?.[key];
    assert.ok(next, `no schema at ${path.join('.')}`);
    s = concrete(next);
  }
  return s;
}

/**
 * A copy of `body` with the value at `path` set (or deleted when `value` is DELETE); containers on
 * the way that the baseline leaves out are filled with a sample, so only the leaf is wrong.
 */
const DELETE = Symbol('delete');
function withValue(body: unknown, root: Schema, path: readonly PathKey[], value: unknown): unknown {
  const copy = structuredClone(body) as Json;
  let cur: Json | unknown[] = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as PathKey;
    const container = cur as Record<PathKey, unknown>;
    if (typeof container[key] !== 'object' || container[key] === null) {
      container[key] = sample(schemaAt(root, path.slice(0, i + 1)), String(key), true);
    }
    const next = container[key] as Json | unknown[];
    if (Array.isArray(next) && next.length === 0) {
      next.push(sample(schemaAt(root, path.slice(0, i + 2)), String(key), true));
    }
    cur = next;
  }
  const leaf = path[path.length - 1] as PathKey;
  const container = cur as Record<PathKey, unknown>;
  if (value === DELETE) {
    if (Array.isArray(cur) && typeof leaf === 'number') cur.splice(leaf, 1);
    else delete container[leaf];
  } else container[leaf] = value;
  return copy;
}

const STRING_VALUES: readonly (readonly [string, string])[] = [
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', '\udfff'],
  ['100k characters', 'x'.repeat(100_000)],
  ['bidi override', 'a\u202eb'],
  ['zero-width space', 'a\u200bb'],
];

function wrongTypes(schema: Schema): (readonly [string, unknown])[] {
  const s = concrete(schema);
  const out: (readonly [string, unknown])[] = [];
  if (s.type === 'string') out.push(['number', 12345]);
  else out.push(['string', '12345']);
  if (s.type === 'boolean') out.push(['number', 1]);
  if (s.type !== 'object') out.push(['object', {}]);
  if (s.type !== 'array') out.push(['array', []]);
  if (s.nullable !== true) out.push(['null', null]);
  return out;
}

const ODD_PATH_VALUES: readonly (readonly [string, string])[] = [
  ['NUL', '%00'],
  ['traversal', '..%2f..'],
  ['5,000 characters', 'a'.repeat(5_000)],
  ['%u escape', '%ud800'],
  ['encoded surrogate', '%ED%A0%80'],
  ['negative', '-1'],
  ['1e999', '1e999'],
  ['emoji', encodeURIComponent('😀')],
];

interface Case {
  readonly name: string;
  readonly url: string;
  readonly payload?: string | Buffer;
  readonly contentType?: string;
}

interface Baseline {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

function urlOf(path: string, params: Readonly<Record<string, string>>, query: readonly string[]): string {
  const filled = path.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? '1');
  return query.length === 0 ? filled : `${filled}?${query.join('&')}`;
}

const queryPairs = (query: Readonly<Record<string, string>>) =>
  Object.entries(query).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);

/** Every malformed request of one operation; each breaks one thing of the baseline. */
function casesOf(s: SweptOperation, base: Baseline): Case[] {
  const cases: Case[] = [];
  const params = s.op.parameters ?? [];
  const baseQuery = queryPairs(base.query);
  const url = urlOf(s.path, base.params, baseQuery);
  const media = Object.keys(s.op.requestBody?.content ?? {})[0];
  const bodySchema = media === undefined ? undefined : s.op.requestBody?.content[media]?.schema;
  const isJson = media === 'application/json';
  const encode = (body: unknown) => (isJson || typeof body !== 'string' ? JSON.stringify(body) : body);
  const validBody = media === undefined ? undefined : encode(base.body);
  const withBody = (name: string, payload: string | Buffer, contentType = media): Case => ({
    name,
    url,
    payload,
    ...(contentType === undefined ? {} : { contentType }),
  });

  // The unbroken request: it must pass the schema, or the cases below would not each break one thing.
  cases.push(validBody === undefined ? { name: 'baseline', url } : withBody('baseline', validBody));
  if (media !== undefined && bodySchema !== undefined && validBody !== undefined) {
    cases.push(withBody('malformed JSON', '{"a": '));
    cases.push(withBody('empty body', ''));
    cases.push(withBody('JSON array instead of an object', JSON.stringify([base.body])));
    cases.push(withBody('wrong content type (text/plain)', validBody, 'text/plain'));
    const padded = (n: number) =>
      typeof base.body === 'object' && base.body !== null && !Array.isArray(base.body)
        ? JSON.stringify({ ...base.body, padding: 'x'.repeat(n) })
        : `${validBody}${'x'.repeat(n)}`;
    const over = BODY_LIMIT + 1 - Buffer.byteLength(padded(0));
    cases.push(withBody('one byte over BODY_LIMIT', padded(over)));
    cases.push(withBody('charset=latin1', validBody, `${media}; charset=latin1`));
    const marker = 'SWEEP_MARKER';
    const firstString = walk(bodySchema).find((n) => concrete(n.schema).type === 'string');
    const marked =
      firstString === undefined
        ? typeof base.body === 'string'
          ? marker
          : JSON.stringify({ ...(base.body as Json), [marker]: marker })
        : encode(withValue(base.body, bodySchema, firstString.path, `a${marker}b`));
    const [head, tail] = marked.split(marker) as [string, string];
    cases.push(
      withBody(
        'invalid UTF-8 (0xff 0xfe) in a string',
        Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]),
      ),
    );

    if (concrete(bodySchema).type === 'string') {
      for (const [label, value] of STRING_VALUES) cases.push(withBody(`body text: ${label}`, value));
    }
    const objects = [
      { path: [] as PathKey[], schema: bodySchema },
      ...walk(bodySchema).filter((n) => concrete(n.schema).type === 'object'),
    ];
    for (const o of objects) {
      if (concrete(bodySchema).type !== 'object') break;
      const at = [...o.path, 'sweepUnknownField'];
      cases.push(withBody(`unknown field ${at.join('.')}`, encode(withValue(base.body, bodySchema, at, 1))));
    }
    for (const node of walk(bodySchema)) {
      const where = node.path.join('.');
      const set = (value: unknown) => encode(withValue(base.body, bodySchema, node.path, value));
      for (const [label, value] of wrongTypes(node.schema))
        cases.push(withBody(`${where}: wrong type (${label})`, set(value)));
      if (node.required) cases.push(withBody(`${where}: missing`, set(DELETE)));
      if (concrete(node.schema).type === 'string') {
        for (const [label, value] of STRING_VALUES) cases.push(withBody(`${where}: ${label}`, set(value)));
      }
    }
  }

  const bodyPart = (): Pick<Case, 'payload' | 'contentType'> =>
    validBody === undefined || media === undefined ? {} : { payload: validBody, contentType: media };
  for (const p of params.filter((x) => x.in === 'path')) {
    for (const [label, value] of ODD_PATH_VALUES) {
      cases.push({
        name: `path ${p.name}: ${label}`,
        url: urlOf(s.path, { ...base.params, [p.name]: value }, baseQuery),
        ...bodyPart(),
      });
    }
  }
  const withQuery = (name: string, query: readonly string[]): Case => ({
    name,
    url: urlOf(s.path, base.params, query),
    ...bodyPart(),
  });
  for (const p of params.filter((x) => x.in === 'query')) {
    const others = queryPairs(Object.fromEntries(Object.entries(base.query).filter(([k]) => k !== p.name)));
    const valid = encodeURIComponent(base.query[p.name] ?? String(sample(p.schema, p.name)));
    cases.push(withQuery(`query ${p.name}: NUL`, [...others, `${p.name}=a%00b`]));
    cases.push(withQuery(`query ${p.name}: lone surrogate`, [...others, `${p.name}=%ED%A0%80`]));
    cases.push(
      withQuery(`query ${p.name}: 10,000 characters`, [...others, `${p.name}=${'a'.repeat(10_000)}`]),
    );
    cases.push(
      withQuery(`query ${p.name}: given twice`, [...others, `${p.name}=${valid}`, `${p.name}=${valid}`]),
    );
    if (p.required === true) cases.push(withQuery(`query ${p.name}: missing`, others));
  }
  cases.push(withQuery('unknown query parameter', [...baseQuery, 'sweepUnknown=1']));
  return cases;
}

/** `error.code` of a JSON error body (`code` beside RFC 6749's `error` at the token endpoint), or null. */
function codeOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as Json;
    const code =
      typeof parsed['error'] === 'string' ? parsed['code'] : (parsed['error'] as Json | undefined)?.['code'];
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/** Answers that mean a baseline request never got past the boundary or the access check. */
const SCHEMA_REFUSALS: ReadonlySet<string> = new Set([
  'validation_failed',
  'malformed_json',
  'unsupported_media_type',
  'unsupported_charset',
  'invalid_utf8',
  'invalid_text',
  'body_too_large',
  'unauthenticated',
  'forbidden',
]);

const excerpt = (body: string) => (body.length > 300 ? `${body.slice(0, 300)}…` : body);

for (const dialect of DIALECTS) {
  describe(`bad-input sweep over /openapi.json (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    const tokens: Record<string, string> = {};
    let adminId = 0;
    let sent = 0;
    let refused = 0;
    const fixture = {
      venueA: '',
      venueB: '',
      spareStaffId: '',
      riskAreaId: '',
      residentCode: '',
      placeCode: '',
      clientId: '',
      clientSecret: '',
      policyVersion: DEFAULT_POLICY.version,
      checkpointPolicy: {} as Json,
    };

    const call = async (method: string, url: string, who: string, payload?: unknown) => {
      const r = await t.app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${tokens[who] ?? ''}` },
        ...(payload === undefined ? {} : { payload: payload as Json }),
      });
      assert.ok(r.statusCode < 300, `${method} ${url}: ${r.statusCode} ${r.body}`);
      return r.json() as Json;
    };
    const staffToken = async (username: string, password: string) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username, password },
      });
      assert.equal(r.statusCode, 200, r.body);
      return (r.json() as { token: string }).token;
    };
    const counts = async (): Promise<Record<string, number>> => {
      const select = TABLES.map((table) => `(select count(*) from ${table}) as ${table}`).join(', ');
      const { rows } = await sql<Record<string, number | string>>`${sql.raw(`select ${select}`)}`.execute(
        t.platform.db,
      );
      return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
    };
    const settle = async () => {
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
    };
    /** A new session of the admin (for signOut, which ends the session it is called with). */
    const freshStaffSession = async () => {
      const token = randomBytes(32).toString('base64url');
      await insertSession(t.platform.db, {
        tokenHash: createHash('sha256').update(token).digest('base64url'),
        kind: 'staff',
        accountId: null,
        staffId: adminId,
        createdAt: t.clock.now(),
        expiresAt: t.clock.now() + 3_600_000,
      });
      return token;
    };

    before(async () => {
      t = await createTestPlatform(dialect);
      for (const [username, role, divisionCode] of [
        ['admin', 'admin', '000000'],
        ['officer', 'officer', '370000'],
        ['auditor', 'auditor', '000000'],
      ] as const) {
        const id = await insertStaff(t.platform.db, {
          username,
          role,
          divisionCode,
          displayName: username,
          passwordHash: await hashPassword('pw'),
          createdAt: t.clock.now(),
        });
        if (role === 'admin') adminId = id;
        tokens[role] = await staffToken(username, 'pw');
      }
      tokens['resident'] = await signInResident(t, '13700137000');
      await call('PUT', '/api/v1/me/application', 'resident', sampleApplication());
      fixture.residentCode = (await call('GET', '/api/v1/me/code', 'resident'))['code'] as string;
      const venue = {
        name: '泉城广场银座商城',
        kind: 'mallOrSupermarket',
        address: { divisionCode: '370102', detail: '泺源大街 66 号' },
        contact: { name: '王经理', mobile: '13900139001' },
      };
      for (const key of ['venueA', 'venueB'] as const) {
        const id = String((await call('POST', '/api/v1/venues', 'resident', venue))['venueId']);
        await call('POST', `/api/v1/venues/${id}/approval`, 'officer', {});
        fixture[key] = id;
      }
      const staff = { displayName: 'Gate', password: 'gate-password-1' };
      await call('POST', `/api/v1/venues/${fixture.venueA}/staff`, 'resident', {
        ...staff,
        username: 'gate',
      });
      tokens['checkpoint'] = await staffToken('gate', staff.password);
      // A hospital (issue 11, S17): an approved hospital venue and one account of its staff.
      const hospitalVenue = String(
        (await call('POST', '/api/v1/venues', 'resident', { ...venue, kind: 'hospital' }))['venueId'],
      );
      await call('POST', `/api/v1/venues/${hospitalVenue}/approval`, 'officer', {});
      await insertStaff(t.platform.db, {
        username: 'desk',
        role: 'hospital',
        divisionCode: '370102',
        displayName: 'Desk',
        passwordHash: await hashPassword('pw'),
        createdAt: t.clock.now(),
        venueId: Number(hospitalVenue),
      });
      tokens['hospital'] = await staffToken('desk', 'pw');
      fixture.spareStaffId = String(
        (
          await call('POST', `/api/v1/venues/${fixture.venueB}/staff`, 'resident', {
            ...staff,
            username: 'spare',
          })
        )['staffId'],
      );
      fixture.placeCode = (await call('GET', `/api/v1/venues/${fixture.venueA}/place-code`, 'resident'))[
        'code'
      ] as string;
      const declared = await call('POST', '/api/v1/risk-areas', 'admin', {
        divisionCode: '370103',
        level: 'medium',
      });
      fixture.riskAreaId = (declared['riskArea'] as Json)['riskAreaId'] as string;
      fixture.checkpointPolicy = await call('GET', '/api/v1/checkpoint-policy', 'admin');
      const channel = await call('POST', '/api/v1/channels', 'admin', {
        name: 'Sweep partner',
        scopes: ['code:read', 'mobile:attest'],
        rateLimitPerMinute: 100_000,
      });
      fixture.clientId = (channel['channel'] as Json)['clientId'] as string;
      fixture.clientSecret = channel['clientSecret'] as string;
      const issued = await t.app.inject({
        method: 'POST',
        url: '/api/v1/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=client_credentials&client_id=${fixture.clientId}&client_secret=${fixture.clientSecret}`,
      });
      assert.equal(issued.statusCode, 200, issued.body);
      tokens['channel'] = (issued.json() as { access_token: string }).access_token;
      await settle();
    });
    after(() => t.close());

    /** The valid request each case breaks in one way. */
    const baseline = (s: SweptOperation): Baseline => {
      const params: Record<string, string> = {
        venueId:
          s.operationId === 'revokePlaceCode' || s.operationId === 'removeVenueStaff'
            ? fixture.venueB
            : fixture.venueA,
        staffId: fixture.spareStaffId,
        reportId: '1',
        importId: randomUUID(),
        memberId: randomUUID(),
        feedbackId: randomUUID(),
        appealId: randomUUID(),
        attachmentId: randomUUID(),
        riskAreaId: fixture.riskAreaId,
        version: fixture.policyVersion,
        clientId: fixture.clientId,
      };
      const query: Record<string, string> = {};
      for (const p of s.op.parameters ?? []) {
        if (p.in === 'query' && p.required === true) query[p.name] = String(sample(p.schema, p.name));
      }
      const media = Object.keys(s.op.requestBody?.content ?? {})[0];
      const schema = media === undefined ? undefined : s.op.requestBody?.content[media]?.schema;
      const policy = { ...structuredClone(DEFAULT_POLICY), version: 'sweep.1' };
      const bodies: Record<string, unknown> = {
        requestSignInCode: { mobile: '13800138000' },
        signIn: { mobile: '13800138000', code: '123456' },
        staffSignIn: { username: 'nobody', password: 'wrong' },
        submitApplication: sampleApplication(),
        verifyCode: { code: fixture.residentCode },
        scanPlaceCode: { placeCode: fixture.placeCode },
        recordCheckpointCheck: {
          clientCheckId: randomUUID(),
          code: fixture.residentCode,
          temperature: 36.5,
          maskWorn: true,
        },
        addResidentFact: {
          documentType: 'resident_id_card',
          documentNumber: residentIdNumber('37010219900307123'),
          fact: { kind: 'feverClinic', from: '2026-11-20' },
        },
        registerVenue: {
          name: '大明湖超市',
          kind: 'mallOrSupermarket',
          address: { divisionCode: '370102', detail: '明湖路 1 号' },
          contact: { name: '李经理', mobile: '13900139002' },
        },
        addVenueStaff: { username: 'sweepgate', displayName: 'Sweep', password: 'sweep-password-1' },
        declareRiskArea: { divisionCode: '370104', level: 'high' },
        createStaffAccount: {
          username: `sweep${randomBytes(3).toString('hex')}`,
          role: 'officer',
          divisionCodes: ['370102'],
          displayName: 'Sweep officer',
        },
        setStaffPassword: { token: 'sweep-token', password: 'sweep-password-1' },
        lookupResident: {
          documentType: 'resident_id_card',
          documentNumber: residentIdNumber('37010219900307123'),
          reason: 'sweep lookup',
        },
        previewPolicy: { policy },
        publishPolicy: { policy },
        publishCheckpointPolicy: { ...fixture.checkpointPolicy, version: 'sweep.1' },
        acknowledgeReport: { state: 'acknowledged' },
        importRecords: 'documentType,documentNumber,date\n',
        requestColourOverride: {
          documentType: 'resident_id_card',
          documentNumber: residentIdNumber('37010219900307123'),
          colour: 'yellow',
          reason: 'Sweep override',
          endsAt: '2026-11-30T10:00:00+08:00',
        },
        fileVenueComplaint: {
          venueId: Number(fixture.venueA),
          kind: 'does_not_check',
          text: 'No one checks codes.',
        },
        submitArrivalDeclaration: {
          kind: 'domestic',
          originDivisionCode: '110101',
          departedOn: '2026-11-24',
          arrivedOn: '2026-11-24',
          transport: { mode: 'train', number: 'G123' },
          homeCodeColour: 'green',
        },
        submitFeedback: { kind: 'registration', text: '住址登记有误' },
        answerFeedback: { answer: '已更正' },
        fileAppeal: { factId: 'import:feverClinic:sweep', explanation: '我没有去过发热门诊' },
        answerAppeal: { answer: '记录属实', outcome: 'rejected' },
        registerChannel: { name: 'Sweep partner 2', scopes: ['code:read'], rateLimitPerMinute: 60 },
        channelToken: {
          grant_type: 'client_credentials',
          client_id: fixture.clientId,
          client_secret: fixture.clientSecret,
        },
        channelActForUser: { mobile: '13800138009', attested: true },
        hospitalReadCard: { code: fixture.residentCode },
        recordFeverClinicVisit: { code: fixture.residentCode, clientVisitId: randomUUID() },
      };
      const body = schema === undefined ? undefined : (bodies[s.operationId] ?? sample(schema));
      return { params, query, body };
    };

    /** Sends every case; returns what went wrong, one line per failing case. */
    const sweep = async (s: SweptOperation, who: string | null): Promise<string[]> => {
      const failures: string[] = [];
      const streaming = (s.op.description ?? '').includes('text/event-stream');
      let before = await counts();
      for (const c of casesOf(s, baseline(s))) {
        const token =
          who === null ? null : who === 'signed_in' ? await freshStaffSession() : (tokens[who] ?? '');
        const label = `${s.method} ${c.url.length > 120 ? `${c.url.slice(0, 120)}…` : c.url} [${c.name}]${who === null ? ' (no credential)' : ''}`;
        let status: number;
        let body: string;
        let contentType: string;
        try {
          const r = await t.app.inject({
            method: s.method as 'GET',
            url: c.url,
            headers: {
              ...(token === null ? {} : { authorization: `Bearer ${token}` }),
              ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }),
            },
            ...(c.payload === undefined ? {} : { payload: c.payload }),
            ...(streaming ? { payloadAsStream: true } : {}),
          });
          status = r.statusCode;
          contentType = String(r.headers['content-type'] ?? '');
          if (streaming) {
            const stream = r.stream();
            if (status < 300) {
              // The client goes away. light-my-request's socket has no destroy(), which the route
              // calls once the stream ends: give it one, then end the socket as a client would.
              const socket = r.raw.res.req.socket as unknown as EventEmitter & { destroy?: () => void };
              socket.destroy ??= () => undefined;
              socket.emit('end');
              stream.destroy();
              body = '(event stream)';
            } else {
              const chunks: Buffer[] = [];
              for await (const chunk of stream) chunks.push(chunk as Buffer);
              body = Buffer.concat(chunks).toString('utf8');
            }
          } else body = r.body;
        } catch (error) {
          failures.push(`${label}: inject threw ${(error as Error).message}`);
          continue;
        }
        sent++;
        if (process.env['SWEEP_TRACE'] !== undefined)
          console.log(
            `TRACE ${dialect} ${s.operationId} ${who ?? '-'} | ${c.name} | ${status} ${excerpt(body).slice(0, 160)}`,
          );
        await settle();
        const now = await counts();
        if (c.name === 'baseline' && who !== null && SCHEMA_REFUSALS.has(codeOf(body) ?? '')) {
          failures.push(
            `${label}: the baseline itself is refused (${status} ${excerpt(body)}); fix the sweep`,
          );
        }
        if (s.operationId === 'importRecords' && status === 202 && token !== null) {
          // The file is read in the background: it must end completed or failed with its own code.
          const importId = String((JSON.parse(body) as Json)['importId']);
          const r = await t.app.inject({
            method: 'GET',
            url: `/api/v1/imports/${importId}`,
            headers: { authorization: `Bearer ${token}` },
          });
          const state = r.json() as { status?: string; error?: { code?: string } | null };
          if (state.status === 'running' || state.error?.code === 'import_failed')
            failures.push(`${label}: the import ended ${state.status ?? '?'}: ${excerpt(r.body)}`);
        }
        if (status >= 500) {
          failures.push(`${label}: ${status} ${excerpt(body)}`);
        } else if (status >= 400) {
          refused++;
          const code = codeOf(body);
          if (!contentType.startsWith('application/json') || code === null || !KNOWN_CODES.has(code))
            failures.push(`${label}: ${status} without a stable error code: ${excerpt(body)}`);
          const changed = TABLES.filter((table) => now[table] !== before[table]);
          if (changed.length > 0) {
            failures.push(
              `${label}: ${status} but stored rows: ${changed.map((x) => `${x} ${before[x]}→${now[x]}`).join(', ')}`,
            );
          }
        } else if (who === null && !(s.op['x-roles'] ?? []).includes('anyone')) {
          failures.push(`${label}: ${status} without a credential`);
        }
        before = now;
      }
      return failures;
    };

    for (const s of OPERATIONS) {
      const roles = s.op['x-roles'] ?? [];
      const who = roles[0] === undefined || roles[0] === 'anyone' ? null : roles[0];
      test(`${s.operationId}: ${s.method} ${s.path} as ${who ?? 'anyone'}`, async () => {
        const failures = await sweep(s, who);
        assert.equal(failures.length, 0, `${failures.length} failing cases:\n${failures.join('\n')}`);
      });
    }
    for (const id of UNAUTHENTICATED) {
      const s = OPERATIONS.find((o) => o.operationId === id);
      test(`${id} without a credential`, async () => {
        assert.ok(s, `${id} is not in /openapi.json`);
        const failures = await sweep(s, null);
        assert.equal(failures.length, 0, `${failures.length} failing cases:\n${failures.join('\n')}`);
      });
    }
    test('the sweep covered every operation', (c) => {
      c.diagnostic(`${sent} requests over ${OPERATIONS.length} operations, ${refused} answered 4xx`);
      assert.ok(OPERATIONS.length >= 40, String(OPERATIONS.length));
      assert.ok(sent > OPERATIONS.length * 10, String(sent));
    });
  });
}
