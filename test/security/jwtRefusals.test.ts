/**
 * Forged and misdirected tokens are refused by the emulator, on REST (401) and at the WebSocket handshake (401
 * before any upgrade), and the refusal never echoes the token. Each forgery is built from a token the emulator
 * accepts (the control cases below), changing one thing: the key (another, or a prefix of the real one), the
 * audience (another path, query, host, port or hub), the algorithm (`none`, RS256 while Entra mode is off,
 * HS384), the validity window (`exp` past, `nbf` ahead) or the shape. A REST token is not a client token either,
 * nor the other way round.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { request } from 'undici';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { signJwt } from '../../shared/tokens.js';
import { uniqueName } from '../helpers/names.js';
import { JSON_PROTOCOL, openSocket, refusedHandshake } from '../helpers/sockets.js';

const KEY = 'jwt-refusals-access-key-0123456789abcdef';
const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]*/;
let emulator: Emulator;
let hub: string;
let restUrl: string;
let clientAudience: string;
let wsUrl: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessKey: KEY });
  hub = uniqueName('hub');
  restUrl = `${emulator.endpoint}/api/hubs/${hub}/:send?api-version=2024-12-01`;
  clientAudience = `${emulator.endpoint}/client/hubs/${hub}`;
  wsUrl = clientAudience.replace(/^http/, 'ws');
});
afterAll(() => emulator.close());

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token as the service's SDKs make it, with one thing changed by the options. */
const sign = (
  audience: string,
  { key = KEY, lifetimeSeconds = 3600, claims = {} }: { key?: string; lifetimeSeconds?: number; claims?: Record<string, unknown> } = {},
) => signJwt(key, claims, { audience, lifetimeSeconds });

/** A token whose header says `alg: none`, with `signature` (empty: unsigned). */
const none = (audience: string, signature = '') => `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ aud: audience, exp: now() + 3600 })}.${signature}`;

/** A forgery: built for the right audience, wrong in one other way. */
const forgeries: [what: string, forge: (audience: string) => Promise<string>][] = [
  ['signed with another key', (aud) => sign(aud, { key: 'another-key-entirely' })],
  ['signed with the key less its last character', (aud) => sign(aud, { key: KEY.slice(0, -1) })],
  ['signed with the first 8 characters of the key', (aud) => sign(aud, { key: KEY.slice(0, 8) })],
  ['signed with the key and a suffix', (aud) => sign(aud, { key: `${KEY}x` })],
  ['alg none, unsigned', async (aud) => none(aud)],
  ['alg none carrying a valid HS256 signature', async (aud) => none(aud, (await sign(aud)).split('.')[2])],
  ['expired a minute ago', (aud) => sign(aud, { lifetimeSeconds: -60 })],
  ['nbf ten minutes ahead', (aud) => sign(aud, { claims: { nbf: now() + 600 } })],
  [
    'RS256 while Entra mode is off',
    async (aud) => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT({}).setProtectedHeader({ alg: 'RS256', typ: 'JWT' }).setAudience(aud).setIssuedAt().setExpirationTime('1h').sign(privateKey);
    },
  ],
  [
    'HS384 with the right key',
    (aud) => new SignJWT({}).setProtectedHeader({ alg: 'HS384' }).setAudience(aud).setExpirationTime('1h').sign(new TextEncoder().encode(KEY)),
  ],
  ['the signature of another token', async (aud) => `${(await sign(aud)).split('.').slice(0, 2).join('.')}.${(await sign(`${aud}x`)).split('.')[2]}`],
  ['malformed: not a JWT', async () => 'not-a-jwt'],
  ['malformed: two parts', async (aud) => (await sign(aud)).split('.').slice(0, 2).join('.')],
  ['malformed: four parts', async (aud) => `${await sign(aud)}.AAAA`],
  [
    'malformed: a header that is not JSON',
    async (aud) => `${Buffer.from('{alg:HS256').toString('base64url')}.${(await sign(aud)).split('.').slice(1).join('.')}`,
  ],
];

