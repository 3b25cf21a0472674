import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { authenticator } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding, runTool } from '../support/machine.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import {
  addStaff,
  createTestPlatform,
  residentIdNumber,
  sampleApplication,
  signInResident,
  staffToken,
  type TestPlatform,
} from '../support/platform.ts';
import en from '../../web/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };

/**
 * Issue 10's resident side in real Chromium against the real server (SQLite): a resident with a
 * yellow code (an officer's fact) sees the input with its source on #/appeal, disputes it with an
 * explanation and a PNG (a renamed text file and a file over 5 MB refused on the device first),
 * follows it on #/feedback; the officer answers through the API; the resident sees the answer, a
 * notice in #/notices and its count in the top bar; #/access-log shows the officer's lookup with its
 * reason; the page switches to English. A new officer follows the one-time setup link, sets a
 * password and enrols TOTP from the page's QR (read back with zbarimg); staffSignIn with an otplib
 * code then succeeds.
 */

const MOBILE = '13800138000';
const DOC = residentIdNumber('37010219900307123');
const MEMBER_DOC = residentIdNumber('37010219400101002');
const EXPLANATION = '那天我在青岛出差，没有去过发热门诊。';
const ANSWER = '经核实，该就诊记录登记有误，已撤销。';
const LOOKUP_REASON = '核查发热门诊记录 e2e-lookup';
const VENUE_NAME = '泉城广场商场';
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const fill = (text: string, values: Record<string, string>) =>
  text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');

