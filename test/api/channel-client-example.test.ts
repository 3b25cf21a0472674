import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  addStaff,
  bearer,
  createTestPlatform,
  sampleApplication,
  signInResident,
  staffToken,
  type TestPlatform,
} from '../support/platform.ts';
import { DEMO_CHANNEL, seedDemoData } from '../../src/use-cases/demo.ts';

/**
 * examples/channel-client (issue 11): the partner's example runs, as its README says, against a
 * listening server — token, sign-in code, resident session, the resident's code — and fails
 * clearly with a wrong secret.
 */
const run = promisify(execFile);
const CLIENT = new URL('../../examples/channel-client/client.mjs', import.meta.url).pathname;

describe('the channel client example against a local server', () => {
  let t: TestPlatform;
  let baseUrl = '';
  let clientId = '';
  let clientSecret = '';

  before(async () => {
    t = await createTestPlatform('sqlite');
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
    await addStaff(t, [{ username: 'admin', role: 'admin', divisionCode: '000000' }]);
    const admin = await staffToken(t, 'admin');
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: bearer(admin),
      payload: { name: 'Example partner', scopes: ['code:read'], rateLimitPerMinute: 60 },
    });
    assert.equal(r.statusCode, 201, r.body);
    ({ clientSecret } = r.json<{ clientSecret: string }>());
    clientId = r.json<{ channel: { clientId: string } }>().channel.clientId;
    // The resident applied on the platform's own app before.
    const own = await signInResident(t, '13800138000');
    const applied = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/me/application',
      headers: bearer(own),
      payload: sampleApplication(),
    });
    assert.ok(applied.statusCode < 300, applied.body);
    t.clock.advance(60_000);
  });
  after(() => t.close());

  test('gets a token, acts for the resident and reads the code', async () => {
    const { stdout } = await run(process.execPath, [CLIENT], {
      env: {
        ...process.env,
        HEALTHCODE_URL: baseUrl,
        CLIENT_ID: clientId,
        CLIENT_SECRET: clientSecret,
        MOBILE: '13800138000',
      },
    });
    assert.match(stdout, /access token for scopes "code:read", valid 600 s/);
    assert.match(stdout, /code green: HPC1:/);
  });

  test('a wrong secret ends with the stable code and exit status 1', async () => {
    await assert.rejects(
      run(process.execPath, [CLIENT], {
        env: { ...process.env, HEALTHCODE_URL: baseUrl, CLIENT_ID: clientId, CLIENT_SECRET: 'chs_wrong' },
      }),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr, /401 channel_credentials_invalid/);
        return true;
      },
    );
  });
});

describe('the demo channel of `healthcode demo` runs the example', () => {
  let t: TestPlatform;
  let baseUrl = '';
  before(async () => {
    t = await createTestPlatform('sqlite');
    await seedDemoData(t.platform);
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => t.close());

  test('with the banner’s credentials, for the first demo resident', async () => {
    const { stdout } = await run(process.execPath, [CLIENT], {
      env: {
        ...process.env,
        HEALTHCODE_URL: baseUrl,
        CLIENT_ID: DEMO_CHANNEL.clientId,
        CLIENT_SECRET: DEMO_CHANNEL.clientSecret,
        MOBILE: '13800000001',
      },
    });
    assert.match(stdout, /code green: HPC1:/);
  });
});
