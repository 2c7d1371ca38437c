/**
 * Tokens and endpoints: the JWT audience is the full request URL (query included) of the service even through a
 * reverse proxy; tokens are cached per audience and follow key rotation; Entra tokens are fetched once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { decodeJwt, jwtVerify } from 'jose';
import { AzureKeyCredential, WebPubSubServiceClient, type WebPubSubClientOptions } from '../../shared/index.js';
import { startCaptureServer, type CaptureServer } from '../helpers/captureServer.js';
import { tableReply } from '../helpers/tableResponder.js';

const KEY = 'auth-test-key';
let server: CaptureServer;
const clients: WebPubSubServiceClient[] = [];

beforeAll(async () => void (server = await startCaptureServer(tableReply)));
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  server.requests.length = 0;
  server.respond(tableReply);
});

function track(client: WebPubSubServiceClient) {
  clients.push(client);
  return client;
}
const tokenOf = (i: number) => String(server.requests[i].headers.authorization).replace('Bearer ', '');

describe('access-key JWTs', () => {
  test('aud is the full request URL, query and percent-encoding included; lifetime one hour; HS256 over the UTF-8 key', async () => {
    const client = track(new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=${KEY};`, 'hub'));
    await client.sendToGroup('g é', 'x', { excluded: ['c1'], messageTtlSeconds: 9 });
    const token = tokenOf(0);
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(KEY));
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.aud).toBe(`${server.endpoint}${server.requests[0].url}`);
    expect(payload.aud).toBe(`${server.endpoint}/api/hubs/hub/groups/g%20%C3%A9/:send?api-version=2024-12-01&excluded=c1&messageTtlSeconds=9`);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  test('one token per audience is cached and reused; another URL gets its own', async () => {
    const client = track(new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=${KEY};`, 'hub'));
    await Promise.all([client.sendToAll('a'), client.sendToAll('b')]);
    await client.sendToAll('c');
    await client.sendToUser('u1', 'd');
    expect(new Set([tokenOf(0), tokenOf(1), tokenOf(2)]).size).toBe(1);
    expect(tokenOf(3)).not.toBe(tokenOf(0));
    expect(decodeJwt(tokenOf(3)).aud).toContain('/users/u1/:send');
  });

  test('a rotated key signs the next request', async () => {
    const credential = new AzureKeyCredential('old-key');
    const client = track(new WebPubSubServiceClient(server.endpoint, credential, 'hub'));
    await client.sendToAll('a');
    credential.update('new-key');
    await client.sendToAll('b');
    await jwtVerify(tokenOf(0), new TextEncoder().encode('old-key'));
    await jwtVerify(tokenOf(1), new TextEncoder().encode('new-key'));
  });

  test('through a reverse proxy the request goes to the proxy and the audience keeps the service host', async () => {
    const client = track(
      new WebPubSubServiceClient('https://res.webpubsub.azure.com', new AzureKeyCredential(KEY), 'hub', { reverseProxyEndpoint: server.endpoint }),
    );
    await client.sendToAll('x');
    expect(server.requests[0].url).toBe('/api/hubs/hub/:send?api-version=2024-12-01');
    expect(decodeJwt(tokenOf(0)).aud).toBe('https://res.webpubsub.azure.com/api/hubs/hub/:send?api-version=2024-12-01');
  });

  test('an endpoint with a path prefix keeps it on the wire and in the audience', async () => {
    server.respond(() => ({ status: 204 }));
    const client = track(new WebPubSubServiceClient(`Endpoint=${server.endpoint}/wps/;AccessKey=${KEY};`, 'hub'));
    expect(client.endpoint).toBe(`${server.endpoint}/wps`);
    await client.closeConnection('c1');
    expect(server.requests[0].url).toBe('/wps/api/hubs/hub/connections/c1?api-version=2024-12-01');
    expect(decodeJwt(tokenOf(0)).aud).toBe(`${server.endpoint}/wps/api/hubs/hub/connections/c1?api-version=2024-12-01`);
  });

  test('every request names the client in User-Agent', async () => {
    const client = track(new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=${KEY};`, 'hub'));
    await client.sendToAll('x');
    expect(server.requests[0].headers['user-agent']).toMatch(/^webpubsub-action\/\d+\.\d+\.\d+ node\/\d+/);
  });
});

describe('connection strings', () => {
  test.each([
    [`endpoint=${'127.0.0.1'};port={port};accesskey=${KEY};version=1.0;`, 'lower-case keys, no scheme → https'],
    [`ENDPOINT=http://127.0.0.1;PORT={port};ACCESSKEY=${KEY}`, 'upper-case keys'],
    [` Endpoint = http://127.0.0.1:{port}/ ; AccessKey = ${KEY} ; Version = 2.0 ; Unknown=1`, 'spaces, trailing slash, Version and unknown keys ignored'],
  ])('%s (%s)', (connectionString, _why) => {
    const client = track(new WebPubSubServiceClient(connectionString.replace('{port}', String(server.port)), 'hub'));
    expect(client.endpoint).toBe(`${connectionString.includes('http://') ? 'http' : 'https'}://127.0.0.1:${server.port}`);
  });

  test('a key ending in = (base64 padding) survives', async () => {
    const key = 'YWJjZGVmZ2hpams=';
    const client = track(new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=${key};Version=1.0;`, 'hub'));
    await client.sendToAll('x');
    await jwtVerify(tokenOf(0), new TextEncoder().encode(key));
  });
});

describe('Microsoft Entra tokens', () => {
  const https = () => `https://127.0.0.1:${server.port}`;
  async function entraClient(expiresInMs: number, options: WebPubSubClientOptions = {}) {
    const { Pool } = await import('undici');
    const pool = new Pool(server.endpoint);
    const scopes: unknown[] = [];
    const credential = {
      getToken: async (scope: string | string[]) => {
        scopes.push(scope);
        return { token: `entra-${scopes.length}`, expiresOnTimestamp: Date.now() + expiresInMs };
      },
    };
    const client = track(new WebPubSubServiceClient(https(), credential, 'hub', { dispatcher: pool, ...options }));
    clients.push({ close: () => pool.close() } as WebPubSubServiceClient);
    return { client, scopes };
  }

  test('concurrent requests share one token fetched for the Web PubSub scope', async () => {
    const { client, scopes } = await entraClient(3_600_000);
    await Promise.all([client.sendToAll('a'), client.sendToAll('b'), client.userExists('u')]);
    await client.sendToAll('c');
    expect(scopes).toEqual(['https://webpubsub.azure.com/.default']);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual(Array(4).fill('Bearer entra-1'));
  });

  test('a token close to expiry is renewed', async () => {
    const { client, scopes } = await entraClient(60_000);
    await client.sendToAll('a');
    await client.sendToAll('b');
    expect(scopes).toHaveLength(2);
    expect(server.requests[1].headers.authorization).toBe('Bearer entra-2');
  });

  test('a credential that returns no token fails the call without sending', async () => {
    const client = track(new WebPubSubServiceClient(https(), { getToken: async () => null }, 'hub'));
    await expect(client.sendToAll('a')).rejects.toThrow(/returned no token/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('paging', () => {
  const page = (value: unknown[], nextLink?: string) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ value, nextLink }),
  });

  test('a relative nextLink is followed on the same endpoint, signed for its own URL', async () => {
    server.respond((request) =>
      request.url.includes('continuationToken')
        ? page([{ connectionId: 'c2' }])
        : page([{ connectionId: 'c1', userId: 'u1' }], '/api/hubs/hub/groups/g/connections?continuationToken=abc&api-version=2024-12-01'),
    );
    const client = track(new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=${KEY};`, 'hub'));
    const members = [];
    for await (const member of client.listConnectionsInGroup('g')) members.push(member);
    expect(members).toEqual([{ connectionId: 'c1', userId: 'u1' }, { connectionId: 'c2' }]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/hubs/hub/groups/g/connections?api-version=2024-12-01',
      '/api/hubs/hub/groups/g/connections?continuationToken=abc&api-version=2024-12-01',
    ]);
    expect(decodeJwt(tokenOf(1)).aud).toBe(`${server.endpoint}${server.requests[1].url}`);
  });

  test('a nextLink to another host is refused: credentials never leave the endpoint', async () => {
    server.respond(() => page([{ connectionId: 'c1' }], 'https://attacker.example/api/hubs/hub/groups/g/connections?continuationToken=x'));
    const client = track(new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=${KEY};`, 'hub'));
    const members: unknown[] = [];
    const error = await (async () => {
      for await (const member of client.listConnectionsInGroup('g')) members.push(member);
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WebPubSubError', code: 'ForeignOrigin' });
    expect(members).toEqual([{ connectionId: 'c1' }]);
    expect(server.requests).toHaveLength(1);
  });
});
