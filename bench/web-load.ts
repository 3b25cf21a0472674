/**
 * Issue 11 item 3: the my-code page in real Chromium (playwright-core, /usr/bin/chromium) on
 * DevTools' Fast 3G profile with a 4× CPU slowdown — first visit (cold cache) and repeat visit
 * (service worker and HTTP cache warm) — beside a same-run baseline: a bare HTML page served by a
 * bare Fastify under the same throttling. Time is from navigation start (the page's
 * `performance.now()` origin) until the first animation frame in which the QR's SVG is in the
 * document; bytes by type are CDP Network `encodedDataLength` (over the wire:
 * compressed bodies plus headers). The real platform runs in production mode on SQLite, on
 * 127.0.0.1 only, and everything is bounded in time. Prints one JSON line (bench/run.ts writes
 * docs/benchmarks.md from it).
 *
 * Options (env): BENCH_WEB_RUNS (default 3 of each).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import type { Browser } from 'playwright-core';
import { buildWeb } from '../scripts/build-web.ts';
import { buildApp } from '../src/http/app.ts';
import { launchChromium } from '../test/support/chromium.ts';
import {
  CODE_VISIBLE,
  CPU_SLOWDOWN,
  FAST_3G,
  bytesByKind,
  recordNetwork,
  signedInContext,
  throttle,
  type ResourceKind,
} from '../test/support/page-load.ts';
import { setUpBenchPlatform } from './servers/bench-platform.ts';

const RUNS = Number(process.env['BENCH_WEB_RUNS'] ?? '3');
const TIMEOUT_MS = 60_000;
process.env['BENCH_RESIDENTS'] = '1';

export interface WebVisit {
  readonly target: 'baseline' | 'my-code';
  readonly visit: 'first' | 'repeat';
  readonly visibleMs: number[];
  readonly bytes: Record<ResourceKind, number>;
  readonly requests: number;
  readonly fromServiceWorker: number;
  readonly fromNetwork: number;
}

export interface WebLoadRun {
  readonly runs: number;
  readonly network: typeof FAST_3G;
  readonly cpuSlowdown: number;
  readonly chromium: string;
  readonly visits: WebVisit[];
  /** Bytes the service worker fetched on the first visit (precaching, after the code was shown). */
  readonly precacheBytes: number;
}

const BASELINE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>baseline</title></head><body><p id="ready">ready</p></body></html>';

async function visit(
  browser: Browser,
  url: string,
  selector: string,
  token: string | null,
): Promise<{ first: VisitFigures; repeat: VisitFigures; precacheBytes: number }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  try {
    if (token !== null) await signedInContext(context, token);
    // From the document's start, a check on every animation frame, on the page's own clock
    // (0 = navigation start): the first frame in which the element is there. A string, not a
    // function: tsx would wrap the function's inner functions in a helper the page lacks.
    await context.addInitScript({
      content: `(() => {
        const tick = () => {
          if (document.querySelector(${JSON.stringify(selector)}) !== null) window.__visibleAt = performance.now();
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      })();`,
    });
    let precacheBytes = 0;
    context.on('requestfinished', (request) => {
      if (request.serviceWorker() === null) return;
      void request.sizes().then(
        (s) => (precacheBytes += s.responseBodySize + s.responseHeadersSize),
        () => undefined,
      );
    });
    const once = async (): Promise<VisitFigures> => {
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT_MS);
      const network = await recordNetwork(page);
      await throttle(network.cdp);
      await page.goto(url, { waitUntil: 'commit', timeout: TIMEOUT_MS });
      await page.locator(selector).first().waitFor({ state: 'attached' });
      await page.waitForFunction(
        () => (window as unknown as { __visibleAt?: number }).__visibleAt !== undefined,
      );
      const visibleMs = await page.evaluate(
        () => (window as unknown as { __visibleAt?: number }).__visibleAt ?? -1,
      );
      await page.waitForLoadState('networkidle');
      if (process.env['BENCH_WEB_DEBUG'] === '1')
        console.error(
          await page.evaluate(() =>
            JSON.stringify(
              performance
                .getEntries()
                .filter((e) => e.entryType !== 'mark')
                .map((e) => [
                  e.name.replace(location.origin, ''),
                  Math.round(e.startTime),
                  Math.round(e.startTime + e.duration),
                ]),
            ),
          ),
        );
      if (token !== null) {
        // The worker installs after the first load; the repeat visit is the one it controls.
        await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
      }
      const resources = network.resources();
      await page.close();
      return {
        visibleMs,
        bytes: bytesByKind(resources),
        requests: resources.length,
        fromServiceWorker: resources.filter((r) => r.source === 'service-worker').length,
        fromNetwork: resources.filter((r) => r.source === 'network').length,
      };
    };
    const first = await once();
    const precache = precacheBytes;
    const repeat = await once();
    return { first, repeat, precacheBytes: precache };
  } finally {
    await context.close();
  }
}

interface VisitFigures {
  visibleMs: number;
  bytes: Record<ResourceKind, number>;
  requests: number;
  fromServiceWorker: number;
  fromNetwork: number;
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-web-bench-'));
const hardStop = setTimeout(() => {
  console.error('web-load: gave up after 10 minutes');
  process.exit(1);
}, 10 * 60_000);
try {
  const built = await buildWeb(path.join(workDir, 'web'));
  const bench = await setUpBenchPlatform();
  const app = await buildApp(bench.p, { logger: false, webRoot: built.outDir });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseline = Fastify({ logger: false });
  baseline.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(BASELINE_PAGE));
  await baseline.listen({ host: '127.0.0.1', port: 0 });
  const portOf = (server: typeof app.server) => {
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  };
  const browser = await launchChromium();
  try {
    const visits: WebVisit[] = [];
    let precacheBytes = 0;
    for (const target of ['baseline', 'my-code'] as const) {
      const figures: { first: VisitFigures; repeat: VisitFigures }[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r =
          target === 'baseline'
            ? await visit(browser, `http://127.0.0.1:${portOf(baseline.server)}/`, '#ready', null)
            : await visit(
                browser,
                `http://127.0.0.1:${portOf(app.server)}/`,
                CODE_VISIBLE,
                bench.residentToken,
              );
        figures.push(r);
        if (target === 'my-code') precacheBytes = r.precacheBytes;
      }
      for (const kind of ['first', 'repeat'] as const) {
        const last = figures[figures.length - 1]?.[kind];
        if (last === undefined) continue;
        visits.push({
          target,
          visit: kind,
          visibleMs: figures.map((f) => Math.round(f[kind].visibleMs)),
          bytes: last.bytes,
          requests: last.requests,
          fromServiceWorker: last.fromServiceWorker,
          fromNetwork: last.fromNetwork,
        });
      }
    }
    const result: WebLoadRun = {
      runs: RUNS,
      network: FAST_3G,
      cpuSlowdown: CPU_SLOWDOWN,
      chromium: browser.version(),
      visits,
      precacheBytes,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await browser.close();
    await app.close();
    await baseline.close();
    await bench.dispose();
  }
} finally {
  clearTimeout(hardStop);
  fs.rmSync(workDir, { recursive: true, force: true });
}
