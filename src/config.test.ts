import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.ts';

void test('PUBLIC_ORIGIN: a plain http(s) origin, normalised', () => {
  assert.equal(
    loadConfig({ PUBLIC_ORIGIN: 'https://HC.Example.gov.cn' }).publicOrigin,
    'https://hc.example.gov.cn',
  );
  assert.equal(
    loadConfig({ PUBLIC_ORIGIN: 'https://hc.example:8443' }).publicOrigin,
    'https://hc.example:8443',
  );
  for (const bad of [
    'hc.example',
    'ftp://hc.example',
    'https://hc.example/app',
    'https://hc.example/',
    'https://u:p@hc.example',
    'https://hc.example?x=1',
  ]) {
    assert.throws(
      () => loadConfig({ PUBLIC_ORIGIN: bad }),
      (e: unknown) => e instanceof ConfigError && /PUBLIC_ORIGIN/.test(e.message),
      bad,
    );
  }
});

void test('without PUBLIC_ORIGIN: http://HOST:PORT on loopback; production beyond loopback refuses to start', () => {
  assert.equal(loadConfig({}).publicOrigin, 'http://127.0.0.1:8080');
  assert.equal(loadConfig({ PORT: '9000' }).publicOrigin, 'http://127.0.0.1:9000');
  assert.throws(() => loadConfig({ HOST: '0.0.0.0' }, { mode: 'production' }), /PUBLIC_ORIGIN must be set/);
  assert.equal(
    loadConfig({ HOST: '0.0.0.0', PUBLIC_ORIGIN: 'https://hc.example' }, { mode: 'production' }).publicOrigin,
    'https://hc.example',
  );
  assert.equal(loadConfig({ HOST: '0.0.0.0' }, { mode: 'demo' }).publicOrigin, 'http://0.0.0.0:8080');
});
