import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding } from '../support/machine.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { createTestPlatform, residentIdNumber, type TestPlatform } from '../support/platform.ts';
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };
import en from '../../web/i18n/en.json' with { type: 'json' };

/**
 * The resident flow in real Chromium against the real server (SQLite, ManualClock): sign in with the
 * demo code, apply (once with a wrong ID number), see the green code, decode its QR with zbarimg.
 */

const SCREENSHOT = '/tmp/resident-code.png';
const MOBILE = '13800138000';
const FEVER_MOBILE = '13900139000';
const VALID_ID = residentIdNumber('37010219900307123');
/** The same number with a different check character. */
const WRONG_ID = VALID_ID.slice(0, 17) + (VALID_ID.endsWith('1') ? '2' : '1');
const execFileAsync = promisify(execFile);

async function decodeQr(pngFile: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('zbarimg', ['--nodbus', '--quiet', '--raw', pngFile]);
    return stdout.trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      assert.fail(
        'zbarimg is not installed: install the Debian package zbar-tools (apt-get install zbar-tools)',
      );
    }
    throw new Error(`zbarimg could not decode ${pngFile}: ${(error as Error).message}`);
  }
}

describeNeeding(['chromium'], 'resident web app in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let workDir: string;
  const pageProblems: string[] = [];
  const failedResponses: string[] = [];
  const outsideRequests: string[] = [];

  const tokenOnPage = async (): Promise<string> => {
    const token = await page.evaluate(() => window.localStorage.getItem('healthcode.token'));
    assert.ok(token, 'the page keeps the session token in localStorage');
    return token;
  };
  const myCodeFromApi = async (token: string) => {
    const res = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/me/code',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ code: string; colour: string; maskedName: string; healthCardId: string }>();
  };
  const qrText = async (file: string): Promise<string> => {
    await page.locator('#qr svg').waitFor();
    await page.locator('#qr').screenshot({ path: file });
    return decodeQr(file);
  };
  const assertFitsWidth = async (where: string) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${where}: the page is ${overflow}px wider than a 360px screen`);
  };

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-e2e-'));
    const built = await buildWeb(path.join(workDir, 'web'));
    platform = await createTestPlatform('sqlite', {
      webRoot: built.outDir,
      env: { SUPPORT_PHONE: '0531-12345', SUPPORT_HOURS: '8:00–22:00' },
    });
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const address = platform.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    baseUrl = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2 });
    // Nothing may be fetched from anywhere but the platform itself (no CDN, no fonts, no analytics).
    await context.route('**/*', async (route) => {
      if (route.request().url().startsWith(baseUrl)) return route.continue();
      outsideRequests.push(route.request().url());
      return route.abort();
    });
    page = await watchedPage(context, pageProblems);
    page.on('response', (response) => {
      if (response.status() >= 400) {
        failedResponses.push(
          `${response.request().method()} ${new URL(response.url()).pathname} ${response.status()}`,
        );
      }
    });
  });

  after(async () => {
    await browser?.close();
    await platform?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('signs in with the demo code shown on the page', async () => {
    await page.goto(baseUrl);
    await page.getByRole('heading', { level: 1, name: zhCN.signIn.heading }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    // The support contact (S15) configured with SUPPORT_PHONE/SUPPORT_HOURS, at the foot of the page.
    const support = page.getByRole('contentinfo', { name: zhCN.app.support.label });
    await support.getByTestId('support-phone').waitFor();
    assert.equal(await support.getByTestId('support-phone').getAttribute('href'), 'tel:053112345');
    assert.match((await support.textContent()) ?? '', /咨询电话\s*0531-12345\s*\(8:00–22:00\)/);
    await assertFitsWidth('sign-in');
    await page.getByLabel(zhCN.signIn.mobile).fill(MOBILE);
    await page.getByRole('button', { name: zhCN.signIn.sendCode }).click();
    const devCode = (await page.locator('#dev-code').textContent())?.trim() ?? '';
    assert.match(devCode, /^\d{6}$/, 'the demo code is shown');
    assert.ok(
      await page.getByText(zhCN.signIn.demoLabel).isVisible(),
      'the demo code is labelled as demo mode',
    );
    assert.equal(await page.getByLabel(zhCN.signIn.code).inputValue(), devCode, 'and prefilled');
    await page.getByRole('button', { name: zhCN.signIn.submit, exact: true }).click();
    // No application yet: the app goes on to the apply page.
    await page.getByRole('heading', { level: 1, name: zhCN.apply.heading }).waitFor();
  });

  test('shows an invalid ID number next to its field, then applies', async () => {
    assert.equal(
      await page.getByLabel(zhCN.apply.mobile).inputValue(),
      MOBILE,
      'mobile prefilled from sign-in',
    );
    await page.getByLabel(zhCN.apply.name).fill('张小三');
    assert.equal(await page.getByLabel(zhCN.apply.documentType).inputValue(), 'resident_id_card');
    await page.getByLabel(zhCN.apply.documentNumber).fill(WRONG_ID);
    await page.getByLabel(zhCN.apply.divisionCode).fill('370102');
    await page.getByLabel(zhCN.apply.addressDetail).fill('泉城路 1 号');
    await page.getByLabel(zhCN.apply.pledge).check();
    await assertFitsWidth('apply');
    await page.getByRole('button', { name: zhCN.apply.submit }).click();

    const error = page.locator('#error-documentNumber');
    await error.waitFor();
    assert.equal((await error.textContent())?.trim(), zhCN.issues.document_check_digit);
    const input = page.locator('#field-documentNumber');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.match((await input.getAttribute('aria-describedby')) ?? '', /\berror-documentNumber\b/);
    assert.equal(
      await page.evaluate(() =>
        document
          .getElementById('error-documentNumber')
          ?.parentElement?.contains(document.getElementById('field-documentNumber')),
      ),
      true,
      'the error sits in the same field block as the input',
    );
    assert.equal(await page.locator('.field-error').count(), 1, 'only the ID number is faulted');
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      'field-documentNumber',
      'focus moves to the faulty field',
    );

    await input.fill(VALID_ID);
    await page.getByRole('button', { name: zhCN.apply.submit }).click();
    await page.locator('#code-colour[data-colour="green"]').waitFor();
  });

  test('shows the green code with a QR that decodes to the current code', async () => {
    const band = page.locator('#code-colour');
    assert.match((await band.textContent()) ?? '', new RegExp(zhCN.code.colour.green));
    assert.equal(
      await band.evaluate((el) => getComputedStyle(el).backgroundColor),
      'rgb(26, 127, 55)',
      'green is #1a7f37',
    );
    const token = await tokenOnPage();
    const fromApi = await myCodeFromApi(token);
    assert.equal(fromApi.colour, 'green');
    assert.equal((await page.locator('#masked-name').textContent())?.trim(), fromApi.maskedName);
    assert.notEqual(fromApi.maskedName, '张小三', 'the name is masked');
    assert.equal((await page.locator('#health-card-id').textContent())?.trim(), fromApi.healthCardId);

    const qrBox = await page.locator('#qr').boundingBox();
    assert.ok(qrBox !== null && qrBox.width >= 280, `the QR is large on a 360px screen (${qrBox?.width}px)`);
    assert.equal(
      await qrText(path.join(workDir, 'qr.png')),
      fromApi.code,
      'the QR carries the code the API issues this minute',
    );

    // The clock shows server time (the ManualClock stands at 10:00 China time) and ticks locally.
    const clock = page.locator('#clock');
    const first = (await clock.textContent()) ?? '';
    assert.match(first, /^2026-11-25 10:00:\d{2}$/);
    await page.waitForFunction((before) => document.getElementById('clock')?.textContent !== before, first, {
      timeout: 3000,
    });
    await assertFitsWidth('my code');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  test('fetches a new code when the minute turns', async () => {
    const token = await tokenOnPage();
    const before = (await myCodeFromApi(token)).code;
    platform.clock.advance(60_000);
    const now = (await myCodeFromApi(token)).code;
    assert.notEqual(now, before, 'the server issues a new code each minute');
    // Coming back to the page (visibilitychange) fetches at once rather than waiting for refreshAt.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await page.waitForFunction(
      () => document.getElementById('clock')?.textContent?.startsWith('2026-11-25 10:01') === true,
    );
    assert.equal(await qrText(path.join(workDir, 'qr-next.png')), now);
  });

  test('switches to English and remembers it', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    const band = page.locator('#code-colour');
    // The English catalogue is downloaded on the first switch (issue 11: one language per load).
    await page.locator('#code-colour', { hasText: en.code.colour.green }).waitFor();
    assert.match((await band.textContent()) ?? '', new RegExp(en.code.colour.green));
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.reload();
    await page.locator('#code-colour[data-colour="green"]').waitFor();
    assert.match((await band.textContent()) ?? '', new RegExp(en.code.colour.green));
    assert.equal(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
  });

  test('large type enlarges the text but keeps the page within 360px', async () => {
    const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
    const normal = await size();
    const toggle = page.getByRole('button', { name: en.app.largeType });
    await toggle.click();
    try {
      assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
      // Wait for the style to apply (bounded by the page's default timeout), then check the size.
      await page
        .waitForFunction(
          (base) => parseFloat(getComputedStyle(document.documentElement).fontSize) > base * 1.2,
          normal,
          { timeout: 5_000 },
        )
        .catch(() => undefined);
      assert.ok((await size()) > normal * 1.2, 'the root font grows');
      await assertFitsWidth('my code, large type');
      const qr = await page.locator('#qr').boundingBox();
      assert.ok(qr !== null && qr.width >= 280, 'the QR stays large');
    } finally {
      await toggle.click();
    }
  });

  test('signs out: the session is revoked on the server', async () => {
    const token = await tokenOnPage();
    await page.getByRole('button', { name: en.code.signOut }).click();
    await page.getByRole('heading', { level: 1, name: en.signIn.heading }).waitFor();
    assert.equal(await page.evaluate(() => window.localStorage.getItem('healthcode.token')), null);
    const res = await platform.app.inject({
      method: 'GET',
      url: '/api/v1/me/code',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 401);
  });

  test('a resident who declares a fever sees a yellow code, its reasons and when it turns green', async () => {
    await page.getByLabel(en.signIn.mobile).fill(FEVER_MOBILE);
    await page.getByRole('button', { name: en.signIn.sendCode }).click();
    await page.locator('#dev-code').waitFor();
    await page.getByRole('button', { name: en.signIn.submit, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: en.apply.heading }).waitFor();
    await page.getByLabel(en.apply.name).fill('Li Si');
    await page.getByLabel(en.apply.documentNumber).fill(residentIdNumber('37010219850101123'));
    await page.getByLabel(en.apply.divisionCode).fill('370102');
    await page.getByLabel(en.apply.addressDetail).fill('2 Quancheng Road');
    await page.getByLabel(en.apply.fever).check();
    await page.getByLabel(en.apply.temperature).fill('37.8');
    await page.getByLabel(en.apply.pledge).check();
    await page.getByRole('button', { name: en.apply.submit, exact: true }).click();
    await page.locator('#code-colour[data-colour="yellow"]').waitFor();

    const band = page.locator('#code-colour');
    assert.match((await band.textContent()) ?? '', new RegExp(en.code.colour.yellow));
    const colours = await band.evaluate((el) => [
      getComputedStyle(el).backgroundColor,
      getComputedStyle(el).color,
    ]);
    assert.deepEqual(colours, ['rgb(212, 161, 6)', 'rgb(31, 26, 0)'], 'yellow #d4a106 with dark text');

    const fromApi = (await platform.app
      .inject({
        method: 'GET',
        url: '/api/v1/me/code',
        headers: { authorization: `Bearer ${await tokenOnPage()}` },
      })
      .then((r) => r.json())) as {
      until: string | null;
      reasons: { colour: string; text: { en: string } }[];
    };
    assert.ok(
      fromApi.until !== null &&
        fromApi.reasons.length > 0 &&
        fromApi.reasons.every((r) => r.colour === 'yellow'),
    );
    // '2026-12-09T10:01:00+08:00' is shown as '2026-12-09 10:01'.
    const untilText = `${fromApi.until.slice(0, 10)} ${fromApi.until.slice(11, 16)}`;
    assert.equal(
      (await page.locator('#code-until').textContent())?.trim(),
      `Expected to turn green at ${untilText}`,
    );
    const shown = await page.locator('.code-reasons li').allTextContents();
    assert.deepEqual(
      shown,
      fromApi.reasons.map((r) => r.text.en),
    );
    await assertFitsWidth('yellow code');
  });

  test('fetched nothing from outside, logged no errors, and failed only where the flow expects it', () => {
    assert.deepEqual(outsideRequests, []);
    assert.deepEqual(pageProblems, []);
    assert.deepEqual(failedResponses, [
      'GET /api/v1/me/code 404', // no application yet: the app moves on to the apply page
      'GET /api/v1/me/application 404',
      'PUT /api/v1/me/application 400', // the wrong ID number
      'GET /api/v1/me/code 404', // the second resident, new too
      'GET /api/v1/me/application 404',
    ]);
  });
});
