import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { buildWeb } from '../../scripts/build-web.ts';
import { seedDemoData } from '../../src/use-cases/demo.ts';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding } from '../support/machine.ts';
import { CODE_VISIBLE, signedInContext } from '../support/page-load.ts';
import {
  bearer,
  createTestPlatform,
  sampleApplication,
  signInResident,
  TEST_EPOCH,
  type TestPlatform,
} from '../support/platform.ts';
import en from '../../web/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };

/**
 * Issue 11 item 3 in real Chromium: the installable app (its web manifest as Chromium reads it,
 * the icons), the Workbox service worker installing and controlling the second load, and the
 * last code and the last place-code pop-up shown with the network cut (context.setOffline) with
 * a notice of their age — then renewed when the network is back. Language and large type are
 * remembered across reloads, online and offline.
 */

const RESIDENT_MOBILE = '13800138000';
const MANAGER_MOBILE = '13800000001';
const VENUE_NAME = '历下区政务服务大厅';
/** The server's clock (ManualClock) when the codes are issued: 10:00 China time. */
const ISSUED_AT = '2026-11-25 10:00';

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG file');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describeNeeding(['chromium'], 'installable app and offline spell in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  let workDir: string;
  let placeLink: string;
  const pageProblems: string[] = [];

  const inject = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    token: string | null,
    payload?: object,
  ) => {
    const res = await platform.app.inject({
      method,
      url,
      ...(token === null ? {} : { headers: bearer(token) }),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  };

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-pwa-e2e-'));
    const built = await buildWeb(path.join(workDir, 'web'));
    platform = await createTestPlatform('sqlite', { webRoot: built.outDir, now: TEST_EPOCH });
    await seedDemoData(platform.platform);
    const token = await signInResident(platform, RESIDENT_MOBILE);
    await inject('PUT', '/api/v1/me/application', token, sampleApplication());
    // A venue with a place code (as in place-scan.test.ts).
    const managerToken = await signInResident(platform, MANAGER_MOBILE);
    const venueId = (
      await inject('POST', '/api/v1/venues', managerToken, {
        name: VENUE_NAME,
        kind: 'governmentServiceHall',
        address: { divisionCode: '370102', detail: '龙奥北路 1 号' },
        contact: { name: '王主任', mobile: MANAGER_MOBILE },
      })
    ).json<{ venueId: number }>().venueId;
    const officerToken = (
      await inject('POST', '/api/v1/staff-sessions', null, { username: 'officer', password: 'demo-officer' })
    ).json<{ token: string }>().token;
    await inject('POST', `/api/v1/venues/${venueId}/approval`, officerToken, {});
    const link = new URL(
      (await inject('GET', `/api/v1/venues/${venueId}/place-code`, managerToken)).json<{ url: string }>().url,
    );
    placeLink = `${link.pathname}${link.search}`;

    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const address = platform.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    baseUrl = `http://127.0.0.1:${address.port}`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 360, height: 780 } });
    await signedInContext(context, token);
    page = await watchedPage(context, pageProblems);
  });

  after(async () => {
    await browser?.close();
    await platform?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('the web manifest is served, linked and valid to Chromium, with both names and PNG icons', async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator(CODE_VISIBLE).waitFor();
    assert.equal(await page.locator('link[rel="manifest"]').getAttribute('href'), '/manifest.webmanifest');

    const res = await fetch(`${baseUrl}/manifest.webmanifest`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers.get('content-type')), /^application\/manifest\+json/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const manifest = (await res.json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      theme_color: string;
      icons: { src: string; sizes: string; type: string; purpose: string }[];
    };
    assert.match(manifest.name, /健康通行码/);
    assert.match(manifest.name, /Health Pass Code/);
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/i);
    for (const size of [192, 512]) {
      const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}` && i.purpose === 'any');
      assert.ok(icon, `an icon of ${size}px`);
      const png = await fetch(new URL(icon.src, baseUrl));
      assert.equal(png.status, 200);
      assert.equal(png.headers.get('content-type'), 'image/png');
      assert.deepEqual(pngSize(Buffer.from(await png.arrayBuffer())), { width: size, height: size });
    }
    assert.ok(
      manifest.icons.some((i) => i.purpose === 'maskable'),
      'a maskable icon',
    );

    // As Chromium itself parses it: no errors, and nothing in the way of installing the app.
    const cdp = await context.newCDPSession(page);
    const parsed = (await cdp.send('Page.getAppManifest')) as { url: string; errors: { message: string }[] };
    assert.equal(parsed.url, `${baseUrl}/manifest.webmanifest`);
    assert.deepEqual(parsed.errors, []);
    const installability = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    // Playwright's contexts are incognito profiles, where Chromium never installs apps; nothing else
    // may stand in the way.
    assert.deepEqual(
      installability.installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito'),
      [],
      'Chromium would offer to install the app',
    );
    await cdp.detach();
  });

  test('the service worker installs on the first load and controls the second', async () => {
    assert.equal(
      await page.evaluate(() => navigator.serviceWorker.controller === null),
      true,
      'the first load is not controlled: the worker waits for the next one',
    );
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, `${baseUrl}/`);
    await page.reload();
    await page.locator(CODE_VISIBLE).waitFor();
    assert.equal(
      await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL ?? null),
      `${baseUrl}/sw.js`,
    );
    // Precached: the shell and both catalogues; no API answer is in any cache.
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys())
        for (const request of await (await caches.open(name)).keys())
          urls.push(new URL(request.url).pathname);
      return urls;
    });
    assert.ok(cached.includes('/index.html'), `index.html is precached (${cached.join(', ')})`);
    assert.ok(cached.some((u) => /^\/assets\/zh-CN-\w+\.js$/.test(u)));
    assert.ok(cached.some((u) => /^\/assets\/en-\w+\.js$/.test(u)));
    assert.deepEqual(
      cached.filter((u) => u.startsWith('/api/')),
      [],
      'no API answer is cached by the worker',
    );
  });

  test('language and large type are remembered across reloads', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('#code-colour', { hasText: en.code.colour.green }).waitFor();
    await page.getByRole('button', { name: en.app.largeType }).click();
    await page.waitForFunction(() => document.documentElement.classList.contains('large-type'));
    await page.reload();
    await page.locator(CODE_VISIBLE).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('large-type')), true);
    assert.equal(
      await page.getByRole('button', { name: en.app.largeType }).getAttribute('aria-pressed'),
      'true',
    );
    // Back to Chinese, large type kept for the offline checks below.
    await page.getByRole('button', { name: '中文' }).click();
    await page.locator('#code-colour', { hasText: zhCN.code.colour.green }).waitFor();
    await page.reload();
    await page.locator(CODE_VISIBLE).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  });

  test('offline, the code page shows the last code with its age, in large type; back online it renews', async () => {
    const name = (await page.locator('#masked-name').textContent())?.trim();
    assert.ok(name);
    await context.setOffline(true);
    try {
      await page.reload();
      await page.locator(CODE_VISIBLE).waitFor();
      const notice = page.locator('#code-age');
      await notice.waitFor();
      const text = (await notice.textContent()) ?? '';
      assert.ok(text.includes(zhCN.code.stale), text);
      assert.ok(text.includes(ISSUED_AT), `the time the code was received: ${text}`);
      assert.ok(text.includes(zhCN.offline.lessThanMinute), text);
      assert.equal((await page.locator('#masked-name').textContent())?.trim(), name);
      const fontPx = await notice.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      assert.ok(fontPx >= 22, `the notice is in large type (${fontPx}px)`);

      // Twelve minutes later (as the phone sees it: the code arrived 12 minutes earlier, and the
      // server's clock is 12 minutes on): past its five minutes, so expired as well as old — and
      // the other language, from the precache.
      await page.evaluate(() => {
        const codes = JSON.parse(window.localStorage.getItem('healthcode.lastCodes') ?? '{}') as Record<
          string,
          { savedAt: number; offsetMs: number }
        >;
        for (const saved of Object.values(codes)) {
          saved.savedAt -= 12 * 60_000;
          saved.offsetMs += 12 * 60_000;
        }
        window.localStorage.setItem('healthcode.lastCodes', JSON.stringify(codes));
      });
      await page.reload();
      await notice.waitFor();
      assert.ok(
        ((await notice.textContent()) ?? '').includes(zhCN.offline.minutes.replace('{{count}}', '12')),
      );
      assert.equal((await page.getByRole('alert').textContent())?.trim(), zhCN.code.expired);
      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('#code-age', { hasText: en.offline.minutes.replace('{{count}}', '12') }).waitFor();
      await page.getByRole('button', { name: '中文' }).click();
      await page.locator('#code-age', { hasText: zhCN.code.stale }).waitFor();
    } finally {
      await context.setOffline(false);
    }
    // Back online: the page renews the code without waiting for its next retry.
    await page.locator('#code-age').waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('alert').count(), 0, 'the fresh code is not expired');
  });

  test('offline, the last place-code pop-up survives a reload with its age; back online it renews', async () => {
    await page.goto(`${baseUrl}${placeLink}`);
    await page.locator('#venue-name').waitFor();
    assert.equal(new URL(page.url()).pathname, '/scan', 'the link is spent');
    assert.match((await page.locator('#place-scanned-at').textContent()) ?? '', new RegExp(ISSUED_AT));
    await context.setOffline(true);
    try {
      await page.reload();
      await page.locator('#venue-name').waitFor();
      assert.equal((await page.locator('#venue-name').textContent())?.trim(), VENUE_NAME);
      await page.locator('#qr svg').waitFor();
      const notice = page.locator('#place-age');
      await notice.waitFor();
      const text = (await notice.textContent()) ?? '';
      assert.ok(text.includes(zhCN.code.stale) && text.includes(ISSUED_AT), text);
      assert.match((await page.locator('#place-scanned-at').textContent()) ?? '', new RegExp(ISSUED_AT));
    } finally {
      await context.setOffline(false);
    }
    await page.locator('#place-age').waitFor({ state: 'detached' });
    assert.equal((await page.locator('#venue-name').textContent())?.trim(), VENUE_NAME);
  });

  test('signing out forgets the saved code and pop-up', async () => {
    await page.goto(`${baseUrl}/`);
    await page.getByRole('button', { name: zhCN.code.signOut }).click();
    await page.getByRole('heading', { level: 1, name: zhCN.signIn.heading }).waitFor();
    const kept = await page.evaluate(() => [
      window.localStorage.getItem('healthcode.lastCodes'),
      window.localStorage.getItem('healthcode.lastPlacePass'),
    ]);
    assert.deepEqual(kept, [null, null]);
  });

  test('the pages logged no errors', () => {
    assert.deepEqual(pageProblems, []);
  });
});
