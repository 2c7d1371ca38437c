/**
 * Bad input from clients closes that client's socket with a reason, or is refused explicitly; the env.emulator and
 * every other connection keep working.
 */
import { describe, expect, test } from '@jest/globals';
import { Emulator, startEmulator, type EmulatorEvents } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { abortUpload } from '../helpers/abortedUpload.js';
import { HubFixture, useEmulator } from '../helpers/hubFixture.js';
import { nextEvent, until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { RELIABLE_PROTOCOL } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

const tooLarge = 'x'.repeat(1024 * 1024 + 1);

describe('malformed frames close only their socket, with a reason', () => {
  test.each([
    ['text that is not JSON', '{"type":', 1007, 'Invalid frame: not JSON'],
    ['a JSON array', '[1,2]', 1007, 'Invalid frame: not a JSON object'],
    ['a frame without a type', '{"group":"g"}', 1007, 'Invalid frame: type must be a string (got undefined)'],
    ['joinGroup without a group', '{"type":"joinGroup","ackId":1}', 1007, 'Invalid frame: group must be a non-empty string (got undefined)'],
    ['a negative ackId', '{"type":"leaveGroup","group":"g","ackId":-1}', 1007, 'Invalid frame: ackId must be a non-negative integer (got -1)'],
    [
      'text data that is not a string',
      '{"type":"sendToGroup","group":"g","dataType":"text","data":5}',
      1007,
      'Invalid frame: data must be a string when dataType is text (got 5)',
    ],
    [
      'binary data that is not base64',
      '{"type":"event","event":"e","dataType":"binary","data":"%%%"}',
      1007,
      'Invalid frame: data must be base64 when dataType is binary',
    ],
    [
      'an unknown dataType',
      '{"type":"event","event":"e","dataType":"xml","data":"<a/>"}',
      1007,
      'Invalid frame: dataType must be json, text or binary (got "xml")',
    ],
    ['an unknown frame type', '{"type":"teleport"}', 1007, "Unknown frame type 'teleport' (--loose ignores it)"],
    ['data over 1 MiB', JSON.stringify({ type: 'event', event: 'e', dataType: 'text', data: tooLarge }), 1009, 'Message data exceeds 1048576 bytes (1 MiB)'],
  ])('%s', async (_what, frame, code, reason) => {
    fixture = env.fixture();
    const victim = await fixture.connect({ protocol: RELIABLE_PROTOCOL });
    const bystander = await fixture.connect();
    victim.socket.send(frame);
    expect(await victim.socket.jsonWhere((f) => f.type === 'system')).toEqual({ type: 'system', event: 'disconnected', message: reason });
    expect(await victim.socket.closed).toEqual({ code, reason });

    await fixture.client.sendToAll('still serving', { contentType: 'text/plain' });
    expect((await bystander.socket.json()).data).toBe('still serving');
    expect(env.emulator.connections(fixture.hub).map((c) => c.connectionId)).toEqual([bystander.connectionId]);
  });

  test('a binary frame on a JSON subprotocol is closed with 1003', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    socket.send(Buffer.from([1, 2, 3]));
    expect((await socket.closed).code).toBe(1003);
  });
});

describe('newer client features are refused explicitly', () => {
  test('invoke, group streams and group state answer NotSupported', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect({ roles: ['webpubsub.sendToGroup'] });
    socket.send({ type: 'invoke', invocationId: 'i1', target: 'event', event: 'add' });
    expect(await socket.json()).toMatchObject({ type: 'invokeResponse', invocationId: 'i1', success: false, error: { name: 'NotSupported' } });
    socket.send({ type: 'sendToGroup', group: 'g', noEcho: false, stream: { streamId: 's1' } });
    expect(await socket.json()).toMatchObject({ type: 'streamClosed', streamId: 's1', error: { name: 'NotSupported' } });
    socket.send({ type: 'setGroupState', group: 'g', ackId: 9, state: {} });
    expect(await socket.json()).toMatchObject({
      type: 'ack',
      ackId: 9,
      success: false,
      error: { name: 'NotSupported', message: expect.stringContaining('Group state') },
    });
    socket.send({ type: 'streamData', streamId: 's1' });
    socket.send({ type: 'ping' });
    expect(await socket.json()).toEqual({ type: 'pong' });
  });

  test('with loose, unknown frame types are ignored', async () => {
    const loose = await startEmulator({ port: 0, loose: true });
    const local = new HubFixture(loose);
    try {
      const { socket } = await local.connect();
      socket.send({ type: 'teleport' });
      socket.send({ type: 'ping' });
      expect(await socket.json()).toEqual({ type: 'pong' });
    } finally {
      await local.dispose();
      await loose.close();
    }
  });
});

