import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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
import { totpAt } from '../../../use-cases/second-factor.ts';
import { DAY_MS } from '../../../domain/types.ts';

/**
 * Issue 11 item 2 (S17): the hospital role reads the code as the electronic health card (identity to
 * it alone, audited, in the resident's access log) and records fever-clinic visits that turn the
 * colour at once. Production mode: hospital accounts sign in with password and TOTP.
 */
for (const dialect of DIALECTS) {
  describe(`hospitals (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    const tokens: Record<string, string> = {};
    const venues: Record<string, number> = {};
    const documentNumber = residentIdNumber('37010219900307123');
    const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, who: string, payload?: object) =>
      t.app.inject({ method, url, headers: bearer(tokens[who] ?? who), ...(payload ? { payload } : {}) });
    const myCode = async (who: string) =>
      (await call('GET', '/api/v1/me/code', who)).json<{ code: string }>().code;
    const colourOf = async (who: string) =>
      (await call('GET', '/api/v1/me/code', who)).json<{ colour: string }>().colour;
    const read = (code: string, who = 'hospital') =>
      call('POST', '/api/v1/hospital/card-reads', who, { code });
    const visit = (body: object, who = 'hospital') =>
      call('POST', '/api/v1/hospital/fever-clinic-visits', who, body);
    const countRows = async (table: 'facts' | 'audit_log', action?: string) => {
      let q = t.platform.db.selectFrom(table as 'facts').select((eb) => eb.fn.countAll().as('n'));
      if (action !== undefined) q = q.where('action' as never, '=', action as never);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };

    before(async () => {
      t = await createTestPlatform(dialect, { mode: 'production' });
      await addStaff(t, [
        { username: 'officer', role: 'officer', divisionCode: '370100' },
        { username: 'admin', role: 'admin', divisionCode: '000000' },
        { username: 'auditor', role: 'auditor', divisionCode: '000000' },
      ]);
      for (const u of ['officer', 'admin', 'auditor']) tokens[u] = await staffToken(t, u);
      tokens['resident'] = await signInResident(t, '13800138000');
      tokens['other'] = await signInResident(t, '13800138001');
      tokens['manager'] = await signInResident(t, '13900139000');
      assert.equal(
        (await call('PUT', '/api/v1/me/application', 'resident', sampleApplication())).statusCode,
        200,
      );
      const otherApp = sampleApplication({
        name: '李四',
        mobile: '13800138001',
        documentNumber: residentIdNumber('37010219850101123'),
      });
      assert.equal((await call('PUT', '/api/v1/me/application', 'other', otherApp)).statusCode, 200);
      for (const [key, kind, approve] of [
        ['hospital', 'hospital', true],
        ['mall', 'mallOrSupermarket', true],
        ['pendingHospital', 'hospital', false],
      ] as const) {
        const v = await call('POST', '/api/v1/venues', 'manager', {
          name: `venue ${key}`,
          kind,
          address: { divisionCode: '370102', detail: '经十路 324 号' },
          contact: { name: '王经理', mobile: '13900139000' },
        });
        assert.equal(v.statusCode, 201, v.body);
        venues[key] = v.json<{ venueId: number }>().venueId;
        if (approve)
          assert.equal(
            (await call('POST', `/api/v1/venues/${venues[key]}/approval`, 'officer', {})).statusCode,
            200,
          );
      }
      // The admin creates the hospital account; its holder sets a password and enrols TOTP by the link.
      const created = await call('POST', '/api/v1/staff', 'admin', {
        username: 'registration-desk',
        role: 'hospital',
        venueId: venues['hospital'],
        displayName: '挂号处 Registration desk',
      });
      assert.equal(created.statusCode, 201, created.body);
      const { account, setupLink } = created.json<{
        account: { venueId: number | null; divisionCodes: string[]; role: string };
        setupLink: { token: string };
      }>();
      assert.equal(account.role, 'hospital');
      assert.equal(account.venueId, venues['hospital']);
      assert.deepEqual(account.divisionCodes, ['370102'], 'the hospital’s district is the jurisdiction');
      const set = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-password-setups',
        payload: { token: setupLink.token, password: 'hospital-desk-pw-1' },
      });
      assert.equal(set.statusCode, 200, set.body);
      const secret = set.json<{ secondFactor: { secret: string } | null }>().secondFactor?.secret;
      assert.ok(secret, 'production: the hospital account enrols a second factor');
      const withoutTotp = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username: 'registration-desk', password: 'hospital-desk-pw-1' },
      });
      assert.equal(errorCode(withoutTotp), 'second_factor_required', withoutTotp.body);
      const signedIn = await t.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: {
          username: 'registration-desk',
          password: 'hospital-desk-pw-1',
          totp: totpAt(secret, t.clock.now()),
        },
      });
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      tokens['hospital'] = signedIn.json<{ token: string }>().token;
    });
    after(() => t.close());

    test('the hospital role gets the identity registration needs; every other role gets 403', async () => {
      const code = await myCode('resident');
      const r = await read(code);
      assert.equal(r.statusCode, 200, r.body);
      const card = r.json<Record<string, unknown>>();
      assert.equal(card['name'], '张小三');
      assert.equal(card['documentType'], 'resident_id_card');
      assert.equal(card['documentNumber'], documentNumber);
      assert.equal(card['mobile'], '+8613800138000');
      assert.match(String(card['healthCardId']), /\S/);
      assert.equal(card['colour'], 'green');
      assert.equal(card['codeKind'], 'personal');
      for (const who of ['officer', 'admin', 'auditor', 'resident', 'manager']) {
        const refused = await read(code, who);
        assert.equal(refused.statusCode, 403, `${who}: ${refused.body}`);
        assert.equal(errorCode(refused), 'forbidden');
        assert.doesNotMatch(refused.body, /张小三|370102/);
      }
      assert.equal(
        (await t.app.inject({ method: 'POST', url: '/api/v1/hospital/card-reads', payload: { code } }))
          .statusCode,
        401,
      );
    });

    test('the read is in the audit log and in the resident’s access log, naming the hospital', async () => {
      const before = await countRows('audit_log', 'hospital_read_card');
      assert.equal((await read(await myCode('resident'))).statusCode, 200);
      assert.equal(await countRows('audit_log', 'hospital_read_card'), before + 1);
      const log = await call('GET', '/api/v1/audit-log?action=hospital_read_card', 'auditor');
      assert.equal(log.statusCode, 200, log.body);
      assert.match(log.body, /hospital_read_card/);
      assert.doesNotMatch(log.body, /张小三/, 'the audit log carries nothing personal');
      const access = await call('GET', '/api/v1/me/access-log', 'resident');
      assert.equal(access.statusCode, 200, access.body);
      const entries = access.json<{
        entries: {
          kind: string;
          action: string;
          venue?: { venueId: number; name: string };
          actor: { role?: string };
        }[];
      }>().entries;
      const reads = entries.filter((e) => e.action === 'hospital_read_card');
      assert.ok(reads.length >= 1, access.body);
      assert.equal(reads[0]?.kind, 'hospital_registration');
      assert.equal(reads[0]?.actor.role, 'hospital');
      assert.deepEqual(reads[0]?.venue, { venueId: venues['hospital'], name: 'venue hospital' });
      // The other resident's log shows no read of theirs.
      const otherLog = await call('GET', '/api/v1/me/access-log', 'other');
      assert.doesNotMatch(otherLog.body, /hospital_read_card/);
    });

    test('a recorded fever-clinic visit turns the resident yellow at once; sending it again stores nothing new', async () => {
      assert.equal(await colourOf('other'), 'green');
      const clientVisitId = randomUUID();
      const code = await myCode('other');
      const r = await visit({ code, clientVisitId, temperature: 38.2 });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json<{ colour: string; duplicate: boolean; reasons: { ruleId: string }[] }>();
      assert.equal(body.colour, 'yellow');
      assert.equal(body.duplicate, false);
      assert.equal(await colourOf('other'), 'yellow', 'the code shows yellow at once');
      // A checkpoint's verification sees it too (the colour now, from the database).
      const facts = await countRows('facts');
      const again = await visit({ code, clientVisitId, temperature: 38.2 });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json<{ duplicate: boolean }>().duplicate, true);
      assert.equal(await countRows('facts'), facts);
      const reused = await visit({ code: await myCode('resident'), clientVisitId });
      assert.equal(reused.statusCode, 409, reused.body);
      assert.equal(errorCode(reused), 'client_visit_id_reused');
      assert.equal(await countRows('facts'), facts);
      assert.equal(await colourOf('resident'), 'green', 'a refused visit changes nobody');
      const access = await call('GET', '/api/v1/me/access-log', 'other');
      assert.match(access.body, /record_fever_clinic_visit/);
      // The resident's "why this colour" names the hospital as the source.
      const inputs = await call('GET', '/api/v1/me/colour-inputs', 'other');
      assert.equal(inputs.statusCode, 200, inputs.body);
      assert.match(inputs.body, /"hospital"/);
    });

    test('bad input is a 4xx with a stable code and stores nothing', async () => {
      const code = await myCode('resident');
      const facts = await countRows('facts');
      const audits = await countRows('audit_log');
      const cases: [object, number, string][] = [
        [{ code: 'not a code', clientVisitId: randomUUID() }, 400, 'health_code_invalid'],
        [{ code, clientVisitId: 'visit-1' }, 400, 'validation_failed'],
        [{ code, clientVisitId: randomUUID(), visitedAt: 'yesterday' }, 400, 'validation_failed'],
        [
          { code, clientVisitId: randomUUID(), visitedAt: new Date(t.clock.now() + DAY_MS).toISOString() },
          400,
          'validation_failed',
        ],
        [
          {
            code,
            clientVisitId: randomUUID(),
            visitedAt: new Date(t.clock.now() - 8 * DAY_MS).toISOString(),
          },
          400,
          'validation_failed',
        ],
        [{ code, clientVisitId: randomUUID(), temperature: 52 }, 400, 'validation_failed'],
        [{ code, clientVisitId: randomUUID(), extra: 1 }, 400, 'validation_failed'],
      ];
      for (const [body, status, expected] of cases) {
        const r = await visit(body);
        assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
        assert.equal(errorCode(r), expected, r.body);
      }
      const tampered = await read(code.slice(0, -4) + (code.endsWith('AAAA') ? 'BBBB' : 'AAAA'));
      assert.equal(tampered.statusCode, 400, tampered.body);
      assert.equal(errorCode(tampered), 'health_code_invalid');
      // An expired code is refused with the reason.
      t.clock.advance(30 * 60_000);
      const expired = await read(code);
      assert.equal(errorCode(expired), 'health_code_invalid', expired.body);
      assert.match(expired.json<{ error: { message: string } }>().error.message, /expired/);
      t.clock.advance(-30 * 60_000);
      assert.equal(await countRows('facts'), facts);
      assert.equal(await countRows('audit_log'), audits);
      assert.equal(await colourOf('resident'), 'green');
    });

    test('hospital accounts belong to an approved hospital venue; the role and the venue go together', async () => {
      const make = (body: object) =>
        call('POST', '/api/v1/staff', 'admin', {
          username: `h-${randomUUID().slice(0, 8)}`,
          displayName: 'Desk',
          ...body,
        });
      const cases: [object, number, string][] = [
        [{ role: 'hospital' }, 400, 'validation_failed'],
        [{ role: 'hospital', venueId: venues['mall'] }, 409, 'venue_not_hospital'],
        [{ role: 'hospital', venueId: venues['pendingHospital'] }, 409, 'venue_not_approved'],
        [{ role: 'hospital', venueId: 999_999 }, 404, 'venue_not_found'],
        [
          { role: 'officer', divisionCodes: ['370102'], venueId: venues['hospital'] },
          400,
          'validation_failed',
        ],
        [{ role: 'officer' }, 400, 'validation_failed'],
      ];
      const staffBefore = await t.platform.db
        .selectFrom('staff')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      for (const [body, status, code] of cases) {
        const r = await make(body);
        assert.equal(r.statusCode, status, `${JSON.stringify(body)}: ${r.body}`);
        assert.equal(errorCode(r), code, r.body);
      }
      const staffAfter = await t.platform.db
        .selectFrom('staff')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(staffAfter.n), Number(staffBefore.n), 'nothing was created');
      const list = await call('GET', '/api/v1/staff', 'admin');
      const desk = list
        .json<{ accounts: { username: string; staffId: number }[] }>()
        .accounts.find((a) => a.username === 'registration-desk');
      assert.ok(desk);
      const demote = await call('PATCH', `/api/v1/staff/${desk.staffId}`, 'admin', { role: 'officer' });
      assert.equal(errorCode(demote), 'validation_failed', demote.body);
    });
  });
}
