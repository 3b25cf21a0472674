import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { authenticator } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding } from '../support/machine.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { chinaDate } from '../../src/domain/china-time.ts';
import { DAY_MS, type EpochMs } from '../../src/domain/types.ts';
import { takeColourSnapshot } from '../../src/use-cases/statistics.ts';
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
 * Issue 10 item 3 in real Chromium against the real server (SQLite, production mode, so officers
 * and auditors must give a TOTP code): an officer enrolled through the one-time setup link signs in
 * with password and authenticator code; the dashboard's counts change after an import; a red check
 * at a venue arrives in the live queue within a second; the officer answers an appeal that the
 * resident then sees; an auditor sees the audit log and no personal detail. Screenshots go to a
 * temporary folder, or to docs/screenshots with SCREENSHOTS=1.
 */

const COUNTY = '370102';
const MANAGER = {
  mobile: '13800138010',
  name: '张小三',
  document: residentIdNumber('37010219900307123'),
};
const APPELLANT = {
  mobile: '13800138011',
  name: '李四海',
  document: residentIdNumber('37010219850511201'),
};
const OFFICER = {
  username: 'officer.lixia',
  password: 'lixia-officer-2026',
  displayName: '历下区疾控 王科长',
};
const AUDITOR = { username: 'auditor.prov', password: 'province-auditor-2026', displayName: '省审计 周' };
const ADMIN = { username: 'admin.prov', password: 'province-admin-2026', displayName: '省卫健委 管理员' };
const GATE = { username: 'gate-console', displayName: '东门查验', password: 'east-gate-2026' };
const ANSWER = '经核实，确诊记录来自市疾控中心的导入，维持原判。';

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../docs/screenshots');

