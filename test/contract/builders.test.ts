/**
 * One case per row of the operations table: every operation has its `build<Name>Request`, its client method, and
 * a request whose method, route and query follow the table. Plus the seed's own example, end to end.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as api from '../../shared/index.js';
import { operationList, type Operation, type PathParam } from '../../shared/operations.js';
import { startCaptureServer, type CaptureServer } from '../helpers/captureServer.js';
import { tableReply } from '../helpers/tableResponder.js';

const SAMPLE: Record<PathParam, string> = { hub: 'hub', group: 'g/1', userId: 'u 1', connectionId: 'c?1', permission: 'sendToGroup' };
const builderName = (operation: Operation) => `build${operation.name[0].toUpperCase()}${operation.name.slice(1)}Request`;
const builders = api as unknown as Record<string, (...args: unknown[]) => api.WebPubSubRequest>;

function bodyOptions(operation: Operation): object {
  if (operation.body === 'message') return { json: { n: 1 } };
  if (operation.body === 'groupsFilter') return { groups: ['g1'], filter: "userId eq 'a'" };
  return {};
}

describe('the table has 25 operations of api-version 2024-12-01, each with a builder and a client method', () => {
  test('25 rows, unique operationIds', () => {
    expect(operationList).toHaveLength(25);
    expect(new Set(operationList.map((o) => o.operationId)).size).toBe(25);
  });

  test.each(operationList.map((o) => [o.operationId, o] as const))('%s', (_id, operation) => {
    const build = builders[builderName(operation)];
    expect(typeof build).toBe('function');
    const hubArg = operation.path.includes('{hub}') ? [SAMPLE.hub] : [];
    const request = build(...hubArg, ...operation.args.map((param) => SAMPLE[param]), bodyOptions(operation));
    let expectedPath = operation.path;
    for (const param of ['hub', ...operation.args] as PathParam[]) expectedPath = expectedPath.replace(`{${param}}`, encodeURIComponent(SAMPLE[param]));
    expect(request).toMatchObject({ method: operation.method, url: `${expectedPath}?api-version=2024-12-01`, operation: operation.name });
    // The client follows the official SDK's name for the token call; every other method is the operation's name.
    const method = operation.name === 'generateClientToken' ? 'getClientAccessToken' : operation.name;
    expect(typeof (api.WebPubSubServiceClient.prototype as unknown as Record<string, unknown>)[method]).toBe('function');
  });
});

describe('the seed style: build a request, send it, read the status', () => {
  let server: CaptureServer;
  let client: api.WebPubSubServiceClient;
  beforeAll(async () => {
    server = await startCaptureServer(tableReply);
    client = new api.WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=seed-key;Version=1.0;`, 'default');
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  test("buildSendToAllRequest('default', { json }) → POST /api/hubs/default/:send → 202", async () => {
    const request = api.buildSendToAllRequest('default', { json: { Hello: 'webpubsub!' } });
    expect(request).toEqual({
      method: 'POST',
      url: '/api/hubs/default/:send?api-version=2024-12-01',
      headers: { 'content-type': 'application/json' },
      body: '{"Hello":"webpubsub!"}',
      operation: 'sendToAll',
    });
    const response = await client.sendRequest(request);
    expect(response.status).toBe(202);
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', url: request.url });
    expect(server.requests.at(-1)?.body.toString()).toBe('{"Hello":"webpubsub!"}');
  });

  test('sendRequest returns non-2xx responses rather than throwing: the caller reads the status', async () => {
    server.respond(() => ({ status: 404, headers: { 'x-ms-error-code': 'Error.Connection.NotExisted' }, body: '{"code":"Error.Connection.NotExisted"}' }));
    const response = await client.sendRequest(api.buildAddConnectionToGroupRequest('default', 'g', 'gone'));
    expect(response).toMatchObject({ status: 404, body: '{"code":"Error.Connection.NotExisted"}', attempts: 1 });
    expect(response.headers['x-ms-error-code']).toBe('Error.Connection.NotExisted');
    server.respond(tableReply);
  });

  test('content is sent as given: a pre-serialised JSON file, text, bytes', () => {
    expect(api.buildSendToAllRequest('h', { content: '{"a":1}', contentType: 'application/json' })).toMatchObject({
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(api.buildSendToUserRequest('h', 'u', { content: 'plain' })).toMatchObject({ headers: { 'content-type': 'text/plain' }, body: 'plain' });
    expect(api.buildSendToConnectionRequest('h', 'c', { content: new Uint8Array([1, 2]) })).toMatchObject({
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2]),
    });
  });

  test('json and content are exclusive, and one is required', () => {
    expect(() => api.buildSendToAllRequest('h', { json: 1, content: 'x' })).toThrow('exactly one of json and content is required');
    expect(() => api.buildSendToAllRequest('h', {})).toThrow('exactly one of json and content is required');
  });

  test('json that would lose data or cannot be serialised is refused, naming json', () => {
    expect(() => api.buildSendToGroupRequest('h', 'g', { json: { regions: new Set(['eu']) } })).toThrow(/^json must not hold a Set \(at key "regions"\)/);
    expect(() => api.buildSendToAllRequest('h', { json: { n: 1n } })).toThrow(/^json must be JSON-serialisable: .*BigInt/);
  });

  test("an unknown builder option lists the builder's own options", () => {
    expect(() => api.buildSendToAllRequest('h', { json: 1, ttl: 3 } as never)).toThrow(
      'ttl is not an option of sendToAll (its options: excluded, filter, messageTtlSeconds, json, content, contentType, apiVersion)',
    );
    expect(() => api.buildAddConnectionsToGroupsRequest('h', { groups: ['g'], filter: "userId eq 'a'", signal: 1 } as never)).toThrow(
      'signal is not an option of addConnectionsToGroups (its options: groups, filter, apiVersion)',
    );
  });

  test('every option reaches the query in table order, arrays repeated', () => {
    const request = api.buildGenerateClientTokenRequest('h', {
      userId: 'u',
      roles: ['a', 'b'],
      expirationTimeInMinutes: 5,
      groups: ['g'],
      clientProtocol: 'mqtt',
    });
    expect(request.url).toBe('/api/hubs/h/:generateToken?api-version=2024-12-01&userId=u&role=a&role=b&minutesToExpire=5&group=g&clientType=mqtt');
    expect(api.buildListConnectionsInGroupRequest('h', 'g', { maxPageSize: 10, top: 20, continuationToken: "t'1" }).url).toBe(
      '/api/hubs/h/groups/g/connections?api-version=2024-12-01&maxpagesize=10&top=20&continuationToken=t%271',
    );
    expect(api.buildSendToAllRequest('h', { json: 1, apiVersion: '2023-07-01', messageTtlSeconds: 3 }).url).toBe(
      '/api/hubs/h/:send?api-version=2023-07-01&messageTtlSeconds=3',
    );
  });
});