/** Audiences that name another place than the REST request's URL. */
const restAudiences: [what: string, audience: () => string][] = [
  ['another path (a user of the hub)', () => restUrl.replace(`/hubs/${hub}/:send`, `/hubs/${hub}/users/u1/:send`)],
  ['another hub', () => restUrl.replace(`/hubs/${hub}/`, `/hubs/${hub}x/`)],
  ['another query (an older api-version)', () => restUrl.replace('2024-12-01', '2024-01-01')],
  ['another query (an extra parameter)', () => `${restUrl}&excluded=c1`],
  ['the URL without its query', () => restUrl.split('?')[0]!],
  ['another host', () => restUrl.replace(/\/\/[^/]+/, '//wps.example.com')],
  ['another port', () => restUrl.replace(/:(\d+)\//, (_, port: string) => `:${Number(port) + 1}/`)],
  ['the client URL of the hub', () => clientAudience],
];

/** Audiences that name another place than the hub's client URL. */
const clientAudiences: [what: string, audience: () => string][] = [
  ['another hub', () => `${clientAudience}x`],
  ['another host', () => clientAudience.replace(/\/\/[^/]+/, '//wps.example.com')],
  ['another port', () => clientAudience.replace(/:(\d+)\//, (_, port: string) => `:${Number(port) + 1}/`)],
  ['a query', () => `${clientAudience}?group=ops`],
  ['the MQTT path of the hub', () => clientAudience.replace('/client/hubs/', '/clients/mqtt/hubs/')],
  ['a REST URL of the hub', () => restUrl],
];

/** A REST send with `token`; the answer's status, error code, and everything it said. */
async function rest(token: string) {
  const response = await request(restUrl, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: `Bearer ${token}` }, body: 'hi' });
  const body = await response.body.text();
  return { status: response.statusCode, code: response.headers['x-ms-error-code'], said: body + JSON.stringify(response.headers) };
}

/** What every refusal must hold: 401, the service's code, and neither the token nor anything JWT-shaped. */
function expectRefused({ status, code, said }: { status: number; code: unknown; said: string }, token: string) {
  expect([status, code]).toEqual([401, 'Unauthorized']);
  expect(said).not.toContain(token);
  expect(said).not.toMatch(JWT_SHAPE);
  expect(said).not.toContain(KEY);
}

describe('REST', () => {
  test('control: the token the forgeries start from is accepted', async () => {
    expect((await rest(await sign(restUrl))).status).toBe(202);
  });

  test.each(forgeries)('%s: 401, token not echoed', async (_what, forge) => {
    const token = await forge(restUrl);
    expectRefused(await rest(token), token);
  });

  test.each(restAudiences)('aud for %s: 401, token not echoed', async (_what, audience) => {
    const token = await sign(audience());
    expectRefused(await rest(token), token);
  });
});

describe('WebSocket handshake', () => {
  test('control: the token the forgeries start from is accepted, in the query and in the header', async () => {
    const token = await sign(clientAudience);
    for (const socket of [
      await openSocket(`${wsUrl}?access_token=${token}`, JSON_PROTOCOL),
      await openSocket(wsUrl, JSON_PROTOCOL, { authorization: `Bearer ${token}` }),
    ]) {
      expect(await socket.json()).toMatchObject({ type: 'system', event: 'connected' });
      await socket.close();
    }
  });

  /** Refused (never upgraded), by query and by Authorization header alike. */
  async function expectHandshakeRefused(token: string) {
    for (const refused of [
      await refusedHandshake(`${wsUrl}?access_token=${encodeURIComponent(token)}`, JSON_PROTOCOL),
      await refusedHandshake(wsUrl, JSON_PROTOCOL, { authorization: `Bearer ${token}` }),
    ]) {
      expectRefused({ status: refused.status, code: refused.errorCode, said: refused.body + JSON.stringify(refused.headers) }, token);
    }
  }

  test.each(forgeries)('%s: 401 before any upgrade, token not echoed', async (_what, forge) => {
    await expectHandshakeRefused(await forge(clientAudience));
  });

  test.each(clientAudiences)('aud for %s: 401 before any upgrade, token not echoed', async (_what, audience) => {
    await expectHandshakeRefused(await sign(audience()));
  });

  test('no connection was made by any refused handshake', () => {
    expect(emulator.connections(hub)).toEqual([]);
  });
});
