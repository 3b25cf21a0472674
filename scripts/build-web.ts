import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build, transform, type Metafile, type Plugin } from 'esbuild';
import { THEME_COLOUR, renderIconPng } from './app-icons.ts';

/**
 * Builds the resident web app (web/) into a static folder the server serves (AppOptions.webRoot):
 *
 * - `index.html`, `manifest.webmanifest` and `sw.js` at fixed addresses (served `no-cache`);
 * - everything else under `assets/` with a content hash in its name (served immutable for a year):
 *   the start-up module `app-<hash>.js`, the app's chunks, one chunk per language catalogue, the
 *   app's stylesheet, the lazily loaded pages' stylesheets and the icons;
 * - beside every text file its brotli (`.br`) and gzip (`.gz`) form, which @fastify/static sends
 *   to browsers that accept them (`preCompressed`).
 *
 * The service worker (web/sw.ts) is bundled with its precache list taken from the build: the app
 * shell and what the code page and the place-code pop-up need (P8, issue 11).
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB = path.join(ROOT, 'web');
/** Content-hashed files live here, under /assets/ on the server. */
export const ASSETS_DIR = 'assets';

/**
 * Old phones (P8): esbuild lowers newer syntax to these; it adds no polyfills and none is needed.
 * Safari stops at 14.5 because esbuild cannot lower destructuring for older Safari, and i18next
 * uses it.
 */
const BROWSER_TARGETS = ['es2019', 'chrome69', 'firefox68', 'safari14.5'];

/** The app's own stylesheet, linked from index.html; pages' stylesheets are imported by their modules. */
const APP_STYLESHEET = 'styles.css';

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
 * imports them); the catalogues the app itself loads (web/i18n/locale.ts) leave them out but for
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

const contentHash = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex').slice(0, 12);

async function minifyCss(file: string): Promise<string> {
  return (
    await transform(await fs.readFile(file, 'utf8'), {
      loader: 'css',
      minify: true,
      target: BROWSER_TARGETS,
      charset: 'utf8',
    })
  ).code;
}

/**
 * `import './page.css'` in a web module becomes `requireStylesheet('/assets/page-<hash>.css')`
 * (web/stylesheets.ts): the stylesheet is written as its own content-hashed file and loaded with
 * the chunk of the module that imports it (the checkpoint and place-scan pages, the console).
 */
function lazyStylesheets(written: Map<string, string>): Plugin {
  return {
    name: 'lazy-stylesheets',
    setup(b) {
      b.onResolve({ filter: /\.css$/ }, (args) => ({
        path: path.resolve(args.resolveDir, args.path),
        namespace: 'lazy-stylesheet',
      }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-stylesheet' }, async (args) => {
        const css = await minifyCss(args.path);
        const name = `${ASSETS_DIR}/${path.basename(args.path, '.css')}-${contentHash(css)}.css`;
        written.set(name, css);
        return {
          contents: `import { requireStylesheet } from ${JSON.stringify(path.join(WEB, 'stylesheets.ts'))};\nrequireStylesheet(${JSON.stringify(`/${name}`)});\n`,
          loader: 'js',
          resolveDir: WEB,
          watchFiles: [args.path],
        };
      });
    },
  };
}

export interface BuiltFile {
  /** path inside the output folder, e.g. `assets/app-3f2a….js` */
  readonly name: string;
  /** bytes as written */
  readonly bytes: number;
  /** bytes of its `.gz` (gzip -9), null for files sent as they are (PNG, tiny files) */
  readonly gzipBytes: number | null;
  /** bytes of its `.br` (brotli, quality 11), null for files sent as they are */
  readonly brotliBytes: number | null;
}

export interface WebBuild {
  readonly outDir: string;
  readonly files: readonly BuiltFile[];
  /**
   * What a signed-in resident's first visit of the code page loads, from esbuild's module graph:
   * index.html, the start-up module and everything it and web/start.tsx import statically, the
   * app's stylesheet and the zh-CN catalogue. (test/e2e/first-load.test.ts measures the same in
   * Chromium; this list is for the build's own summary.)
   */
  readonly firstLoad: readonly string[];
  /** The service worker's precache list (URLs). */
  readonly precached: readonly string[];
}

/** Output paths of `start` and everything it imports statically (not dynamic imports). */
function staticClosure(meta: Metafile, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined || seen.has(next)) continue;
    seen.add(next);
    for (const imported of meta.outputs[next]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external) stack.push(imported.path);
  }
  return seen;
}

/** The output whose entry point (an entry or a dynamic import) is the web module `source`. */
function outputOf(meta: Metafile, out: string, source: string): string {
  for (const [file, output] of Object.entries(meta.outputs)) {
    if (output.entryPoint !== undefined && output.entryPoint.replace(/^[\w-]+:/, '').endsWith(source))
      return file;
  }
  throw new Error(`esbuild produced no output for ${source} in ${out}`);
}

