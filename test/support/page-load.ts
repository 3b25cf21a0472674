import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * What real Chromium fetches for a page, read from its DevTools protocol (Network domain): every
 * response with its resource type and the bytes that came over the wire (`encodedDataLength` of
 * `Network.loadingFinished`: compressed body plus response headers; 0 for what the memory cache,
 * the disk cache or the service worker answered). Shared by the byte-budget test
 * (test/e2e/first-load.test.ts) and the bench (bench/web-load.ts).
 */

/**
 * Chromium DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts): 1.6 Mbps × 0.9 down,
 * 750 kbps × 0.9 up, 150 ms × 3.75 round trip — in the protocol's units, bytes/s and ms.
 */
export const FAST_3G = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: (1.6 * 1000 * 1000 * 0.9) / 8,
  uploadThroughput: (750 * 1000 * 0.9) / 8,
} as const;

/** DevTools' "4× slowdown" CPU preset. */
export const CPU_SLOWDOWN = 4;

export type ResourceKind = 'document' | 'script' | 'stylesheet' | 'image' | 'fetch' | 'manifest' | 'other';

export interface LoadedResource {
  readonly url: string;
  readonly kind: ResourceKind;
  readonly status: number;
  /** Bytes over the wire (compressed body + headers); 0 when a cache or the service worker answered. */
  readonly encodedBytes: number;
  /** network, a cache, or the page's service worker. */
  readonly source: 'network' | 'cache' | 'service-worker';
  readonly contentEncoding: string | null;
}

function kindOf(type: string | undefined): ResourceKind {
  switch (type) {
    case 'Document':
      return 'document';
    case 'Script':
      return 'script';
    case 'Stylesheet':
      return 'stylesheet';
    case 'Image':
      return 'image';
    case 'Fetch':
    case 'XHR':
    case 'EventSource':
      return 'fetch';
    case 'Manifest':
      return 'manifest';
    case undefined:
    default:
      return 'other';
  }
}

export interface NetworkRecorder {
  readonly cdp: CDPSession;
  /** What has finished loading since the recorder started (or was last cleared). */
  resources(): LoadedResource[];
  clear(): void;
}

interface Pending {
  url: string;
  type?: string;
  status?: number;
  source: LoadedResource['source'];
  contentEncoding: string | null;
}

/** Starts recording the page's network with the Network domain of a CDP session of its own. */
export async function recordNetwork(page: Page): Promise<NetworkRecorder> {
  const cdp = await page.context().newCDPSession(page);
  const pending = new Map<string, Pending>();
  let done: LoadedResource[] = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    pending.set(e.requestId, {
      url: e.request.url,
      ...(e.type === undefined ? {} : { type: e.type }),
      source: 'network',
      contentEncoding: null,
    });
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const p = pending.get(e.requestId);
    if (p !== undefined) p.source = 'cache';
  });
  cdp.on('Network.responseReceived', (e) => {
    const p = pending.get(e.requestId);
    if (p === undefined) return;
    p.type = e.type;
    p.status = e.response.status;
    if (e.response.fromServiceWorker === true) p.source = 'service-worker';
    else if (e.response.fromDiskCache === true || e.response.fromPrefetchCache === true) p.source = 'cache';
    const headers = Object.fromEntries(
      Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    p.contentEncoding = headers['content-encoding'] ?? null;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const p = pending.get(e.requestId);
    if (p === undefined || p.url.startsWith('data:')) return;
    pending.delete(e.requestId);
    done.push({
      url: p.url,
      kind: kindOf(p.type),
      status: p.status ?? 0,
      encodedBytes: p.source === 'network' ? e.encodedDataLength : 0,
      source: p.source,
      contentEncoding: p.contentEncoding,
    });
  });
  await cdp.send('Network.enable');
  return {
    cdp,
    resources: () => [...done],
    clear: () => {
      done = [];
    },
  };
}

/** Fast 3G and the 4× CPU slowdown on the page (its own renderer; the service worker is not slowed). */
export async function throttle(cdp: CDPSession): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', FAST_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
}

export function bytesByKind(resources: readonly LoadedResource[]): Record<ResourceKind, number> {
  const out: Record<ResourceKind, number> = {
    document: 0,
    script: 0,
    stylesheet: 0,
    image: 0,
    fetch: 0,
    manifest: 0,
    other: 0,
  };
  for (const r of resources) out[r.kind] += r.encodedBytes;
  return out;
}

/** A signed-in resident on every page of the context: the session token the app keeps in localStorage. */
export async function signedInContext(context: BrowserContext, token: string): Promise<void> {
  await context.addInitScript((t) => {
    if (window.localStorage.getItem('healthcode.token') === null)
      window.localStorage.setItem('healthcode.token', t);
  }, token);
}

/** The my-code page shows a code: its QR has been drawn. */
export const CODE_VISIBLE = '#qr svg';
