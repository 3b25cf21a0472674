import { build } from 'esbuild';
import path from 'node:path';
const r = await build({ entryPoints: { app: 'web/main.tsx' }, bundle: true, minify: true, format: 'esm', splitting: true, outdir: '/tmp/metaout', chunkNames: 'chunks/[name]-[hash]', platform: 'browser', target: ['es2019'], jsx: 'automatic', jsxImportSource: 'preact', write: false, metafile: true, logLevel: 'silent',
 plugins: [{ name: 'c', setup(b) { b.onResolve({ filter: /^cbor-x$/ }, () => ({ path: path.resolve('node_modules/cbor-x/dist/index-no-eval.cjs') })); } }] });
const outs = r.metafile.outputs;
const key = Object.keys(outs).find(k => k.endsWith('app.js'))!;
const seen = new Set<string>(); const stack=[key];
while (stack.length) { const k = stack.pop()!; if (seen.has(k)) continue; seen.add(k); for (const i of outs[k].imports) if (i.kind==='import-statement') stack.push(i.path); }
const files: [string, number][] = [];
for (const k of seen) for (const [inp, v] of Object.entries(outs[k].inputs)) files.push([inp, v.bytesInOutput]);
files.sort((a,b)=>b[1]-a[1]);
console.log(files.filter(f=>!f[0].includes('node_modules')).slice(0,60).map(([k,v])=>`${String(v).padStart(8)} ${k}`).join('\n'));
// who imports cbor-x / typebox
const inputs = r.metafile.inputs;
for (const [f, v] of Object.entries(inputs)) for (const i of v.imports) if (/cbor-x|typebox\/build\/esm\/index|base45/.test(i.path) && !f.includes('node_modules')) console.log('IMPORT', f, '->', i.path);
const want = ['src/domain/token/cose.ts','src/domain/venues/checkpoint-decision.ts','web/checkpoint/checkpoint-logic.ts','src/contracts/residents.ts','src/contracts/family.ts','src/domain/venues/browser.ts','src/contracts/common.ts'];
for (const [f, v] of Object.entries(inputs)) for (const i of v.imports) if (want.includes(i.path)) console.log('WHO', f, '->', i.path, i.kind);
