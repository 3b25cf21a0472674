#!/usr/bin/env node
// A partner channel's client of the health pass code platform: plain Node (20+) ESM, no packages.
// It gets an access token (OAuth 2.0 client credentials), has the platform send the resident a
// sign-in code, opens a resident session with the code the resident typed, and reads their code.
//
//   HEALTHCODE_URL=http://127.0.0.1:8080 CLIENT_ID=ch_… CLIENT_SECRET=chs_… MOBILE=13800138000 \
//     node examples/channel-client/client.mjs
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';

/** One API call; throws an Error carrying the platform's stable `code` on any 4xx/5xx. */
async function call(base, path, { method = 'GET', token, body, form, basic } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (basic) headers.authorization = `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString('base64')}`;
  let payload;
  if (form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(form).toString();
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(new URL(path, base), { method, headers, body: payload });
  const json = await res.json();
  if (!res.ok) {
    // The token endpoint answers RFC 6749 errors ({ error, error_description, code }); every other
    // endpoint { error: { code, message } }. Both carry the stable code.
    const code = typeof json.error === 'string' ? json.code : json.error?.code;
    const message = typeof json.error === 'string' ? json.error_description : json.error?.message;
    const err = new Error(`${res.status} ${code}: ${message}`);
    err.status = res.status;
    err.code = code;
    err.retryAfter = res.headers.get('retry-after');
    throw err;
  }
  return json;
}

/**
 * The whole flow. `askCode(mobile, sent)` returns the code the resident typed; in the platform's
 * demo mode `sent.devCode` holds it, so the demo needs no phone.
 */
export async function run({ baseUrl, clientId, clientSecret, mobile, askCode, log = console.log }) {
  // 1. Client credentials → a 10-minute access token (cache it; ask again when it expires).
  const token = await call(baseUrl, '/api/v1/oauth/token', {
    method: 'POST',
    basic: { id: clientId, secret: clientSecret },
    form: { grant_type: 'client_credentials' },
  });
  log(`access token for scopes "${token.scope}", valid ${token.expires_in} s`);
  // 2. Prove the number: the platform sends the resident a sign-in code by SMS…
  const sent = await call(baseUrl, '/api/v1/sign-in-codes', { method: 'POST', body: { mobile } });
  const code = await askCode(mobile, sent);
  // 3. …which the resident types into the channel; the channel opens a resident session with it.
  const session = await call(baseUrl, '/api/v1/channel-sessions', {
    method: 'POST',
    token: token.access_token,
    body: { mobile, code },
  });
  log(`resident session until ${session.expiresAt}, scopes ${session.scopes.join(' ')}`);
  // 4. The resident's own operations with that session, within the channel's scopes.
  try {
    const myCode = await call(baseUrl, '/api/v1/me/code', { token: session.token });
    log(`code ${myCode.colour}: ${myCode.code}`);
    return { colour: myCode.colour, code: myCode.code, session: session.token };
  } catch (error) {
    if (error.code === 'application_required') {
      log('no code yet: the resident has not applied (submitApplication needs application:write)');
      return { colour: null, code: null, session: session.token };
    }
    throw error;
  }
}

async function main() {
  const env = process.env;
  const baseUrl = env.HEALTHCODE_URL ?? 'http://127.0.0.1:8080';
  const { CLIENT_ID: clientId, CLIENT_SECRET: clientSecret } = env;
  const mobile = env.MOBILE ?? '13800138000';
  if (!clientId || !clientSecret) {
    console.error('Set CLIENT_ID and CLIENT_SECRET (the demo banner of `npm start` prints a demo channel).');
    process.exit(2);
  }
  const askCode = async (number, sent) => {
    if (sent.devCode) {
      console.log(`(demo mode: the code sent to ${number} is ${sent.devCode})`);
      return sent.devCode;
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return (await rl.question(`Code sent to ${number}: `)).trim();
    } finally {
      rl.close();
    }
  };
  try {
    await run({ baseUrl, clientId, clientSecret, mobile, askCode });
  } catch (error) {
    console.error(error.message + (error.retryAfter ? ` (retry after ${error.retryAfter} s)` : ''));
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
