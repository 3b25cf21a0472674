import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium, watchedPage } from '../support/chromium.ts';
import { describeNeeding } from '../support/machine.ts';
import { buildWeb } from '../../scripts/build-web.ts';
import { DEMO_RESIDENTS, seedDemoData } from '../../src/use-cases/demo.ts';
import {
  addStaff,
  bearer,
  createTestPlatform,
  residentIdNumber,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../support/platform.ts';
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };
import en from '../../web/i18n/en.json' with { type: 'json' };

/**
 * P8 / issue 11 item 3: axe-core (WCAG 2.0/2.1 A and AA rules) in real Chromium on the resident
 * pages, the checkpoint page and the console, in zh-CN and in en (and the code page in large type);
 * any serious or critical violation fails, printed with its rule, impact, targets and help URL.
 * Then the main resident flow and the checkpoint's no-code lane driven by the keyboard alone, with
 * focus visible on every control it lands on.
 *
 * axe is evaluated through the DevTools protocol (page.evaluate), which the page's CSP
 * (`script-src 'self'`) does not govern: production CSP stays as it is, no test-only header.
 */

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const GREEN = DEMO_RESIDENTS[0];
const RED = DEMO_RESIDENTS[2];
const GATE = { username: 'venue-gate', password: 'demo-venue-gate' };
const MEMBER_ID = residentIdNumber('37010220150101003');
type Strings = typeof zhCN;
const LOCALES: readonly { locale: 'zh-CN' | 'en'; s: Strings }[] = [
  { locale: 'zh-CN', s: zhCN },
  { locale: 'en', s: en as unknown as Strings },
];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Moderate and minor findings, printed at the end (they do not fail the test). */
const lesser = new Set<string>();

/** Runs axe on the page as it is now; returns the serious and critical violations, one text each. */
async function axeProblems(page: Page, where: string): Promise<string[]> {
  // Colours as they end, not half way through a transition (the family switcher's 0.15 s fade was
  // once caught mid-way at a contrast of 3.96).
  // Finite ones only (a spinner runs for ever), and at most a second.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => a.effect?.getComputedTiming().endTime !== Infinity)
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 1000)),
    ]).then(() => undefined),
  );
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<unknown> } }).axe;
    const result = (await axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    })) as { violations: AxeViolation[]; passes: unknown[] };

    return { violations: result.violations, passed: result.passes.length };
  }, AXE_TAGS);
  assert.ok(violations.passed > 0, `${where}: axe ran its rules`);
  for (const v of violations.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') lesser.add(`${v.id} (${v.impact})`);
  }
  return violations.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help}\n  ${v.helpUrl}\n` +
        v.nodes
          .slice(0, 8)
          .map(
            (n) =>
              `  - ${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.split('\n')[1]?.trim() ?? ''}` : ''}`,
          )
          .join('\n'),
    );
}

/** Where focus is now and whether it shows: :focus-visible matches and an outline or a box-shadow is drawn. */
async function focusState(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return { what: 'body', visible: false };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const shadow = style.boxShadow !== 'none';
    const what = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    return { what, visible: el.matches(':focus-visible') && (outline || shadow) };
  });
}

/**
 * Presses Tab (or Shift+Tab) until `target` has focus; every control passed on the way must show
 * its focus. Fails, naming the stops, when it is not reached in `max` presses.
 */
async function tabTo(page: Page, target: Locator, opts: { back?: boolean; max?: number } = {}) {
  await target.waitFor();
  const stops: string[] = [];
  for (let i = 0; i < (opts.max ?? 40); i++) {
    await page.keyboard.press(opts.back === true ? 'Shift+Tab' : 'Tab');
    const state = await focusState(page);
    stops.push(state.what);
    if (state.what !== 'body') assert.ok(state.visible, `focus is not visible on ${state.what}`);
    if (await target.evaluate((el) => el === document.activeElement)) return stops;
  }
  assert.fail(`the keyboard never reached ${target.toString()}; focus went: ${stops.join(' → ')}`);
}

