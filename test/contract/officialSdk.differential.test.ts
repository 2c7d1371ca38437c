/**
 * Differential conformance: our client and the official @azure/web-pubsub send every operation, with every
 * option, to one loopback capture server. Both must put the same bytes on the wire: method, raw path and query,
 * content type, body, and JWT claims (aud, lifetime) signed over the same key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createDefaultHttpClient, createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import { decodeJwt, jwtVerify } from 'jose';
import { Pool } from 'undici';
import { WebPubSubServiceClient, InvalidArgumentError } from '../../shared/index.js';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from '../helpers/captureServer.js';
import { tableReply } from '../helpers/tableResponder.js';

const HUB = 'chat';
const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef+/=';
/** Ids that must each reach their own route: reserved, unsafe, percent and non-ASCII characters. */
const ID = 'a/b?c#d%e f é';
const GROUP = 'g 1/ä?#%';
const FILTER = "userId eq 'x' and 'g1' in groups";

let server: CaptureServer;
let ours: WebPubSubServiceClient;
let theirs: OfficialClient;

beforeAll(async () => {
  server = await startCaptureServer(tableReply);
  const connectionString = `Endpoint=http://127.0.0.1;Port=${server.port};AccessKey=${KEY};Version=1.0;`;
  ours = new WebPubSubServiceClient(connectionString, HUB, { retry: { maxRetries: 0 } });
  theirs = new OfficialClient(connectionString, HUB, { retryOptions: { maxRetries: 0 }, allowInsecureConnection: true });
});
afterAll(async () => {
  await ours.close();
  await server.close();
});
beforeEach(() => void server.respond(tableReply));

/** What must be equal between the two clients for one request. */
async function wire(request: CapturedRequest) {
  const token = String(request.headers.authorization).replace(/^Bearer /, '');
  await jwtVerify(token, new TextEncoder().encode(KEY), { algorithms: ['HS256'] });
  const claims = decodeJwt(token);
  return {
    method: request.method,
    url: request.url,
    contentType: request.headers['content-type'],
    body: request.body.toString('base64'),
    aud: claims.aud,
    lifetime: (claims.exp ?? 0) - (claims.iat ?? 0),
  };
}

async function capture(call: () => Promise<unknown>) {
  const start = server.requests.length;
  const result = await call();
  return { result, requests: await Promise.all(server.requests.slice(start).map(wire)) };
}

