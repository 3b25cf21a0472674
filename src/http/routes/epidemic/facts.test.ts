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
import { FACT_KINDS } from '../../../domain/colour/facts.ts';
import { FACT_REQUIRED_FIELDS } from '../../../domain/fact-input.ts';
import { IMPORT_KIND_SPECS } from '../../../domain/imports/index.ts';

type Json = Record<string, unknown>;
interface Code {
  colour: string;
  until: string | null;
  reasons: { ruleId: string; factId: string; factKind: string }[];
}

const DOC = sampleApplication().documentNumber;

for (const dialect of DIALECTS) {
  describe(`facts start and end (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    let resident: string;
    const tokens: Record<string, string> = {};

    before(async () => {
      t = await createTestPlatform(dialect);
      await addStaff(t, [
        { username: 'officer', role: 'officer', divisionCode: '370100' },
        { username: 'far', role: 'officer', divisionCode: '370200' },
        { username: 'guard', role: 'checkpoint', divisionCode: '370102' },
      ]);
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
      for (const u of ['officer', 'far', 'guard']) tokens[u] = await staffToken(t, u);
    };
    const settle = async () => {
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
    };
    const myCode = async () =>
      (await t.app.inject({ method: 'GET', url: '/api/v1/me/code', headers: bearer(resident) })).json<Code>();
    const addFact = (fact: Json, as = 'officer') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/facts',
        headers: bearer(tokens[as] ?? ''),
        payload: { documentType: 'resident_id_card', documentNumber: DOC, fact },
      });
    const endFact = (factId: string, body: Json, as = 'officer') =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/facts/${encodeURIComponent(factId)}/end`,
        headers: bearer(tokens[as] ?? ''),
        payload: { documentType: 'resident_id_card', documentNumber: DOC, ...body },
      });
    const importCsv = async (kind: string, body: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/imports?kind=${kind}&format=csv`,
        headers: { ...bearer(tokens['officer'] ?? ''), 'content-type': 'text/csv' },
        payload: body,
      });
      assert.equal(res.statusCode, 202, res.body);
      await settle();
    };

    test('the fact kinds of addResidentFact are an enum in /openapi.json, with the import’s required fields', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
        paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: Json }> } }>>;
      }>();
      const schema = doc.paths['/api/v1/facts']?.['post']?.requestBody.content['application/json']
        ?.schema as {
        properties: { fact: { properties: { kind: { enum: string[]; description: string } } } };
      };
      assert.deepEqual(schema.properties.fact.properties.kind.enum, [...FACT_KINDS]);
      for (const spec of IMPORT_KIND_SPECS) {
        if (!(FACT_KINDS as readonly string[]).includes(spec.kind)) continue;
        const importRequired = spec.fields
          .filter(
            (f) => f.required && !['sourceId', 'documentType', 'documentNumber', 'from'].includes(f.target),
          )
          .map((f) => (f.target === 'temperatureDeciC' ? 'temperature' : f.target));
        assert.deepEqual(
          [...FACT_REQUIRED_FIELDS[spec.kind as (typeof FACT_KINDS)[number]]],
          importRequired,
          spec.kind,
        );
      }
      const missing = await addFact({ kind: 'asymptomaticContact', from: '2026-11-20' });
      assert.equal(missing.statusCode, 400);
      assert.match(missing.body, /fact\.isolation/);
      const reasonless = await addFact({ kind: 'riskManagement', from: '2026-11-20', level: 'high' });
      assert.equal(reasonless.statusCode, 400);
      assert.match(reasonless.body, /fact\.note/);
      const unknown = await addFact({ kind: 'sneezing', from: '2026-11-20' });
      assert.equal(unknown.statusCode, 400);
      assert.equal(errorCode(unknown), 'validation_failed');
    });

    test('an officer records a confirmed case, then its discharge: yellow for 14 days, then green', async () => {
      const confirmed = await addFact({ kind: 'confirmed', from: '2026-11-20' });
      assert.equal(confirmed.statusCode, 201, confirmed.body);
      assert.equal(confirmed.json<Json>()['colour'], 'red');
      assert.equal((await myCode()).colour, 'red');
      t.clock.set(Date.parse('2026-12-01T10:00:00+08:00'));
      await signInStaff();
      const discharged = await addFact({ kind: 'discharged', from: '2026-12-01' });
      assert.equal(discharged.statusCode, 201, discharged.body);
      const code = await myCode();
      assert.equal(code.colour, 'yellow');
      assert.equal(code.until, '2026-12-15T00:00:00+08:00');
      assert.deepEqual(
        code.reasons.map((r) => r.ruleId),
        ['yellow.discharged'],
      );
      t.clock.set(Date.parse('2026-12-14T23:59:00+08:00'));
      assert.equal((await myCode()).colour, 'yellow');
      t.clock.set(Date.parse('2026-12-15T00:00:00+08:00'));
      const after = await myCode();
      assert.equal(after.colour, 'green');
      assert.deepEqual(after.reasons, []);
    });

    test('an imported discharge ends an officer’s case; ending and withdrawing facts, audited, outlive re-imports', async () => {
      t.clock.set(Date.parse('2026-12-20T10:00:00+08:00'));
      await signInStaff();
      const suspected = await addFact({ kind: 'suspected', from: '2026-12-19' });
      assert.equal(suspected.json<Json>()['colour'], 'red');
      await importCsv(
        'discharged',
        `sourceId,documentType,documentNumber,dischargedAt,note\nD-1,resident_id_card,${DOC},2026-12-20,\n`,
      );
      let code = await myCode();
      assert.equal(code.colour, 'yellow');
      assert.equal(code.reasons[0]?.factId, 'import:discharged:D-1');

      // The imported discharge was a mistake: withdrawn, the suspected case is open again.
      const withdrawn = await endFact('import:discharged:D-1', {
        recordedInError: true,
        reason: 'Wrong person in the hospital export',
      });
      assert.equal(withdrawn.statusCode, 200, withdrawn.body);
      assert.equal(withdrawn.json<Json>()['action'], 'withdraw');
      assert.equal(withdrawn.json<Json>()['colour'], 'red');
      // Importing the same file again does not bring it back.
      await importCsv(
        'discharged',
        `sourceId,documentType,documentNumber,dischargedAt,note\nD-1,resident_id_card,${DOC},2026-12-20,\n`,
      );
      assert.equal((await myCode()).colour, 'red');

      // The suspicion is ruled out: ended at a time, and the colour follows at once.
      const suspectedId = String(suspected.json<Json>()['factId']);
      const ended = await endFact(suspectedId, {
        to: '2026-12-20T09:00:00+08:00',
        reason: 'Ruled out by test',
      });
      assert.equal(ended.statusCode, 200, ended.body);
      assert.equal(ended.json<Json>()['to'], '2026-12-20T09:00:00+08:00');
      assert.equal(ended.json<Json>()['colour'], 'green');
      code = await myCode();
      assert.equal(code.colour, 'green');

      const audit = await t.platform.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('action', '=', 'end_resident_fact')
        .execute();
      assert.equal(audit.length, 2);
      assert.ok(audit.some((a) => String(a.detail).includes('Ruled out by test')));
    });

    test('endResidentFact refuses what it cannot do, and stores nothing', async () => {
      t.clock.set(Date.parse('2026-12-21T10:00:00+08:00'));
      await signInStaff();
      const fever = await addFact({ kind: 'feverClinic', from: '2026-12-21' });
      const id = String(fever.json<Json>()['factId']);
      const cases: [Json, string, number, string][] = [
        [{ reason: 'x', to: '2026-12-20' }, 'officer', 400, 'validation_failed'],
        [{ reason: 'x', to: '2026-12-22' }, 'officer', 400, 'validation_failed'],
        [{ reason: 'x', to: 'yesterday' }, 'officer', 400, 'validation_failed'],
        [{ reason: 'x', to: '2026-12-21', recordedInError: true }, 'officer', 400, 'validation_failed'],
        [{ reason: '   ' }, 'officer', 400, 'validation_failed'],
        [{ reason: 'x' }, 'far', 403, 'out_of_jurisdiction'],
        [{ reason: 'x' }, 'guard', 403, 'forbidden'],
      ];
      for (const [body, as, status, code] of cases) {
        const r = await endFact(id, body, as);
        assert.equal(r.statusCode, status, `${JSON.stringify(body)} as ${as}: ${r.body}`);
        assert.equal(errorCode(r), code);
      }
      const unknown = await endFact('no-such-fact', { reason: 'x' });
      assert.equal(unknown.statusCode, 404);
      assert.equal(errorCode(unknown), 'fact_not_found');
      const corrections = await t.platform.db
        .selectFrom('fact_corrections')
        .select('fact_id')
        .where('fact_id', '=', id)
        .execute();
      assert.deepEqual(corrections, []);
      assert.equal((await myCode()).colour, 'yellow');
    });
  });
}
