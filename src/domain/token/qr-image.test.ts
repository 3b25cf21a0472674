import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { DAY_MS, epochMs } from '../types.ts';
import { encodeHealthCode } from './health-code.ts';
import { signingKeyFromMaterial } from './keys.ts';
import { renderQrPng, renderQrSvg } from './qr-image.ts';
import { sealSubject } from './subject.ts';

const key = signingKeyFromMaterial({
  kid: 'AQIDBAUGBwg',
  seed: new Uint8Array(32).fill(1),
  secret: new Uint8Array(32).fill(2),
});
const issuedAt = epochMs(Date.parse('2020-02-20T08:00:00Z'));
const token = encodeHealthCode(
  {
    kind: 'personal',
    colour: 'green',
    issuer: 'CN-37',
    issuedAt,
    expiresAt: epochMs(issuedAt + DAY_MS),
    subject: sealSubject(key, 42, issuedAt / 1000, 1),
  },
  key,
);

const dir = mkdtempSync(join(tmpdir(), 'hpc-qr-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function which(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The text zbarimg reads from a PNG; fails (never skips) when zbarimg is missing. */
function scan(png: Buffer, name: string): string {
  if (which('zbarimg') === null) {
    assert.fail('zbarimg not found: install zbar-tools (apt-get install zbar-tools) to run the QR tests');
  }
  const file = join(dir, name);
  writeFileSync(file, png);
  const out = execFileSync('zbarimg', ['--nodbus', '--quiet', '--raw', file], { encoding: 'utf8' });
  // --raw prints each symbol's data followed by a newline.
  return out.endsWith('\n') ? out.slice(0, -1) : out;
}

void describe('QR images decode to exactly the token text', () => {
  for (const scale of [8, 4, 2]) {
    void test(`PNG at ${scale} px per module`, async () => {
      assert.equal(scan(await renderQrPng(token, scale), `token-${scale}.png`), token);
    });
  }

  void test('SVG, rasterised by Chromium', async () => {
    const executablePath = which('chromium') ?? which('chromium-browser');
    if (executablePath === null) assert.fail('chromium not found: install chromium to rasterise the SVG QR');
    const svg = renderQrSvg(token);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
    const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 600, height: 600 } });
      await page.setContent(
        `<body style="margin:0">${svg.replace('<svg ', '<svg width="600" height="600" ')}</body>`,
      );
      const png = await page.screenshot({ clip: { x: 0, y: 0, width: 600, height: 600 } });
      assert.equal(scan(png, 'token-svg.png'), token);
    } finally {
      await browser.close();
    }
  });

  void test('the SVG has one dark path and a white background, and is deterministic', () => {
    const svg = renderQrSvg(token);
    assert.equal(svg, renderQrSvg(token));
    assert.equal((svg.match(/<path /g) ?? []).length, 1);
    assert.match(svg, /<rect width="(\d+)" height="\1" fill="#fff"\/>/);
  });
});