describe('slow consumers', () => {
  test('a plain socket with more than 16 MB waiting to be written is closed', async () => {
    fixture = env.fixture();
    const { socket, connectionId } = await fixture.connect({ protocol: null });
    const ended = nextEvent(env.emulator, 'disconnected', (e: EmulatorEvents['disconnected'][0]) => e.connectionId === connectionId, 10_000);
    // The client stops reading, so what the env.emulator sends piles up in its socket buffer.
    (socket.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const megabyte = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 40 && env.emulator.connections(fixture.hub).length > 0; i++) await fixture.client.sendToConnection(connectionId, megabyte);
    expect((await ended)[0].reason).toBe('More than 16 MB is waiting to be sent to this connection');
  });
});

describe('clients that go away', () => {
  test('an upload the client aborts is logged as 499, not as an error, and the emulator keeps serving', async () => {
    const lines: string[] = [];
    const emulator = await startEmulator({ port: 0, accessKey: 'abort-test-key', logger: (line) => lines.push(line) });
    const hub = uniqueName();
    const client = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
    try {
      const path = `/api/hubs/${hub}/:send?api-version=2024-12-01`;
      await abortUpload(emulator.endpoint, 'abort-test-key', path);
      await until(() => lines.some((line) => line.startsWith(`POST /api/hubs/${hub}/:send -> `)), 'the log line of the aborted upload');
      expect(lines.filter((line) => line.includes(hub))).toEqual([expect.stringMatching(new RegExp(`^POST /api/hubs/${hub}/:send -> 499 \\(`))]);
      expect(lines.filter((line) => /error|\n\s+at /i.test(line))).toEqual([]);

      await client.sendToAll('still serving');
      expect(lines.at(-1)).toMatch(new RegExp(`^POST /api/hubs/${hub}/:send -> 202 `));
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe('lifecycle', () => {
  test('Closed → Starting → Running → Closing → Closed, restartable, close idempotent', async () => {
    const emulator = new Emulator({ port: 0 });
    expect(emulator.status).toBe('Closed');
    expect(() => emulator.endpoint).toThrow('call start() first');
    const starting = emulator.start();
    expect(emulator.status).toBe('Starting');
    // A close while starting waits for the start, then closes.
    await Promise.all([starting, emulator.close()]);
    expect(emulator.status).toBe('Closed');
    await emulator.start();
    expect(emulator.status).toBe('Running');
    await expect(emulator.start()).rejects.toThrow('start() needs a Closed emulator; it is Running');
    const closing = emulator.close();
    expect(emulator.status).toBe('Closing');
    await Promise.all([closing, emulator.close()]);
    expect(emulator.status).toBe('Closed');
  });

  test('reset() forgets every connection and group and closes their sockets', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect({ userId: 'reset', groups: ['g'] });
    env.emulator.reset();
    expect((await socket.closed).code).toBe(1000);
    expect(env.emulator.connections()).toEqual([]);
    expect(await fixture.client.groupExists('g')).toBe(false);
    expect(await fixture.client.userExists('reset')).toBe(false);
  });

  test('bad options are refused before anything listens, naming the option', () => {
    expect(() => new Emulator({ port: -1 })).toThrow('options.port must be an integer from 0 to 65535');
    expect(() => new Emulator({ accessKey: '' })).toThrow('options.accessKey must be a non-empty string');
    expect(() => new Emulator({ colour: 'blue' } as never)).toThrow('options.colour is not an option');
  });
});
