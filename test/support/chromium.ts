import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { toolPath } from './machine.ts';

/** Debian's Chromium; `npx playwright install` cannot download browsers on these machines. */
export const CHROMIUM = toolPath('chromium');

/** Headless as root on a closed network: no sandbox, no GPU, and no calls home. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/**
 * A new page of the context with the tests' timeout, whose uncaught errors and console errors are
 * collected into `problems` (a flow asserts it empty at the end). Failed responses are not counted
 * here — the browser logs each one, and a flow checks those it expects itself.
 */
export async function watchedPage(context: BrowserContext, problems: string[]): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  return page;
}
