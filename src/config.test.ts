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

void test('support contact (S15): defaults, configured values, and every bad value named at once', () => {
  assert.deepEqual(loadConfig({}).support, { phone: '12345', hours: '8:00–20:00', url: null });
  assert.deepEqual(
    loadConfig({
      SUPPORT_PHONE: ' +86 531-12345 ',
      SUPPORT_HOURS: '每日 8:00–22:00',
      SUPPORT_URL: 'https://help.example.cn/hc',
    }).support,
    { phone: '+86 531-12345', hours: '每日 8:00–22:00', url: 'https://help.example.cn/hc' },
  );
  for (const [name, value] of [
    ['SUPPORT_PHONE', 'call us'],
    ['SUPPORT_PHONE', '12'],
    ['SUPPORT_PHONE', '1'.repeat(30)],
    ['SUPPORT_HOURS', ''],
    ['SUPPORT_HOURS', 'x'.repeat(41)],
    ['SUPPORT_HOURS', '8:00\n20:00'],
    ['SUPPORT_URL', 'javascript:alert(1)'],
    ['SUPPORT_URL', 'help.example.cn'],
    ['SUPPORT_URL', 'https://u:p@help.example.cn'],
  ] as const) {
    assert.throws(
      () => loadConfig({ [name]: value }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.startsWith(name)),
      `${name}=${JSON.stringify(value)}`,
    );
  }
  assert.throws(
    () => loadConfig({ SUPPORT_PHONE: 'x', SUPPORT_URL: 'ftp://a' }),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 2,
  );
});
