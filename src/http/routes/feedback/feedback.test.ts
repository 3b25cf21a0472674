import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { insertStaff } from '../../../storage/staff.ts';
import { hashPassword } from '../../../use-cases/passwords.ts';
import { sql } from 'kysely';
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
import { DAY_MS } from '../../../domain/types.ts';
import { DEFAULT_POLICY, DEFAULT_SERVICES } from '../../../domain/colour/index.ts';
import { escalateAppeals } from '../../../use-cases/feedback.ts';
import { sendNoticeSms } from '../../../use-cases/notices.ts';
import { purge } from '../../../use-cases/retention.ts';
import { NOTICE_SMS_TEXT } from '../../../use-cases/sms.ts';

type Json = Record<string, unknown>;

const DOC = residentIdNumber('37010219900307123');
const OTHER_DOC = residentIdNumber('37010219910307124');
const HOUR = 3_600_000;
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
/** The start of a Windows executable (MZ header). */
const EXE = Buffer.concat([
  Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1'),
  Buffer.alloc(64),
]);
const file = (mediaType: string, bytes: Buffer) => ({ mediaType, data: bytes.toString('base64') });

for (const dialect of DIALECTS) {
  describe(`feedback, appeals and notices (${dialect})`, await dialectSuiteOptions(dialect), () => {
    let t: TestPlatform;
    const tokens: Record<string, string> = {};

    before(async () => {
      t = await createTestPlatform(dialect);
      await addStaff(t, [
        { username: 'officer', role: 'officer', divisionCode: '370102' },
        { username: 'other', role: 'officer', divisionCode: '370103' },
        { username: 'admin', role: 'admin', divisionCode: '000000' },
      ]);
      // An officer serving two counties: 370103 first, and the resident's 370102 as a further one.
      await insertStaff(t.platform.db, {
        username: 'two-counties',
        role: 'officer',
        divisionCode: '370103',
        moreDivisions: ['370102'],
        displayName: 'two counties',
        passwordHash: await hashPassword('pw'),
        createdAt: t.clock.now(),
      });
      await signInStaff();
      for (const [who, mobile, doc] of [
        ['resident', '13800138000', DOC],
        ['stranger', '13800138001', OTHER_DOC],
      ] as const) {
        tokens[who] = await signInResident(t, mobile);
        const applied = await t.app.inject({
          method: 'PUT',
          url: '/api/v1/me/application',
          headers: as(who),
          payload: sampleApplication({ mobile, documentNumber: doc }),
        });
        assert.equal(applied.statusCode, 200, applied.body);
      }
    });
    after(() => t.close());

    const as = (who: string) => bearer(tokens[who] ?? '');
    const signInStaff = async () => {
      for (const u of ['officer', 'other', 'admin', 'two-counties']) tokens[u] = await staffToken(t, u);
    };
    const get = (who: string, url: string) => t.app.inject({ method: 'GET', url, headers: as(who) });
    const post = (who: string, url: string, payload: Json) =>
      t.app.inject({ method: 'POST', url, headers: as(who), payload });
    const count = async (table: string) =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.platform.db))
          .rows[0]?.n,
      );
    const counts = async () => ({
      feedback: await count('feedback'),
      appeals: await count('appeals'),
      attachments: await count('attachments'),
    });
    const addFact = (fact: Json) =>
      post('officer', '/api/v1/facts', { documentType: 'resident_id_card', documentNumber: DOC, fact });
    const inputs = async (who = 'resident') => {
      const r = await get(who, '/api/v1/me/colour-inputs');
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{
        colour: string;
        inputs: (Json & { factId: string; source: Json; inReasons: boolean })[];
      }>();
    };
    const myAppeals = async () =>
      (await get('resident', '/api/v1/me/feedback')).json<{ appeals: (Json & { appealId: string })[] }>()
        .appeals;
    const notices = async () =>
      (await get('resident', '/api/v1/me/notices')).json<{ notices: Json[]; unread: number }>();

    test('a colour change is a notice in the inbox and one queued SMS with no health detail', async () => {
      const added = await addFact({ kind: 'feverClinic', from: '2026-11-24' });
      assert.equal(added.statusCode, 201, added.body);
      assert.equal(added.json<Json>()['colour'], 'yellow');
      // Nothing is sent while the change is made: the SMS waits in the outbox for the drain job.
      assert.equal(t.sms.notices.length, 0);
      const unread = async () => {
        const r = await get('resident', '/api/v1/me/notices/unread');
        assert.equal(r.statusCode, 200, r.body);
        return r.json<{ unread: number }>().unread;
      };
      assert.equal(await unread(), 1, 'the badge counts it');
      assert.equal(await unread(), 1, 'counting marks nothing as read');
      assert.equal((await get('officer', '/api/v1/me/notices/unread')).statusCode, 403, 'residents only');
      const newcomer = await signInResident(t, '13800138009');
      const before = await t.app.inject({
        method: 'GET',
        url: '/api/v1/me/notices/unread',
        headers: bearer(newcomer),
      });
      assert.equal(before.statusCode, 200, 'before applying: no notices, not 404');
      assert.deepEqual(before.json(), { unread: 0 });
      const inbox = await notices();
      assert.equal(inbox.unread, 1);
      assert.equal(inbox.notices[0]?.['kind'], 'colour_changed');
      assert.equal(inbox.notices[0]?.['colour'], 'yellow');
      assert.equal(inbox.notices[0]?.['read'], false);
      assert.equal((await notices()).unread, 0, 'opening the inbox read it');
      assert.equal(await unread(), 0, 'the badge follows the inbox');
      assert.deepEqual(await sendNoticeSms(t.platform), { sent: 1, failed: 0 });
      assert.deepEqual(await sendNoticeSms(t.platform), { sent: 0, failed: 0 }, 'sent once');
      assert.equal(t.sms.notices.length, 1);
      const sms = t.sms.notices[0];
      assert.equal(sms?.mobile, '+8613800138000');
      assert.equal(sms?.text, NOTICE_SMS_TEXT);
      for (const word of ['yellow', 'red', 'green', '黄', '红', '绿', 'fever', '发热', 'clinic', '张'])
        assert.ok(!(sms?.text ?? '').toLowerCase().includes(word), `the SMS says ${word}`);
    });

    test('the inputs of a colour show each fact with its source and dates', async () => {
      const got = await inputs();
      assert.equal(got.colour, 'yellow');
      const fever = got.inputs.find((i) => i['kind'] === 'feverClinic');
      assert.ok(fever);
      assert.equal(fever.source['type'], 'officer');
      assert.equal(fever.source['office'], '370102');
      assert.equal(fever.source['role'], 'officer');
      assert.equal(fever['from'], '2026-11-24T00:00:00+08:00');
      assert.equal(fever.inReasons, true);
      const imported = await t.app.inject({
        method: 'POST',
        url: '/api/v1/imports?kind=feverClinic&format=csv',
        headers: { ...as('officer'), 'content-type': 'text/csv' },
        payload: `sourceId,documentType,documentNumber,visitedAt,temperature,note\nFC-1,resident_id_card,${DOC},2026-11-23T09:00:00+08:00,38.2,\n`,
      });
      assert.equal(imported.statusCode, 202, imported.body);
      const importId = imported.json<{ importId: string }>().importId;
      while (t.platform.background.size > 0) await Promise.all([...t.platform.background]);
      const fromImport = (await inputs()).inputs.find((i) => i.factId === 'import:feverClinic:FC-1');
      assert.ok(fromImport, 'the imported record is an input');
      assert.equal(fromImport.source['type'], 'import');
      assert.equal(fromImport.source['importId'], importId);
      assert.equal(fromImport.source['sourceId'], 'FC-1');
      assert.equal(fromImport.source['importKind'], 'feverClinic');
      assert.equal(fromImport['recordedAt'], '2026-11-25T10:00:00+08:00');
    });

    test('feedback: filed with an attachment, answered by the office of the division only', async () => {
      const filed = await post('resident', '/api/v1/me/feedback', {
        kind: 'registration',
        text: '我的住址登记错了',
        attachments: [file('image/png', PNG), file('application/pdf', PDF)],
      });
      assert.equal(filed.statusCode, 201, filed.body);
      const view = filed.json<{ feedbackId: string; state: string; attachments: Json[] }>();
      assert.equal(view.state, 'new');
      assert.deepEqual(
        view.attachments.map((a) => [a['mediaType'], a['size']]),
        [
          ['image/png', PNG.length],
          ['application/pdf', PDF.length],
        ],
      );
      const stored = await sql<{
        bytes: Uint8Array;
        sha256: string;
      }>`select bytes, sha256 from attachments where owner_id = ${view.feedbackId} order by position`.execute(
        t.platform.db,
      );
      assert.ok(Buffer.from(stored.rows[0]?.bytes ?? []).equals(PNG), 'the bytes are stored as sent');

      // The office opens the attachments (getAttachment); another county's officer cannot; the read
      // is audited and shows in the resident's access log.
      const [png, pdf] = view.attachments.map((a) => String(a['attachmentId']));
      const opened = await get('officer', `/api/v1/attachments/${png}`);
      assert.equal(opened.statusCode, 200, opened.body);
      assert.equal(opened.headers['content-type'], 'image/png');
      assert.match(
        String(opened.headers['content-disposition']),
        /^attachment; filename="attachment-[0-9a-f]{8}\.png"$/,
      );
      assert.ok(opened.rawPayload.equals(PNG));
      const openedPdf = await get('admin', `/api/v1/attachments/${pdf}`);
      assert.equal(openedPdf.headers['content-type'], 'application/pdf');
      assert.ok(openedPdf.rawPayload.equals(PDF));
      const elsewhere = await get('other', `/api/v1/attachments/${png}`);
      assert.equal(elsewhere.statusCode, 404);
      assert.equal(errorCode(elsewhere), 'attachment_not_found');
      assert.equal(errorCode(await get('resident', `/api/v1/attachments/${png}`)), 'forbidden');
      assert.equal(errorCode(await get('officer', '/api/v1/attachments/not-a-uuid')), 'validation_failed');
      assert.equal(
        errorCode(await get('officer', '/api/v1/attachments/00000000-0000-4000-8000-000000000000')),
        'attachment_not_found',
      );
      const reads = await sql<{
        n: number;
      }>`select count(*) as n from audit_log where action = 'read_attachment'`.execute(t.platform.db);
      assert.equal(Number(reads.rows[0]?.n), 2, 'each read audited; refused ones not');
      const log = (await get('resident', '/api/v1/me/access-log')).json<{ entries: Json[] }>().entries;
      assert.ok(
        log.some((e) => e['kind'] === 'staff_lookup' && e['action'] === 'read_attachment'),
        JSON.stringify(log.slice(0, 3)),
      );

      const listed = (id: string, who: string) =>
        get(who, '/api/v1/feedback?state=new').then((r) =>
          r
            .json<{ feedback: { feedbackId: string; maskedName: string }[] }>()
            .feedback.some((f) => f.feedbackId === id),
        );
      assert.equal(await listed(view.feedbackId, 'officer'), true);
      assert.equal(await listed(view.feedbackId, 'admin'), true);
      assert.equal(await listed(view.feedbackId, 'other'), false, 'another county does not see it');
      assert.equal(
        await listed(view.feedbackId, 'two-counties'),
        true,
        'an officer of several counties sees each',
      );
      assert.equal((await get('two-counties', `/api/v1/attachments/${png}`)).statusCode, 200);
      const url = `/api/v1/feedback/${view.feedbackId}/answer`;
      const foreign = await post('other', url, { answer: '已更正' });
      assert.equal(foreign.statusCode, 404);
      assert.equal(errorCode(foreign), 'feedback_not_found');
      assert.equal(errorCode(await post('resident', url, { answer: 'x' })), 'forbidden');
      assert.equal(errorCode(await post('officer', url, { answer: '  ' })), 'validation_failed');
      const answered = await post('officer', url, { answer: '已更正，请重新申领', close: true });
      assert.equal(answered.statusCode, 200, answered.body);
      assert.equal(answered.json<Json>()['state'], 'closed');
      assert.equal(errorCode(await post('officer', url, { answer: 'again' })), 'feedback_closed');
      const mine = (await get('resident', '/api/v1/me/feedback')).json<{ feedback: Json[] }>().feedback;
      assert.equal(mine[0]?.['answer'], '已更正，请重新申领');
      const answeredNotice = (await notices()).notices.find((n) => n['kind'] === 'feedback_answered');
      assert.equal(answeredNotice?.['feedbackId'], view.feedbackId);
    });

    test('bad attachments and empty text are refused with their codes, and nothing is stored', async () => {
      const before = await counts();
      const cases: [string, Json, number, string][] = [
        ['empty text', { kind: 'other', text: '   ' }, 400, 'validation_failed'],
        [
          'a PNG declared as PDF',
          { kind: 'other', text: 'x', attachments: [file('application/pdf', PNG)] },
          415,
          'attachment_type_mismatch',
        ],
        [
          'an executable declared as PNG',
          { kind: 'other', text: 'x', attachments: [file('image/png', EXE)] },
          415,
          'attachment_type_mismatch',
        ],
        [
          'a valid file, then a file over 5 MB',
          {
            kind: 'other',
            text: 'x',
            attachments: [
              file('image/png', PNG),
              file('image/png', Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 + 1 - PNG.length)])),
            ],
          },
          413,
          'attachment_too_large',
        ],
        [
          'text/plain declared as an image',
          { kind: 'other', text: 'x', attachments: [file('image/jpeg', Buffer.from('hello'))] },
          415,
          'attachment_type_mismatch',
        ],
        [
          'not base64',
          { kind: 'other', text: 'x', attachments: [{ mediaType: 'image/png', data: '%%%%' }] },
          400,
          'validation_failed',
        ],
      ];
      for (const [name, body, status, code] of cases) {
        const r = await post('resident', '/api/v1/me/feedback', body);
        assert.equal(r.statusCode, status, `${name}: ${r.body.slice(0, 200)}`);
        assert.equal(errorCode(r), code, name);
        const a = await post('resident', '/api/v1/me/appeals', {
          factId: 'import:feverClinic:FC-1',
          explanation: name === 'empty text' ? ' ' : 'x',
          ...(body['attachments'] === undefined ? {} : { attachments: body['attachments'] }),
        });
        assert.equal(a.statusCode, status, `appeal, ${name}: ${a.body.slice(0, 200)}`);
        assert.equal(errorCode(a), code, `appeal, ${name}`);
      }
      const unknownFact = await post('resident', '/api/v1/me/appeals', { factId: 'nope', explanation: 'x' });
      assert.equal(unknownFact.statusCode, 404);
      assert.equal(errorCode(unknownFact), 'fact_not_found');
      const notMine = await post('stranger', '/api/v1/me/appeals', {
        factId: 'import:feverClinic:FC-1',
        explanation: '这是我邻居的',
        memberId: '00000000-0000-4000-8000-000000000000',
      });
      assert.equal(notMine.statusCode, 404);
      assert.equal(errorCode(notMine), 'family_member_not_found');
      const strangersOwn = await post('stranger', '/api/v1/me/appeals', {
        factId: 'import:feverClinic:FC-1',
        explanation: 'someone else’s fact',
      });
      assert.equal(
        errorCode(strangersOwn),
        'fact_not_found',
        'another resident’s fact is not an input of mine',
      );
      assert.deepEqual(await counts(), before);
    });

    test('an unanswered appeal escalates at its deadline, not before; then only an admin answers', async () => {
      const filedAt = t.clock.now();
      const filed = await post('resident', '/api/v1/me/appeals', {
        factId: 'import:feverClinic:FC-1',
        explanation: '那天我不在济南，没有去过发热门诊',
        attachments: [
          file(
            'image/jpeg',
            Buffer.from(
              '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
              'base64',
            ),
          ),
        ],
      });
      assert.equal(filed.statusCode, 201, filed.body);
      const appeal = filed.json<{ appealId: string; state: string; deadline: string; fact: Json }>();
      assert.equal(appeal.state, 'open');
      assert.equal(Date.parse(appeal.deadline), filedAt + 24 * HOUR, 'policy default: 24 hours');
      assert.equal((appeal.fact['source'] as Json)['importKind'], 'feverClinic');
      const queue = async (who: string, state: string) =>
        (await get(who, `/api/v1/appeals?state=${state}`))
          .json<{ appeals: { appealId: string }[] }>()
          .appeals.map((a) => a.appealId);
      assert.deepEqual(await queue('officer', 'open'), [appeal.appealId]);
      assert.deepEqual(await queue('other', 'open'), [], 'another county does not see it');
      const url = `/api/v1/appeals/${appeal.appealId}/answer`;
      assert.equal(
        errorCode(await post('other', url, { answer: 'no', outcome: 'rejected' })),
        'appeal_not_found',
      );

      t.clock.set(filedAt + 24 * HOUR - 1);
      assert.equal(await escalateAppeals(t.platform), 0, 'not before the deadline');
      assert.equal((await myAppeals())[0]?.['state'], 'open');
      t.clock.set(filedAt + 24 * HOUR);
      await signInStaff(); // staff sessions last 12 hours
      // Read before the job runs: already escalated.
      assert.equal((await myAppeals())[0]?.['state'], 'escalated');
      assert.deepEqual(await queue('admin', 'escalated'), [appeal.appealId]);
      assert.deepEqual(await queue('officer', 'open'), []);
      assert.equal(await escalateAppeals(t.platform), 1);
      assert.equal(await escalateAppeals(t.platform), 0, 'escalated once');
      const escalatedNotice = (await notices()).notices.find((n) => n['kind'] === 'appeal_escalated');
      assert.equal(escalatedNotice?.['appealId'], appeal.appealId);
      const late = await post('officer', url, { answer: 'no', outcome: 'rejected' });
      assert.equal(late.statusCode, 409);
      assert.equal(errorCode(late), 'appeal_escalated');

      const upheld = await post('admin', url, {
        answer: '核实后撤销该就诊记录',
        outcome: 'upheld',
        factAction: 'withdraw',
      });
      assert.equal(upheld.statusCode, 200, upheld.body);
      assert.equal(upheld.json<Json>()['state'], 'answered');
      const now = await inputs();
      const withdrawn = now.inputs.find((i) => i.factId === 'import:feverClinic:FC-1');
      assert.equal((withdrawn?.['correction'] as Json | null)?.['action'], 'withdraw');
      assert.equal(withdrawn?.inReasons, false);
      const again = await post('admin', url, { answer: 'again', outcome: 'rejected' });
      assert.equal(errorCode(again), 'appeal_already_answered');
      const kinds = (await notices()).notices.map((n) => n['kind']);
      assert.ok(kinds.includes('appeal_answered'));
      const mine = await myAppeals();
      assert.equal(mine[0]?.['answer'], '核实后撤销该就诊记录');
      assert.equal(mine[0]?.['outcome'], 'upheld');
    });

    test('an officer answers an appeal in time; a fact action needs an upheld outcome', async () => {
      const fever = (await inputs()).inputs.find(
        (i) => i['kind'] === 'feverClinic' && i.source['type'] === 'officer',
      );
      assert.ok(fever);
      const filed = await post('resident', '/api/v1/me/appeals', {
        factId: fever.factId,
        explanation: '已退烧',
      });
      assert.equal(filed.statusCode, 201, filed.body);
      const url = `/api/v1/appeals/${filed.json<{ appealId: string }>().appealId}/answer`;
      const bad = await post('officer', url, { answer: 'x', outcome: 'rejected', factAction: 'end' });
      assert.equal(errorCode(bad), 'validation_failed');
      const r = await post('officer', url, { answer: '记录属实', outcome: 'rejected' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json<Json>()['outcome'], 'rejected');
    });

    test('the deadline is the policy’s services.appealDeadlineHours', async () => {
      const policy = {
        ...structuredClone(DEFAULT_POLICY),
        version: '2026.appeals',
        effectiveFrom: new Date(t.clock.now()).toISOString(),
        services: { ...DEFAULT_SERVICES, appealDeadlineHours: 2 },
      };
      const published = await post('admin', '/api/v1/policies', { policy, note: 'faster appeals' });
      assert.equal(published.statusCode, 201, published.body);
      const fact = (await inputs()).inputs[0];
      assert.ok(fact);
      const filed = await post('resident', '/api/v1/me/appeals', {
        factId: fact.factId,
        explanation: '请核实',
      });
      assert.equal(filed.statusCode, 201, filed.body);
      assert.equal(Date.parse(filed.json<{ deadline: string }>().deadline), t.clock.now() + 2 * HOUR);
    });

    test('retention: feedback, appeals, attachments and notices go after their policy period', async () => {
      assert.ok((await count('attachments')) > 0);
      assert.ok((await count('notices')) > 0);
      t.clock.set(t.clock.now() + 89 * DAY_MS);
      let result = await purge(t.platform, 'test');
      assert.equal(result.deleted['notices'], 0, 'notices stay 90 days');
      assert.equal(result.deleted['feedback'], 0);
      t.clock.set(t.clock.now() + 2 * DAY_MS);
      result = await purge(t.platform, 'test');
      assert.ok((result.deleted['notices'] ?? 0) > 0);
      assert.equal(await count('notices'), 0);
      assert.equal(await count('notice_outbox'), 0);
      assert.ok((await count('feedback')) > 0, 'feedback stays 180 days');
      t.clock.set(t.clock.now() + 90 * DAY_MS);
      result = await purge(t.platform, 'test');
      assert.ok((result.deleted['attachments'] ?? 0) >= 3);
      assert.deepEqual(await counts(), { feedback: 0, appeals: 0, attachments: 0 });
    });
  });
}
