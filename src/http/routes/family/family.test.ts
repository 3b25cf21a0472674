import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { needsTools, runTool } from '../../../../test/support/machine.ts';
import { DAY_MS } from '../../../domain/types.ts';

type Json = Record<string, unknown>;

const GRANDMA_DOC = residentIdNumber('37010219400101002');
/** A member's seven items: an application without the pledge, which the proxy makes. */
const itemsOf = (application: Json): Json => {
  const { pledge: _pledge, ...items } = application;
  return items;
};
const grandma = (overrides: Json = {}) =>
  itemsOf(
    sampleApplication({
      name: '王秀英',
      documentNumber: GRANDMA_DOC,
      address: { divisionCode: '370102', detail: '泉城路 1 号' },
      ...overrides,
    }),
  );

/** The QR texts of a PDF, as a phone camera would read them from the printed page. */
function qrTextsOf(pdf: Buffer): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'paper-'));
  writeFileSync(join(dir, 'code.pdf'), pdf);
  runTool('pdftoppm', ['-r', '150', '-png', join(dir, 'code.pdf'), join(dir, 'page')]);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.png'))
    .map((f) => runTool('zbarimg', ['--nodbus', '--quiet', '--raw', join(dir, f)]));
}

function pdfText(pdf: Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'paper-')), 'code.pdf');
  writeFileSync(file, pdf);
  return runTool('pdftotext', [file, '-']);
}