/** The stylesheets that the modules bundled into these outputs import (see lazyStylesheets). */
function stylesheetsOf(meta: Metafile, outputs: Iterable<string>, written: Map<string, string>): string[] {
  const names: string[] = [];
  for (const file of outputs) {
    for (const input of Object.keys(meta.outputs[file]?.inputs ?? {})) {
      if (!input.startsWith('lazy-stylesheet:')) continue;
      const base = path.basename(input, '.css');
      for (const name of written.keys())
        if (path.basename(name).startsWith(`${base}-`) && !names.includes(name)) names.push(name);
    }
  }
  return names;
}

const COMPRESSIBLE = /\.(js|css|html|json|webmanifest|svg|txt)$/;

/**
 * Bundles web/ into `outDir` (relative paths are taken from the project root). What an earlier
 * build wrote there is removed first: old hashed files are not kept (a page still open on an old
 * build is served from its service worker's cache, which keeps that build until the new worker
 * takes over).
 */
export async function buildWeb(outDir = 'dist/web'): Promise<WebBuild> {
  const out = path.resolve(ROOT, outDir);
  const assets = path.join(out, ASSETS_DIR);
  const lazyCss = new Map<string, string>();
  const bundle = await build({
    entryPoints: { app: path.join(WEB, 'main.tsx') },
    bundle: true,
    minify: true,
    treeShaking: true,
    // ES modules with code splitting: every page but the code page and sign-in, each catalogue,
    // and the libraries only they need (QR decoder, chart.js, cbor-x, the divisions table) are
    // chunks loaded when opened.
    format: 'esm',
    splitting: true,
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    platform: 'browser',
    target: BROWSER_TARGETS,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    charset: 'utf8',
    legalComments: 'eof',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [browserDomain, consoleStrings, lazyStylesheets(lazyCss)],
  });
  const meta = bundle.metafile;
  const rel = (file: string) => path.relative(out, path.resolve(ROOT, file)).split(path.sep).join('/');
  const entry = outputOf(meta, out, 'web/main.tsx');
  const startChunk = outputOf(meta, out, 'web/start.tsx');
  const catalogue = (locale: string) => outputOf(meta, out, `web/i18n/${locale}.json`);
  const scanPlace = outputOf(meta, out, 'web/pages/scan-place.tsx');

  const files = new Map<string, string | Uint8Array>();
  for (const f of bundle.outputFiles) files.set(path.relative(out, f.path).split(path.sep).join('/'), f.text);
  for (const [name, css] of lazyCss) files.set(name, css);
  const appCss = await minifyCss(path.join(WEB, APP_STYLESHEET));
  const appCssName = `${ASSETS_DIR}/styles-${contentHash(appCss)}.css`;
  files.set(appCssName, appCss);
  const icons: { name: string; size: number }[] = [];
  for (const size of [192, 512]) {
    const png = renderIconPng(size);
    const name = `${ASSETS_DIR}/icon-${size}-${contentHash(png)}.png`;
    files.set(name, png);
    icons.push({ name, size });
  }

  // The start module's imports arrive at once: preloaded from index.html instead of discovered
  // one level at a time (each level is a round trip, 0.56 s on Fast 3G).
  const startup = staticClosure(meta, entry);
  const preload = [...staticClosure(meta, startChunk)].filter((f) => !startup.has(f));
  const html = (await fs.readFile(path.join(WEB, 'index.html'), 'utf8'))
    .replace('%APP_JS%', `/${rel(entry)}`)
    .replace('%STYLES_CSS%', `/${appCssName}`)
    .replace(
      '%MODULE_PRELOADS%',
      [...startup]
        .filter((f) => f !== entry)
        .concat(preload)
        .map((f) => `<link rel="modulepreload" href="/${rel(f)}" />`)
        .join('\n    '),
    )
    .replace('%APPLE_TOUCH_ICON%', `/${icons[0]?.name ?? ''}`)
    .replaceAll('%THEME_COLOUR%', THEME_COLOUR);
  files.set('index.html', html);

  const manifest = {
    id: '/',
    name: '健康通行码 Health Pass Code',
    short_name: '健康通行码',
    description:
      '出示健康通行码、扫场所码、为家人代办。Show your health pass code, scan place codes, act for family members.',
    lang: 'zh-CN',
    dir: 'ltr',
    start_url: '/',
    scope: '/',
    display: 'standalone',
    orientation: 'portrait',
    background_color: '#ffffff',
    theme_color: THEME_COLOUR,
    icons: icons.flatMap(({ name, size }) => [
      { src: `/${name}`, sizes: `${size}x${size}`, type: 'image/png', purpose: 'any' },
      { src: `/${name}`, sizes: `${size}x${size}`, type: 'image/png', purpose: 'maskable' },
    ]),
  };
  files.set('manifest.webmanifest', JSON.stringify(manifest, null, 2) + '\n');

  // Precached by the service worker: the shell and the code page (start-up module, its preloads,
  // the app's stylesheet, both catalogues — a switch of language works offline), and the
  // place-code pop-up (its page chunk with what it imports and its stylesheet). Other pages'
  // files are cached when first used.
  const scanPlaceOutputs = staticClosure(meta, scanPlace);
  const precacheOutputs = new Set([
    ...startup,
    ...staticClosure(meta, startChunk),
    ...staticClosure(meta, catalogue('zh-CN')),
    ...staticClosure(meta, catalogue('en')),
    ...scanPlaceOutputs,
  ]);
  const precacheAssets = [
    ...[...precacheOutputs].map(rel),
    appCssName,
    ...stylesheetsOf(meta, scanPlaceOutputs, lazyCss),
    ...icons.map((i) => i.name),
  ];
  const precache = [
    // index.html is not content-addressed: its revision makes a new build fetch it again.
    { url: '/index.html', revision: contentHash(html) },
    ...precacheAssets.map((name) => ({ url: `/${name}`, revision: null })),
  ];
  const buildId = contentHash(JSON.stringify(precache));
  const sw = await build({
    entryPoints: [path.join(WEB, 'sw.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: BROWSER_TARGETS,
    charset: 'utf8',
    legalComments: 'eof',
    write: false,
    logLevel: 'silent',
    define: {
      'process.env.NODE_ENV': '"production"',
      __PRECACHE_MANIFEST__: JSON.stringify(precache),
      __BUILD_ID__: JSON.stringify(buildId),
      __ASSETS_PREFIX__: JSON.stringify(`/${ASSETS_DIR}/`),
    },
  });
  const swText = sw.outputFiles[0]?.text;
  if (swText === undefined) throw new Error('esbuild produced no sw.js');
  files.set('sw.js', swText);

  // What an earlier build wrote (this layout's and the one before it); nothing else in the folder.
  for (const old of [
    'index.html',
    'manifest.webmanifest',
    'sw.js',
    'app.js',
    'styles.css',
    'chunks',
    ASSETS_DIR,
  ])
    for (const suffix of ['', '.gz', '.br'])
      await fs.rm(path.join(out, old + suffix), { recursive: true, force: true });
  await fs.mkdir(assets, { recursive: true });
  const built: BuiltFile[] = [];
  for (const [name, data] of files) {
    const target = path.join(out, name);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, data);
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (!COMPRESSIBLE.test(name)) {
      built.push({ name, bytes, gzipBytes: null, brotliBytes: null });
      continue;
    }
    const gz = gzipSync(data, { level: 9 });
    const br = brotliCompressSync(data, {
      params: {
        [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
        [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
        [zlib.BROTLI_PARAM_SIZE_HINT]: bytes,
      },
    });
    // A form no smaller than the file is not written; the file goes as it is.
    if (gz.length < bytes) await fs.writeFile(`${target}.gz`, gz);
    if (br.length < bytes) await fs.writeFile(`${target}.br`, br);
    built.push({
      name,
      bytes,
      gzipBytes: gz.length < bytes ? gz.length : null,
      brotliBytes: br.length < bytes ? br.length : null,
    });
  }
  const firstLoad = [
    'index.html',
    ...[...startup, ...preload].map(rel),
    ...[...staticClosure(meta, catalogue('zh-CN'))].map(rel),
    appCssName,
  ];
  return {
    outDir: out,
    files: built,
    firstLoad,
    precached: precache.map((p) => p.url),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await buildWeb(process.argv[2]);
  const kb = (n: number | null) => (n === null ? '—' : `${(n / 1024).toFixed(1)} KiB`);
  console.log(`web app built into ${path.relative(process.cwd(), result.outDir) || '.'}`);
  const width = Math.max(...result.files.map((f) => f.name.length));
  console.log(
    `  ${'file'.padEnd(width)} ${'bytes'.padStart(10)} ${'gzip'.padStart(10)} ${'brotli'.padStart(10)}`,
  );
  for (const f of result.files)
    console.log(
      `  ${f.name.padEnd(width)} ${kb(f.bytes).padStart(10)} ${kb(f.gzipBytes).padStart(10)} ${kb(f.brotliBytes).padStart(10)}`,
    );
  const sum = (names: readonly string[], pick: (f: BuiltFile) => number | null) =>
    result.files.filter((f) => names.includes(f.name)).reduce((s, f) => s + (pick(f) ?? f.bytes), 0);
  const all = result.files.map((f) => f.name);
  console.log(
    `  total: gzip ${kb(sum(all, (f) => f.gzipBytes))}, brotli ${kb(sum(all, (f) => f.brotliBytes))}`,
  );
  const assets = result.firstLoad.filter((n) => /\.(js|css)$/.test(n));
  console.log(
    `  code page first load (module graph, zh-CN; ${assets.length} JS/CSS files): JS+CSS brotli ${kb(sum(assets, (f) => f.brotliBytes))}, gzip ${kb(sum(assets, (f) => f.gzipBytes))}; budget 150 KB`,
  );
  console.log(`  service worker precaches ${result.precached.length} files`);
}