/** A 1×1 PNG: the resident's evidence attached to the appeal. */
const EVIDENCE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describeNeeding(['chromium'], 'the authority console in Chromium', () => {
  let platform: TestPlatform;
  let baseUrl: string;
  let workDir: string;
  let shotDir: string;
  let clockTimer: NodeJS.Timeout;
  let adminToken: string;
  let gateToken: string;
  let appellantToken: string;
  let managerToken: string;
  let venueId: number;
  const secrets: Record<string, string> = {};
  const browsers: Browser[] = [];
  const pageProblems: string[] = [];

  const api = async <T>(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    token: string | null,
    payload?: unknown,
    contentType?: string,
  ) => {
    const res = await platform.app.inject({
      method,
      url,
      headers: {
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...(contentType === undefined ? {} : { 'content-type': contentType }),
      },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<T>();
  };

  /** An account created by the admin and set up through its one-time link; returns the TOTP secret. */
  const enrol = async (
    account: { username: string; password: string; displayName: string },
    role: string,
  ) => {
    const created = await api<{ setupLink: { token: string } }>('POST', '/api/v1/staff', adminToken, {
      username: account.username,
      role,
      divisionCodes: role === 'officer' ? [COUNTY] : ['000000'],
      displayName: account.displayName,
    });
    const set = await api<{ secondFactor: { secret: string } | null }>(
      'POST',
      '/api/v1/staff-password-setups',
      null,
      { token: created.setupLink.token, password: account.password },
    );
    assert.ok(set.secondFactor !== null, 'production mode enrols the second factor');
    return set.secondFactor.secret;
  };

  const openPage = async (): Promise<Page> => {
    const browser = await launchChromium();
    browsers.push(browser);
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
    const page = await watchedPage(context, pageProblems);
    return page;
  };

  const stepsUsed = new Map<string, number>();
  const signIn = async (page: Page, account: { username: string; password: string }) => {
    await page.goto(`${baseUrl}/console`);
    await page.getByRole('heading', { level: 1, name: zhCN.console.signIn.heading }).waitFor();
    await page.getByLabel(zhCN.console.signIn.username).fill(account.username);
    await page.getByLabel(zhCN.console.signIn.password).fill(account.password);
    const secret = secrets[account.username];
    assert.ok(secret !== undefined);
    // The authenticator app's code (otplib, the library the server checks it with). The server takes
    // each 30-second step once per account, one step either side of now: a second sign-in of the same
    // account within a step uses the next step's code, as a person would wait for the next code.
    const now = platform.clock.now();
    const step = Math.max(Math.floor(now / 30_000), (stepsUsed.get(account.username) ?? -1) + 1);
    if (step > Math.floor(now / 30_000) + 1)
      await new Promise((r) => setTimeout(r, step * 30_000 - 30_000 - now + 50));
    stepsUsed.set(account.username, step);
    const code = authenticator.clone({ epoch: step * 30_000 }).generate(secret);
    await page.getByLabel(zhCN.console.signIn.totp).fill(code);
    await page.getByRole('button', { name: zhCN.console.signIn.submit, exact: true }).click();
  };

  const shoot = async (page: Page, name: string) => {
    await page.screenshot({ path: path.join(shotDir, `console-${name}.png`), fullPage: true });
  };

  const countCell = (page: Page, colour: 'green' | 'yellow' | 'red') =>
    page.locator(`#colours-now tr[data-division="${COUNTY}"] td[data-colour="${colour}"]`);

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-console-e2e-'));
    shotDir = process.env['SCREENSHOTS'] === '1' ? SCREENSHOT_DIR : path.join(workDir, 'screenshots');
    fs.mkdirSync(shotDir, { recursive: true });
    const built = await buildWeb(path.join(workDir, 'web'));
    // The browser's and the authenticator's clock is the real one: the server's manual clock follows it.
    platform = await createTestPlatform('sqlite', {
      mode: 'production',
      webRoot: built.outDir,
      now: Date.now(),
    });
    clockTimer = setInterval(() => platform.clock.set(Date.now()), 100);
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const address = platform.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    baseUrl = `http://127.0.0.1:${address.port}`;

    await addStaff(platform, [{ username: 'root-admin', role: 'admin', divisionCode: '000000' }]);
    adminToken = await staffToken(platform, 'root-admin');
    secrets[OFFICER.username] = await enrol(OFFICER, 'officer');
    secrets[AUDITOR.username] = await enrol(AUDITOR, 'auditor');
    secrets[ADMIN.username] = await enrol(ADMIN, 'admin');

    // Two residents of the officer's county, both green; one manages a venue with a checkpoint.
    managerToken = await signInResident(platform, MANAGER.mobile);
    appellantToken = await signInResident(platform, APPELLANT.mobile);
    for (const [token, who] of [
      [managerToken, MANAGER],
      [appellantToken, APPELLANT],
    ] as const) {
      await api(
        'PUT',
        '/api/v1/me/application',
        token,
        sampleApplication({ name: who.name, mobile: who.mobile, documentNumber: who.document }),
      );
    }
    venueId = (
      await api<{ venueId: number }>('POST', '/api/v1/venues', managerToken, {
        name: '泉城广场服务中心',
        kind: 'mallOrSupermarket',
        address: { divisionCode: COUNTY, detail: '泉城路 300 号' },
        contact: { name: '张经理', mobile: MANAGER.mobile },
      })
    ).venueId;
    await api('POST', `/api/v1/venues/${venueId}/approval`, adminToken, {});
    await api('POST', `/api/v1/venues/${venueId}/staff`, managerToken, GATE);
    // The end-of-day snapshots of the last days (the scheduler's job), for the 30-day chart.
    for (let d = 5; d >= 1; d--)
      await takeColourSnapshot(platform.platform, chinaDate((Date.now() - d * DAY_MS) as EpochMs));
    gateToken = (
      await api<{ token: string }>('POST', '/api/v1/staff-sessions', null, {
        username: GATE.username,
        password: GATE.password,
      })
    ).token;
  });

  after(async () => {
    clearInterval(clockTimer);
    for (const browser of browsers) await browser.close();
    await platform?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('an officer signs in with password and TOTP, sees the counts change after an import, a red check arrive live, and answers an appeal the resident then sees', async () => {
    const page = await openPage();
    await signIn(page, OFFICER);
    await page.getByRole('heading', { level: 1, name: zhCN.console.dashboard.heading }).waitFor();
    await countCell(page, 'green').filter({ hasText: /^2$/ }).waitFor();
    assert.equal(await countCell(page, 'red').textContent(), '0');
    // Both charts are drawn: residents per colour per county now, and per day.
    assert.equal(await page.locator('.chart-box canvas').count(), 2);
    assert.equal(await page.title(), zhCN.console.title);

    // A confirmed case in the officer's county, imported through the API.
    const csv = [
      'sourceId,documentType,documentNumber,diagnosedAt,note',
      `JN-C-2026-0001,resident_id_card,${APPELLANT.document},${new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)},`,
    ].join('\n');
    const started = await api<{ importId: string }>(
      'POST',
      `/api/v1/imports?kind=confirmed&division=${COUNTY}`,
      adminToken,
      csv,
      'text/csv',
    );
    for (;;) {
      const status = await api<{ status: string; rowsImported: number }>(
        'GET',
        `/api/v1/imports/${started.importId}`,
        adminToken,
      );
      if (status.status !== 'running') {
        assert.equal(status.status, 'completed');
        assert.equal(status.rowsImported, 1);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    // The dashboard follows by itself: red 1, green 1, and the import in its list.
    await countCell(page, 'red').filter({ hasText: /^1$/ }).waitFor();
    assert.equal(await countCell(page, 'green').textContent(), '1');
    await page
      .locator(`#dashboard-imports li[data-import-id="${started.importId}"][data-status="completed"]`)
      .waitFor();

    // The live queue is connected; a red code checked at the venue arrives within a second.
    await page.locator('#stream-state').filter({ hasText: zhCN.console.reports.stream.open }).waitFor();
    assert.equal(await page.locator('#report-queue li[data-kind="red_code"]').count(), 0);
    const code = await api<{ code: string; colour: string; maskedName: string }>(
      'GET',
      '/api/v1/me/code',
      appellantToken,
    );
    assert.equal(code.colour, 'red');
    await api('POST', `/api/v1/venues/${venueId}/checks`, gateToken, {
      clientCheckId: randomUUID(),
      code: code.code,
      temperature: 36.6,
      maskWorn: true,
    });
    const arrived = page.locator('#report-queue li[data-kind="red_code"]');
    await arrived.waitFor({ timeout: 1_000 });
    assert.match((await arrived.textContent()) ?? '', new RegExp(code.maskedName.replace('*', '\\*')));
    assert.equal(await arrived.getAttribute('data-state'), 'new');
    await shoot(page, 'dashboard');
    // Acknowledge, then handled: the queue shows the state the server answered with.
    await arrived.getByRole('button', { name: zhCN.console.reports.acknowledge, exact: true }).click();
    await page.locator('#report-queue li[data-kind="red_code"][data-state="acknowledged"]').waitFor();

    // The resident disputes the imported fact.
    const inputs = await api<{ inputs: { factId: string; kind: string }[] }>(
      'GET',
      '/api/v1/me/colour-inputs',
      appellantToken,
    );
    const confirmed = inputs.inputs.find((i) => i.kind === 'confirmed');
    assert.ok(confirmed !== undefined, 'the import is an input of the colour');
    const appeal = await api<{ appealId: string }>('POST', '/api/v1/me/appeals', appellantToken, {
      factId: confirmed.factId,
      explanation: '我没有去过医院，也没有做过检测，请核实。',
      attachments: [{ mediaType: 'image/png', data: EVIDENCE_PNG.toString('base64') }],
    });

    await page.getByRole('link', { name: zhCN.console.nav.appeals, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: zhCN.console.appeals.heading }).waitFor();
    const item = page.locator(`#appeals-queue li[data-appeal-id="${appeal.appealId}"]`);
    await item.waitFor();
    assert.equal(await item.getAttribute('data-state'), 'open');
    // The officer opens the resident's evidence: a download of the very bytes sent (audited).
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: /^打开附件 1（PNG/ }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^attachment-[0-9a-f]{8}\.png$/);
    const saved = await download.path();
    assert.ok(fs.readFileSync(saved).equals(EVIDENCE_PNG), 'the attachment opens as sent');
    await item.getByLabel(zhCN.console.appeals.answerLabel).fill(ANSWER);
    await item.getByLabel(zhCN.console.appeals.outcomeLabel).selectOption('rejected');
    await shoot(page, 'appeals');
    await item.getByRole('button', { name: zhCN.console.appeals.send, exact: true }).click();
    await page
      .locator(`#appeals-queue li[data-appeal-id="${appeal.appealId}"][data-state="answered"]`)
      .waitFor();

    const mine = await api<{
      appeals: { appealId: string; state: string; answer: string | null; outcome: string | null }[];
    }>('GET', '/api/v1/me/feedback', appellantToken);
    const answered = mine.appeals.find((a) => a.appealId === appeal.appealId);
    assert.equal(answered?.state, 'answered');
    assert.equal(answered?.answer, ANSWER);
    assert.equal(answered?.outcome, 'rejected');

    // A colour override requested by another officer (here the admin) waits for this one's approval.
    const endsAt = new Date(Date.now() + 8 * 3_600_000 + 3 * DAY_MS).toISOString().slice(0, 10);
    const requested = await api<{ overrideId: string; status: string }>(
      'POST',
      '/api/v1/colour-overrides',
      adminToken,
      {
        documentType: 'resident_id_card',
        documentNumber: MANAGER.document,
        colour: 'yellow',
        reason: '流调：与确诊病例同一时段到访同一商场',
        endsAt,
      },
    );
    assert.equal(requested.status, 'pending');
    await page.getByRole('link', { name: zhCN.console.nav.overrides, exact: true }).click();
    const row = page.locator(`#overrides tr[data-override-id="${requested.overrideId}"]`);
    await row.getByRole('button', { name: zhCN.console.overrides.approveSubmit, exact: true }).click();
    await page.getByRole('status').filter({ hasText: zhCN.console.colour.yellow }).waitFor();
    await row.waitFor({ state: 'detached' });
    assert.equal((await api<{ colour: string }>('GET', '/api/v1/me/code', managerToken)).colour, 'yellow');
    assert.deepEqual(pageProblems, []);
  });

  test('an auditor signs in with TOTP and sees the audit log, with no personal detail, and nothing else', async () => {
    const page = await openPage();
    await signIn(page, AUDITOR);
    await page.getByRole('heading', { level: 1, name: zhCN.console.audit.heading }).waitFor();
    await page.locator('#audit-log tbody tr').first().waitFor();
    assert.ok((await page.locator('#audit-log tbody tr').count()) > 0);
    // The officer's answer to the appeal is in the log, as an action without its text.
    await page.locator('#audit-log tbody tr[data-action="answer_appeal"]').first().waitFor();
    const navLinks = await page.getByRole('navigation').getByRole('link').allTextContents();
    assert.deepEqual(navLinks, [zhCN.console.nav.audit]);
    const text = await page.locator('body').innerText();
    for (const secret of [
      MANAGER.name,
      APPELLANT.name,
      MANAGER.document,
      APPELLANT.document,
      MANAGER.mobile,
      APPELLANT.mobile,
      ANSWER,
    ]) {
      assert.ok(!text.includes(secret), `the audit log page shows ${secret}`);
    }
    await shoot(page, 'audit-log');
    assert.deepEqual(pageProblems, []);
  });

  test('an admin opens every view in both languages without a page error; previews the policy per county and creates an account with its one-time link', async () => {
    const page = await openPage();
    await signIn(page, ADMIN);
    await page.getByRole('heading', { level: 1, name: zhCN.console.dashboard.heading }).waitFor();
    const views = Object.keys(zhCN.console.nav).filter(
      (k) => k !== 'label',
    ) as (keyof typeof zhCN.console.nav)[];
    const navLinks = await page.getByRole('navigation').getByRole('link').allTextContents();
    assert.deepEqual(
      navLinks,
      views.map((v) => zhCN.console.nav[v]),
    );
    for (const view of views) {
      await page
        .getByRole('navigation')
        .getByRole('link', { name: zhCN.console.nav[view], exact: true })
        .click();
      await page
        .locator('h1')
        .filter({ hasText: zhCN.console.nav[view].slice(0, 2) })
        .first()
        .waitFor();
    }
    // English: every heading and the navigation switch at once.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: en.console.audit.heading }).waitFor();
    await page.getByRole('link', { name: en.console.nav.risk, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: en.console.risk.heading }).waitFor();
    // The policy in force, previewed as it is: how many people change colour per county.
    await page.getByLabel(en.console.policy.document).waitFor();
    await page.waitForFunction(
      () => (document.getElementById('policy-json') as HTMLTextAreaElement | null)?.value !== '',
    );
    await page.getByRole('button', { name: en.console.policy.preview, exact: true }).click();
    await page.locator('#policy-preview').waitFor();
    await page.getByRole('link', { name: en.console.nav.staff, exact: true }).click();
    await page.getByLabel(en.console.staff.username, { exact: true }).fill('officer.new');
    await page.getByLabel(en.console.staff.displayName, { exact: true }).fill('New officer');
    await page.getByLabel(en.console.staff.role, { exact: true }).selectOption('officer');
    await page.getByLabel(en.console.staff.divisions, { exact: true }).fill(COUNTY);
    await page.getByRole('button', { name: en.console.staff.createSubmit, exact: true }).click();
    const link = (await page.locator('#setup-link').textContent()) ?? '';
    assert.match(link, /^https?:\/\/.+/);
    // A hospital account (issue 11, S17): the form asks for the hospital venue instead of divisions.
    const hospital = await api<{ venueId: number }>('POST', '/api/v1/venues', managerToken, {
      name: '省立医院',
      kind: 'hospital',
      address: { divisionCode: COUNTY, detail: '经十路 324 号' },
      contact: { name: '张经理', mobile: MANAGER.mobile },
    });
    await api('POST', `/api/v1/venues/${hospital.venueId}/approval`, adminToken, {});
    await page.getByLabel(en.console.staff.username, { exact: true }).fill('hospital.desk');
    await page.getByLabel(en.console.staff.displayName, { exact: true }).fill('Registration desk');
    await page.getByLabel(en.console.staff.role, { exact: true }).selectOption('hospital');
    assert.equal(await page.getByLabel(en.console.staff.divisions, { exact: true }).count(), 0);
    await page.getByLabel(en.console.staff.venue, { exact: true }).fill(String(hospital.venueId));
    await page.getByRole('button', { name: en.console.staff.createSubmit, exact: true }).click();
    await page.locator('#setup-link').filter({ hasText: /./ }).waitFor();
    await page
      .getByRole('row', { name: /hospital\.desk/ })
      .getByText(en.console.role.hospital)
      .waitFor();
    assert.deepEqual(pageProblems, []);
  });

  test('an admin registers a partner channel, sees its secret once (it works at the token endpoint), and disables it', async () => {
    const page = await openPage();
    await signIn(page, ADMIN);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('link', { name: en.console.nav.channels, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: en.console.channels.heading }).waitFor();
    await page.getByLabel(en.console.channels.name, { exact: true }).fill('WeChat service account');
    await page.getByLabel('application:write').check();
    await page.getByLabel(en.console.channels.limit, { exact: true }).fill('120');
    await page.getByRole('button', { name: en.console.channels.registerSubmit, exact: true }).click();
    const secret = (await page.locator('#channel-secret').textContent()) ?? '';
    assert.match(secret, /^chs_/);
    const row = page.getByRole('row', { name: /WeChat service account/ });
    const clientId = (await row.locator('code').first().textContent()) ?? '';
    const token = await fetch(`${baseUrl}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
      }),
    });
    assert.equal(token.status, 200, await token.clone().text());
    assert.equal(((await token.json()) as { scope: string }).scope, 'code:read application:write');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: en.console.channels.heading }).waitFor();
    assert.equal(await page.locator('#channel-secret').count(), 0, 'the secret is not shown again');
    await row.getByText(/1 requests in the last hour/).waitFor();
    await row.getByRole('button', { name: new RegExp(en.console.channels.disable) }).click();
    await row.getByText(en.console.channels.disabled, { exact: true }).waitFor();
    assert.deepEqual(pageProblems, []);
  });
});