for (const dialect of DIALECTS) {
  describe(
    `family members, paper codes, no-code lane (${dialect})`,
    await dialectSuiteOptions(dialect),
    () => {
      let t: TestPlatform;
      const tokens: Record<string, string> = {};
      let memberId = '';

      before(async () => {
        t = await createTestPlatform(dialect);
        await addStaff(t, [
          { username: 'guard', role: 'checkpoint', divisionCode: '370102' },
          { username: 'guard2', role: 'checkpoint', divisionCode: '370102' },
          { username: 'officer', role: 'officer', divisionCode: '370100' },
        ]);
        await signInStaff();
        for (const [who, mobile, doc] of [
          ['proxy', '13800138000', residentIdNumber('37010219900307123')],
          ['sister', '13800138001', residentIdNumber('37010219920307124')],
          ['cousin', '13800138002', residentIdNumber('37010219930307125')],
        ] as const) {
          tokens[who] = await signInResident(t, mobile);
          const applied = await t.app.inject({
            method: 'PUT',
            url: '/api/v1/me/application',
            headers: bearer(tokens[who] ?? ''),
            payload: sampleApplication({ mobile, documentNumber: doc }),
          });
          assert.equal(applied.statusCode, 200, applied.body);
        }
      });
      after(() => t.close());

      const signInStaff = async () => {
        for (const u of ['guard', 'guard2', 'officer']) tokens[u] = await staffToken(t, u);
      };
      const as = (who: string) => bearer(tokens[who] ?? '');
      const add = (who: string, member: Json, extra: Json = {}) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/me/family-members',
          headers: as(who),
          payload: { relationship: 'grandparent', member, pledge: true, ...extra },
        });
      const list = async (who: string) =>
        (await t.app.inject({ method: 'GET', url: '/api/v1/me/family-members', headers: as(who) })).json<{
          members: { memberId: string; maskedName: string; colour: string; ownAccount: boolean }[];
          proxies: { memberId: string; proxyMaskedName: string }[];
          limits: { membersPerProxy: number; proxiesPerMember: number };
        }>();
      const memberCode = (who: string, id: string) =>
        t.app.inject({ method: 'GET', url: `/api/v1/me/family-members/${id}/code`, headers: as(who) });
      const verify = async (code: string) =>
        (
          await t.app.inject({
            method: 'POST',
            url: '/api/v1/verifications',
            headers: as('guard'),
            payload: { code },
          })
        ).json<Json>();
      const bindings = async () =>
        Number(
          (
            await t.platform.db
              .selectFrom('family_bindings')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const audited = async (action: string) =>
        t.platform.db
          .selectFrom('audit_log')
          .select(['resident_id', 'detail'])
          .where('action', '=', action)
          .execute();

      test('a proxy adds a member, who gets their own record and code; each view is in the member’s log', async () => {
        const added = await add('proxy', grandma());
        assert.equal(added.statusCode, 201, added.body);
        const body = added.json<Json>();
        memberId = String(body['memberId']);
        assert.equal(body['maskedName'], '王*英');
        assert.equal(body['colour'], 'green');
        const listed = await list('proxy');
        assert.deepEqual(
          listed.members.map((m) => [m.memberId, m.maskedName, m.ownAccount]),
          [[memberId, '王*英', false]],
        );
        assert.deepEqual(listed.limits, { membersPerProxy: 8, proxiesPerMember: 2 });

        const code = await memberCode('proxy', memberId);
        assert.equal(code.statusCode, 200, code.body);
        assert.equal(code.json<Json>()['maskedName'], '王*英');
        const v = await verify(String(code.json<Json>()['code']));
        assert.equal(v['valid'], true);
        assert.equal(v['maskedName'], '王*英');
        const views = await audited('proxy_view_code');
        assert.equal(views.length, 1);
        // Someone else's binding id is not found, not forbidden.
        const other = await memberCode('sister', memberId);
        assert.equal(other.statusCode, 404);
        assert.equal(errorCode(other), 'family_member_not_found');
      });

      test('bad input: each a 4xx with a stable code, and nothing stored', async () => {
        const before = await bindings();
        const cases: [Json, Json, number, string][] = [
          [itemsOf(sampleApplication()), {}, 400, 'family_member_is_proxy'],
          [grandma(), {}, 409, 'family_member_already_bound'],
          [grandma({ documentNumber: `${GRANDMA_DOC.slice(0, 17)}0` }), {}, 400, 'validation_failed'],
          [
            grandma({ documentNumber: residentIdNumber('37010219400101003') }),
            { pledge: false },
            400,
            'validation_failed',
          ],
          [grandma(), { relationship: 'neighbour' }, 400, 'validation_failed'],
          // The same document with another name: not the same person, so not bound.
          [grandma({ name: '李秀英' }), {}, 409, 'document_taken'],
        ];
        for (const [member, extra, status, code] of cases) {
          const r = await add(member === cases[5]?.[0] ? 'sister' : 'proxy', member, extra);
          assert.equal(r.statusCode, status, `${JSON.stringify(extra)}: ${r.body}`);
          assert.equal(errorCode(r), code, r.body);
        }
        // A person who applied with their own number cannot be added by anyone.
        const self = await add(
          'sister',
          itemsOf(
            sampleApplication({
              mobile: '13800138002',
              documentNumber: residentIdNumber('37010219930307125'),
            }),
          ),
        );
        assert.equal(errorCode(self), 'document_taken');
        assert.equal(await bindings(), before);
      });

      test('limits: at most 2 proxies per member and 8 members per proxy', async () => {
        const second = await add('sister', grandma());
        assert.equal(second.statusCode, 201, second.body);
        const third = await add('cousin', grandma());
        assert.equal(third.statusCode, 409);
        assert.equal(errorCode(third), 'member_proxies_limit');
        for (let i = 1; i <= 7; i++) {
          const r = await add(
            'cousin',
            grandma({
              name: `孙${'一二三四五六七'[i - 1]}`,
              documentNumber: residentIdNumber(`3701022015010100${i}`),
            }),
            { relationship: 'grandchild' },
          );
          assert.equal(r.statusCode, 201, r.body);
        }
        const eighth = await add(
          'cousin',
          grandma({ name: '孙八', documentNumber: residentIdNumber('37010220150101008') }),
        );
        assert.equal(eighth.statusCode, 201, eighth.body);
        const ninth = await add(
          'cousin',
          grandma({ name: '孙九', documentNumber: residentIdNumber('37010220150101009') }),
        );
        assert.equal(ninth.statusCode, 409);
        assert.equal(errorCode(ninth), 'family_members_limit');
        assert.equal((await list('cousin')).members.length, 8);
      });

      test(
        'paper code: its QR decodes and verifies; the colour now wins online; reprint, revoke and expiry end it',
        needsTools('pdftoppm', 'pdftotext', 'zbarimg'),
        async () => {
          const print = () =>
            t.app.inject({
              method: 'POST',
              url: '/api/v1/me/paper-codes',
              headers: as('proxy'),
              payload: { memberId, size: 'A6' },
            });
          const first = await print();
          assert.equal(first.statusCode, 201, first.body);
          assert.equal(first.headers['content-type'], 'application/pdf');
          const paper = qrTextsOf(first.rawPayload)[0] ?? '';
          const text = pdfText(first.rawPayload);
          assert.match(text, /王\*英/);
          assert.ok(!text.includes('王秀英'), 'never the full name');
          assert.ok(!text.includes(GRANDMA_DOC), 'never the document');
          assert.ok(paper.startsWith('HPC1:'), paper);
          let v = await verify(paper);
          assert.equal(v['valid'], true, JSON.stringify(v));
          assert.equal(v['kind'], 'paper');
          assert.equal(v['colour'], 'green');

          // The member turns red: the proxy's view, the paper code online and the no-code lane all say red.
          const fact = await t.app.inject({
            method: 'POST',
            url: '/api/v1/facts',
            headers: as('officer'),
            payload: {
              documentType: 'resident_id_card',
              documentNumber: GRANDMA_DOC,
              fact: { kind: 'confirmed', from: '2026-11-24' },
            },
          });
          assert.equal(fact.statusCode, 201, fact.body);
          assert.equal((await memberCode('proxy', memberId)).json<Json>()['colour'], 'red');
          v = await verify(paper);
          assert.equal(v['colour'], 'red');
          assert.equal(v['colourAtIssue'], 'green');
          const lane = await t.app.inject({
            method: 'POST',
            url: '/api/v1/document-lookups',
            headers: as('guard2'),
            payload: { documentType: 'resident_id_card', documentNumber: GRANDMA_DOC },
          });
          assert.equal(lane.statusCode, 200, lane.body);
          assert.equal(lane.json<Json>()['colour'], 'red');
          assert.equal(lane.json<Json>()['maskedName'], '王*英');

          // Reprinting ends the first; revoking ends the second.
          const second = await print();
          const [reprinted] = qrTextsOf(second.rawPayload);
          assert.equal((await verify(paper))['reason'], 'paper_replaced');
          assert.equal((await verify(String(reprinted)))['valid'], true);
          const revoked = await t.app.inject({
            method: 'POST',
            url: '/api/v1/me/paper-codes/revoke',
            headers: as('proxy'),
            payload: { memberId },
          });
          assert.equal(revoked.json<Json>()['revoked'], true);
          assert.equal((await verify(String(reprinted)))['reason'], 'paper_replaced');

          // A paper code past its 14 days is refused as expired — reprint.
          const third = await print();
          const [latest] = qrTextsOf(third.rawPayload);
          t.clock.advance(14 * DAY_MS + 60 * 60_000);
          await signInStaff();
          const expired = await verify(String(latest));
          assert.equal(expired['reason'], 'paper_expired');
          assert.match(String(expired['message']), /重新打印/);
          assert.match(String(expired['message']), /reprint/);
        },
      );

      test('no-code lane: the 121st lookup in an hour is 429 with a retry time; each lookup is audited', async () => {
        const lookup = (documentNumber: string) =>
          t.app.inject({
            method: 'POST',
            url: '/api/v1/document-lookups',
            headers: as('guard'),
            payload: { documentType: 'resident_id_card', documentNumber },
          });
        const badDigit = await lookup(`${GRANDMA_DOC.slice(0, 17)}0`);
        assert.equal(badDigit.statusCode, 400);
        assert.equal(errorCode(badDigit), 'validation_failed');
        const before = (await audited('lookup_by_document')).length;
        for (let i = 1; i <= 120; i++) {
          const r = await lookup(GRANDMA_DOC);
          assert.equal(r.statusCode, 200, `lookup ${i}: ${r.body}`);
        }
        const refused = await lookup(GRANDMA_DOC);
        assert.equal(refused.statusCode, 429);
        assert.equal(errorCode(refused), 'rate_limited');
        assert.ok(Number(refused.headers['retry-after']) > 0, String(refused.headers['retry-after']));
        assert.equal((await audited('lookup_by_document')).length - before, 120);
        // Another account is not affected.
        const other = await t.app.inject({
          method: 'POST',
          url: '/api/v1/document-lookups',
          headers: as('guard2'),
          payload: { documentType: 'resident_id_card', documentNumber: GRANDMA_DOC },
        });
        assert.equal(other.statusCode, 200);
      });

      test('the member signs in with their own number: takes the record over, sees and removes a proxy', async () => {
        const own = await signInResident(t, '13700137000');
        const applied = await t.app.inject({
          method: 'PUT',
          url: '/api/v1/me/application',
          headers: bearer(own),
          payload: { ...grandma({ mobile: '13700137000' }), pledge: true },
        });
        assert.equal(applied.statusCode, 200, applied.body);
        assert.equal(applied.json<Json>()['colour'], 'red', 'the same record, with its facts');
        tokens['grandma'] = own;
        assert.equal((await list('proxy')).members[0]?.ownAccount, true);
        const mine = await list('grandma');
        assert.equal(mine.proxies.length, 2);
        const access = (
          await t.app.inject({ method: 'GET', url: '/api/v1/me/data-access', headers: bearer(own) })
        ).json<{
          entries: { action: string; actor: { kind: string; maskedName?: string; role?: string } }[];
        }>();
        assert.ok(
          access.entries.some((e) => e.action === 'proxy_view_code' && e.actor.maskedName === '张*三'),
        );
        assert.ok(
          access.entries.some((e) => e.action === 'lookup_by_document' && e.actor.role === 'checkpoint'),
        );
        const removed = await t.app.inject({
          method: 'DELETE',
          url: `/api/v1/me/family-members/${memberId}`,
          headers: bearer(own),
        });
        assert.equal(removed.statusCode, 204, removed.body);
        assert.equal((await list('proxy')).members.length, 0);
        assert.equal((await list('grandma')).proxies.length, 1);
        const gone = await memberCode('proxy', memberId);
        assert.equal(errorCode(gone), 'family_member_not_found');
      });
    },
  );
}
