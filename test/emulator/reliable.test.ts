/**
 * The reliable subprotocol frame by frame, with a raw client: sequence ids, sequenceAck, recovery with replay of
 * what was not acknowledged, 1008 when a connection cannot be recovered, and the service's queue bounds.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type EmulatorEvents } from '../../emulator/index.js';
import { parseConnectionString } from '../../shared/index.js';
import { signJwt } from '../../shared/tokens.js';
import { HubFixture, useEmulator } from '../helpers/hubFixture.js';
import { nextEvent, until } from '../helpers/inbox.js';
import { JSON_PROTOCOL, RELIABLE_PROTOCOL, connectJson, openSocket, type TestSocket } from '../helpers/sockets.js';

type Disconnected = EmulatorEvents['disconnected'][0];

const env = useEmulator({ recoveryWindowMs: 5000 });
let fixture: HubFixture;
const extraSockets: TestSocket[] = [];
afterEach(() => Promise.all(extraSockets.splice(0).map((socket) => socket.close())));

interface Connected {
  socket: TestSocket;
  url: string;
  connectionId: string;
  reconnectionToken: string;
}

async function connectReliable(options: { userId?: string; groups?: string[] } = {}): Promise<Connected> {
  const { url } = await fixture.client.getClientAccessToken(options);
  const { socket, connected } = await connectJson(url, RELIABLE_PROTOCOL);
  extraSockets.push(socket);
  return { socket, url, connectionId: connected.connectionId as string, reconnectionToken: connected.reconnectionToken as string };
}

function recoveryUrl({ url, connectionId, reconnectionToken }: Connected, token = reconnectionToken): string {
  return `${url}&awps_connection_id=${encodeURIComponent(connectionId)}&awps_reconnection_token=${encodeURIComponent(token)}`;
}

async function reconnect(connection: Connected, token?: string, protocol = RELIABLE_PROTOCOL): Promise<TestSocket> {
  const socket = await openSocket(recoveryUrl(connection, token), protocol);
  extraSockets.push(socket);
  return socket;
}

describe('sequencing', () => {
  test('message frames count from 1; connected carries a reconnection token; acks and pongs are not numbered', async () => {
    fixture = env.fixture();
    const connection = await connectReliable({ userId: 'seq' });
    expect(connection.reconnectionToken).toMatch(/^[\w-]{20,}$/);
    await fixture.client.sendToAll('one', { contentType: 'text/plain' });
    connection.socket.send({ type: 'ping' });
    await fixture.client.sendToUser('seq', { two: 2 });
    expect(await connection.socket.json()).toEqual({ sequenceId: 1, type: 'message', from: 'server', dataType: 'text', data: 'one' });
    expect(await connection.socket.json()).toEqual({ type: 'pong' });
    expect(await connection.socket.json()).toEqual({ sequenceId: 2, type: 'message', from: 'server', dataType: 'json', data: { two: 2 } });
  });
});

describe('recovery', () => {
  test('un-acknowledged messages are replayed in order after a drop, acknowledged ones are not', async () => {
    fixture = env.fixture();
    const connection = await connectReliable({ userId: 'r1', groups: ['g'] });
    for (const word of ['a', 'b', 'c']) await fixture.client.sendToGroup('g', word, { contentType: 'text/plain' });
    expect((await connection.socket.frames.take(3)).length).toBe(3);

    env.emulator.dropConnection(connection.connectionId);
    await connection.socket.closed;
    expect(env.emulator.connections(fixture.hub)[0]).toMatchObject({ state: 'recovering', groups: ['g'] });
    expect(await fixture.client.connectionExists(connection.connectionId)).toBe(true);
    await fixture.client.sendToGroup('g', 'd', { contentType: 'text/plain' });

    const second = await reconnect(connection);
    expect(await second.json()).toMatchObject({ event: 'connected', connectionId: connection.connectionId, userId: 'r1' });
    const replayed = (await Promise.all([1, 2, 3, 4].map(() => second.json()))).map((f) => [f.sequenceId, f.data]);
    expect(replayed).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
      [4, 'd'],
    ]);

    second.send({ type: 'sequenceAck', sequenceId: 3 });
    await second.roundTrip();
    await second.close();
    const third = await reconnect(connection);
    await third.json();
    await fixture.client.sendToGroup('g', 'e', { contentType: 'text/plain' });
    expect([await third.json(), await third.json()].map((f) => [f.sequenceId, f.data])).toEqual([
      [4, 'd'],
      [5, 'e'],
    ]);
  });

  test('a message whose messageTtlSeconds passed while the client was away is not replayed', async () => {
    fixture = env.fixture();
    const connection = await connectReliable({ userId: 'ttl' });
    await connection.socket.close();
    const sentAt = Date.now();
    await fixture.client.sendToUser('ttl', 'short-lived', { contentType: 'text/plain', messageTtlSeconds: 1 });
    await fixture.client.sendToUser('ttl', 'lasting', { contentType: 'text/plain' });
    await until(() => Date.now() > sentAt + 1100, 'the TTL to pass', 3000);
    const second = await reconnect(connection);
    await second.json();
    expect(await second.json()).toMatchObject({ sequenceId: 2, data: 'lasting' });
  });

  test('only awps_connection_id and awps_reconnection_token are needed: the reconnection token is the credential', async () => {
    fixture = env.fixture();
    const connection = await connectReliable({ userId: 'bare', groups: ['g'] });
    await connection.socket.close();
    await fixture.client.sendToGroup('g', 'while away', { contentType: 'text/plain' });
    const bare = `${env.emulator.endpoint.replace('http', 'ws')}/client/hubs/${fixture.hub}?awps_connection_id=${encodeURIComponent(connection.connectionId)}&awps_reconnection_token=${encodeURIComponent(connection.reconnectionToken)}`;
    const socket = await openSocket(bare, RELIABLE_PROTOCOL);
    extraSockets.push(socket);
    expect(await socket.json()).toMatchObject({ event: 'connected', connectionId: connection.connectionId, userId: 'bare' });
    expect(await socket.json()).toMatchObject({ sequenceId: 1, data: 'while away' });
  });

  test('an access token that expired meanwhile does not stop a recovery', async () => {
    fixture = env.fixture();
    const { accessKey, endpoint } = parseConnectionString(env.emulator.connectionString);
    const expired = await signJwt(accessKey, { sub: 'late' }, { audience: `${endpoint}/client/hubs/${fixture.hub}`, lifetimeSeconds: -60 });
    // The connection was made while the token was valid; its URL now carries the expired token.
    const connection = await connectReliable({ userId: 'late' });
    connection.url = `${connection.url.slice(0, connection.url.indexOf('access_token='))}access_token=${expired}`;
    await connection.socket.close();
    const socket = await reconnect(connection);
    expect(await socket.json()).toMatchObject({ event: 'connected', connectionId: connection.connectionId });
  });

  test('a wrong reconnection token is closed with 1008 and leaves the connection recoverable', async () => {
    fixture = env.fixture();
    const connection = await connectReliable();
    await connection.socket.close();
    const wrong = await reconnect(connection, 'not-the-token');
    expect((await wrong.closed).code).toBe(1008);
    const right = await reconnect(connection);
    expect(await right.json()).toMatchObject({ event: 'connected', connectionId: connection.connectionId });
  });

  test('recovery of a live socket takes it over (a half-open drop the server has not noticed)', async () => {
    fixture = env.fixture();
    const connection = await connectReliable();
    const second = await reconnect(connection);
    expect(await second.json()).toMatchObject({ event: 'connected', connectionId: connection.connectionId });
    expect((await connection.socket.closed).code).toBe(1006);
    await fixture.client.sendToConnection(connection.connectionId, 'to the new socket', { contentType: 'text/plain' });
    expect((await second.json()).data).toBe('to the new socket');
  });

  test.each([
    ['closed through REST', async (c: Connected) => fixture.client.closeConnection(c.connectionId, { reason: 'done' })],
    [
      'asked for through another hub',
      async (c: Connected) => {
        await c.socket.close();
        const other = env.fixture();
        c.url = (await other.client.getClientAccessToken()).url;
        await other.dispose();
      },
    ],
  ])('a connection %s cannot be recovered: 1008', async (_what, end) => {
    fixture = env.fixture();
    const connection = await connectReliable();
    await end(connection);
    const attempt = await openSocket(recoveryUrl(connection), RELIABLE_PROTOCOL);
    extraSockets.push(attempt);
    expect(await attempt.closed).toEqual({ code: 1008, reason: 'The connection could not be recovered.' });
  });

  test('a connection whose recovery window passed cannot be recovered: 1008', async () => {
    const brief = await startEmulator({ port: 0, recoveryWindowMs: 50 });
    fixture = new HubFixture(brief);
    try {
      const connection = await connectReliable();
      const ended = nextEvent(brief, 'disconnected', (e: Disconnected) => e.connectionId === connection.connectionId);
      await connection.socket.close();
      expect((await ended)[0].reason).toBe('The client did not recover the connection in time');
      expect((await (await reconnect(connection)).closed).code).toBe(1008);
    } finally {
      await fixture.dispose();
      await Promise.all(extraSockets.splice(0).map((socket) => socket.close()));
      await brief.close();
    }
  });

  test.each([
    ['with 1000', 1000],
    ['without a status code, as the official client stop()s', undefined],
    ['with 1001, going away', 1001],
  ])('a client that sends a close frame (%s) is done: its connection ends at once and cannot be recovered', async (_how, code) => {
    fixture = env.fixture();
    const connection = await connectReliable();
    const ended = nextEvent(env.emulator, 'disconnected', (e: Disconnected) => e.connectionId === connection.connectionId);
    connection.socket.ws.close(code);
    expect((await ended)[0].reason).toBe('The client closed the connection');
    expect((await (await reconnect(connection)).closed).code).toBe(1008);
  });

  test('json.webpubsub.azure.v1 connections are not recoverable', async () => {
    fixture = env.fixture();
    const { url } = await fixture.client.getClientAccessToken();
    const { socket, connected } = await connectJson(url, JSON_PROTOCOL);
    extraSockets.push(socket);
    expect(connected.reconnectionToken).toBeUndefined();
    const ended = nextEvent(env.emulator, 'disconnected', (e: Disconnected) => e.connectionId === connected.connectionId);
    await socket.close();
    await ended;
    const attempt = await reconnect({ url, connectionId: connected.connectionId as string, reconnectionToken: 'x', socket }, undefined, RELIABLE_PROTOCOL);
    expect((await attempt.closed).code).toBe(1008);
  });
});

describe('queue bounds', () => {
  test('more than 1,000 unacknowledged messages close the connection for good', async () => {
    fixture = env.fixture();
    const connection = await connectReliable();
    const ended = nextEvent(env.emulator, 'disconnected', (e: Disconnected) => e.connectionId === connection.connectionId);
    for (let batch = 0; batch < 1001; batch += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, 1001 - batch) }, (_, i) =>
          fixture.client.sendToConnection(connection.connectionId, `m${batch + i}`, { contentType: 'text/plain' }),
        ),
      );
    }
    expect((await ended)[0]).toMatchObject({ reason: 'Unacknowledged messages exceed 1000 messages or 16 MB' });
    expect((await connection.socket.closed).code).toBe(1008);
    expect((await (await reconnect(connection)).closed).code).toBe(1008);
  });

  test('acknowledging keeps a busy connection open', async () => {
    fixture = env.fixture();
    const connection = await connectReliable();
    for (let sent = 0; sent < 1500; sent += 100) {
      await Promise.all(Array.from({ length: 100 }, () => fixture.client.sendToConnection(connection.connectionId, 'm', { contentType: 'text/plain' })));
      if ((sent + 100) % 500 === 0) {
        const last = await connection.socket.jsonWhere<{ sequenceId: number }>((f) => f.sequenceId === sent + 100);
        connection.socket.send({ type: 'sequenceAck', sequenceId: last.sequenceId });
        await connection.socket.roundTrip();
      }
    }
    expect(env.emulator.connections(fixture.hub)[0]!.state).toBe('open');
  });

  test('more than 16 MB unacknowledged closes the connection', async () => {
    fixture = env.fixture();
    const connection = await connectReliable();
    const ended = nextEvent(env.emulator, 'disconnected', (e: Disconnected) => e.connectionId === connection.connectionId);
    const megabyte = 'x'.repeat(1024 * 1024 - 16);
    for (let i = 0; i < 17 && env.emulator.connections(fixture.hub).length > 0; i++) {
      await fixture.client.sendToConnection(connection.connectionId, megabyte, { contentType: 'text/plain' });
    }
    expect((await ended)[0].reason).toContain('16 MB');
  });
});
