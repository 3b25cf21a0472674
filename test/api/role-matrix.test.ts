import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
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
  type TestPlatform,
} from '../support/platform.ts';
import { insertSession } from '../../src/storage/sessions.ts';
import { findStaffByUsername, insertStaff } from '../../src/storage/staff.ts';
import { DEFAULT_POLICY } from '../../src/domain/colour/index.ts';

/**
 * The role matrix (issue 10): every operation of /openapi.json, called as every role and without a
 * credential, with a valid-looking request; each answer is checked against the operation's
 * `x-roles`. Undeclared callers get 401 (no credential) or 403 `forbidden`; declared callers never
 * get the role check's refusal (they may get 400/404/409 from the data). Then jurisdiction: an
 * officer of county B gets 403 or 404 for a resident, venue, report and import of county A, where
 * the officer of county A succeeds.
 */

type Json = Record<string, unknown>;
interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minLength?: number;
  readonly minItems?: number;
}
interface Operation {
  readonly operationId?: string;
  readonly parameters?: readonly { in: string; name: string; required?: boolean; schema: Schema }[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: Schema }>> };
  readonly 'x-roles'?: readonly string[];
  readonly description?: string;
}
interface OpenApi {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
}

const COUNTY_A = '370102';
const COUNTY_B = '370202';
const CALLERS = [
  'anonymous',
  'resident',
  'channel',
  'checkpoint',
  'officerA',
  'officerB',
  'admin',
  'auditor',
  'hospital',
] as const;
type CallerName = (typeof CALLERS)[number];
const ROLE_OF: Record<CallerName, string | null> = {
  anonymous: null,
  resident: 'resident',
  channel: 'channel',
  checkpoint: 'checkpoint',
  officerA: 'officer',
  officerB: 'officer',
  admin: 'admin',
  auditor: 'auditor',
  hospital: 'hospital',
};

function sample(schema: Schema, name = ''): unknown {
  const s = schema.anyOf?.[0] ?? schema;
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
      return (s.minItems ?? 0) > 0 && s.items !== undefined ? [sample(s.items, name)] : [];
    case 'string': {
      if (s.format === 'uuid') return randomUUID();
      if (s.pattern === '^\\d{6}$') return name === 'code' ? '123456' : COUNTY_A;
      if (s.pattern?.startsWith('^[1-9]') === true || s.pattern?.startsWith('^[0-9]') === true) return '1';
      if (name === 'mobile') return '13800138000';
      if (name === 'reason') return 'role matrix check';
      return 'matrix'.padEnd(s.minLength ?? 0, 'x');
    }
    case 'number':
      return 36.5;
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return 'matrix';
  }
}

