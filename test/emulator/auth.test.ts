/**
 * Authentication as the service does it: REST tokens whose `aud` is the request URL as received, and client
 * tokens checked at the WebSocket handshake (401 before any upgrade).
 */
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { signJwt } from '../../shared/tokens.js';
import { until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { JSON_PROTOCOL, openSocket, refusedHandshake } from '../helpers/sockets.js';

const KEY = 'emulator-test-key-with-enough-entropy';
let emulator: Emulator;
let hub: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessKey: KEY });
});
afterAll(() => emulator.close());

const sign = (claims: Record<string, unknown>, audience: string, key = KEY, lifetimeSeconds = 3600) => signJwt(key, claims, { audience, lifetimeSeconds });

/** A raw REST call with a chosen Authorization header. */
async function call(path: string, authorization?: string, method: 'POST' | 'HEAD' = 'POST') {
  const response = await request(emulator.endpoint + path, {
    method,
    headers: { 'content-type': 'text/plain', ...(authorization && { authorization }) },
    body: method === 'POST' ? 'hi' : undefined,
  });
  const body = await response.body.text();
  return { status: response.statusCode, code: response.headers['x-ms-error-code'], body };
}

describe('REST tokens', () => {
  beforeAll(() => {
    hub = uniqueName();
  });
  const sendPath = () => `/api/hubs/${hub}/:send?api-version=2024-12-01`;

  test('a token whose aud is the exact URL, query included, is accepted (https too, for TLS proxies)', async () => {
    expect((await call(sendPath(), `Bearer ${await sign({}, emulator.endpoint + sendPath())}`)).status).toBe(202);
    const https = emulator.endpoint.replace('http:', 'https:') + sendPath();
    expect((await call(sendPath(), `Bearer ${await sign({}, https)}`)).status).toBe(202);
  });

  test.each([
    ['no Authorization header', async () => undefined, 'no Authorization'],
    ['a non-Bearer scheme', async () => `Basic ${Buffer.from('a:b').toString('base64')}`, 'no Authorization'],
    ['a token that is not a JWT', async () => 'Bearer not-a-jwt', 'not a well-formed JWT'],
    ['a token signed with another key', async () => `Bearer ${await sign({}, emulator.endpoint + sendPath(), 'another-key')}`, 'signature'],
    [
      'a tampered token',
      async () => {
        const [header, , signature] = (await sign({}, emulator.endpoint + sendPath())).split('.');
        const payload = Buffer.from(JSON.stringify({ aud: emulator.endpoint + sendPath(), exp: 9999999999, admin: true })).toString('base64url');
        return `Bearer ${header}.${payload}.${signature}`;
      },
      'signature',
    ],
    ['an aud without the query', async () => `Bearer ${await sign({}, emulator.endpoint + sendPath().split('?')[0])}`, 'aud must be the request URL'],
    [
      'an aud for another path',
      async () => `Bearer ${await sign({}, `${emulator.endpoint}/api/hubs/${hub}/users/u/:send?api-version=2024-12-01`)}`,
      'aud must be',
    ],
    ['an aud for another host', async () => `Bearer ${await sign({}, `http://example.com${sendPath()}`)}`, 'aud must be'],
    ['an expired token', async () => `Bearer ${await sign({}, emulator.endpoint + sendPath(), KEY, -60)}`, 'expired'],
    [
      'a token without exp',
      async () =>
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setAudience(emulator.endpoint + sendPath())
          .sign(new TextEncoder().encode(KEY))}`,
      'no exp claim',
    ],
    [
      'an HS512 token',
      async () =>
        `Bearer ${await new SignJWT({})
          .setProtectedHeader({ alg: 'HS512' })
          .setAudience(emulator.endpoint + sendPath())
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(KEY))}`,
      'HS256',
    ],
  ])('%s gets a 401 that does not echo the token', async (_what, authorization, reason) => {
    const header = await authorization();
    const response = await call(sendPath(), header);
    expect(response.status).toBe(401);
    expect(response.code).toBe('Unauthorized');
    expect(JSON.parse(response.body).message).toContain(reason);
    const token = header?.split(' ')[1];
    if (token) expect(response.body).not.toContain(token);
  });

  test('a token accepted before is refused once it has expired: the emulator remembers its signature, not its exp', async () => {
    const header = `Bearer ${await sign({}, emulator.endpoint + sendPath())}`;
    expect((await call(sendPath(), header)).status).toBe(202);
    const now = Date.now();
    const later = jest.spyOn(Date, 'now').mockReturnValue(now + 2 * 3600 * 1000);
    try {
      const response = await call(sendPath(), header);
      expect([response.status, JSON.parse(response.body).message]).toEqual([401, expect.stringContaining('expired')]);
    } finally {
      later.mockRestore();
    }
  });

  test('the health probe is anonymous', async () => {
    expect((await call('/api/health?api-version=2024-12-01', undefined, 'HEAD')).status).toBe(200);
  });
});

describe('client tokens at the WebSocket handshake', () => {
  let hubUrl: string;
  let audience: string;
  beforeAll(() => {
    hub = uniqueName('Chat');
    audience = `${emulator.endpoint}/client/hubs/${hub}`;
    hubUrl = `${emulator.endpoint.replace('http', 'ws')}/client/hubs/${hub}`;
  });

  test.each([
    ['http', (aud: string) => aud],
    ['https', (aud: string) => aud.replace('http:', 'https:')],
    ['ws', (aud: string) => aud.replace('http:', 'ws:')],
    ['wss with a trailing slash', (aud: string) => `${aud.replace('http:', 'wss:')}/`],
    ['another letter case of the hub', (aud: string) => aud.replace(/\/client\/hubs\/.*$/, `/client/hubs/${hub.toLowerCase()}`)],
  ])('an aud in %s form is accepted', async (_form, toAudience) => {
    const token = await sign({ sub: 'u1', role: 'webpubsub.joinLeaveGroup' }, toAudience(audience));
    const socket = await openSocket(`${hubUrl}?access_token=${token}`, JSON_PROTOCOL);
    expect(await socket.json()).toMatchObject({ type: 'system', event: 'connected', userId: 'u1' });
    await socket.close();
  });

  test('the token may come in an Authorization header, and /client/?hub= is the same endpoint', async () => {
    const token = await sign({}, audience);
    const byHeader = await openSocket(hubUrl, JSON_PROTOCOL, { authorization: `Bearer ${token}` });
    expect(await byHeader.json()).toMatchObject({ event: 'connected' });
    const byQuery = await openSocket(`${emulator.endpoint.replace('http', 'ws')}/client/?hub=${hub}&access_token=${token}`, JSON_PROTOCOL);
    expect(await byQuery.json()).toMatchObject({ event: 'connected' });
    await Promise.all([byHeader.close(), byQuery.close()]);
  });

  test.each([
    ['no token', async () => ''],
    ['an expired token', async () => `access_token=${await sign({}, audience, KEY, -60)}`],
    ['another key', async () => `access_token=${await sign({}, audience, 'another-key')}`],
    ['an aud for another hub', async () => `access_token=${await sign({}, `${emulator.endpoint}/client/hubs/other`)}`],
    ['an aud for another host', async () => `access_token=${await sign({}, audience.replace(/\/\/[^/]+/, '//example.com'))}`],
    ['an aud with a query', async () => `access_token=${await sign({}, `${audience}?x=1`)}`],
    ['a numeric sub', async () => `access_token=${await sign({ sub: 42 }, audience)}`],
    ['a malformed webpubsub.group', async () => `access_token=${await sign({ 'webpubsub.group': ['  '] }, audience)}`],
    ['a pattern role with six stars', async () => `access_token=${await sign({ role: 'webpubsub.sendToGroups.*.*.*.*.*.*' }, audience)}`],
  ])('%s gets HTTP 401 before any upgrade', async (_what, query) => {
    const refused = await refusedHandshake(`${hubUrl}?${await query()}`, JSON_PROTOCOL);
    expect([refused.status, refused.errorCode]).toEqual([401, 'Unauthorized']);
  });

  test.each([
    ['an invalid hub', '/client/hubs/1bad', 'Error.BadRequest'],
    ['an unknown path', '/socket', 'InvalidClientPath'],
    ['the MQTT path', '/clients/mqtt/hubs/chat', 'NotImplemented'],
    ['the Socket.IO path', '/clients/socketio/hubs/chat', 'NotImplemented'],
    ['a bad webpubsub_mode', '/client/hubs/chat?webpubsub_mode=broadcast', 'InvalidClientMode'],
  ])('%s (%s) gets HTTP 400 with %s', async (_what, path, code) => {
    const refused = await refusedHandshake(`${emulator.endpoint.replace('http', 'ws')}${path}`);
    expect([refused.status, refused.errorCode]).toEqual([400, code]);
  });

  test('exp is checked at connect only: an open connection outlives its token', async () => {
    const token = await signJwt(KEY, {}, { audience, lifetimeSeconds: 1 });
    const socket = await openSocket(`${hubUrl}?access_token=${token}`, JSON_PROTOCOL);
    const { connectionId } = await socket.json<{ connectionId: string }>();
    await until(() => Date.now() / 1000 > JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp + 0.1, 'the token expiry', 3000);
    const path = `/api/hubs/${hub}/connections/${connectionId}/:send?api-version=2024-12-01`;
    expect((await call(path, `Bearer ${await sign({}, emulator.endpoint + path)}`)).status).toBe(202);
    expect(await socket.json()).toMatchObject({ type: 'message', data: 'hi' });
    await socket.close();
  });
});
