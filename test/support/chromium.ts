import { chromium, type Browser } from 'playwright-core';
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
