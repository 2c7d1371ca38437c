/**
 * Bad input gets a clear error naming the field, and changes nothing: not one request reaches the server.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { AzureKeyCredential, buildGenerateClientTokenRequest, WebPubSubServiceClient, type WebPubSubClientOptions } from '../../shared/index.js';
import { startCaptureServer, type CaptureServer } from '../helpers/captureServer.js';

const KEY = 'bad-input-secret-key';
let server: CaptureServer;
let client: WebPubSubServiceClient;
let connectionString: string;

beforeAll(async () => {
  server = await startCaptureServer(() => ({ status: 202 }));
  connectionString = `Endpoint=${server.endpoint};AccessKey=${KEY};Version=1.0;`;
  client = new WebPubSubServiceClient(connectionString, 'hub');
});
afterAll(async () => {
  await client.close();
  await server.close();
  expect(server.requests).toHaveLength(0);
});

const mib = 1024 * 1024;
const circular = () => {
  const deploy: Record<string, unknown> = { version: 'v1.4.2' };
  deploy.self = deploy;
  return deploy;
};
type Call = (c: WebPubSubServiceClient) => Promise<unknown> | unknown;
const calls: [what: string, call: Call, argument: string, rule: RegExp][] = [
  ['empty group', (c) => c.sendToGroup('', 'x'), 'group', /non-empty string/],
  ['whitespace-only group', (c) => c.sendToGroup('  \t', 'x'), 'group', /not only whitespace/],
  ['group with a line break', (c) => c.addConnectionToGroup('a\nb', 'c1'), 'group', /line breaks/],
  ['group of 1025 characters', (c) => c.groupExists('g'.repeat(1025)), 'group', /1 to 1024 characters/],
  ['group ".."', (c) => c.closeGroupConnections('..'), 'group', /'\.' or '\.\.'/],
  ['non-string group', (c) => c.groupExists(42 as never), 'group', /got 42/],
  ['empty userId', (c) => c.sendToUser('', 'x'), 'userId', /non-empty string/],
  ['userId "."', (c) => c.userExists('.'), 'userId', /'\.' or '\.\.'/],
  ['connectionId ".."', (c) => c.sendToConnection('..', 'x'), 'connectionId', /'\.' or '\.\.'/],
  ['empty connectionId', (c) => c.removeConnectionFromAllGroups(''), 'connectionId', /non-empty/],
  ['unknown permission', (c) => c.grantPermission('c1', 'admin' as never), 'permission', /sendToGroup, joinLeaveGroup/],
  ['targetName ".." (a group name)', (c) => c.grantPermission('c1', 'sendToGroup', { targetName: '..' }), 'targetName', /'\.' or '\.\.'/],
  ['targetName with a line break', (c) => c.revokePermission('c1', 'joinLeaveGroup', { targetName: 'ops\nblue' }), 'targetName', /line breaks/],
  ['whitespace-only targetName', (c) => c.checkPermission('c1', 'sendToGroup', { targetName: ' ' }), 'targetName', /not only whitespace/],
  ['targetName of 1025 characters', (c) => c.grantPermission('c1', 'sendToGroup', { targetName: 'g'.repeat(1025) }), 'targetName', /1 to 1024 characters/],
  ['messageTtlSeconds -1', (c) => c.sendToAll('x', { messageTtlSeconds: -1 }), 'messageTtlSeconds', /from 0 to 300/],
  ['messageTtlSeconds 301', (c) => c.sendToAll('x', { messageTtlSeconds: 301 }), 'messageTtlSeconds', /from 0 to 300/],
  ['messageTtlSeconds 1.5', (c) => c.sendToUser('u', 'x', { messageTtlSeconds: 1.5 }), 'messageTtlSeconds', /integer/],
  ['maxPageSize 0', (c) => c.listConnectionsInGroup('g', { maxPageSize: 0 }), 'maxPageSize', /from 1 to 200/],
  ['maxPageSize 201', (c) => c.listConnectionsInGroup('g', { maxPageSize: 201 }), 'maxPageSize', /from 1 to 200/],
  ['top 0', (c) => c.listConnectionsInGroup('g', { top: 0 }), 'top', /from 1/],
  ['excluded not an array', (c) => c.sendToAll('x', { excluded: 'c1' as never }), 'excluded', /array of strings/],
  ['excluded with an empty id', (c) => c.closeAllConnections({ excluded: ['c1', ''] }), 'excluded[1]', /non-empty/],
  ['filter not a string', (c) => c.sendToAll('x', { filter: 1 as never }), 'filter', /must be a string/],
  ['an option the operation lacks', (c) => c.sendToUser('u', 'x', { excluded: ['c1'] } as never), 'excluded', /not an option of sendToUser/],
  ['a misspelt option', (c) => c.sendToAll('x', { messageTTLSeconds: 5 } as never), 'messageTTLSeconds', /not an option of sendToAll/],
  ['message over 1 MiB (string)', (c) => c.sendToAll('x'.repeat(mib + 1), { contentType: 'text/plain' }), 'message', /at most 1048576 bytes/],
  ['message over 1 MiB (UTF-8 bytes)', (c) => c.sendToAll('é'.repeat(mib / 2 + 1), { contentType: 'text/plain' }), 'message', /1048578 bytes/],
  ['message over 1 MiB (bytes)', (c) => c.sendToAll(new Uint8Array(mib + 1)), 'message', /1 MiB/],
  ['message over 1 MiB (JSON)', (c) => c.sendToAll({ blob: 'x'.repeat(mib) }), 'message', /1 MiB/],
  ['message over 1 MiB (stream)', (c) => c.sendToAll(Readable.from([Buffer.alloc(mib), Buffer.alloc(1)])), 'message', /stream is longer/],
  ['text/plain with an object', (c) => c.sendToAll({ a: 1 }, { contentType: 'text/plain' }), 'message', /must be a string/],
  ['octet-stream with an object', (c) => c.sendToAll({ a: 1 }, { contentType: 'application/octet-stream' }), 'message', /must be bytes/],
  ['unknown content type', (c) => c.sendToAll('x', { contentType: 'text/html' as never }), 'contentType', /application\/json, text\/plain/],
  ['undefined message', (c) => c.sendToAll(undefined as never), 'message', /JSON-serialisable/],
  ['function message', (c) => c.sendToAll((() => 1) as never), 'message', /JSON-serialisable/],
  ['a BigInt in the message', (c) => c.sendToAll({ count: 10n } as never), 'message', /JSON-serialisable: .*BigInt/],
  ['a circular message', (c) => c.sendToGroup('g', circular()), 'message', /JSON-serialisable: Converting circular structure/],
  ['a Map message', (c) => c.sendToAll(new Map([['a', 1]])), 'message', /must not hold a Map: .*Object\.fromEntries/],
  ['a Set inside the message', (c) => c.sendToUser('u', { version: 'v1', regions: new Set(['eu']) }), 'message', /must not hold a Set \(at key "regions"\)/],
  ['a Map deep inside the message', (c) => c.sendToConnection('c', { a: [{ b: new Map() }] }), 'message', /Map \(at key "b"\)/],
  ['a signal that is not an AbortSignal', (c) => c.sendToAll('x', { signal: { aborted: 'no' } as never }), 'signal', /must be an AbortSignal/],
  ['a signal on a call without a message', (c) => c.groupExists('g', { signal: 'stop' as never }), 'signal', /must be an AbortSignal/],
  ['a signal on sendRequest', (c) => c.sendRequest({ method: 'HEAD', url: '/api/health', headers: {} }, { signal: 5 as never }), 'signal', /AbortSignal/],
  [
    'a misspelt option lists every option, signal and contentType included',
    (c) => c.sendToGroup('g', 'x', { ttl: 5 } as never),
    'ttl',
    /its options: excluded, filter, messageTtlSeconds, contentType, signal\)$/,
  ],
  [
    "the official SDK's excludedConnections",
    (c) => c.closeAllConnections({ excludedConnections: ['c1'] } as never),
    'excludedConnections',
    /the official SDK's excludedConnections is excluded here/,
  ],
  [
    "the official SDK's abortSignal",
    (c) => c.userExists('u', { abortSignal: new AbortController().signal } as never),
    'abortSignal',
    /its options: signal\); the official SDK's abortSignal is signal here/,
  ],
  ['no groups', (c) => c.addConnectionsToGroups([], "userId eq 'a'"), 'groups', /non-empty array/],
  ['a bad group among groups', (c) => c.removeConnectionsFromGroups(['ok', ' '], "userId eq 'a'"), 'groups[1]', /not only whitespace/],
  ['no filter', (c) => c.addConnectionsToGroups(['g'], '' as never), 'filter', /non-empty/],
  ['token roles not strings', (c) => c.getClientAccessToken({ roles: [1] as never }), 'roles[0]', /non-empty string/],
  ['token lifetime 0', (c) => c.getClientAccessToken({ expirationTimeInMinutes: 0 }), 'expirationTimeInMinutes', /at least 1|from 1/],
  ['token group with a line break', (c) => c.getClientAccessToken({ groups: ['a\nb'] }), 'groups[0]', /line breaks/],
  ['token group ".." in the builder', () => buildGenerateClientTokenRequest('hub', { groups: ['ok', '..'] }), 'groups[1]', /'\.' or '\.\.'/],
  ['token protocol', (c) => c.getClientAccessToken({ clientProtocol: 'signalr' as never }), 'clientProtocol', /default, mqtt, socketio/],
  ['a misspelt token option', (c) => c.getClientAccessToken({ role: ['x'] } as never), 'role', /not an option of generateClientToken/],
  ['a hand-made request without url', (c) => c.sendRequest({ method: 'POST' } as never), 'request', /build\*Request/],
  ['a request url that is not a path', (c) => c.sendRequest({ method: 'GET', url: 'api/x', headers: {} }), 'request.url', /starting with \//],
];

describe('each bad argument is refused before any I/O, naming the field and the rule', () => {
  test.each(calls)('%s', async (_what, call, argument, rule) => {
    let error: unknown;
    try {
      await call(client);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: 'InvalidArgumentError', code: 'InvalidArgument', argument });
    expect((error as Error).message.startsWith(argument)).toBe(true);
    expect((error as Error).message).toMatch(rule);
    expect(server.requests).toHaveLength(0);
  });

  test('listConnectionsInGroup refuses at the call, not at the first iteration', () => {
    expect(() => client.listConnectionsInGroup('')).toThrow(/group must be a non-empty string/);
  });

  test('a message of exactly 1 MiB is allowed', async () => {
    const sized = new WebPubSubServiceClient(connectionString, 'hub');
    await expect(sized.sendToAll(new Uint8Array(mib))).resolves.toBeUndefined();
    await sized.close();
    server.requests.length = 0; // this one request was meant to happen
  });
});

describe('api-version: an older version refuses what it lacks', () => {
  test.each([
    ['2024-01-01', (c: WebPubSubServiceClient) => c.listConnectionsInGroup('g'), 'apiVersion', /listConnectionsInGroup needs 2024-12-01/],
    [
      '2022-11-01',
      (c: WebPubSubServiceClient) => c.sendToAll('x', { messageTtlSeconds: 5 }),
      'apiVersion',
      /sendToAll option messageTtlSeconds needs 2023-07-01/,
    ],
    ['2021-10-01', (c: WebPubSubServiceClient) => c.sendToGroup('g', 'x', { filter: "userId eq 'a'" }), 'apiVersion', /option filter needs 2022-11-01/],
    ['2022-11-01', (c: WebPubSubServiceClient) => c.addConnectionsToGroups(['g'], "userId eq 'a'"), 'apiVersion', /addConnectionsToGroups needs 2023-07-01/],
    ['2021-10-01', (c: WebPubSubServiceClient) => c.removeConnectionFromAllGroups('c'), 'apiVersion', /needs 2022-11-01/],
    [
      '2024-01-01',
      (c: WebPubSubServiceClient) => c.getClientAccessToken({ clientProtocol: 'socketio' }),
      'clientProtocol',
      /^clientProtocol must be default or mqtt in api-version 2024-01-01; socketio needs 2024-12-01 or later$/,
    ],
  ])('%s', async (apiVersion, call: (c: WebPubSubServiceClient) => unknown, argument, rule) => {
    const old = new WebPubSubServiceClient(connectionString, 'hub', { apiVersion });
    await expect(Promise.resolve().then(() => call(old))).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      argument,
      message: expect.stringMatching(rule),
    });
    await old.close();
  });
});

describe('construction', () => {
  const options = (o: unknown) => o as WebPubSubClientOptions;
  test.each([
    ['no connection string', () => new WebPubSubServiceClient('', 'hub'), 'connectionString', /non-empty string/],
    ['no Endpoint', () => new WebPubSubServiceClient(`AccessKey=${KEY}`, 'hub'), 'connectionString', /missing Endpoint/],
    ['no AccessKey', () => new WebPubSubServiceClient('Endpoint=https://x.webpubsub.azure.com', 'hub'), 'connectionString', /missing AccessKey/],
    ['empty AccessKey', () => new WebPubSubServiceClient('Endpoint=https://x.webpubsub.azure.com;AccessKey=', 'hub'), 'connectionString', /missing AccessKey/],
    ['a part without =', () => new WebPubSubServiceClient(`Endpoint=https://x;${KEY}`, 'hub'), 'connectionString', /part 2 is not of the form Key=Value/],
    ['a repeated key', () => new WebPubSubServiceClient(`Endpoint=https://a;endpoint=https://b;AccessKey=${KEY}`, 'hub'), 'connectionString', /endpoint twice/],
    ['a bad port', () => new WebPubSubServiceClient(`Endpoint=https://x;Port=99999;AccessKey=${KEY}`, 'hub'), 'connectionString', /Port/],
    ['a port that is not a number', () => new WebPubSubServiceClient(`Endpoint=https://x;Port=80a;AccessKey=${KEY}`, 'hub'), 'connectionString', /Port/],
    [
      'a scheme other than http(s)',
      () => new WebPubSubServiceClient(`Endpoint=ftp://x;AccessKey=${KEY}`, 'hub'),
      'connectionString',
      /must use https \(got ftp\)/,
    ],
    ['an endpoint that is not a URL', () => new WebPubSubServiceClient(`Endpoint=https://;AccessKey=${KEY}`, 'hub'), 'connectionString', /not a valid URL/],
    ['an endpoint with a query', () => new WebPubSubServiceClient(`Endpoint=https://x/?a=1;AccessKey=${KEY}`, 'hub'), 'connectionString', /query/],
    [
      'plain http to a remote host',
      () => new WebPubSubServiceClient(`Endpoint=http://example.com;AccessKey=${KEY}`, 'hub'),
      'endpoint',
      /allowInsecureConnection/,
    ],
    ['a hub starting with a digit', () => new WebPubSubServiceClient(connectionString, '1hub'), 'hub', /start with a letter/],
    ['a hub with a slash', () => new WebPubSubServiceClient(connectionString, 'a/b'), 'hub', /start with a letter/],
    ['a hub of 129 characters', () => new WebPubSubServiceClient(connectionString, 'h'.repeat(129)), 'hub', /128 characters/],
    [
      'an unknown option',
      () => new WebPubSubServiceClient(connectionString, 'hub', options({ retryOptions: {} })),
      'options.retryOptions',
      /not an option of the client \(its options: apiVersion, .*\); the official SDK's retryOptions is retry here/,
    ],
    [
      'an unknown retry option',
      () => new WebPubSubServiceClient(connectionString, 'hub', options({ retry: { retryDelayInMs: 5 } })),
      'options.retry.retryDelayInMs',
      /not an option of retry .*the official SDK's retryDelayInMs is baseDelayMs here/,
    ],
    ['a retry that is not an object', () => new WebPubSubServiceClient(connectionString, 'hub', options({ retry: 3 })), 'options.retry', /must be an object/],
    [
      'a zero overall deadline',
      () => new WebPubSubServiceClient(connectionString, 'hub', { retry: { maxElapsedMs: 0 } }),
      'options.retry.maxElapsedMs',
      /from 1/,
    ],
    [
      'an unknown log level',
      () => new WebPubSubServiceClient(connectionString, 'hub', options({ logLevel: 'trace' })),
      'options.logLevel',
      /debug, verbose, info, warning, error, off/,
    ],
    ['negative retries', () => new WebPubSubServiceClient(connectionString, 'hub', { retry: { maxRetries: -1 } }), 'options.retry.maxRetries', /from 0 to 100/],
    ['zero timeout', () => new WebPubSubServiceClient(connectionString, 'hub', { timeoutMs: 0 }), 'options.timeoutMs', /from 1/],
    ['a malformed apiVersion', () => new WebPubSubServiceClient(connectionString, 'hub', { apiVersion: 'latest' }), 'options.apiVersion', /2024-12-01/],
    ['no credential', () => new WebPubSubServiceClient('https://x.webpubsub.azure.com', {} as never, 'hub'), 'credential', /AzureKeyCredential/],
    [
      'a proxy over plain http',
      () =>
        new WebPubSubServiceClient('https://x.webpubsub.azure.com', new AzureKeyCredential(KEY), 'hub', { reverseProxyEndpoint: 'http://apim.example.net' }),
      'reverseProxyEndpoint',
      /allowInsecureConnection/,
    ],
  ])('%s', (_what, construct, argument, rule) => {
    let error: Error | undefined;
    try {
      construct();
    } catch (caught) {
      error = caught as Error;
    }
    expect(error).toMatchObject({ name: 'InvalidArgumentError', argument });
    expect(error?.message).toMatch(rule);
    expect(error?.message).not.toContain(KEY);
  });

  test('plain http is allowed to loopback hosts, and elsewhere with allowInsecureConnection', async () => {
    for (const endpoint of ['http://localhost:8080', 'http://127.0.0.2', 'http://[::1]:1', 'http://emulator.localhost']) {
      await new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=${KEY}`, 'hub').close();
    }
    await new WebPubSubServiceClient(`Endpoint=http://wps.internal;AccessKey=${KEY}`, 'hub', { allowInsecureConnection: true }).close();
  });
});