describeNeeding(['chromium'], 'accessibility (axe-core, keyboard) in Chromium', () => {
  let platform: TestPlatform;
  let browser: Browser;
  let baseUrl: string;
  let workDir: string;
  let clockTimer: NodeJS.Timeout;
  let residentToken: string;
  let memberId: string;
  let venueId: number;
  let placePath: string;
  const codes = { green: '', red: '' };
  const pageProblems: string[] = [];
  const contexts: BrowserContext[] = [];

  const api = async <T>(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    token: string | null,
    payload?: unknown,
  ) => {
    const res = await platform.app.inject({
      method,
      url,
      ...(token === null ? {} : { headers: bearer(token) }),
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json<T>();
  };

  /** A fresh context in `locale` (as if chosen before), optionally in large type. */
  const openPage = async (locale: string, opts: { largeType?: boolean; width?: number } = {}) => {
    const context = await browser.newContext({ viewport: { width: opts.width ?? 390, height: 844 } });
    contexts.push(context);
    await context.addInitScript(
      ([l, large]) => {
        // about:blank (between full loads) has no storage.
        if (window.location.protocol !== 'http:') return;
        window.localStorage.setItem('healthcode.locale', l as string);
        if (large) window.localStorage.setItem('healthcode.largeType', '1');
      },
      [locale, opts.largeType === true] as const,
    );
    return watchedPage(context, pageProblems);
  };

  const settle = async (page: Page) => {
    await page.waitForLoadState('networkidle');
    await page.locator('main h1').first().waitFor();
    // Loading lines are replaced by content; give the last render its frame.
    await page.waitForFunction(() => document.querySelector('[aria-busy="true"]') === null);
  };

  /** Audits each named state; collects the problems of all of them. */
  const auditAll = async (found: string[], page: Page, where: string) => {
    assert.equal(
      await page.evaluate(() => document.documentElement.lang),
      where.includes('[en]') ? 'en' : 'zh-CN',
      `${where}: <html lang> follows the chosen language`,
    );
    found.push(...(await axeProblems(page, where)));
  };

  const report = (found: string[]) =>
    assert.deepEqual(found, [], `axe-core found serious or critical violations:\n${found.join('\n')}`);

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-a11y-e2e-'));
    const built = await buildWeb(path.join(workDir, 'web'));
    // The checkpoint verifies offline on the browser's clock, so the server keeps the same time.
    platform = await createTestPlatform('sqlite', { webRoot: built.outDir, now: Date.now() });
    clockTimer = setInterval(() => platform.clock.set(Date.now()), 100);
    await seedDemoData(platform.platform);
    await addStaff(platform, [{ username: 'auditor.a11y', role: 'auditor', divisionCode: '000000' }]);
    await platform.app.listen({ host: '127.0.0.1', port: 0 });
    const address = platform.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    baseUrl = `http://127.0.0.1:${address.port}`;

    residentToken = await signInResident(platform, GREEN.mobile);
    codes.green = (await api<{ code: string }>('GET', '/api/v1/me/code', residentToken)).code;
    const redToken = await signInResident(platform, RED.mobile);
    codes.red = (await api<{ code: string }>('GET', '/api/v1/me/code', redToken)).code;
    const { pledge: _pledge, ...items } = sampleApplication({ name: '李小明', documentNumber: MEMBER_ID });
    memberId = String(
      (
        await api<{ memberId: string }>('POST', '/api/v1/me/family-members', residentToken, {
          relationship: 'child',
          pledge: true,
          member: items,
        })
      ).memberId,
    );
    const officer = (
      await api<{ token: string }>('POST', '/api/v1/staff-sessions', null, {
        username: 'officer',
        password: 'demo-officer',
      })
    ).token;
    venueId = (
      await api<{ venueId: number }>('POST', '/api/v1/venues', residentToken, {
        name: '省政务服务中心',
        kind: 'governmentServiceHall',
        address: { divisionCode: '370102', detail: '龙奥北路 1 号' },
        contact: { name: '王主任', mobile: GREEN.mobile },
      })
    ).venueId;
    await api('POST', `/api/v1/venues/${venueId}/approval`, officer, {});
    const place = await api<{ url: string }>('GET', `/api/v1/venues/${venueId}/place-code`, residentToken);
    const link = new URL(place.url);
    placePath = `${link.pathname}${link.search}`;
    browser = await launchChromium();
  });

  after(async () => {
    clearInterval(clockTimer);
    await browser?.close();
    await platform?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('the check can fail: a nameless button and grey-on-white text are reported with rule, target and help', async () => {
    const page = await openPage('zh-CN');
    await page.goto(baseUrl);
    await page.locator('main h1').first().waitFor();
    await page.evaluate(() => {
      document
        .querySelector('main')
        ?.insertAdjacentHTML(
          'beforeend',
          '<button id="a11y-probe-button"><svg width="10" height="10"></svg></button>' +
            '<p id="a11y-probe-text">low contrast</p>',
        );
      // Through the CSSOM: the page's CSP refuses style attributes in markup.
      const text = document.getElementById('a11y-probe-text');
      text?.style.setProperty('color', '#bbb');
      text?.style.setProperty('background', '#fff');
    });
    const found = (await axeProblems(page, 'probe')).join('\n');
    assert.match(found, /button-name \(critical\)[^]*#a11y-probe-button/);
    assert.match(found, /color-contrast \(serious\)[^]*#a11y-probe-text/);
    assert.match(found, /https:\/\/dequeuniversity\.com\/rules\/axe\/4\.\d+\/color-contrast/);
  });

  for (const { locale, s } of LOCALES) {
    test(`resident pages [${locale}]: no serious or critical axe violation`, async () => {
      const found: string[] = [];
      const tag = `[${locale}]`;
      const page = await openPage(locale);
      await page.goto(baseUrl);
      await page.getByRole('heading', { level: 1, name: s.signIn.heading }).waitFor();
      await auditAll(found, page, `sign-in ${tag}`);

      // A resident without an application yet: the apply form.
      const fresh = await signInResident(platform, locale === 'en' ? '13900139001' : '13900139002');
      await page.evaluate((tk) => window.localStorage.setItem('healthcode.token', tk), fresh);
      await page.goto('about:blank');
      await page.goto(`${baseUrl}/#/apply`);
      await page.getByRole('heading', { level: 1, name: s.apply.heading }).waitFor();
      await settle(page);
      await auditAll(found, page, `apply ${tag}`);

      await page.evaluate((tk) => window.localStorage.setItem('healthcode.token', tk), residentToken);
      // A full load (not a hash change): the app reads the session at start.
      await page.goto('about:blank');
      await page.goto(`${baseUrl}/#/code`);
      await page.locator('#code-colour[data-colour="green"]').waitFor();
      await page.locator('#qr svg').waitFor();
      await settle(page);
      await auditAll(found, page, `my code ${tag}`);
      await page.locator(`button[data-member-id="${memberId}"]`).click();
      await page.locator('#code-subject').waitFor();
      await page.locator('#qr svg').waitFor();
      await settle(page);
      await auditAll(found, page, `my code, family member ${tag}`);

      for (const route of ['family', 'arrivals', 'appeal', 'feedback', 'notices', 'access-log']) {
        await page.goto(`${baseUrl}/#/${route}`);
        await settle(page);
        await auditAll(found, page, `#/${route} ${tag}`);
      }
      await page.goto(
        `${baseUrl}/#/complaint?${new URLSearchParams({ venue: String(venueId), name: '省政务服务中心' }).toString()}`,
      );
      await settle(page);
      await auditAll(found, page, `#/complaint ${tag}`);

      await page.goto(`${baseUrl}${placePath}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      await auditAll(found, page, `place-scan result ${tag}`);
      report(found);
    });
  }

  test('my code in large type [zh-CN]: no serious or critical axe violation', async () => {
    const found: string[] = [];
    const page = await openPage('zh-CN', { largeType: true, width: 360 });
    await page.goto(baseUrl);
    await page.evaluate((tk) => window.localStorage.setItem('healthcode.token', tk), residentToken);
    await page.goto('about:blank');
    await page.goto(`${baseUrl}/#/code`);
    await page.locator('#qr svg').waitFor();
    await settle(page);
    assert.ok(await page.evaluate(() => document.documentElement.classList.length > 0), 'large type is on');
    await auditAll(found, page, 'my code, large type [zh-CN]');
    report(found);
  });

  for (const { locale, s } of LOCALES) {
    test(`checkpoint page [${locale}]: no serious or critical axe violation`, async () => {
      const found: string[] = [];
      const tag = `[${locale}]`;
      const page = await openPage(locale);
      await page.goto(`${baseUrl}/checkpoint`);
      await page.getByRole('heading', { level: 1, name: s.checkpoint.signIn.heading }).waitFor();
      await auditAll(found, page, `checkpoint signed out ${tag}`);
      await page.getByLabel(s.checkpoint.signIn.username).fill(GATE.username);
      await page.getByLabel(s.checkpoint.signIn.password).fill(GATE.password);
      await page.getByRole('button', { name: s.checkpoint.signIn.submit, exact: true }).click();
      await page.locator('#field-code').waitFor();
      await page.waitForLoadState('networkidle');
      await auditAll(found, page, `checkpoint signed in ${tag}`);

      const check = async (code: string) => {
        await page.getByLabel(s.checkpoint.temperature).fill('36.5');
        await page.locator('#mask-worn').click();
        await page.locator('#field-code').fill(code);
        await page.locator('#field-code').press('Enter');
      };
      await check(codes.green);
      await page.locator('#check-result[data-outcome="pass"]').waitFor();
      await auditAll(found, page, `checkpoint pass ${tag}`);
      await check(codes.red);
      await page.locator('#check-result[data-outcome="refuse"]').waitFor();
      await auditAll(found, page, `checkpoint refuse ${tag}`);

      // The no-code lane.
      await page.getByLabel(s.checkpoint.lane.documentNumber).fill(residentIdNumber(GREEN.idBody));
      await page.getByLabel(s.checkpoint.lane.documentNumber).press('Enter');
      await page.locator('#lookup-result').waitFor();
      await auditAll(found, page, `checkpoint no-code lane ${tag}`);

      await page.waitForFunction(() => window.localStorage.getItem('healthcode.checkpoint.jwks') !== null);
      await page.context().setOffline(true);
      await page.locator('#offline-banner').waitFor();
      await check(codes.green);
      await page.locator('#check-result[data-outcome="pass"]').waitFor();
      await auditAll(found, page, `checkpoint offline ${tag}`);
      await page.context().setOffline(false);
      report(found);
    });
  }

  for (const { locale, s } of LOCALES) {
    test(`console [${locale}]: no serious or critical axe violation for an admin and an auditor`, async () => {
      const found: string[] = [];
      const tag = `[${locale}]`;
      for (const account of [
        { username: 'admin', password: 'demo-admin' },
        { username: 'auditor.a11y', password: 'pw' },
      ]) {
        const page = await openPage(locale, { width: 1366 });
        await page.goto(`${baseUrl}/console`);
        await page.getByRole('heading', { level: 1, name: s.console.signIn.heading }).waitFor();
        if (account.username === 'admin') await auditAll(found, page, `console sign-in ${tag}`);
        await page.getByLabel(s.console.signIn.username).fill(account.username);
        await page.getByLabel(s.console.signIn.password).fill(account.password);
        await page.getByRole('button', { name: s.console.signIn.submit, exact: true }).click();
        const nav = page.locator('nav.console-nav');
        await nav.waitFor();
        await settle(page);
        const views = await nav
          .locator('a[href^="#/"]')
          .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
        assert.ok(views.length > 0, 'the console shows its views');
        for (const view of views) {
          await page.goto(`${baseUrl}/console${view}`);
          await page.locator('#view-heading').waitFor();
          await settle(page);
          if (view === '#/dashboard') await page.locator('.chart-box canvas').first().waitFor();
          await auditAll(found, page, `console ${view} (${account.username}) ${tag}`);
        }
      }
      report(found);
    });
  }

  test('keyboard only: sign in, my code, a family member, the paper code download, the appeal page', async () => {
    const page = await openPage('zh-CN');
    const s = zhCN;
    await page.goto(baseUrl);
    await page.getByRole('heading', { level: 1, name: s.signIn.heading }).waitFor();
    await tabTo(page, page.getByLabel(s.signIn.mobile));
    await page.keyboard.type(GREEN.mobile.replace('+86', ''));
    await tabTo(page, page.getByRole('button', { name: s.signIn.sendCode }));
    await page.keyboard.press('Enter');
    await page.locator('#dev-code').waitFor();
    await page.waitForFunction(
      () => (document.getElementById('field-code') as HTMLInputElement | null)?.value !== '',
    );
    await tabTo(page, page.getByRole('button', { name: s.signIn.submit, exact: true }));
    await page.keyboard.press('Enter');
    await page.locator('#code-colour[data-colour="green"]').waitFor();
    await page.locator('#qr svg').waitFor();

    // Switch to the family member with Space.
    await tabTo(page, page.locator(`button[data-member-id="${memberId}"]`));
    await page.keyboard.press(' ');
    await page.locator('#code-subject').waitFor();
    assert.equal(
      await page.locator(`button[data-member-id="${memberId}"]`).getAttribute('aria-pressed'),
      'true',
    );

    // The member's paper code: A6 with Space, download with Enter.
    await tabTo(page, page.getByRole('button', { name: s.paper.sizes.A6 }));
    await page.keyboard.press(' ');
    await tabTo(page, page.locator('#paper-download'));
    const printed = page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/me/paper-codes') && r.request().method() === 'POST',
    );
    const download = page.waitForEvent('download');
    await page.keyboard.press('Enter');
    assert.equal((await printed).status(), 201);
    assert.match((await download).suggestedFilename(), /\.pdf$/);

    // Back up to "why is my code this colour" and open the appeal page with Enter.
    await tabTo(page, page.locator('#go-appeal'), { back: true });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    await page.waitForFunction(() => window.location.hash === '#/appeal');
  });

  test('keyboard only: the checkpoint signs in and checks a person through the no-code lane', async () => {
    const page = await openPage('zh-CN');
    const s = zhCN;
    await page.goto(`${baseUrl}/checkpoint`);
    await page.getByRole('heading', { level: 1, name: s.checkpoint.signIn.heading }).waitFor();
    await tabTo(page, page.getByLabel(s.checkpoint.signIn.username));
    await page.keyboard.type(GATE.username);
    await tabTo(page, page.getByLabel(s.checkpoint.signIn.password));
    await page.keyboard.type(GATE.password);
    await page.keyboard.press('Enter');
    await page.locator('#field-code').waitFor();

    const lane = page.getByLabel(s.checkpoint.lane.documentNumber);
    await tabTo(page, lane, { max: 60 });
    await page.keyboard.type(residentIdNumber(GREEN.idBody));
    await page.keyboard.press('Enter');
    await page.locator('#lookup-result').waitFor();
    await page.locator('#pending-code').waitFor();

    // Temperature and mask, then the check, without the mouse. The lane sits below the form: back up.
    await tabTo(page, page.getByLabel(s.checkpoint.temperature), { back: true, max: 60 });
    await page.keyboard.type('36.5');
    await tabTo(page, page.locator('#mask-worn'));
    await page.keyboard.press(' ');
    assert.equal(await page.locator('#mask-worn').getAttribute('aria-pressed'), 'true');
    await tabTo(page, page.getByRole('button', { name: s.checkpoint.check, exact: true }));
    await page.keyboard.press('Enter');
    await page.locator('#check-lane').waitFor();
    assert.equal(await page.locator('#check-result').getAttribute('data-outcome'), 'pass');
  });

  test('the pages logged no errors', () => {
    if (lesser.size > 0) console.log(`moderate/minor axe findings (not failing): ${[...lesser].join(', ')}`);
    assert.deepEqual(
      pageProblems.filter((p) => !p.includes('ERR_INTERNET_DISCONNECTED')),
      [],
    );
  });
});
