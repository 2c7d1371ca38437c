/**
 * Fault injection: 429 with Retry-After, 503, connection resets, latency and lost responses, at a rate, for
 * resilience tests. Clients with retries ride them out; clients without see exactly the injected failure. And the
 * faults of client connections: a half-open socket, expired tokens, and drills of drops, half-open sockets and
 * closes in waves.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient as OfficialServiceClient } from '@azure/web-pubsub';
import { request } from 'undici';
import { DEFAULT_FAULT_KINDS, Emulator, startEmulator, type ClientFaultOptions, type FaultOptions } from '../../emulator/index.js';
import { WebPubSubServiceClient, buildSendToAllRequest } from '../../shared/index.js';
import { until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { connectJson, messagesUntil, openSocket, RELIABLE_PROTOCOL, refusedHandshake, type TestSocket } from '../helpers/sockets.js';

let emulator: Emulator;
let hub: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  hub = uniqueName();
  emulator.setFaults(undefined);
});

async function withClient<T>(options: { maxRetries: number }, use: (client: WebPubSubServiceClient) => Promise<T>): Promise<T> {
  const client = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { ...options, baseDelayMs: 1, maxDelayMs: 5 }, logLevel: 'off' });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

describe('each kind of fault', () => {
  test('throttle answers 429 with Retry-After and the error body', async () => {
    emulator.setFaults({ rate: 1, kinds: ['throttle'], retryAfterSeconds: 7 });
    const response = await withClient({ maxRetries: 0 }, (client) => client.sendRequest(buildSendToAllRequest(hub, { json: 1 })));
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(JSON.parse(response.body)).toMatchObject({ code: 'TooManyRequests' });
  });

  test('unavailable answers 503', async () => {
    emulator.setFaults({ rate: 1, kinds: ['unavailable'] });
    await expect(withClient({ maxRetries: 0 }, (client) => client.sendToAll('x'))).rejects.toMatchObject({ status: 503, code: 'ServiceUnavailable' });
  });

  test('reset cuts the TCP connection without an answer', async () => {
    emulator.setFaults({ rate: 1, kinds: ['reset'] });
    await expect(request(`${emulator.endpoint}/api/health?api-version=2024-12-01`, { method: 'HEAD' })).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/),
    });
  });

  test('latency delays a request that then succeeds', async () => {
    emulator.setFaults({ rate: 1, kinds: ['latency'], latencyMs: 20 });
    await withClient({ maxRetries: 0 }, (client) => client.sendToAll('late but fine'));
    expect(emulator.faultsInjected).toBe(1);
  });
});

describe('drills', () => {
  test.each([['throttle'], ['unavailable'], ['reset']] as const)('our client retries through %s faults and succeeds', async (kind) => {
    emulator.setFaults({ rate: 1, kinds: [kind], retryAfterSeconds: 0, maxFaults: 2 });
    await withClient({ maxRetries: 3 }, (client) => client.sendToAll('eventually'));
    expect(emulator.faultsInjected).toBe(2);
  });

  test('the official SDK honours Retry-After and succeeds', async () => {
    emulator.setFaults({ rate: 1, kinds: ['throttle'], retryAfterSeconds: 1, maxFaults: 1 });
    const official = new OfficialServiceClient(emulator.connectionString, hub, { allowInsecureConnection: true });
    await official.sendToAll('after a pause');
    expect(emulator.faultsInjected).toBe(1);
  });

  test('the rate decides which requests fail, drawn from the kinds', async () => {
    // A scripted random source: below the rate means a fault; the next draw picks the kind.
    const draws = [0.1, 0.0, 0.9, 0.2, 0.9, 0.6, 0.99];
    emulator.setFaults({ rate: 0.5, kinds: ['throttle', 'unavailable'], random: () => draws.shift() ?? 0.9 });
    const statuses = await withClient({ maxRetries: 0 }, async (client) => {
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) seen.push((await client.sendRequest(buildSendToAllRequest(hub, { json: i }))).status);
      return seen;
    });
    expect(statuses).toEqual([429, 202, 503, 202, 202]);
  });

  test('rate 0 injects nothing', async () => {
    emulator.setFaults({ rate: 0 });
    await withClient({ maxRetries: 0 }, (client) => client.sendToAll('clean'));
    expect(emulator.faultsInjected).toBe(0);
  });
});

test.each([
  [{ rate: 2 }, 'faults.rate'],
  [{ rate: 0.5, kinds: ['meteor'] }, 'faults.kinds'],
  [{ rate: 0.5, latencyMs: -1 }, 'faults.latencyMs'],
  [{ rate: 0.5, typo: true }, 'faults.typo'],
])('bad fault options are refused, naming the field: %j', (faults, field) => {
  expect(() => emulator.setFaults(faults as unknown as FaultOptions)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', argument: field }));
  expect(() => new Emulator({ faults: faults as unknown as FaultOptions })).toThrow(field);
});

describe('a lost response', () => {
  test('the send is carried out, then the connection is reset: a client without retries fails, one with retries sends it twice', async () => {
    const { url } = await withClient({ maxRetries: 0 }, (client) => client.getClientAccessToken());
    const { socket } = await connectJson(url);
    try {
      emulator.setFaults({ rate: 1, kinds: ['lostResponse'], maxFaults: 1 });
      await expect(withClient({ maxRetries: 0 }, (client) => client.sendToAll('once, unanswered'))).rejects.toMatchObject({ code: 'ECONNRESET' });
      emulator.setFaults({ rate: 1, kinds: ['lostResponse'], maxFaults: 1 });
      await withClient({ maxRetries: 1 }, (client) => client.sendToAll('retried'));
      await withClient({ maxRetries: 0 }, (client) => client.sendToAll('fence'));
      expect((await messagesUntil(socket, 'fence')).map((frame) => frame.data)).toEqual(['once, unanswered', 'retried', 'retried']);
    } finally {
      await socket.close();
    }
  });

  test('is not among the default kinds: a drill that names no kinds never sends twice', () => {
    expect(DEFAULT_FAULT_KINDS).toEqual(['throttle', 'unavailable', 'reset', 'latency']);
  });
});

describe('client-connection faults', () => {
  const sockets: TestSocket[] = [];
  const connect = async () => {
    const { url } = await withClient({ maxRetries: 0 }, (client) => client.getClientAccessToken());
    const { socket, connected } = await connectJson(url);
    sockets.push(socket);
    return { socket, connectionId: connected.connectionId as string, reconnectionToken: connected.reconnectionToken as string, url };
  };
  afterEach(async () => {
    emulator.setClientFaults(undefined);
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  test('halfOpenConnection: the socket stays open, but nothing is written to it and nothing it sends is read; the client recovers it and gets every message', async () => {
    const { socket, connectionId, reconnectionToken, url } = await connect();
    expect(emulator.halfOpenConnection(connectionId)).toBe(true);
    socket.send({ type: 'ping' });
    await withClient({ maxRetries: 0 }, (client) => client.sendToAll('held'));
    expect(emulator.connections(hub)).toMatchObject([{ connectionId, state: 'open' }]);
    // The reliable client gives up on the silent socket and recovers the connection on a new one.
    const recovery = await connectJson(`${url}&awps_connection_id=${connectionId}&awps_reconnection_token=${reconnectionToken}`);
    sockets.push(recovery.socket);
    expect(recovery.connected.connectionId).toBe(connectionId);
    await withClient({ maxRetries: 0 }, (client) => client.sendToAll('fence'));
    expect((await messagesUntil(recovery.socket, 'fence')).map((frame) => frame.data)).toEqual(['held']);
    // The silent socket got nothing: no pong, no message (the recovery cut it).
    expect(socket.frames.size).toBe(0);
  });

  test('a half-open connection closed by the REST API ends in the emulator, and its socket hears nothing of it; a recovery is refused', async () => {
    const { socket, connectionId, reconnectionToken, url } = await connect();
    emulator.halfOpenConnection(connectionId);
    await withClient({ maxRetries: 0 }, (client) => client.closeConnection(connectionId, { reason: 'redeploy' }));
    expect(emulator.connections(hub)).toEqual([]);
    const recovery = await openSocket(`${url}&awps_connection_id=${connectionId}&awps_reconnection_token=${reconnectionToken}`, RELIABLE_PROTOCOL);
    sockets.push(recovery);
    expect((await recovery.closed).code).toBe(1008);
    expect(socket.frames.size).toBe(0);
  });

  test('expireClientTokens: a token seen before is refused 401 as expired; open connections stay; a new token connects', async () => {
    const { url } = await connect();
    emulator.expireClientTokens();
    expect(await refusedHandshake(url, 'json.reliable.webpubsub.azure.v1')).toMatchObject({
      status: 401,
      body: expect.stringContaining('The token has expired'),
    });
    expect(emulator.connections(hub)).toHaveLength(1);
    const fresh = await withClient({ maxRetries: 0 }, (client) => client.getClientAccessToken({ expirationTimeInMinutes: 61 }));
    sockets.push((await connectJson(fresh.url)).socket);
  });

  test('a drill of REST-style closes strikes a share of the open connections in each wave', async () => {
    const all = await Promise.all([connect(), connect(), connect(), connect()]);
    emulator.setClientFaults({ everyMs: 10, kinds: ['close'], share: 0.5, hub, maxWaves: 1 });
    await until(() => emulator.connections(hub).length === 2, 'a wave of two closes');
    const closed = all.filter(({ connectionId }) => !emulator.connections(hub).some((c) => c.connectionId === connectionId));
    expect(closed).toHaveLength(2);
    expect(emulator.clientFaultsStruck).toBe(2);
    for (const { socket } of closed) {
      expect(await socket.jsonWhere((frame) => frame.event === 'disconnected')).toMatchObject({
        message: 'Application server closed the connection. Reason: fault drill',
      });
      expect((await socket.closed).code).toBe(1000);
    }
  });

  test('a drill of drops cuts the sockets without a close frame: the reliable connections wait to be recovered', async () => {
    const { socket, connectionId } = await connect();
    emulator.setClientFaults({ everyMs: 10, kinds: ['drop'], share: 1, hub, maxWaves: 1 });
    expect((await socket.closed).code).toBe(1006);
    await until(() => emulator.connections(hub)[0]?.state === 'recovering', 'the connection waits for its client');
    expect(emulator.connections(hub)).toMatchObject([{ connectionId, state: 'recovering' }]);
  });

  test.each([
    [{ everyMs: 0 }, 'clientFaults.everyMs'],
    [{ everyMs: 10, kinds: ['meteor'] }, 'clientFaults.kinds'],
    [{ everyMs: 10, share: 1.5 }, 'clientFaults.share'],
    [{ everyMs: 10, typo: 1 }, 'clientFaults.typo'],
  ])('bad drill options are refused, naming the field: %j', (options, field) => {
    expect(() => emulator.setClientFaults(options as unknown as ClientFaultOptions)).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError', argument: field }),
    );
  });
});
