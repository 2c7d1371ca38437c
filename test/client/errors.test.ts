/**
 * A failed call throws WebPubSubRequestError { status, code, requestId, method, url, operation }, with the
 * service's code read from a bare or wrapped error body, or the x-ms-error-code header.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { startCaptureServer, type CaptureServer, type Reply } from '../helpers/captureServer.js';

let server: CaptureServer;
let client: WebPubSubServiceClient;

beforeAll(async () => {
  server = await startCaptureServer();
  client = new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=errors-key;`, 'hub', { retry: { maxRetries: 0 } });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

const json = { 'content-type': 'application/json' };
const cases: [string, Exclude<Reply, string>, { code: string; message: RegExp }][] = [
  [
    'a bare ErrorDetail body (the swagger shape)',
    {
      status: 404,
      headers: { ...json, 'x-ms-request-id': 'req-1' },
      body: JSON.stringify({ code: 'Error.Connection.NotExisted', message: "Connection 'gone' does not exist.", target: 'connectionId' }),
    },
    {
      code: 'Error.Connection.NotExisted',
      message:
        /addConnectionToGroup failed with 404 Error\.Connection\.NotExisted: Connection 'gone' does not exist\. \(PUT http:.*\/groups\/g\/connections\/gone\?api-version=2024-12-01\)/,
    },
  ],
  [
    'a wrapped {error:{...}} body (the Azure Core shape)',
    { status: 400, headers: json, body: JSON.stringify({ error: { code: 'InvalidArgument', message: 'bad group' } }) },
    { code: 'InvalidArgument', message: /failed with 400 InvalidArgument: bad group/ },
  ],
  [
    'only the x-ms-error-code header',
    { status: 403, headers: { 'x-ms-error-code': 'Error.Forbidden' } },
    { code: 'Error.Forbidden', message: /failed with 403 Error\.Forbidden \(PUT/ },
  ],
  [
    'a plain-text body',
    { status: 500, headers: { 'content-type': 'plain/text' }, body: 'Internal server error\n' },
    { code: 'Http500', message: /failed with 500 Http500: Internal server error \(PUT/ },
  ],
];

describe('WebPubSubRequestError', () => {
  test.each(cases)('%s', async (_what, reply, expected) => {
    server.respond(() => reply);
    const error = await client.addConnectionToGroup('g', 'gone').catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'WebPubSubRequestError',
      status: reply.status,
      code: expected.code,
      operation: 'addConnectionToGroup',
      method: 'PUT',
      url: `${server.endpoint}/api/hubs/hub/groups/g/connections/gone?api-version=2024-12-01`,
      attempts: 1,
    });
    expect((error as Error).message).toMatch(expected.message);
  });

  test("statusCode, the official SDK's name, reads the same status", async () => {
    server.respond(() => ({ status: 404, headers: { 'x-ms-error-code': 'Warning.User.NotExisted' } }));
    const error = (await client.addUserToGroup('g', 'offline').catch((e: unknown) => e)) as { status: number; statusCode: number };
    expect([error.status, error.statusCode]).toEqual([404, 404]);
  });

  test('the request id is kept for support tickets', async () => {
    server.respond(() => ({ status: 404, headers: { 'x-ms-request-id': 'req-77' } }));
    await expect(client.closeConnection('c')).rejects.toMatchObject({ requestId: 'req-77', status: 404 });
  });

  test.each([401, 403, 500])('HEAD operations throw on %i: only 200 and 404 are answers', async (status) => {
    server.respond(() => ({ status }));
    await expect(client.groupExists('g')).rejects.toMatchObject({ name: 'WebPubSubRequestError', status, method: 'HEAD' });
  });

  test('group members come with a userId only when they have one (the service sends null for anonymous ones)', async () => {
    const page = { value: [{ connectionId: 'anon', userId: null }, { connectionId: 'named', userId: 'u1' }, { connectionId: 'bare' }] };
    server.respond(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(page) }));
    const members = [];
    for await (const member of client.listConnectionsInGroup('g')) members.push(member);
    expect(members).toStrictEqual([{ connectionId: 'anon' }, { connectionId: 'named', userId: 'u1' }, { connectionId: 'bare' }]);
  });

  test('HEAD: 200 is true, 404 is false', async () => {
    server.respond(() => ({ status: 200 }));
    await expect(client.connectionExists('c')).resolves.toBe(true);
    server.respond(() => ({ status: 404 }));
    await expect(client.connectionExists('c')).resolves.toBe(false);
  });
});

describe('a closed client', () => {
  test('every call afterwards says the client is closed, and nothing is sent or retried', async () => {
    const closed = new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=errors-key;`, 'hub', { logLevel: 'off' });
    await closed.close();
    await closed.close();
    const before = server.requests.length;
    for (const call of [
      () => closed.sendToAll('x'),
      () => closed.groupExists('g'),
      () => closed.sendRequest({ method: 'HEAD', url: '/api/health', headers: {} }),
    ]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toMatchObject({
        name: 'WebPubSubError',
        code: 'ClientClosed',
        message: expect.stringMatching(/was called after close\(\): the client is closed/),
      });
    }
    await expect(
      (async () => {
        for await (const _ of closed.listConnectionsInGroup('g')) void _;
      })(),
    ).rejects.toMatchObject({ code: 'ClientClosed' });
    expect(server.requests.length).toBe(before);
  });
});
