import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { describeNeeding, runTool } from '../../../test/support/machine.ts';
import {
  createTestPlatform,
  sampleApplication,
  signInResident,
  type TestPlatform,
} from '../../../test/support/platform.ts';

/** The platform group: keys, health, and the support contact (S15). */

const SUPPORT = { phone: '0531-12345', hours: '每日 8:00–22:00', url: 'https://help.example.cn/hc' };
const ENV = { SUPPORT_PHONE: SUPPORT.phone, SUPPORT_HOURS: SUPPORT.hours, SUPPORT_URL: SUPPORT.url };

void describe('getSupportContact', () => {
  let t: TestPlatform;
  before(async () => {
    t = await createTestPlatform('sqlite', { env: ENV });
  });
  after(async () => t.close());

  test('anyone reads the configured contact, cacheable; /openapi.json declares it for anyone', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/support' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), SUPPORT);
    assert.match(String(res.headers['cache-control']), /public, max-age=300/);
    const spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { operationId?: string; 'x-roles'?: string[] }>>;
    }>();
    const op = spec.paths['/api/v1/support']?.['get'];
    assert.equal(op?.operationId, 'getSupportContact');
    assert.deepEqual(op?.['x-roles'], ['anyone']);
  });

  test('without configuration: the 12345 hotline, 8:00–20:00, no help page', async () => {
    const plain = await createTestPlatform('sqlite');
    try {
      const res = await plain.app.inject({ method: 'GET', url: '/api/v1/support' });
      assert.deepEqual(res.json(), { phone: '12345', hours: '8:00–20:00', url: null });
    } finally {
      await plain.close();
    }
  });
});

describeNeeding(['pdftotext'], 'the support contact on a printed paper code', () => {
  let t: TestPlatform;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-support-'));
  before(async () => {
    t = await createTestPlatform('sqlite', { env: ENV });
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a resident’s paper code carries the configured phone, hours and help page', async () => {
    const token = await signInResident(t, '13900000051');
    const applied = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/me/application',
      headers: { authorization: `Bearer ${token}` },
      payload: sampleApplication(),
    });
    assert.ok(applied.statusCode < 300, applied.body);
    const printed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/me/paper-codes',
      headers: { authorization: `Bearer ${token}` },
      payload: { size: 'A6' },
    });
    assert.equal(printed.statusCode, 201, printed.body);
    const file = path.join(dir, 'paper.pdf');
    fs.writeFileSync(file, printed.rawPayload);
    const flat = runTool('pdftotext', ['-enc', 'UTF-8', file, '-']).replace(/\s+/g, '');
    for (const expected of ['咨询电话', SUPPORT.phone, SUPPORT.hours.replace(/\s+/g, ''), SUPPORT.url]) {
      assert.ok(flat.includes(expected), `"${expected}" in ${flat}`);
    }
  });
});
