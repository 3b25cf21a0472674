import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { buildWeb, type WebBuild } from '../../scripts/build-web.ts';
import { createTestPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * Issue 11: the web app's files over real HTTP (loopback), as browsers ask for them: brotli to
 * `Accept-Encoding: br`, gzip to `gzip`, the plain file to neither, each decoding to the built
 * file; content-hashed files immutable for a year, the page, the manifest and the service worker
 * revalidated every time.
 */

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

describe('static files of the web app', () => {
  let t: TestPlatform;
  let built: WebBuild;
  let port: number;
  let workDir: string;

  const get = (urlPath: string, acceptEncoding: string | null): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const request = http.get(
        {
          host: '127.0.0.1',
          port,
          path: urlPath,
          headers: acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      request.on('error', reject);
    });

  const decoded = (a: Answer): Buffer => {
    const encoding = a.headers['content-encoding'];
    if (encoding === 'br') return brotliDecompressSync(a.body);
    if (encoding === 'gzip') return gunzipSync(a.body);
    assert.equal(encoding, undefined);
    return a.body;
  };

  before(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcode-static-'));
    built = await buildWeb(path.join(workDir, 'web'));
    t = await createTestPlatform('sqlite', { webRoot: built.outDir });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    assert.ok(address !== null && typeof address === 'object');
    port = address.port;
  });
  after(async () => {
    await t?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  test('every text file is sent brotli, gzip or plain as asked, and decodes to the built file', async () => {
    const files = built.files.filter((f) => f.brotliBytes !== null);
    assert.ok(files.some((f) => f.name.endsWith('.js')) && files.some((f) => f.name.endsWith('.css')));
    assert.ok(files.some((f) => f.name === 'index.html') && files.some((f) => f.name === 'sw.js'));
    for (const { name, gzipBytes } of files) {
      const onDisk = fs.readFileSync(path.join(built.outDir, name));
      for (const [accept, expected] of [
        ['br, gzip, deflate', 'br'],
        ['gzip, deflate', gzipBytes === null ? undefined : 'gzip'],
        [null, undefined],
        ['identity', undefined],
      ] as const) {
        const a = await get(`/${name}`, accept);
        assert.equal(a.status, 200, `${name} (${accept})`);
        assert.equal(a.headers['content-encoding'], expected, `${name} with Accept-Encoding ${accept}`);
        assert.match(String(a.headers['vary']), /accept-encoding/i, `${name} varies on Accept-Encoding`);
        assert.ok(decoded(a).equals(onDisk), `${name} (${accept}) decodes to the built file`);
        if (expected !== undefined)
          assert.ok(a.body.length < onDisk.length, `${name} is smaller ${expected}`);
      }
    }
  });

  test('content-hashed files are immutable for a year; the page, manifest and worker are revalidated', async () => {
    for (const f of built.files) {
      const a = await get(`/${f.name}`, 'br');
      assert.equal(a.status, 200, f.name);
      if (f.name.startsWith('assets/')) {
        assert.match(f.name, /-[\w]{8,}\.(js|css|png)$/, `${f.name} has a content hash in its name`);
        assert.equal(a.headers['cache-control'], 'public, max-age=31536000, immutable', f.name);
      } else {
        assert.ok(['index.html', 'manifest.webmanifest', 'sw.js'].includes(f.name), f.name);
        assert.equal(a.headers['cache-control'], 'no-cache', f.name);
      }
    }
    // The page of every client-side route, compressed too, and never cached without asking.
    for (const route of ['/', '/scan', '/checkpoint', '/staff/setup']) {
      const a = await get(route, 'br');
      assert.equal(a.status, 200, route);
      assert.equal(a.headers['content-encoding'], 'br', route);
      assert.equal(a.headers['cache-control'], 'no-cache', route);
      assert.match(decoded(a).toString('utf8'), /<link rel="manifest" href="\/manifest\.webmanifest"/);
    }
  });

  test('types: JavaScript, CSS, the manifest, PNG icons sent as they are', async () => {
    const js = built.files.find((f) => /^assets\/app-\w+\.js$/.test(f.name));
    const css = built.files.find((f) => /^assets\/styles-\w+\.css$/.test(f.name));
    const png = built.files.find((f) => f.name.endsWith('.png'));
    assert.ok(js && css && png);
    assert.match(String((await get(`/${js.name}`, 'br')).headers['content-type']), /javascript/);
    assert.match(String((await get(`/${css.name}`, 'gzip')).headers['content-type']), /^text\/css/);
    assert.match(
      String((await get('/manifest.webmanifest', 'br')).headers['content-type']),
      /^application\/manifest\+json/,
    );
    const icon = await get(`/${png.name}`, 'br, gzip');
    assert.equal(icon.headers['content-type'], 'image/png');
    assert.equal(icon.headers['content-encoding'], undefined, 'PNG is compressed already');
  });

  test('a missing hashed file is a 404, not the page', async () => {
    const a = await get('/assets/app-000000000000.js', 'br');
    assert.equal(a.status, 404);
    assert.match(String(a.headers['content-type']), /^application\/json/);
    assert.doesNotMatch(String(a.headers['cache-control'] ?? ''), /immutable/);
  });

  test('the page policy lets the service worker and the manifest load from this origin only', async () => {
    const csp = String((await get('/', 'br')).headers['content-security-policy']);
    assert.match(csp, /worker-src 'self'/);
    assert.match(csp, /manifest-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /connect-src 'self'(;|$)/);
    const sw = await get('/sw.js', 'br');
    assert.match(String(sw.headers['content-type']), /javascript/);
    assert.equal(sw.headers['service-worker-allowed'], undefined, 'the worker needs no wider scope than /');
  });
});