for (const dialect of DIALECTS) {
  describe(`role matrix over /openapi.json (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let doc: OpenApi;
    const ids: Record<Exclude<CallerName, 'anonymous' | 'channel'>, number> = {
      resident: 0,
      checkpoint: 0,
      officerA: 0,
      officerB: 0,
      admin: 0,
      auditor: 0,
      hospital: 0,
    };
    const fx = {
      venueA: '',
      venueAPending: '',
      residentCode: '',
      residentDocument: residentIdNumber('37010219900307123'),
      reportA: '',
      importA: '',
      spareStaffId: '',
      channelToken: '',
      clientId: '',
    };

    /** A fresh session for the caller for every call, so signOut ends only its own. */
    const tokenOf = async (who: CallerName): Promise<string | null> => {
      if (who === 'anonymous') return null;
      // A partner channel's access token (a JWT; valid ten minutes, enough for the whole matrix).
      if (who === 'channel') return fx.channelToken;
      const token = randomBytes(32).toString('base64url');
      await insertSession(t.platform.db, {
        tokenHash: createHash('sha256').update(token).digest('base64url'),
        kind: who === 'resident' ? 'resident' : 'staff',
        accountId: who === 'resident' ? ids.resident : null,
        staffId: who === 'resident' ? null : ids[who],
        createdAt: t.clock.now(),
        expiresAt: t.clock.now() + 3_600_000,
      });
      return token;
    };

    const call = async (
      who: CallerName,
      method: string,
      url: string,
      payload?: unknown,
      contentType?: string,
      streaming = false,
    ) => {
      const token = await tokenOf(who);
      contentType ??= payload === undefined ? undefined : 'application/json';
      const r = await t.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(token === null ? {} : bearer(token)),
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
        },
        ...(payload === undefined
          ? {}
          : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
        ...(streaming ? { payloadAsStream: true } : {}),
      });
      if (streaming) {
        const stream = r.stream();
        if (r.statusCode < 300) {
          const socket = r.raw.res.req.socket as unknown as EventEmitter & { destroy?: () => void };
          socket.destroy ??= () => undefined;
          socket.emit('end');
          stream.destroy();
          return { status: r.statusCode, code: undefined, body: '(stream)' };
        }
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks).toString('utf8');
        let code: string | undefined;
        try {
          code = (JSON.parse(body) as { error?: { code?: string } }).error?.code;
        } catch {
          code = undefined;
        }
        return { status: r.statusCode, code, body };
      }
      return { status: r.statusCode, code: errorCode(r), body: r.body };
    };
    const ok = async (who: CallerName, method: string, url: string, payload?: unknown) => {
      const r = await call(who, method, url, payload);
      assert.ok(r.status < 300, `${who} ${method} ${url}: ${r.status} ${r.body}`);
      return JSON.parse(r.body) as Json;
    };

    before(async () => {
      t = await createTestPlatform(dialect);
      await addStaff(t, [
        { username: 'officer-a', role: 'officer', divisionCode: COUNTY_A },
        { username: 'officer-b', role: 'officer', divisionCode: COUNTY_B },
        { username: 'admin', role: 'admin', divisionCode: '000000' },
        { username: 'auditor', role: 'auditor', divisionCode: '000000' },
        { username: 'spare', role: 'officer', divisionCode: COUNTY_B },
      ]);
      for (const [who, username] of [
        ['officerA', 'officer-a'],
        ['officerB', 'officer-b'],
        ['admin', 'admin'],
        ['auditor', 'auditor'],
      ] as const) {
        ids[who] = (await findStaffByUsername(t.platform.db, username))?.id ?? 0;
      }
      fx.spareStaffId = String((await findStaffByUsername(t.platform.db, 'spare'))?.id ?? 0);
      // The resident (county A) applies and manages two venues in county A.
      await signInResident(t, '13700137000');
      const acct = await t.platform.db
        .selectFrom('accounts')
        .select('id')
        .where('mobile', '=', '+8613700137000')
        .executeTakeFirstOrThrow();
      ids.resident = Number(acct.id);
      await ok('resident', 'PUT', '/api/v1/me/application', sampleApplication({ mobile: '13700137000' }));
      fx.residentCode = (await ok('resident', 'GET', '/api/v1/me/code'))['code'] as string;
      const venue = {
        name: '泉城广场银座商城',
        kind: 'mallOrSupermarket',
        address: { divisionCode: COUNTY_A, detail: '泺源大街 66 号' },
        contact: { name: '王经理', mobile: '13900139001' },
      };
      fx.venueA = String((await ok('resident', 'POST', '/api/v1/venues', venue))['venueId']);
      await ok('officerA', 'POST', `/api/v1/venues/${fx.venueA}/approval`, {});
      fx.venueAPending = String((await ok('resident', 'POST', '/api/v1/venues', venue))['venueId']);
      await ok('resident', 'POST', `/api/v1/venues/${fx.venueA}/staff`, {
        username: 'gate',
        displayName: 'Gate',
        password: 'gate-password-1',
      });
      ids.checkpoint = (await findStaffByUsername(t.platform.db, 'gate'))?.id ?? 0;
      // Hospital staff (issue 11, S17) of an approved hospital venue in county A.
      const hospital = String(
        (await ok('resident', 'POST', '/api/v1/venues', { ...venue, kind: 'hospital' }))['venueId'],
      );
      await ok('officerA', 'POST', `/api/v1/venues/${hospital}/approval`, {});
      ids.hospital = await insertStaff(t.platform.db, {
        username: 'desk',
        role: 'hospital',
        divisionCode: COUNTY_A,
        displayName: 'Desk',
        passwordHash: '',
        createdAt: t.clock.now(),
        venueId: Number(hospital),
      });
      // A red fact makes the resident's check at venue A a report of county A.
      await ok('officerA', 'POST', '/api/v1/facts', {
        documentType: 'resident_id_card',
        documentNumber: fx.residentDocument,
        fact: { kind: 'confirmed', from: '2026-11-24' },
      });
      fx.residentCode = (await ok('resident', 'GET', '/api/v1/me/code'))['code'] as string;
      await ok('checkpoint', 'POST', `/api/v1/venues/${fx.venueA}/checks`, {
        clientCheckId: randomUUID(),
        code: fx.residentCode,
        temperature: 36.5,
        maskWorn: true,
      });
      const reports = (await ok('officerA', 'GET', '/api/v1/reports'))['reports'] as Json[];
      fx.reportA = String((reports[0]?.['reportId'] as number | undefined) ?? '');
      assert.notEqual(fx.reportA, '', 'a report of county A exists');
      const imported = await t.app.inject({
        method: 'POST',
        url: `/api/v1/imports?kind=closeContact&division=${COUNTY_A}`,
        headers: { ...bearer((await tokenOf('officerA')) ?? ''), 'content-type': 'text/csv' },
        payload: 'documentType,documentNumber,date\n',
      });
      assert.equal(imported.statusCode, 202, imported.body);
      fx.importA = String(imported.json<{ importId: string }>().importId);
      const channel = await ok('admin', 'POST', '/api/v1/channels', {
        name: 'Matrix partner',
        scopes: ['code:read', 'mobile:attest'],
        rateLimitPerMinute: 100_000,
      });
      fx.clientId = (channel['channel'] as Json)['clientId'] as string;
      const issued = await t.app.inject({
        method: 'POST',
        url: '/api/v1/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=client_credentials&client_id=${fx.clientId}&client_secret=${String(channel['clientSecret'])}`,
      });
      assert.equal(issued.statusCode, 200, issued.body);
      fx.channelToken = issued.json<{ access_token: string }>().access_token;
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
      const r = await t.app.inject({ method: 'GET', url: '/openapi.json' });
      doc = r.json<OpenApi>();
    });
    after(() => t.close());

    test('every operation declares who may call it (x-roles)', () => {
      const none: string[] = [];
      let n = 0;
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          n++;
          if (!Array.isArray(op['x-roles']) || op['x-roles'].length === 0)
            none.push(`${method.toUpperCase()} ${path} (${op.operationId ?? '?'})`);
        }
      }
      assert.ok(n > 50, `only ${n} operations in /openapi.json`);
      assert.deepEqual(none, [], 'operations without x-roles');
    });

    test('every operation as every role: refused exactly when the role is not declared', async () => {
      const failures: string[] = [];
      let checked = 0;
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const roles = op['x-roles'] ?? [];
          const opId = op.operationId ?? '';
          const params: Record<string, string> = {
            venueId: fx.venueA,
            staffId: fx.spareStaffId,
            reportId: fx.reportA,
            importId: fx.importA,
            memberId: randomUUID(),
            riskAreaId: randomUUID(),
            version: DEFAULT_POLICY.version,
            clientId: fx.clientId,
          };
          for (const who of CALLERS) {
            const role = ROLE_OF[who];
            // A channel's own token is for the channel operations only (not even signed_in ones).
            const declared =
              roles.includes('anyone') ||
              (role === 'channel'
                ? roles.includes('channel')
                : role !== null && (roles.includes('signed_in') || roles.includes(role)));
            const query = (op.parameters ?? [])
              .filter((p) => p.in === 'query' && p.required === true)
              .map((p) => `${p.name}=${encodeURIComponent(String(sample(p.schema, p.name)))}`);
            const url =
              path.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? '1') +
              (query.length > 0 ? `?${query.join('&')}` : '');
            const media = Object.keys(op.requestBody?.content ?? {})[0];
            const schema = media === undefined ? undefined : op.requestBody?.content[media]?.schema;
            let body: unknown = schema === undefined ? undefined : sample(schema);
            if (opId === 'createStaffAccount')
              body = {
                username: `m${randomBytes(4).toString('hex')}`,
                role: 'officer',
                divisionCodes: [COUNTY_B],
                displayName: 'Matrix',
              };
            if (opId === 'importRecords') body = 'documentType,documentNumber,date\n';
            const streaming = (op.description ?? '').includes('text/event-stream');
            const r = await call(who, method.toUpperCase(), url, body, media, streaming);
            checked++;
            const label = `${opId} as ${who}: ${r.status} ${r.body.slice(0, 200)}`;
            if (declared) {
              if (r.code === 'unauthenticated' || r.code === 'session_expired' || r.code === 'forbidden')
                failures.push(`declared caller refused by the role check — ${label}`);
              if (r.status >= 500) failures.push(label);
            } else if (who === 'anonymous') {
              if (r.status !== 401) failures.push(`expected 401 — ${label}`);
            } else if (r.status !== 403 || r.code !== 'forbidden') {
              failures.push(`expected 403 forbidden — ${label}`);
            }
          }
          while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
        }
      }
      assert.ok(checked > 300, `only ${checked} calls`);
      assert.deepEqual(failures, []);
    });

    test('jurisdiction: an officer of county B gets 403 or 404 for county A’s resident, venue, report and import', async () => {
      const cases: { name: string; method: string; url: string; body?: unknown }[] = [
        {
          name: 'resident (lookupResident)',
          method: 'POST',
          url: '/api/v1/resident-lookups',
          body: {
            documentType: 'resident_id_card',
            documentNumber: fx.residentDocument,
            reason: 'matrix jurisdiction check',
          },
        },
        {
          name: 'resident (addResidentFact)',
          method: 'POST',
          url: '/api/v1/facts',
          body: {
            documentType: 'resident_id_card',
            documentNumber: fx.residentDocument,
            fact: { kind: 'feverClinic', from: '2026-11-24' },
          },
        },
        {
          name: 'venue (approveVenue)',
          method: 'POST',
          url: `/api/v1/venues/${fx.venueAPending}/approval`,
          body: {},
        },
        { name: 'venue (listVenueVisits)', method: 'GET', url: `/api/v1/venues/${fx.venueA}/visits` },
        {
          name: 'report (acknowledgeReport)',
          method: 'POST',
          url: `/api/v1/reports/${fx.reportA}/state`,
          body: { state: 'handled' },
        },
        { name: 'import (getImportStatus)', method: 'GET', url: `/api/v1/imports/${fx.importA}` },
      ];
      const failures: string[] = [];
      for (const c of cases) {
        const b = await call(
          'officerB',
          c.method,
          c.url,
          c.body,
          c.body === undefined ? undefined : 'application/json',
        );
        if (b.status !== 403 && b.status !== 404)
          failures.push(`officer B, ${c.name}: ${b.status} ${b.body.slice(0, 200)}`);
        // The same request from county A's officer succeeds: the refusal above is the jurisdiction.
        const a = await call(
          'officerA',
          c.method,
          c.url,
          c.body,
          c.body === undefined ? undefined : 'application/json',
        );
        if (a.status >= 300) failures.push(`officer A, ${c.name}: ${a.status} ${a.body.slice(0, 200)}`);
      }
      // Lists are filtered: county B's officer sees none of county A's venues, reports or imports.
      const venues = JSON.parse((await call('officerB', 'GET', '/api/v1/venues')).body) as { venues: Json[] };
      if (venues.venues.length !== 0)
        failures.push(`officer B lists ${venues.venues.length} venues of county A`);
      const reports = JSON.parse((await call('officerB', 'GET', '/api/v1/reports')).body) as {
        reports: Json[];
      };
      if (reports.reports.length !== 0) failures.push(`officer B lists ${reports.reports.length} reports`);
      const imports = JSON.parse((await call('officerB', 'GET', '/api/v1/imports')).body) as {
        imports: Json[];
      };
      const ofA = imports.imports.filter(
        (i) => i['jurisdiction'] === COUNTY_A || i['importId'] === fx.importA,
      );
      if (ofA.length !== 0) failures.push(`officer B lists ${ofA.length} imports of county A`);
      assert.deepEqual(failures, []);
    });

    test('a staff lookup is in the resident’s access log (role, office, reason), with the checkpoint check; auditors see no reason text', async () => {
      const reason = '核查密接 matrix-check';
      const looked = await call('officerA', 'POST', '/api/v1/resident-lookups', {
        documentType: 'resident_id_card',
        documentNumber: fx.residentDocument,
        reason,
      });
      assert.equal(looked.status, 200, looked.body);
      const found = JSON.parse(looked.body) as { residents: { maskedName: string; facts: Json[] }[] };
      assert.equal(found.residents.length, 1);
      assert.ok(found.residents[0]?.facts.some((f) => f['source'] === 'officer'));
      const log = JSON.parse((await call('resident', 'GET', '/api/v1/me/access-log')).body) as {
        entries: { kind: string; reason?: string; actor: Json; venue?: Json }[];
      };
      const lookup = log.entries.find((e) => e.kind === 'staff_lookup' && e.reason === reason);
      assert.ok(lookup, JSON.stringify(log.entries.slice(0, 5)));
      assert.equal(lookup.actor['role'], 'officer');
      assert.deepEqual(lookup.actor['divisionCodes'], [COUNTY_A]);
      assert.ok(
        log.entries.some((e) => e.kind === 'checkpoint_check' && e.venue?.['venueId'] === Number(fx.venueA)),
      );
      const audit = await call('auditor', 'GET', '/api/v1/audit-log?action=lookup_resident&limit=500');
      assert.equal(audit.status, 200, audit.body);
      assert.ok(audit.body.includes('lookup_resident'));
      for (const secret of [reason, '核查', fx.residentDocument, '张小三', '13700137000'])
        assert.ok(!audit.body.includes(secret), `the auditor's view holds ${secret}`);
    });
  });
}
