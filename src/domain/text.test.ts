import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spoofingText, unstorableText } from './text.ts';

void test('unstorableText: NUL and lone surrogates, not paired ones', () => {
  assert.equal(unstorableText('济南 ok'), null);
  assert.equal(unstorableText('emoji 😀 pair'), null);
  assert.match(unstorableText('a\u0000b') ?? '', /NUL/);
  assert.match(unstorableText('a\uD800') ?? '', /surrogate/);
  assert.match(unstorableText('\uDC00a') ?? '', /surrogate/);
  assert.match(unstorableText('x\uDBFFy') ?? '', /surrogate/);
});

void test('spoofingText: bidi overrides, isolates and zero-width characters', () => {
  assert.equal(spoofingText('泉城广场银座商城'), null);
  assert.equal(spoofingText('Café (Gate 1)'), null);
  for (const c of [
    '\u202E',
    '\u202A',
    '\u2066',
    '\u2069',
    '\u200B',
    '\u200D',
    '\u200F',
    '\uFEFF',
    '\u061C',
  ]) {
    assert.match(spoofingText(`a${c}b`) ?? '', /U\+[0-9A-F]{4}/, `U+${c.charCodeAt(0).toString(16)}`);
  }
});