describeNeeding(
  ['chromium', 'zbarimg'],
  'appeals, feedback, notices, access log and staff setup in Chromium',
  () => {
    let platform: TestPlatform;
    let baseUrl: string;
    let workDir: string;
    let clockTimer: NodeJS.Timeout;
    let residentToken: string;
    let officerToken: string;
    let adminToken: string;
    let secondOfficerToken: string;
    let appealId = '';
    const browsers: Browser[] = [];
    const pageProblems: string[] = [];

    const api = async <T>(
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      token: string | null,
      payload?: unknown,
      expected?: number,
    ) => {
      const res = await platform.app.inject({
        method,
        url,
        ...(token === null ? {} : { headers: { authorization: `Bearer ${token}` } }),
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      if (expected === undefined)
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      else assert.equal(res.statusCode, expected, `${method} ${url}: ${res.body}`);
      return res.json<T>();
    };

    const openPage = async (token: string | null): Promise<Page> => {
      const browser = await launchChromium();
      browsers.push(browser);
      const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
      if (token !== null) {
        await context.addInitScript((t: string) => window.localStorage.setItem('healthcode.token', t), token);
      }
      const page = await watchedPage(context, pageProblems);
      return page;
    };

    const myAppeals = async () =>
      (
        await api<{
          appeals: {
            appealId: string;
            explanation: string;
            attachments: { mediaType: string; size: number }[];
          }[];
        }>('GET', '/api/v1/me/feedback', residentToken)
      ).appeals;

    before(async () => {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-appeals-e2e-'));
      const built = await buildWeb(path.join(workDir, 'web'));
      // TOTP codes are made on this machine's clock (otplib), so the server keeps the same time.
      platform = await createTestPlatform('sqlite', { webRoot: built.outDir, now: Date.now() });
      clockTimer = setInterval(() => platform.clock.set(Date.now()), 100);
      await addStaff(platform, [
        { username: 'officer', role: 'officer', divisionCode: '370102' },
        { username: 'officer2', role: 'officer', divisionCode: '370102' },
        { username: 'admin', role: 'admin', divisionCode: '000000' },
      ]);
      await platform.app.listen({ host: '127.0.0.1', port: 0 });
      const address = platform.app.server.address();
      assert.ok(address !== null && typeof address === 'object');
      baseUrl = `http://127.0.0.1:${address.port}`;

      residentToken = await signInResident(platform, MOBILE);
      await api('PUT', '/api/v1/me/application', residentToken, sampleApplication({ mobile: MOBILE }));
      officerToken = await staffToken(platform, 'officer');
      adminToken = await staffToken(platform, 'admin');
      secondOfficerToken = await staffToken(platform, 'officer2');
      // A fever-clinic visit yesterday, recorded by the district office: the code turns yellow.
      const yesterday = new Date(Date.now() - 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
      const added = await api<{ colour: string }>('POST', '/api/v1/facts', officerToken, {
        documentType: 'resident_id_card',
        documentNumber: DOC,
        fact: { kind: 'feverClinic', from: yesterday },
      });
      assert.equal(added.colour, 'yellow');
    });

    after(async () => {
      clearInterval(clockTimer);
      for (const browser of browsers) await browser.close();
      await platform?.close();
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    test('the yellow code’s input is shown with its source; bad files are refused on the device; the dispute with a PNG is filed and followed on #/feedback', async () => {
      const page = await openPage(residentToken);
      await page.goto(baseUrl);
      await page.locator('#code-colour[data-colour="yellow"]').waitFor();
      await page.locator('#go-appeal').click();
      await page.getByRole('heading', { level: 1, name: zhCN.appeal.heading }).waitFor();
      assert.equal(await page.locator('#appeal-colour').getAttribute('data-colour'), 'yellow');
      const input = page.locator('#colour-inputs > li').filter({ hasText: zhCN.appeal.kinds.feverClinic });
      assert.equal(await input.count(), 1);
      assert.equal(
        await input.locator('.input-list__source').textContent(),
        fill(zhCN.appeal.source.officer, { office: '370102', role: zhCN.appeal.roles.officer }),
        'the source: the office and role that recorded it',
      );
      assert.match((await input.textContent()) ?? '', new RegExp(zhCN.appeal.inReasons));

      await input.locator('[data-dispute]').click();
      const form = page.locator('#appeal-form');
      // A text file named .png: refused by its bytes before anything is sent.
      await form.getByLabel(zhCN.attachments.label).setInputFiles({
        name: 'note.png',
        mimeType: 'image/png',
        buffer: Buffer.from('not an image at all'),
      });
      await page.locator('#error-attachments').waitFor();
      assert.equal(
        await page.locator('#error-attachments').textContent(),
        zhCN.issues.attachment_type_unsupported,
      );
      await form.getByRole('button', { name: fill(zhCN.attachments.remove, { name: 'note.png' }) }).click();
      await page.locator('#error-attachments').waitFor({ state: 'detached' });
      // A PNG one byte over 5 MB: refused by its size.
      await form.getByLabel(zhCN.attachments.label).setInputFiles({
        name: 'big.png',
        mimeType: 'image/png',
        buffer: Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 + 1 - PNG.length)]),
      });
      await page.locator('#error-attachments').waitFor();
      assert.equal(await page.locator('#error-attachments').textContent(), zhCN.issues.attachment_too_large);
      await form.getByRole('button', { name: fill(zhCN.attachments.remove, { name: 'big.png' }) }).click();
      // No explanation: its field says so, and nothing is sent.
      await form.getByRole('button', { name: zhCN.appeal.submit }).click();
      await page.locator('#error-explanation').waitFor();
      assert.equal(await page.locator('#field-explanation').getAttribute('aria-invalid'), 'true');
      assert.deepEqual(await myAppeals(), [], 'nothing reached the server');

      await form.getByLabel(zhCN.appeal.explanation).fill(EXPLANATION);
      await form.getByLabel(zhCN.attachments.label).setInputFiles({
        name: 'ticket.png',
        mimeType: 'image/png',
        buffer: PNG,
      });
      await form.getByRole('button', { name: zhCN.appeal.submit }).click();
      await page.locator('#appeal-filed').waitFor();
      const [filed] = await myAppeals();
      assert.ok(filed);
      appealId = filed.appealId;
      assert.equal(filed.explanation, EXPLANATION);
      assert.deepEqual(
        filed.attachments.map((a) => [a.mediaType, a.size]),
        [['image/png', PNG.length]],
      );

      await page.locator('#appeal-filed').getByRole('button', { name: zhCN.appeal.follow }).click();
      await page.getByRole('heading', { level: 1, name: zhCN.feedback.heading }).waitFor();
      const item = page.locator(`#my-appeals > li[data-appeal-id="${appealId}"]`);
      await item.waitFor();
      assert.equal(await item.getAttribute('data-state'), 'open');
      assert.match((await item.textContent()) ?? '', new RegExp(EXPLANATION));
      assert.match(
        (await item.locator('.status-list__deadline').textContent()) ?? '',
        new RegExp(zhCN.feedback.deadline.replace(/\{\{at\}\}/, '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}')),
      );
      assert.deepEqual(pageProblems, []);
    });

    test('the officer’s answer (through the API) shows on #/feedback, as a notice in #/notices and as the top bar’s count', async () => {
      assert.ok(appealId, 'the appeal of the previous test');
      await api('POST', `/api/v1/appeals/${appealId}/answer`, officerToken, {
        answer: ANSWER,
        outcome: 'upheld',
        factAction: 'withdraw',
      });
      const page = await openPage(residentToken);
      await page.goto(`${baseUrl}/#/feedback`);
      const item = page.locator(`#my-appeals > li[data-appeal-id="${appealId}"]`);
      await item.waitFor();
      assert.equal(await item.getAttribute('data-state'), 'answered');
      assert.equal(await item.locator('.answer').textContent(), ANSWER);
      assert.match((await item.textContent()) ?? '', new RegExp(zhCN.feedback.outcomes.upheld));

      // Unread: the colour turning yellow, the answer, the colour turning green again.
      const unread = (await api<{ unread: number }>('GET', '/api/v1/me/notices/unread', residentToken))
        .unread;
      assert.ok(unread >= 2, `unread ${unread}`);
      await page.locator('#unread-count').waitFor();
      assert.equal(await page.locator('#unread-count').textContent(), String(unread));
      await page.locator('#top-notices').click();
      await page.getByRole('heading', { level: 1, name: zhCN.notices.heading }).waitFor();
      const answered = page.locator('#notices > li[data-kind="appeal_answered"]');
      await answered.waitFor();
      assert.match((await answered.textContent()) ?? '', new RegExp(zhCN.notices.kinds.appeal_answered));
      assert.match((await answered.textContent()) ?? '', new RegExp(zhCN.notices.new));
      const kinds = await page
        .locator('#notices > li')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-kind')));
      assert.equal(kinds[kinds.length - 1], 'colour_changed', 'newest first: the first change is last');
      // Opening the inbox read them: the count goes.
      await page.locator('#unread-count').waitFor({ state: 'detached' });
      assert.equal(
        (await api<{ unread: number }>('GET', '/api/v1/me/notices/unread', residentToken)).unread,
        0,
      );
      assert.deepEqual(pageProblems, []);
    });

    test('an approved colour override shows on #/appeal with its reason', async () => {
      const reason = '复核中 e2e-override';
      const endsAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
      const requested = await api<{ overrideId: string; status: string }>(
        'POST',
        '/api/v1/colour-overrides',
        officerToken,
        { documentType: 'resident_id_card', documentNumber: DOC, colour: 'yellow', reason, endsAt },
      );
      assert.equal(requested.status, 'pending');
      await api('POST', `/api/v1/colour-overrides/${requested.overrideId}/approval`, secondOfficerToken, {});
      const page = await openPage(residentToken);
      await page.goto(`${baseUrl}/#/appeal`);
      await page.locator('#appeal-override').waitFor();
      assert.equal(await page.locator('#appeal-colour').getAttribute('data-colour'), 'yellow');
      assert.equal(
        await page.locator('#appeal-override h2').textContent(),
        fill(zhCN.appeal.overrideHeading, { colour: zhCN.code.colourInSentence.yellow }),
      );
      assert.match((await page.locator('#appeal-override').textContent()) ?? '', new RegExp(reason));
      assert.deepEqual(pageProblems, []);
    });

    test('#/access-log shows the officer’s lookup with its role, office and reason; the page speaks English once switched', async () => {
      await api('POST', '/api/v1/resident-lookups', officerToken, {
        documentType: 'resident_id_card',
        documentNumber: DOC,
        reason: LOOKUP_REASON,
      });
      const page = await openPage(residentToken);
      await page.goto(baseUrl);
      await page.locator('#code-colour').waitFor();
      await page.locator('#go-access-log').click();
      await page.getByRole('heading', { level: 1, name: zhCN.accessLog.heading }).waitFor();
      const lookup = page
        .locator('#access-log > li[data-kind="staff_lookup"]')
        .filter({ hasText: LOOKUP_REASON });
      await lookup.waitFor();
      assert.equal(await lookup.locator('.access-log__reason').textContent(), LOOKUP_REASON);
      assert.equal(
        await lookup.locator('.access-log__actor').textContent(),
        fill(zhCN.accessLog.actors.staff, { role: zhCN.appeal.roles.officer, office: '370102' }),
      );

      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { level: 1, name: en.accessLog.heading }).waitFor();
      assert.equal(
        await lookup.locator('.access-log__actor').textContent(),
        fill(en.accessLog.actors.staff, { role: en.appeal.roles.officer, office: '370102' }),
      );
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.deepEqual(pageProblems, []);
    });

    test('a proxy switches to a family member on #/appeal, disputes the member’s input, and reads the member’s access log', async () => {
      const { pledge: _pledge, ...items } = sampleApplication({
        name: '王秀英',
        documentNumber: MEMBER_DOC,
        address: { divisionCode: '370102', detail: '泉城路 1 号' },
      });
      const member = await api<{ memberId: string; maskedName: string }>(
        'POST',
        '/api/v1/me/family-members',
        residentToken,
        { relationship: 'grandparent', member: items, pledge: true },
      );
      await api('POST', '/api/v1/facts', officerToken, {
        documentType: 'resident_id_card',
        documentNumber: MEMBER_DOC,
        fact: { kind: 'feverClinic', from: new Date(Date.now() - 3_600_000).toISOString() },
      });
      const page = await openPage(residentToken);
      await page.goto(`${baseUrl}/#/appeal`);
      await page.getByRole('heading', { level: 1, name: zhCN.appeal.heading }).waitFor();
      await page.locator(`#appeal-switcher [data-member-id="${member.memberId}"]`).click();
      await page
        .getByRole('heading', {
          level: 1,
          name: fill(zhCN.appeal.memberHeading, { name: member.maskedName }),
        })
        .waitFor();
      const input = page.locator('#colour-inputs > li').filter({ hasText: zhCN.appeal.kinds.feverClinic });
      await input.waitFor();
      assert.equal(await page.locator('#appeal-colour').getAttribute('data-colour'), 'yellow');
      await input.locator('[data-dispute]').click();
      await page.getByLabel(zhCN.appeal.explanation).fill('老人那天一直在家。');
      await page.locator('#appeal-form').getByRole('button', { name: zhCN.appeal.submit }).click();
      await page.locator('#appeal-filed').waitFor();
      const appeals = await api<{ appeals: { memberId: string | null; explanation: string }[] }>(
        'GET',
        '/api/v1/me/feedback',
        residentToken,
      );
      assert.deepEqual(
        appeals.appeals.filter((a) => a.memberId !== null).map((a) => [a.memberId, a.explanation]),
        [[member.memberId, '老人那天一直在家。']],
        'filed for the member',
      );
      // The same person stays chosen on the access log.
      await page.goto(`${baseUrl}/#/access-log`);
      await page
        .getByRole('heading', {
          level: 1,
          name: fill(zhCN.accessLog.memberHeading, { name: member.maskedName }),
        })
        .waitFor();
      assert.equal(
        await page
          .locator(`#access-log-switcher [data-member-id="${member.memberId}"]`)
          .getAttribute('aria-pressed'),
        'true',
      );
      await page.locator('#access-log > li').first().waitFor();
      assert.deepEqual(pageProblems, []);
    });

    test('a venue complaint from the place-scan result page reaches the venue’s district; the feedback page leads to the same form', async () => {
      const venue = await api<{ venueId: number }>('POST', '/api/v1/venues', residentToken, {
        name: VENUE_NAME,
        kind: 'mallOrSupermarket',
        address: { divisionCode: '370102', detail: '泉城路 200 号' },
        contact: { name: '张经理', mobile: MOBILE },
      });
      await api('POST', `/api/v1/venues/${venue.venueId}/approval`, officerToken, {});
      const placeCode = await api<{ url: string }>(
        'GET',
        `/api/v1/venues/${venue.venueId}/place-code`,
        residentToken,
      );
      const link = new URL(placeCode.url);
      const page = await openPage(residentToken);
      await page.goto(`${baseUrl}${link.pathname}${link.search}`);
      await page.locator('#venue-name').waitFor();
      await page.locator('#place-complain').click();
      await page.getByRole('heading', { level: 1, name: zhCN.complaint.heading }).waitFor();
      assert.equal(
        await page.getByLabel(zhCN.complaint.venue, { exact: true }).inputValue(),
        String(venue.venueId),
      );
      await page.getByLabel(zhCN.complaint.kinds.turns_green_away).check();
      await page.getByRole('button', { name: zhCN.complaint.submit }).click();
      await page.locator('#error-text').waitFor();
      assert.equal(await page.locator('#error-text').textContent(), zhCN.issues.field_required);
      await page
        .getByLabel(zhCN.complaint.text, { exact: true })
        .fill('今天上午十点，门口保安不让绿码人员进入。');
      await page.getByRole('button', { name: zhCN.complaint.submit }).click();
      await page.locator('#complaint-filed').waitFor();
      assert.match((await page.locator('#complaint-filed').textContent()) ?? '', new RegExp(VENUE_NAME));
      const listed = await api<{ complaints: { kind: string; venue: { id: number } }[] }>(
        'GET',
        `/api/v1/venue-complaints?venueId=${venue.venueId}`,
        officerToken,
      );
      assert.deepEqual(
        listed.complaints.map((c) => [c.venue.id, c.kind]),
        [[venue.venueId, 'turns_green_away']],
        'the district’s officer has it',
      );

      await page.goto(`${baseUrl}/#/feedback`);
      await page.locator('#go-complaint').click();
      await page.getByRole('heading', { level: 1, name: zhCN.complaint.heading }).waitFor();
      assert.deepEqual(pageProblems, []);
    });

    test('a new officer follows the one-time link: sets a password, enrols TOTP from the QR, confirms with a first code; staffSignIn then succeeds', async () => {
      const created = await api<{ setupLink: { url: string; token: string } }>(
        'POST',
        '/api/v1/staff',
        adminToken,
        {
          username: 'officer.new',
          role: 'officer',
          divisionCodes: ['370102'],
          displayName: '新来的工作人员',
        },
      );
      const link = new URL(created.setupLink.url);
      assert.equal(link.pathname, '/staff/setup', 'the page is where the server’s link points');
      const page = await openPage(null);
      await page.goto(`${baseUrl}${link.pathname}${link.hash}`);
      await page.getByRole('heading', { level: 1, name: zhCN.staffSetup.heading }).waitFor();
      assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
      const password = 'a-new-officer-password-1';

      // The two entries differ: said next to the second, nothing sent.
      await page.getByLabel(zhCN.staffSetup.password).fill(password);
      await page.getByLabel(zhCN.staffSetup.repeat).fill(`${password}x`);
      await page.getByRole('button', { name: zhCN.staffSetup.submit }).click();
      assert.equal(await page.locator('#error-repeat').textContent(), zhCN.issues.password_mismatch);
      // Too short: the server's issue, next to the password field; the link still works after it.
      await page.getByLabel(zhCN.staffSetup.password).fill('short');
      await page.getByLabel(zhCN.staffSetup.repeat).fill('short');
      await page.getByRole('button', { name: zhCN.staffSetup.submit }).click();
      await page.locator('#error-password').waitFor();
      assert.equal(await page.locator('#error-password').textContent(), zhCN.issues.password_too_short);

      await page.getByLabel(zhCN.staffSetup.password).fill(password);
      await page.getByLabel(zhCN.staffSetup.repeat).fill(password);
      await page.getByRole('button', { name: zhCN.staffSetup.submit }).click();
      await page.getByRole('heading', { level: 1, name: zhCN.staffSetup.totpHeading }).waitFor();
      const secret = ((await page.locator('#totp-secret').textContent()) ?? '').trim();
      assert.match(secret, /^[A-Z2-7]{16,}$/, 'the secret in base32');
      // The QR an authenticator app scans: the otpauth URI of this secret.
      await page.locator('#totp-qr svg').waitFor();
      const shot = path.join(workDir, 'totp-qr.png');
      await page.locator('#totp-qr').screenshot({ path: shot });
      const uri = runTool('zbarimg', ['--nodbus', '--quiet', '--raw', shot]);
      assert.match(uri, /^otpauth:\/\/totp\/.*officer\.new/);
      assert.equal(new URL(uri).searchParams.get('secret'), secret);

      // A wrong code first: said next to the code field.
      const right = authenticator.generate(secret);
      await page
        .getByLabel(zhCN.staffSetup.code, { exact: true })
        .fill(right === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: zhCN.staffSetup.confirm }).click();
      await page.locator('#error-totp').waitFor();
      assert.equal(await page.locator('#error-totp').textContent(), zhCN.errors.second_factor_invalid);
      const confirming = authenticator.generate(secret);
      await page.getByLabel(zhCN.staffSetup.code, { exact: true }).fill(confirming);
      await page.getByRole('button', { name: zhCN.staffSetup.confirm }).click();
      await page.locator('#setup-done').waitFor();

      // The link worked once.
      await api(
        'POST',
        '/api/v1/staff-password-setups',
        null,
        { token: created.setupLink.token, password },
        400,
      );
      const noCode = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username: 'officer.new', password },
      });
      assert.equal(noCode.statusCode, 401, 'the second factor is required');
      // Each code signs in once: the page's confirming code is spent. The next step's code (inside
      // the window of one step either side) signs in.
      const spent = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/staff-sessions',
        payload: { username: 'officer.new', password, totp: confirming },
      });
      assert.equal(spent.statusCode, 401, spent.body);
      const session = await api<{ token: string; role: string }>('POST', '/api/v1/staff-sessions', null, {
        username: 'officer.new',
        password,
        totp: authenticator.clone({ epoch: platform.clock.now() + 30_000 }).generate(secret),
      });
      assert.equal(session.role, 'officer');
      assert.deepEqual(pageProblems, []);
    });
  },
);
