import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding, runTool } from '../support/machine.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { seedDemoData } from '../../src/use-cases/demo.ts';
import { parseHealthCodeText } from '../../src/domain/token/cose.ts';
import {
  createTestPlatform,
  residentIdNumber,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };

/**
 * Issue 9 in real Chromium against the real server (SQLite, demo data): a resident adds a family
 * member on the family page, switches to the member's code, downloads the member's paper code; the
 * checkpoint page passes that paper code online (its QR read from the PDF with pdftoppm + zbarimg)
 * and, with the network cut, shows it as offline with its printed colour; the no-code lane shows
 * the colour and the masked name online and is disabled offline.
 */

const PROXY_MOBILE = '13800000001';
const STAFF = { username: 'gate-family', displayName: '北门查验 North gate', password: 'north-gate-2026' };
const VENUE_NAME = '泉城社区服务中心';
const MEMBER = { name: '王秀英', masked: '王*英', document: residentIdNumber('37010219400101002') };

describeNeeding(
  ['chromium', 'pdftoppm', 'zbarimg'],
  'family members, paper codes and the no-code lane in Chromium',
  () => {
    let platform: TestPlatform;
    let baseUrl: string;
    let workDir: string;
    let clockTimer: NodeJS.Timeout;
    let venueId: number;
    let managerToken: string;
    let proxyToken: string;
    let proxy: { name: string; documentNumber: string; maskedName: string };
    let paperCode = '';
    let expiredPaperCode = '';
    let memberId = '';
    const browsers: Browser[] = [];
    const pageProblems: string[] = [];

    const api = async <T>(method: 'GET' | 'POST', url: string, token: string | null, payload?: unknown) => {
      const res = await platform.app.inject({
        method,
        url,
        ...(token === null ? {} : { headers: { authorization: `Bearer ${token}` } }),
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json<T>();
    };

    const openPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
      const browser = await launchChromium();
      browsers.push(browser);
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        acceptDownloads: true,
      });
      const page = await watchedPage(context, pageProblems);
      return { context, page };
    };

    /** The QR texts of a PDF, as a phone camera would read them from the printed page. */
    const qrTextsOfPdf = (file: string): string[] => {
      const prefix = path.join(path.dirname(file), 'page');
      runTool('pdftoppm', ['-r', '150', '-png', file, prefix]);
      return fs
        .readdirSync(path.dirname(file))
        .filter((f) => f.startsWith('page') && f.endsWith('.png'))
        .map((f) => runTool('zbarimg', ['--nodbus', '--quiet', '--raw', path.join(path.dirname(file), f)]));
    };

    const signInStaff = async (page: Page) => {
      await page.goto(`${baseUrl}/checkpoint`);
      await page.getByRole('heading', { level: 1, name: zhCN.checkpoint.signIn.heading }).waitFor();
      await page.getByLabel(zhCN.checkpoint.signIn.username).fill(STAFF.username);
      await page.getByLabel(zhCN.checkpoint.signIn.password).fill(STAFF.password);
      await page.getByRole('button', { name: zhCN.checkpoint.signIn.submit, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: VENUE_NAME }).waitFor();
    };

    const fillPerson = async (page: Page) => {
      await page.getByLabel(zhCN.checkpoint.temperature).fill('36.5');
      await page.locator('#mask-worn').click();
    };

    const typeCode = async (page: Page, code: string) => {
      // A hand scanner types the text and presses Enter.
      await page.locator('#field-code').fill('');
      await page.locator('#field-code').focus();
      await page.keyboard.insertText(code);
      await page.keyboard.press('Enter');
    };

    /** A keyboard-wedge ID-card reader: it types the number into the focused field and presses Enter. */
    const swipeDocument = async (page: Page, documentNumber: string) => {
      await page.getByLabel(zhCN.checkpoint.lane.documentNumber).fill('');
      await page.getByLabel(zhCN.checkpoint.lane.documentNumber).focus();
      await page.keyboard.insertText(documentNumber);
      await page.keyboard.press('Enter');
    };

    const venueChecks = async () =>
      (
        await api<{ checks: { outcome: string; maskedName: string | null; offline: boolean }[] }>(
          'GET',
          `/api/v1/venues/${venueId}/checks`,
          managerToken,
        )
      ).checks;

    before(async () => {
      workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-family-e2e-'));
      const built = await buildWeb(path.join(workDir, 'web'));
      // The checkpoint page verifies offline on the browser's own clock, so the server keeps the same time.
      platform = await createTestPlatform('sqlite', { webRoot: built.outDir, now: Date.now() });
      clockTimer = setInterval(() => platform.clock.set(Date.now()), 100);
      await seedDemoData(platform.platform);
      await platform.app.listen({ host: '127.0.0.1', port: 0 });
      const address = platform.app.server.address();
      assert.ok(address !== null && typeof address === 'object');
      baseUrl = `http://127.0.0.1:${address.port}`;

      proxyToken = await signInResident(platform, PROXY_MOBILE);
      managerToken = proxyToken;
      proxy = await api('GET', '/api/v1/me/application', proxyToken);
      const venue = await api<{ venueId: number }>('POST', '/api/v1/venues', managerToken, {
        name: VENUE_NAME,
        kind: 'mallOrSupermarket',
        address: { divisionCode: '370102', detail: '泉城路 200 号' },
        contact: { name: '张经理', mobile: PROXY_MOBILE },
      });
      venueId = venue.venueId;
      const officerToken = (
        await api<{ token: string }>('POST', '/api/v1/staff-sessions', null, {
          username: 'officer',
          password: 'demo-officer',
        })
      ).token;
      await api('POST', `/api/v1/venues/${venueId}/approval`, officerToken, {});
      await api('POST', `/api/v1/venues/${venueId}/staff`, managerToken, STAFF);
    });

    after(async () => {
      clearInterval(clockTimer);
      for (const browser of browsers) await browser.close();
      await platform?.close();
      if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    });

    test('a resident adds a family member (the own document refused next to its field), switches to the member’s code and downloads the paper code', async () => {
      const { context, page } = await openPage();
      await context.addInitScript((token: string) => {
        window.localStorage.setItem('healthcode.token', token);
      }, proxyToken);
      await page.goto(baseUrl);
      await page.locator('#code-colour').waitFor();
      assert.equal(await page.locator('#masked-name').textContent(), proxy.maskedName);
      assert.equal(await page.locator('#code-switcher').count(), 0, 'no members yet: no switcher');
      // The test and vaccination badge under the colour.
      assert.ok(((await page.locator('#health-test').textContent()) ?? '').length > 0);
      assert.ok(((await page.locator('#health-vaccination').textContent()) ?? '').length > 0);

      await page.locator('#go-family').click();
      await page.getByRole('heading', { level: 1, name: zhCN.family.heading }).waitFor();
      await page.locator('#family-members-empty').waitFor();
      await page.locator('#family-add').click();
      const form = page.locator('#family-add-form');
      await form.getByLabel(zhCN.family.relationship).selectOption('grandparent');
      await form.getByLabel(zhCN.apply.name, { exact: true }).fill(MEMBER.name);
      // First the proxy's own document: refused, with the reason under the document field.
      await form.getByLabel(zhCN.apply.documentNumber).fill(proxy.documentNumber);
      await form.getByLabel(zhCN.apply.mobile).fill(PROXY_MOBILE);
      await form.getByLabel(zhCN.apply.divisionCode).fill('370102');
      await form.getByLabel(zhCN.apply.addressDetail).fill('泉城路 1 号');
      await form.getByLabel(zhCN.family.pledge).check();
      await form.getByRole('button', { name: zhCN.family.submit, exact: true }).click();
      await page.locator('#error-member-documentNumber').waitFor();
      assert.equal(
        await page.locator('#error-member-documentNumber').textContent(),
        zhCN.errors.family_member_is_proxy,
      );
      assert.equal(
        await page.locator('#field-member-documentNumber').getAttribute('aria-invalid'),
        'true',
        'the field is marked invalid',
      );

      await form.getByLabel(zhCN.apply.documentNumber).fill(MEMBER.document);
      await form.getByRole('button', { name: zhCN.family.submit, exact: true }).click();
      await page.locator('#family-notice').waitFor();
      assert.match(
        (await page.locator('#family-notice').textContent()) ?? '',
        new RegExp(MEMBER.masked.replace('*', '\\*')),
      );
      const items = page.locator('#family-members > li');
      await items.first().waitFor();
      assert.equal(await items.count(), 1);
      memberId = (await items.first().getAttribute('data-member-id')) ?? '';
      assert.match(memberId, /^[0-9a-f-]{36}$/);
      const listed = await api<{ members: { memberId: string; maskedName: string }[] }>(
        'GET',
        '/api/v1/me/family-members',
        proxyToken,
      );
      assert.deepEqual(
        listed.members.map((m) => [m.memberId, m.maskedName]),
        [[memberId, MEMBER.masked]],
        'the server stored the member the page shows',
      );

      // To the member's code: full screen, live clock, the switcher shows whose it is.
      await page.locator(`[data-show-code="${memberId}"]`).click();
      await page.locator('#code-subject').waitFor();
      assert.equal(await page.locator('#masked-name').textContent(), MEMBER.masked);
      assert.equal(await page.locator('#code-colour').getAttribute('data-colour'), 'green');
      assert.equal(
        await page.locator(`#code-switcher [data-member-id="${memberId}"]`).getAttribute('aria-pressed'),
        'true',
      );
      const firstClock = await page.locator('#clock').textContent();
      await page.waitForFunction(
        (before) => document.getElementById('clock')?.textContent !== before,
        firstClock,
      );
      assert.equal(
        await page.locator('#health-test').textContent(),
        '无核酸检测记录',
        'the member’s test badge: no test on record',
      );

      // A paper code printed 15 days ago (the server's clock set back), long expired: for the offline
      // checkpoint's "expired — reprint". Printing the one below ends it on the server as well.
      clearInterval(clockTimer);
      platform.clock.set(Date.now() - 15 * 24 * 3_600_000);
      const old = await platform.app.inject({
        method: 'POST',
        url: '/api/v1/me/paper-codes',
        headers: { authorization: `Bearer ${proxyToken}` },
        payload: { memberId, size: 'A6' },
      });
      platform.clock.set(Date.now());
      clockTimer = setInterval(() => platform.clock.set(Date.now()), 100);
      assert.equal(old.statusCode, 201, old.body);
      const oldFile = path.join(fs.mkdtempSync(path.join(workDir, 'old-paper-')), 'old.pdf');
      fs.writeFileSync(oldFile, old.rawPayload);
      expiredPaperCode = qrTextsOfPdf(oldFile)[0] ?? '';
      assert.ok(expiredPaperCode.startsWith('HPC1:'), expiredPaperCode);

      // The member's paper code, A6, as a downloaded file.
      await page.getByRole('button', { name: zhCN.paper.sizes.A6, exact: true }).click();
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('#paper-download').click(),
      ]);
      const pdfDir = fs.mkdtempSync(path.join(workDir, 'paper-'));
      const pdfFile = path.join(pdfDir, 'paper.pdf');
      await download.saveAs(pdfFile);
      assert.match(download.suggestedFilename(), /\.pdf$/);
      const bytes = fs.readFileSync(pdfFile);
      assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-', 'the download is a PDF');
      await page.locator('#paper-status').waitFor();
      const [qr] = qrTextsOfPdf(pdfFile);
      assert.ok(qr !== undefined && qr.startsWith('HPC1:'), `the PDF's QR: ${qr}`);
      const parsed = parseHealthCodeText(qr);
      assert.ok(parsed.ok);
      assert.equal(parsed.value.claims.kind, 'paper', 'the PDF carries a paper token');
      assert.equal(parsed.value.claims.colour, 'green');
      paperCode = qr;

      // And back to my own code.
      await page.getByRole('button', { name: zhCN.code.mine, exact: true }).click();
      await page.waitForFunction(
        (name) => document.getElementById('masked-name')?.textContent === name,
        proxy.maskedName,
      );
      assert.equal(await page.locator('#code-subject').count(), 0);
    });

    test('the checkpoint passes the paper code online, marked as a paper code; the no-code lane shows colour and masked name; offline the paper code shows its printed colour and the lane is disabled', async () => {
      assert.ok(paperCode !== '', 'the paper code came from the first test');
      const { context, page } = await openPage();
      await signInStaff(page);
      await page.waitForFunction(() => window.localStorage.getItem('healthcode.checkpoint.jwks') !== null);
      const checksBefore = (await venueChecks()).length;

      // Online: the paper code read by a hand scanner.
      await fillPerson(page);
      await typeCode(page, paperCode);
      await page.locator('#check-result[data-outcome="pass"]').waitFor();
      assert.equal(await page.locator('#check-colour').getAttribute('data-colour'), 'green');
      assert.equal(await page.locator('#check-name').textContent(), MEMBER.masked);
      assert.equal(await page.locator('#check-paper').getAttribute('data-mode'), 'online');
      assert.equal(await page.locator('#check-paper').textContent(), zhCN.checkpoint.paper.online);

      // The no-code lane: a wrong check digit is refused next to the field, and counts nothing.
      const wrong = MEMBER.document.slice(0, 17) + (MEMBER.document.endsWith('1') ? '2' : '1');
      await swipeDocument(page, wrong);
      await page.locator('#error-lookup-documentNumber').waitFor();
      assert.equal(
        await page.locator('#error-lookup-documentNumber').textContent(),
        zhCN.issues.document_check_digit,
      );
      assert.equal(await page.locator('#lookup-result').count(), 0);

      await swipeDocument(page, MEMBER.document);
      await page.locator('#lookup-result').waitFor();
      assert.equal(await page.locator('#lookup-colour').getAttribute('data-colour'), 'green');
      assert.equal(await page.locator('#lookup-name').textContent(), MEMBER.masked);
      assert.match((await page.locator('#lookups-left').getAttribute('data-left')) ?? '', /^\d+$/);
      assert.equal(
        await page.getByLabel(zhCN.checkpoint.lane.documentNumber).inputValue(),
        '',
        'the document number does not stay on the screen',
      );
      // The lookup's code waits for temperature and mask, then is checked like any other.
      await page.locator('#pending-code').waitFor();
      await fillPerson(page);
      await page.getByRole('button', { name: zhCN.checkpoint.check, exact: true }).click();
      await page.locator('#check-lane').waitFor();
      assert.equal(await page.locator('#check-result').getAttribute('data-outcome'), 'pass');
      assert.equal(await page.locator('#check-name').textContent(), MEMBER.masked);
      const recorded = await venueChecks();
      assert.equal(recorded.length, checksBefore + 2, 'the paper code and the lane: two checks recorded');
      assert.deepEqual(
        recorded.slice(0, 2).map((c) => [c.outcome, c.maskedName, c.offline]),
        [
          ['pass', MEMBER.masked, false],
          ['pass', MEMBER.masked, false],
        ],
      );

      // The network is cut.
      await context.setOffline(true);
      await page.locator('#offline-banner').waitFor();
      await page.locator('#lane-offline').waitFor();
      assert.equal(await page.locator('#lane-offline').textContent(), zhCN.checkpoint.lane.offline);
      assert.equal(await page.locator('#lane-submit').isDisabled(), true, 'the lane is disabled offline');
      assert.equal(await page.getByLabel(zhCN.checkpoint.lane.documentNumber).isDisabled(), true);

      await fillPerson(page);
      await typeCode(page, paperCode);
      await page.locator('#check-paper[data-mode="offline"]').waitFor();
      assert.equal(await page.locator('#check-result').getAttribute('data-outcome'), 'pass');
      assert.equal(await page.locator('#check-colour').getAttribute('data-colour'), 'green');
      assert.match(
        (await page.locator('#check-colour').textContent()) ?? '',
        new RegExp(zhCN.checkpoint.paper.printedColour),
        'the printed colour, said as such',
      );
      const paperNote = (await page.locator('#check-paper').textContent()) ?? '';
      assert.match(paperNote, /离线/, 'says plainly that it is offline');
      assert.match(
        paperNote,
        /有效期至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/,
        'with the valid-until from the token',
      );
      assert.equal(await page.locator('#check-health-test').getAttribute('data-days'), '', 'no test carried');
      assert.equal(await page.locator('#queue-count').getAttribute('data-count'), '1');

      // An expired paper code offline: refused, "expired — reprint" in both languages.
      await fillPerson(page);
      await typeCode(page, expiredPaperCode);
      await page.locator('#paper-expired').waitFor();
      assert.equal(await page.locator('#check-result').getAttribute('data-outcome'), 'refuse');
      assert.deepEqual(await page.locator('#check-reasons li').allTextContents(), [
        '纸质码已过期，请重新打印。',
      ]);
      const expiredNote = (await page.locator('#paper-expired').textContent()) ?? '';
      assert.match(expiredNote, /纸质码已过期，请重新打印/);
      assert.match(expiredNote, /The paper code has expired: reprint it/);
      await page.locator('#queue-count[data-count="2"]').waitFor({ timeout: 5000 });

      await context.setOffline(false);
      await page.locator('#queue-count[data-count="0"]').waitFor({ timeout: 20_000 });
      assert.equal((await venueChecks()).length, checksBefore + 4, 'the offline checks were uploaded');

      // The lane's hourly limit: once the account has used it up, the page says when to try again.
      const staffToken = await page.evaluate(
        () =>
          (JSON.parse(window.localStorage.getItem('healthcode.staff.session') ?? '{}') as { token?: string })
            .token,
      );
      assert.ok(staffToken);
      let limited = false;
      for (let i = 0; i < 200 && !limited; i++) {
        const r = await platform.app.inject({
          method: 'POST',
          url: '/api/v1/document-lookups',
          headers: { authorization: `Bearer ${staffToken}` },
          payload: { documentType: 'resident_id_card', documentNumber: MEMBER.document },
        });
        limited = r.statusCode === 429;
      }
      assert.ok(limited, 'the API limits the lookups');
      await page.locator('#lane-offline').waitFor({ state: 'detached' });
      await swipeDocument(page, MEMBER.document);
      await page.locator('#lane-message').waitFor();
      assert.match(
        (await page.locator('#lane-message').textContent()) ?? '',
        /本账号本小时查询次数已用完，请于 \d{2}:\d{2}（约 \d+ 分钟后）再试。/,
      );
      assert.equal(await page.locator('#lookup-result').count(), 0);
    });

    test('arrivals: a domestic declaration from a high-risk area with the family member along turns both red with reasons; an overseas one before quarantine ends is refused with its reason; the list shows the past declaration', async () => {
      const { context, page } = await openPage();
      await context.addInitScript((token: string) => {
        window.localStorage.setItem('healthcode.token', token);
      }, proxyToken);
      await page.goto(`${baseUrl}/#/code`);
      await page.locator('#go-arrivals').click();
      await page.getByRole('heading', { level: 1, name: zhCN.arrivals.heading }).waitFor();
      await page.locator('#arrival-list-empty').waitFor();

      // The demo data has Wuhan (420100) as a high-risk area.
      await page.getByLabel(zhCN.division.province).selectOption('420000');
      await page.getByLabel(zhCN.division.city, { exact: true }).selectOption('420100');
      assert.equal(
        await page.locator('#field-originDivisionCode-chosen').getAttribute('data-code'),
        '420100',
      );
      await page.getByLabel(zhCN.arrivals.homeCodeColour).selectOption('green');
      await page.getByLabel(zhCN.arrivals.transportNumber).fill('G123');
      await page.getByLabel(`${MEMBER.masked} (${zhCN.family.relationships.grandparent})`).check();
      await page.getByLabel(zhCN.arrivals.otherCompanions).fill('李四');
      await page.getByRole('button', { name: zhCN.arrivals.submit, exact: true }).click();
      await page.locator('#arrival-result').waitFor();
      const items = page.locator('#arrival-result .arrival-result__item');
      assert.equal(await items.count(), 2, 'one answer for me and one for the member travelling along');
      assert.deepEqual(
        await page
          .locator('#arrival-result .arrival-result__colour')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-colour'))),
        ['red', 'red'],
      );
      assert.equal(await items.nth(1).locator('.arrival-result__who').textContent(), MEMBER.masked);
      assert.ok((await items.first().locator('.arrival-result__reasons li').count()) > 0, 'with the reasons');
      const listed = page.locator('#arrival-list > li');
      await listed.first().waitFor();
      assert.match((await listed.first().textContent()) ?? '', /武汉/);
      assert.match((await listed.first().textContent()) ?? '', /李四/);

      // Overseas before any quarantine record: refused, and the form says why.
      await page.locator('#arrival-kind-overseas').click();
      await page.getByLabel(zhCN.arrivals.countries).fill('KR');
      await page.getByRole('button', { name: zhCN.arrivals.submit, exact: true }).click();
      await page.locator('#arrival-not-yet').waitFor();
      assert.match((await page.locator('#arrival-not-yet').textContent()) ?? '', /暂不能申报/);
      assert.match((await page.locator('#arrival-errors').textContent()) ?? '', /隔离/);
    });

    test('the pages logged no errors', () => {
      assert.deepEqual(pageProblems, []);
    });
  },
);
