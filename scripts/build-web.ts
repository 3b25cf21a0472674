import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, transform, type Plugin } from 'esbuild';

/** Builds the resident web app (web/) into a static folder the server serves (AppOptions.webRoot). */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB = path.join(ROOT, 'web');

/**
 * Old phones (P8): esbuild lowers newer syntax to these; it adds no polyfills and none is needed.
 * Safari stops at 14.5 because esbuild cannot lower destructuring for older Safari, and i18next
 * uses it.
 */
const BROWSER_TARGETS = ['es2019', 'chrome69', 'firefox68', 'safari14.5'];

/**
 * The checkpoint page bundles pure domain code (decideCheck, the code parser). `cbor-x` is its
 * no-eval build: the default build probes `new Function`, which the page's CSP (no 'unsafe-eval')
 * reports as a violation on every load.
 */
const browserDomain: Plugin = {
  name: 'browser-domain',
  setup(b) {
    b.onResolve({ filter: /^cbor-x$/ }, () => ({
      path: path.join(ROOT, 'node_modules/cbor-x/dist/index-no-eval.cjs'),
    }));
  },
};

/**
 * The `console.*` strings of the catalogues travel with the console's chunk (web/console/strings.ts
 * imports them); the catalogues the app itself loads (web/i18n/index.ts) leave them out but for
 * `console.title`, so the resident app does not grow with the console.
 */
const consoleStrings: Plugin = {
  name: 'console-strings',
  setup(b) {
    b.onResolve({ filter: /(^|\/)(en|zh-CN)\.json$/ }, (args) => {
      const file = path.resolve(args.resolveDir, args.path);
      if (path.dirname(file) !== path.join(WEB, 'i18n')) return undefined;
      const forConsole = path.resolve(args.importer) === path.join(WEB, 'console', 'strings.ts');
      return { path: file, namespace: forConsole ? 'console-strings' : 'app-strings' };
    });
    b.onLoad({ filter: /.*/, namespace: 'app-strings' }, async (args) => {
      const catalogue = JSON.parse(await fs.readFile(args.path, 'utf8')) as Record<string, unknown> & {
        console?: { title?: string };
      };
      // The top bar names the console before its chunk has loaded: its title stays.
      return {
        contents: JSON.stringify({ ...catalogue, console: { title: catalogue.console?.title } }),
        loader: 'json',
      };
    });
    b.onLoad({ filter: /.*/, namespace: 'console-strings' }, async (args) => {
      const catalogue = JSON.parse(await fs.readFile(args.path, 'utf8')) as Record<string, unknown>;
      return { contents: JSON.stringify({ console: catalogue['console'] }), loader: 'json' };
    });
  },
};

/** Concatenated in this order into styles.css: the app's, the checkpoint and place-scan pages', the console's. */
const STYLESHEETS = ['styles.css', 'checkpoint/checkpoint.css', 'console/console.css'];

export interface BuiltFile {
  readonly name: string;
  /** bytes as written */
  readonly bytes: number;
  /** bytes after gzip -9, roughly what a phone downloads */
  readonly gzipBytes: number;
}

export interface WebBuild {
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
}

const contentHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * Bundles web/ into `outDir` (relative paths are taken from the project root): index.html, app.js
 * (minified ES module), chunks/ (pages loaded on demand, content-hashed names) and styles.css. Both are linked from index.html with a content-hash query, so a new
 * build is never hidden by a cached old one while the file names stay fixed.
 */
export async function buildWeb(outDir = 'dist/web'): Promise<WebBuild> {
  const out = path.resolve(ROOT, outDir);
  const bundle = await build({
    entryPoints: { app: path.join(WEB, 'main.tsx') },
    bundle: true,
    minify: true,
    // ES modules with code splitting: the checkpoint and place-scan pages (and the QR decoder they
    // need) load only when opened, so a resident's phone downloads the code page alone.
    format: 'esm',
    splitting: true,
    outdir: out,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'browser',
    target: BROWSER_TARGETS,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    charset: 'utf8',
    legalComments: 'eof',
    write: false,
    logLevel: 'silent',
    plugins: [browserDomain, consoleStrings],
  });
  const appPath = path.join(out, 'app.js');
  const js = bundle.outputFiles.find((f) => f.path === appPath)?.text;
  if (js === undefined) throw new Error('esbuild produced no app.js');
  const chunks = bundle.outputFiles
    .filter((f) => f.path !== appPath)
    .map((f): [string, string] => [path.relative(out, f.path), f.text]);
  const css = (
    await transform(
      (await Promise.all(STYLESHEETS.map((f) => fs.readFile(path.join(WEB, f), 'utf8')))).join('\n'),
      {
        loader: 'css',
        minify: true,
        target: BROWSER_TARGETS,
        charset: 'utf8',
      },
    )
  ).code;
  // From the root: index.html is also the page of deeper paths (/staff/setup), where a relative
  // `app.js` would resolve to /staff/app.js.
  const html = (await fs.readFile(path.join(WEB, 'index.html'), 'utf8'))
    .replace('%APP_JS%', `/app.js?v=${contentHash(js)}`)
    .replace('%STYLES_CSS%', `/styles.css?v=${contentHash(css)}`);

  await fs.rm(path.join(out, 'chunks'), { recursive: true, force: true });
  await fs.mkdir(path.join(out, 'chunks'), { recursive: true });
  const written: [string, string][] = [['index.html', html], ['app.js', js], ['styles.css', css], ...chunks];
  for (const [name, text] of written) await fs.writeFile(path.join(out, name), text);
  return {
    outDir: out,
    files: written.map(([name, text]) => ({
      name,
      bytes: Buffer.byteLength(text),
      gzipBytes: gzipSync(text, { level: 9 }).length,
    })),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await buildWeb(process.argv[2]);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  console.log(`web app built into ${path.relative(process.cwd(), result.outDir) || '.'}`);
  for (const f of result.files)
    console.log(`  ${f.name.padEnd(11)} ${kb(f.bytes).padStart(10)}  gzip ${kb(f.gzipBytes).padStart(9)}`);
  const total = result.files.reduce((sum, f) => sum + f.gzipBytes, 0);
  console.log(`  total gzip ${kb(total)}`);
}
