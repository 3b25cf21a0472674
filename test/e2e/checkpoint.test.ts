import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding } from '../support/machine.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { seedDemoData } from '../../src/use-cases/demo.ts';
import { createTestPlatform, signInResident, type TestPlatform } from '../support/platform.ts';
import { fakeCameraChromiumArgs, writeFakeCameraVideo } from '../support/fake-camera.ts';
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };

/**
 * The checkpoint page in real Chromium against the real server (SQLite, demo data): a fake camera
 * shows a green resident's code → PASS; a red one → REFUSE and a report on the officer's stream;
 * offline, the page verifies with cached keys, refuses a tampered code, queues the checks and
 * uploads each exactly once when the network returns.
 */

const GREEN_MOBILE = '13800000001';
const RED_MOBILE = '13800000003';
const STAFF = { username: 'gate-east', displayName: '东门查验 East gate', password: 'east-gate-2026' };
const VENUE_NAME = '泉城购物中心';

interface Report {
  readonly kind: string;
  readonly venueId: number;
  readonly maskedName: string | null;
  readonly checkId: string;
}
interface CheckView {
  readonly clientCheckId: string;
  readonly outcome: string;
  readonly reasons: string[];
  readonly offline: boolean;
}

describeNeeding(['chromium'], 'checkpoint page in Chromium', () => {
  let platform: TestPlatform;
  let baseUrl: string;
  let workDir: string;
  let clockTimer: NodeJS.Timeout;
  let venueId: number;
  let managerToken: string;
  let officerToken: string;
  const codes: Record<'green' | 'red', { code: string; maskedName: string }> = {
    green: { code: '', maskedName: '' },
    red: { code: '', maskedName: '' },
  };
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

  /** A browser whose only camera plays `images` (none: no camera at all). */
  const openPage = async (
    cameraQrTexts: string[] | null,
  ): Promise<{ context: BrowserContext; page: Page }> => {
    let args: string[] = [];
    if (cameraQrTexts !== null) {
      const file = path.join(workDir, `camera-${browsers.length}.y4m`);
      writeFakeCameraVideo(
        cameraQrTexts.map((qrText) => ({ qrText })),
        file,
      );
      args = fakeCameraChromiumArgs(file);
    }
    const browser = await launchChromium(args);
    browsers.push(browser);
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await watchedPage(context, pageProblems);
    return { context, page };
  };

  const signInStaff = async (page: Page) => {
    await page.goto(`${baseUrl}/checkpoint`);
    await page.getByRole('heading', { level: 1, name: zhCN.checkpoint.signIn.heading }).waitFor();
    await page.getByLabel(zhCN.checkpoint.signIn.username).fill(STAFF.username);
    await page.getByLabel(zhCN.checkpoint.signIn.password).fill(STAFF.password);
    await page.getByRole('button', { name: zhCN.checkpoint.signIn.submit, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: VENUE_NAME }).waitFor();
  };

  const fillPerson = async (page: Page, temperature: string, mask: boolean) => {
    await page.getByLabel(zhCN.checkpoint.temperature).fill(temperature);
    await page.locator(mask ? '#mask-worn' : '#mask-not-worn').click();
  };

  const resultOf = async (page: Page) => {
    const box = page.locator('#check-result');
    await box.waitFor();
    return {
      outcome: await box.getAttribute('data-outcome'),
      reasons: await page.locator('#check-reasons li').allTextContents(),
      colour: await page
        .locator('#check-colour')
        .getAttribute('data-colour', { timeout: 1000 })
        .catch(() => null),
      name: await page
        .locator('#check-name')
        .textContent({ timeout: 1000 })
        .catch(() => null),
    };
  };

  const venueChecks = async () =>
    (await api<{ checks: CheckView[] }>('GET', `/api/v1/venues/${venueId}/checks`, managerToken)).checks;

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-checkpoint-e2e-'));
    const built = await buildWeb(path.join(workDir, 'web'));
    // The page verifies offline on the browser's own clock, so the server keeps the same time.
    platform = await createTestPlatform('sqlite', { webRoot: built.outDir, now: Date.now() });
    clockTimer = setInterval(() => platform.clock.set(Date.now()), 100);
    await seedDemoData(platform.platform);
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const address = platform.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    baseUrl = `http://127.0.0.1:${address.port}`;

    managerToken = await signInResident(platform, GREEN_MOBILE);
    const venue = await api<{ venueId: number }>('POST', '/api/v1/venues', managerToken, {
      name: VENUE_NAME,
      kind: 'mallOrSupermarket',
      address: { divisionCode: '370102', detail: '泉城路 188 号' },
      contact: { name: '张经理', mobile: GREEN_MOBILE },
    });
    venueId = venue.venueId;
    officerToken = (
      await api<{ token: string }>('POST', '/api/v1/staff-sessions', null, {
        username: 'officer',
        password: 'demo-officer',
      })
    ).token;
    await api('POST', `/api/v1/venues/${venueId}/approval`, officerToken, {});
    await api('POST', `/api/v1/venues/${venueId}/staff`, managerToken, STAFF);

    for (const [colour, mobile] of [
      ['green', GREEN_MOBILE],
      ['red', RED_MOBILE],
    ] as const) {
      const token = colour === 'green' ? managerToken : await signInResident(platform, mobile);
      const mine = await api<{ code: string; colour: string; maskedName: string }>(
        'GET',
        '/api/v1/me/code',
        token,
      );
      assert.equal(mine.colour, colour, `the demo resident ${mobile} is ${colour}`);
      codes[colour] = { code: mine.code, maskedName: mine.maskedName };
    }
  });

  after(async () => {
    clearInterval(clockTimer);
    for (const browser of browsers) await browser.close();
    await platform?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('a green code read by the camera passes, showing only colour, masked name and time', async () => {
    const { page } = await openPage([codes.green.code]);
    await signInStaff(page);
    // The camera read the code before temperature and mask were taken: the page waits for them.
    await page.locator('#pending-code').waitFor();
    await fillPerson(page, '36.5', true);
    await page.getByRole('button', { name: zhCN.checkpoint.check, exact: true }).click();
    const shown = await resultOf(page);
    assert.deepEqual(shown, {
      outcome: 'pass',
      reasons: [],
      colour: 'green',
      name: codes.green.maskedName,
    });
    assert.equal((await page.locator('.check-result__word').textContent())?.trim(), zhCN.checkpoint.pass);
    assert.equal(await page.locator('#offline-banner').count(), 0, 'online: no offline banner');
    const [stored] = await venueChecks();
    assert.equal(stored?.outcome, 'pass');
    assert.equal(stored?.offline, false);
  });

  test('a red code read by the camera is refused, and the officer’s stream gets the report within a second', async () => {
    const controller = new AbortController();
    const stream = await fetch(`${baseUrl}/api/v1/reports/stream`, {
      headers: { authorization: `Bearer ${officerToken}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    assert.ok(stream.body !== null);
    const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
    const reports: { report: Report; at: number }[] = [];
    const reading = (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const event = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(event)?.[1];
          if (/^event: report$/m.test(event) && data !== undefined) {
            reports.push({ report: JSON.parse(data) as Report, at: Date.now() });
          }
        }
      }
    })();

    try {
      const { page } = await openPage([codes.red.code]);
      await signInStaff(page);
      await page.locator('#pending-code').waitFor();
      await fillPerson(page, '36.6', true);
      const answered = page.waitForResponse(
        (r) => r.url().endsWith(`/api/v1/venues/${venueId}/checks`) && r.request().method() === 'POST',
      );
      await page.getByRole('button', { name: zhCN.checkpoint.check, exact: true }).click();
      const response = await answered;
      const answeredAt = Date.now();
      assert.equal(response.status(), 201);
      const shown = await resultOf(page);
      assert.equal(shown.outcome, 'refuse');
      assert.deepEqual(shown.reasons, ['红码，不得进入。']);
      assert.equal(shown.colour, 'red');
      assert.equal((await page.locator('.check-result__word').textContent())?.trim(), zhCN.checkpoint.refuse);

      const deadline = answeredAt + 1000;
      while (reports.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const first = reports[0];
      assert.ok(first !== undefined, 'a report reached the stream within a second of the check');
      assert.ok(first.at <= deadline, `the report came ${first.at - answeredAt} ms after the answer`);
      assert.equal(first.report.kind, 'red_code');
      assert.equal(first.report.venueId, venueId);
      assert.equal(first.report.maskedName, codes.red.maskedName);
    } finally {
      controller.abort();
      await reading;
    }
  });

  test('offline: verifies with cached keys, refuses a tampered code, uploads the queue exactly once', async () => {
    const { context, page } = await openPage(null);
    await signInStaff(page);
    await page.waitForFunction(() => window.localStorage.getItem('healthcode.checkpoint.jwks') !== null);
    const checksBefore = (await venueChecks()).length;
    const typeCode = async (code: string) => {
      // A hand scanner types the text and presses Enter.
      await page.locator('#field-code').fill('');
      await page.locator('#field-code').focus();
      await page.keyboard.insertText(code);
      await page.keyboard.press('Enter');
    };

    await context.setOffline(true);
    await page.locator('#offline-banner').waitFor();
    assert.match(
      (await page.locator('#offline-banner').textContent()) ?? '',
      /离线.*生码时的颜色/,
      'the banner says offline and that the colour is the one at issue',
    );

    await fillPerson(page, '36.4', true);
    await typeCode(codes.green.code);
    let shown = await resultOf(page);
    assert.deepEqual(shown, { outcome: 'pass', reasons: [], colour: 'green', name: null });
    assert.match((await page.locator('#check-colour').textContent()) ?? '', /生码时/);
    // The count renders just after the result; wait for it rather than race it.
    await page.locator('#queue-count[data-count="1"]').waitFor({ timeout: 5000 });

    // One base45 character of the signature (the text's end) changed.
    const green = codes.green.code;
    const at = green.length - 4;
    const tampered = green.slice(0, at) + (green[at] === 'A' ? 'B' : 'A') + green.slice(at + 1);
    await fillPerson(page, '36.4', true);
    await typeCode(tampered);
    await page.locator('#check-result[data-outcome="refuse"]').waitFor();
    shown = await resultOf(page);
    assert.deepEqual(shown.reasons, ['健康通行码无效。']);
    assert.equal(await page.locator('#queue-count').getAttribute('data-count'), '2');
    const queued = await page.evaluate(
      () =>
        JSON.parse(window.localStorage.getItem('healthcode.checkpoint.queue') ?? '[]') as {
          body: { clientCheckId: string; offline: { valid: boolean } };
        }[],
    );
    assert.deepEqual(
      queued.map((q) => q.body.offline.valid),
      [true, false],
    );
    assert.equal((await venueChecks()).length, checksBefore, 'nothing reached the server while offline');

    // The network returns: the online event uploads the queue.
    await context.setOffline(false);
    await page.locator('#queue-count[data-count="0"]').waitFor({ timeout: 20_000 });
    await page.locator('#offline-banner').waitFor({ state: 'detached' });

    // An answer lost on the way back: the server stored the check, the page saw no answer and
    // queued it; uploading it again must not store it twice.
    let lostAnswer = false;
    await page.route('**/api/v1/venues/*/checks', async (route) => {
      if (lostAnswer) return route.continue();
      lostAnswer = true;
      await route.fetch();
      return route.abort('internetdisconnected');
    });
    await fillPerson(page, '36.8', true);
    await typeCode(codes.red.code);
    // The previous (offline) REFUSE may still be on screen: wait for this upload itself.
    for (let waited = 0; !lostAnswer && waited < 10_000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(lostAnswer, 'the check was sent and its answer lost');
    await page.locator('#check-result[data-outcome="refuse"]').waitFor();
    // The count renders just after the result; wait for it rather than race it.
    await page.locator('#queue-count[data-count="1"]').waitFor({ timeout: 5000 });
    const lostId = await page.evaluate(
      () =>
        (
          JSON.parse(window.localStorage.getItem('healthcode.checkpoint.queue') ?? '[]') as {
            body: { clientCheckId: string };
          }[]
        )[0]?.body.clientCheckId,
    );
    await page.unroute('**/api/v1/venues/*/checks');
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await page.locator('#queue-count[data-count="0"]').waitFor({ timeout: 20_000 });

    const all = await venueChecks();
    const stored = all.slice(0, all.length - checksBefore);
    const ids = stored.map((c) => c.clientCheckId);
    assert.equal(stored.length, 3, 'three people were checked: three records, none lost, none twice');
    const [greenId, tamperedId] = queued.map((q) => q.body.clientCheckId);
    for (const id of [greenId, tamperedId, lostId]) {
      assert.equal(ids.filter((x) => x === id).length, 1, `${id} is stored once`);
    }
    const byId = new Map(stored.map((c) => [c.clientCheckId, c]));
    assert.deepEqual([byId.get(greenId ?? '')?.outcome, byId.get(greenId ?? '')?.offline], ['pass', true]);
    assert.deepEqual(byId.get(tamperedId ?? '')?.reasons, ['invalid_code']);
    assert.deepEqual(byId.get(lostId ?? '')?.reasons, ['red_code']);
  });

  test('the pages logged no errors', () => {
    assert.deepEqual(pageProblems, []);
  });
});