type Pair = [name: string, ours: (c: WebPubSubServiceClient) => Promise<unknown>, theirs: (c: OfficialClient) => Promise<unknown>];
const bytes = new Uint8Array([0, 1, 2, 250, 255]);
const pairs: Pair[] = [
  ['sendToAll json', (c) => c.sendToAll({ hello: 'world', n: 1 }), (c) => c.sendToAll({ hello: 'world', n: 1 })],
  ['sendToAll bare string is JSON', (c) => c.sendToAll('hey'), (c) => c.sendToAll('hey')],
  [
    'sendToAll text/plain',
    (c) => c.sendToAll('v1.4.2 deployed', { contentType: 'text/plain' }),
    (c) => c.sendToAll('v1.4.2 deployed', { contentType: 'text/plain' }),
  ],
  ['sendToAll bytes', (c) => c.sendToAll(bytes), (c) => c.sendToAll(bytes)],
  ['sendToAll Buffer', (c) => c.sendToAll(Buffer.from('raw')), (c) => c.sendToAll(Buffer.from('raw'))],
  ['sendToAll ArrayBuffer', (c) => c.sendToAll(bytes.slice().buffer), (c) => c.sendToAll(bytes.slice().buffer)],
  [
    'sendToAll with every option',
    (c) => c.sendToAll({ a: 1 }, { excluded: ['c1', ID], filter: FILTER, messageTtlSeconds: 5 }),
    (c) => c.sendToAll({ a: 1 }, { excludedConnections: ['c1', ID], filter: FILTER, messageTtlSeconds: 5 }),
  ],
  [
    'sendToGroup with every option',
    (c) => c.sendToGroup(GROUP, 'hi', { contentType: 'text/plain', excluded: ['c1', 'c2'], filter: FILTER, messageTtlSeconds: 0 }),
    (c) => c.group(GROUP).sendToAll('hi', { contentType: 'text/plain', excludedConnections: ['c1', 'c2'], filter: FILTER, messageTtlSeconds: 0 }),
  ],
  [
    'sendToUser with every option',
    (c) => c.sendToUser(ID, [1, 'two'], { filter: FILTER, messageTtlSeconds: 300 }),
    (c) => c.sendToUser(ID, [1, 'two'], { filter: FILTER, messageTtlSeconds: 300 }),
  ],
  ['sendToConnection with ttl', (c) => c.sendToConnection(ID, bytes, { messageTtlSeconds: 7 }), (c) => c.sendToConnection(ID, bytes, { messageTtlSeconds: 7 })],
  [
    'closeAllConnections',
    (c) => c.closeAllConnections({ excluded: ['c1', ID], reason: 'rollout v2' }),
    (c) => c.closeAllConnections({ excluded: ['c1', ID], reason: 'rollout v2' } as never),
  ],
  [
    'closeGroupConnections',
    (c) => c.closeGroupConnections(GROUP, { excluded: ['c1'], reason: 'bye' }),
    (c) => c.group(GROUP).closeAllConnections({ excluded: ['c1'], reason: 'bye' } as never),
  ],
  [
    'closeUserConnections',
    (c) => c.closeUserConnections(ID, { excluded: ['c1'], reason: 'bye' }),
    (c) => c.closeUserConnections(ID, { excluded: ['c1'], reason: 'bye' } as never),
  ],
  ['closeConnection', (c) => c.closeConnection(ID, { reason: "it's time" }), (c) => c.closeConnection(ID, { reason: "it's time" })],
  ['connectionExists', (c) => c.connectionExists(ID), (c) => c.connectionExists(ID)],
  ['groupExists', (c) => c.groupExists(GROUP), (c) => c.groupExists(GROUP)],
  ['userExists', (c) => c.userExists(ID), (c) => c.userExists(ID)],
  ['addConnectionToGroup', (c) => c.addConnectionToGroup(GROUP, ID), (c) => c.group(GROUP).addConnection(ID)],
  ['removeConnectionFromGroup', (c) => c.removeConnectionFromGroup(GROUP, ID), (c) => c.group(GROUP).removeConnection(ID)],
  ['removeConnectionFromAllGroups', (c) => c.removeConnectionFromAllGroups(ID), (c) => c.removeConnectionFromAllGroups(ID)],
  ['addUserToGroup', (c) => c.addUserToGroup(GROUP, ID), (c) => c.group(GROUP).addUser(ID)],
  ['removeUserFromGroup', (c) => c.removeUserFromGroup(GROUP, ID), (c) => c.group(GROUP).removeUser(ID)],
  ['removeUserFromAllGroups', (c) => c.removeUserFromAllGroups(ID), (c) => c.removeUserFromAllGroups(ID)],
  ['addConnectionsToGroups', (c) => c.addConnectionsToGroups([GROUP, 'g2'], FILTER), (c) => c.addConnectionsToGroups([GROUP, 'g2'], FILTER)],
  ['removeConnectionsFromGroups', (c) => c.removeConnectionsFromGroups([GROUP], FILTER), (c) => c.removeConnectionsFromGroups([GROUP], FILTER)],
  ['grantPermission', (c) => c.grantPermission(ID, 'sendToGroup', { targetName: GROUP }), (c) => c.grantPermission(ID, 'sendToGroup', { targetName: GROUP })],
  ['grantPermission without target', (c) => c.grantPermission(ID, 'joinLeaveGroup'), (c) => c.grantPermission(ID, 'joinLeaveGroup')],
  [
    'revokePermission',
    (c) => c.revokePermission(ID, 'joinLeaveGroup', { targetName: GROUP }),
    (c) => c.revokePermission(ID, 'joinLeaveGroup', { targetName: GROUP }),
  ],
  ['checkPermission', (c) => c.checkPermission(ID, 'sendToGroup', { targetName: GROUP }), (c) => c.hasPermission(ID, 'sendToGroup', { targetName: GROUP })],
];

describe('every operation puts the same request on the wire as the official SDK', () => {
  test.each(pairs)('%s', async (_name, callOurs, callTheirs) => {
    const a = await capture(() => callOurs(ours));
    const b = await capture(() => callTheirs(theirs));
    expect(a.requests).toHaveLength(1);
    expect(a.requests).toEqual(b.requests);
    expect(a.requests[0].lifetime).toBe(3600);
    // The SDK resolves void operations with the raw response; ours with undefined. Booleans must agree.
    expect(a.result).toEqual(typeof b.result === 'boolean' ? b.result : undefined);
  });

  test('HEAD answers map to booleans alike: 404 is false', async () => {
    server.respond(() => ({ status: 404, headers: { 'x-ms-error-code': 'Error.User.NotExisted' } }));
    await expect(ours.userExists('nobody')).resolves.toBe(false);
    await expect(theirs.userExists('nobody')).resolves.toBe(false);
    await expect(ours.checkPermission('c', 'sendToGroup')).resolves.toBe(false);
  });

  test('listConnectionsInGroup follows an absolute nextLink exactly as given, page by page', async () => {
    const page2 = `/api/hubs/${HUB}/groups/${encodeURIComponent(GROUP)}/connections?maxpagesize=2&top=3&continuationToken=t%2B1`;
    server.respond((request) =>
      request.url.includes('continuationToken')
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [{ connectionId: 'c3' }] }) }
        : {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ value: [{ connectionId: 'c1', userId: 'u1' }, { connectionId: 'c2' }], nextLink: server.endpoint + page2 }),
          },
    );
    const collect = async (members: AsyncIterable<unknown>) => {
      const all = [];
      for await (const member of members) all.push(member);
      return all;
    };
    const a = await capture(() => collect(ours.listConnectionsInGroup(GROUP, { maxPageSize: 2, top: 3 })));
    const b = await capture(async () => collect(await theirs.group(GROUP).listConnections({ maxPageSize: 2, top: 3 })));
    expect(a.requests).toHaveLength(2);
    expect(a.requests).toEqual(b.requests);
    expect(a.requests[1].url).toBe(page2);
    expect(a.result).toEqual([{ connectionId: 'c1', userId: 'u1' }, { connectionId: 'c2' }, { connectionId: 'c3' }]);
    expect(a.result).toEqual(b.result);
  });
});

