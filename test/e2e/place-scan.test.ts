import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding } from '../support/machine.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { seedDemoData } from '../../src/use-cases/demo.ts';
import { createTestPlatform, signInResident, type TestPlatform } from '../support/platform.ts';
import { fakeCameraChromiumArgs, writeFakeCameraVideo } from '../support/fake-camera.ts';
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };

/**
 * S4 in real Chromium: a resident, not yet signed in, opens /scan; after signing in the camera
 * (a fake one playing the venue's place-code image) reads the poster, the visit is recorded and
 * their own code fills the screen with the venue name, a ticking clock and a moving band. The link
 * a poster's QR can hold (/scan?c=…) does the same without the camera.
 */

const MANAGER_MOBILE = '13800000001';
/** The demo resident whose code is yellow. */
const VISITOR_MOBILE = '13800000002';
const VENUE_NAME = '历下区政务服务大厅';

describeNeeding(['chromium'], 'place-code scan in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let workDir: string;
  let venueId: number;
  let officerToken: string;
  let placeCode: { code: string; url: string };
  const pageProblems: string[] = [];

  const inject = async (method: 'GET' | 'POST', url: string, token: string | null, payload?: unknown) => {
    const res = await platform.app.inject({
      method,
      url,
      ...(token === null ? {} : { headers: { authorization: `Bearer ${token}` } }),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  };
  const visits = async () =>
    (await inject('GET', `/api/v1/venues/${venueId}/visits`, officerToken)).json<{
      visits: { maskedName: string }[];
    }>().visits;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-place-scan-e2e-'));
    const built = await buildWeb(path.join(workDir, 'web'));
    platform = await createTestPlatform('sqlite', { webRoot: built.outDir });
    await seedDemoData(platform.platform);
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const address = platform.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    baseUrl = `http://127.0.0.1:${address.port}`;

    const managerToken = await signInResident(platform, MANAGER_MOBILE);
    venueId = (
      await inject('POST', '/api/v1/venues', managerToken, {
        name: VENUE_NAME,
        kind: 'governmentServiceHall',
        address: { divisionCode: '370102', detail: '龙奥北路 1 号' },
        contact: { name: '王主任', mobile: MANAGER_MOBILE },
      })
    ).json<{ venueId: number }>().venueId;
    officerToken = (
      await inject('POST', '/api/v1/staff-sessions', null, { username: 'officer', password: 'demo-officer' })
    ).json<{ token: string }>().token;
    await inject('POST', `/api/v1/venues/${venueId}/approval`, officerToken, {});
    placeCode = (await inject('GET', `/api/v1/venues/${venueId}/place-code`, managerToken)).json();
    // The camera shows the place-code image the platform renders for the poster.
    const png = (await inject('GET', `/api/v1/venues/${venueId}/place-code?format=png`, managerToken))
      .rawPayload;
    const camera = path.join(workDir, 'poster.y4m');
    writeFakeCameraVideo(png, camera);

    browser = await launchChromium(fakeCameraChromiumArgs(camera));
    const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
    page = await watchedPage(context, pageProblems);
  });

  after(async () => {
    await browser?.close();
    await platform?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('not signed in: sign in first, then the camera reads the poster and the code shows the venue', async () => {
    await page.goto(`${baseUrl}/scan`);
    await page.getByRole('heading', { level: 1, name: zhCN.signIn.heading }).waitFor();
    await page.getByLabel(zhCN.signIn.mobile).fill(VISITOR_MOBILE);
    await page.getByRole('button', { name: zhCN.signIn.sendCode }).click();
    await page.locator('#dev-code').waitFor();
    await page.getByRole('button', { name: zhCN.signIn.submit, exact: true }).click();

    await page.locator('#venue-name').waitFor();
    assert.equal((await page.locator('#venue-name').textContent())?.trim(), VENUE_NAME);
    assert.equal(new URL(page.url()).pathname, '/scan');
    assert.equal(await page.locator('#code-colour').getAttribute('data-colour'), 'yellow');
    assert.match((await page.locator('.place-pass__kind').textContent()) ?? '', /政务服务大厅/);

    // The clock shows seconds and ticks; the band keeps moving.
    const clock = page.locator('#place-clock');
    const first = (await clock.textContent()) ?? '';
    assert.match(first, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    await page.waitForFunction(
      (before) => document.getElementById('place-clock')?.textContent !== before,
      first,
      {
        timeout: 3000,
      },
    );
    const animation = await page
      .locator('.place-pass__band')
      .evaluate((el) => [getComputedStyle(el).animationName, getComputedStyle(el).animationIterationCount]);
    assert.deepEqual(animation, ['place-pass-band', 'infinite']);
    const positions = new Set<string>();
    for (let i = 0; i < 4; i++) {
      positions.add(
        await page.locator('.place-pass__band').evaluate((el) => getComputedStyle(el).backgroundPosition),
      );
      await page.waitForTimeout(120);
    }
    assert.ok(positions.size > 1, `the band moves (${[...positions].join(' | ')})`);

    const recorded = await visits();
    assert.equal(recorded.length, 1, 'one scan, one visit, though the camera saw the poster many times');
  });

  test('the link on the poster records a visit without the camera', async () => {
    assert.match(placeCode.url, /\/scan\?c=/);
    const link = new URL(placeCode.url);
    await page.goto(`${baseUrl}${link.pathname}${link.search}`);
    await page.locator('#venue-name').waitFor();
    assert.equal((await page.locator('#venue-name').textContent())?.trim(), VENUE_NAME);
    assert.equal(page.url(), `${baseUrl}/scan`, 'the spent link is taken out of the address bar');
    assert.equal((await visits()).length, 2);
  });

  test('the pages logged no errors', () => {
    assert.deepEqual(pageProblems, []);
  });
});
