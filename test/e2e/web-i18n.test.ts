import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import en from '../../web/i18n/en.json' with { type: 'json' };
import zhCN from '../../web/i18n/zh-CN.json' with { type: 'json' };

/** The two UI catalogues: same keys, same placeholders, and every key the code asks for exists. */

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

function flatten(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === 'string') return out.set(prefix, value);
  assert.ok(typeof value === 'object' && value !== null, `${prefix} is a string or an object`);
  for (const [key, child] of Object.entries(value)) {
    for (const [k, v] of flatten(child, prefix ? `${prefix}.${key}` : key)) out.set(k, v);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const catalogues = { 'zh-CN': flatten(zhCN), en: flatten(en) };

describe('UI catalogues', () => {
  test('zh-CN.json and en.json have the same keys', () => {
    assert.deepEqual([...catalogues.en.keys()].sort(), [...catalogues['zh-CN'].keys()].sort());
  });

  test('no string is empty, and both languages use the same placeholders', () => {
    for (const [key, zh] of catalogues['zh-CN']) {
      const english = catalogues.en.get(key) ?? '';
      assert.ok(zh.trim() !== '' && english.trim() !== '', `${key} is empty`);
      assert.deepEqual(placeholders(english), placeholders(zh), `${key} placeholders differ`);
    }
  });

  test('every key the web app asks for exists', () => {
    const asked: string[] = [];
    for (const file of sourceFiles(WEB)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([\w.-]+)'/g)) asked.push(m[1] ?? '');
      // Keys built at run time, t(`code.colour.${colour}`): the prefix must exist.
      for (const m of text.matchAll(/\bt\(\s*`([\w.-]+)\$\{/g)) asked.push(`${m[1] ?? ''}*`);
    }
    assert.ok(asked.length > 50, `found ${asked.length} keys; the pattern still matches the code`);
    const keys = [...catalogues['zh-CN'].keys()];
    const missing = asked.filter((k) =>
      k.endsWith('*') ? !keys.some((key) => key.startsWith(k.slice(0, -1))) : !keys.includes(k),
    );
    assert.deepEqual(missing, []);
  });
});