describe('client access tokens match the official SDK claim for claim', () => {
  const variants = [
    {},
    { userId: 'user 1', roles: ['webpubsub.joinLeaveGroup.g1', 'webpubsub.sendToGroup'], groups: ['g1', 'g 2'] },
    { userId: 'u', expirationTimeInMinutes: 7, clientProtocol: 'mqtt' as const },
    { clientProtocol: 'socketio' as const, groups: ['g1'] },
  ];
  test.each(variants)('%j', async (options) => {
    const before = server.requests.length;
    const a = await ours.getClientAccessToken(options);
    expect(server.requests.length).toBe(before); // signing with the key is local: no request
    const b = await theirs.getClientAccessToken(options);
    const strip = ({ iat, exp, ...rest }: Record<string, unknown>) => ({ ...rest, lifetime: Number(exp) - Number(iat) });
    await jwtVerify(a.token, new TextEncoder().encode(KEY), { algorithms: ['HS256'] });
    expect(strip(decodeJwt(a.token))).toEqual(strip(decodeJwt(b.token)));
    expect(a.baseUrl).toBe(b.baseUrl);
    expect(a.url).toBe(`${a.baseUrl}?access_token=${a.token}`);
  });
});

describe('with a Microsoft Entra TokenCredential', () => {
  const credential = { getToken: async () => ({ token: 'entra-access-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
  // The official SDK refuses bearer tokens over http, so both clients believe in https while a loopback
  // transport carries the bytes in clear to the capture server.
  let entraOurs: WebPubSubServiceClient;
  let entraTheirs: OfficialClient;
  let pool: Pool;
  beforeAll(() => {
    const https = `https://127.0.0.1:${server.port}`;
    pool = new Pool(server.endpoint);
    entraOurs = new WebPubSubServiceClient(https, credential, HUB, { dispatcher: pool, retry: { maxRetries: 0 } });
    const plain = createDefaultHttpClient();
    const httpClient: HttpClient = {
      sendRequest: (request) => {
        request.url = request.url.replace('https://', 'http://');
        request.headers = createHttpHeaders(request.headers.toJSON());
        request.allowInsecureConnection = true;
        return plain.sendRequest(request);
      },
    };
    entraTheirs = new OfficialClient(https, credential, HUB, { httpClient, retryOptions: { maxRetries: 0 } });
  });
  afterAll(() => pool.close());

  test.each([
    {},
    { userId: 'u1', roles: ['r1', 'r2'], expirationTimeInMinutes: 7, groups: ['g1', 'g 2'], clientProtocol: 'mqtt' as const },
    { clientProtocol: 'socketio' as const },
  ])('getClientAccessToken %j asks the service (:generateToken) the same way', async (options) => {
    const sent = async (call: () => Promise<{ token: string; url: string }>) => {
      const start = server.requests.length;
      const result = await call();
      const [request] = server.requests.slice(start);
      return { result, method: request.method, url: request.url, auth: request.headers.authorization };
    };
    const a = await sent(() => entraOurs.getClientAccessToken(options));
    const b = await sent(() => entraTheirs.getClientAccessToken(options));
    expect(a).toEqual(b);
    expect(a.auth).toBe('Bearer entra-access-token');
    expect(a.result.token).toBe('service-issued-token');
  });

  test('sends carry the Entra bearer token', async () => {
    await entraOurs.sendToAll({ x: 1 });
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer entra-access-token');
  });
});

describe("ids that a URL parser would fold are refused: with the official SDK, sendToUser('..') is a broadcast", () => {
  test.each(['.', '..'])('%s', async (id) => {
    const before = server.requests.length;
    await expect(ours.sendToUser(id, 'x')).rejects.toThrow(InvalidArgumentError);
    await expect(ours.closeConnection(id)).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'connectionId' });
    expect(server.requests.length).toBe(before);
    if (id === '..') {
      await theirs.sendToUser(id, 'x');
      expect(server.requests.at(-1)?.url).toBe(`/api/hubs/${HUB}/:send?api-version=2024-12-01`);
    }
  });
});
