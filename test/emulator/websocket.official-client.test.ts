/**
 * The official `@azure/web-pubsub-client`, in its default reliable protocol and in the json protocol, with
 * tokens from the official server SDK and from our core client: connect, join, publish, receive server and group
 * messages, recover from a dropped socket, and be refused what its roles do not allow.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient as OfficialServiceClient } from '@azure/web-pubsub';
import { WebPubSubJsonProtocol, WebPubSubJsonReliableProtocol, type WebPubSubClientProtocol } from '@azure/web-pubsub-client';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { nextEvent } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { startOfficialClient, type ObservedClient } from '../helpers/officialClient.js';

let emulator: Emulator;
let core: WebPubSubServiceClient;
let official: OfficialServiceClient;
let hub: string;
const clients: ObservedClient[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
  await core?.close();
});

/** Token sources: the official SDK and our core client sign the same way. */
const tokenSources = {
  'official SDK token': (options: TokenOptions) => official.getClientAccessToken(options),
  'core client token': (options: TokenOptions) => core.getClientAccessToken(options),
};
type TokenOptions = { userId?: string; roles?: string[]; groups?: string[] };

const protocols: [string, () => WebPubSubClientProtocol][] = [
  ['reliable protocol (default)', WebPubSubJsonReliableProtocol],
  ['json protocol', WebPubSubJsonProtocol],
];

function setUp(): void {
  hub = uniqueName('hub');
  core = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 } });
  official = new OfficialServiceClient(emulator.connectionString, hub, { allowInsecureConnection: true });
}

async function connect(
  options: TokenOptions,
  protocol: () => WebPubSubClientProtocol = WebPubSubJsonReliableProtocol,
  source = tokenSources['official SDK token'],
): Promise<ObservedClient> {
  // A URL function: a client that must reconnect afresh asks for a new token, as applications do.
  const client = await startOfficialClient(async () => (await source(options)).url, { protocol: protocol() });
  clients.push(client);
  return client;
}

describe.each(protocols)('%s', (_name, protocol) => {
  test.each(Object.keys(tokenSources) as (keyof typeof tokenSources)[])('with a %s: join, publish, receive server and group messages', async (source) => {
    setUp();
    const roles = ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'];
    const alice = await connect({ userId: 'alice', roles }, protocol, tokenSources[source]);
    const bob = await connect({ userId: 'bob', roles }, protocol, tokenSources[source]);
    expect(await alice.connected.next()).toMatchObject({ userId: 'alice' });

    await alice.client.joinGroup('room');
    await bob.client.joinGroup('room');
    await bob.client.sendToGroup('room', { text: 'hi from bob' }, 'json');
    expect(await alice.groupMessages.next()).toMatchObject({ group: 'room', fromUserId: 'bob', dataType: 'json', data: { text: 'hi from bob' } });
    expect(await bob.groupMessages.next()).toMatchObject({ fromUserId: 'bob', data: { text: 'hi from bob' } });

    await bob.client.sendToGroup('room', 'quiet', 'text', { noEcho: true });
    expect(await alice.groupMessages.next()).toMatchObject({ dataType: 'text', data: 'quiet' });

    await official.sendToAll({ broadcast: true });
    await core.sendToUser('alice', 'only alice', { contentType: 'text/plain' });
    await official.group('room').sendToAll(new Uint8Array([7, 8, 9]));
    expect(await alice.serverMessages.next()).toMatchObject({ dataType: 'json', data: { broadcast: true } });
    expect(await alice.serverMessages.next()).toMatchObject({ dataType: 'text', data: 'only alice' });
    const binary = await alice.groupMessages.next();
    expect(binary).toMatchObject({ group: 'room', dataType: 'binary' });
    expect(binary.fromUserId).toBeUndefined();
    expect([...new Uint8Array(binary.data as ArrayBuffer)]).toEqual([7, 8, 9]);
    // Bob's noEcho message never reached Bob: the next group message he sees is the REST one.
    expect((await bob.groupMessages.next()).dataType).toBe('binary');
    expect(await bob.serverMessages.next()).toMatchObject({ data: { broadcast: true } });

    await alice.client.leaveGroup('room');
    expect(emulator.connections(hub).find((c) => c.userId === 'alice')!.groups).toEqual([]);
  });

  test('groups from the token are joined at connect; roles per group are enforced with Forbidden acks', async () => {
    setUp();
    const client = await connect({ userId: 'carol', groups: ['news'], roles: ['webpubsub.joinLeaveGroup.sports', 'webpubsub.sendToGroup.news'] }, protocol);
    await official.group('news').sendToAll('headline', { contentType: 'text/plain' });
    expect(await client.groupMessages.next()).toMatchObject({ group: 'news', data: 'headline' });

    await client.client.joinGroup('sports');
    await expect(client.client.joinGroup('politics')).rejects.toMatchObject({ errorDetail: { name: 'Forbidden' } });
    await client.client.sendToGroup('news', 'mine', 'text');
    await expect(client.client.sendToGroup('sports', 'not allowed', 'text')).rejects.toMatchObject({ errorDetail: { name: 'Forbidden' } });

    // A runtime grant through REST changes what the connection may do.
    const { connectionId } = emulator.connections(hub)[0]!;
    await official.grantPermission(connectionId, 'joinLeaveGroup', { targetName: 'politics' });
    await client.client.joinGroup('politics');
    expect(emulator.connections(hub)[0]!.groups.sort()).toEqual(['news', 'politics', 'sports']);
  });

  test('a repeated ackId is answered Duplicate and not run again', async () => {
    setUp();
    const client = await connect({ roles: ['webpubsub.joinLeaveGroup'] }, protocol);
    expect(await client.client.joinGroup('g', { ackId: 41 })).toEqual({ ackId: 41, isDuplicated: false });
    await client.client.leaveGroup('g');
    expect(await client.client.joinGroup('g', { ackId: 41 })).toEqual({ ackId: 41, isDuplicated: true });
    expect(emulator.connections(hub)[0]!.groups).toEqual([]);
  });

  test('events reach the emulator and are acked', async () => {
    setUp();
    const client = await connect({ userId: 'dan' }, protocol);
    const received = nextEvent(emulator, 'event', (e: { hub: string }) => e.hub === hub);
    expect((await client.client.sendEvent('order', { id: 7 }, 'json')).isDuplicated).toBe(false);
    const [event] = await received;
    expect(event).toMatchObject({ hub, userId: 'dan', event: 'order', dataType: 'json', data: { id: 7 } });
  });
});

describe('recovery', () => {
  test('the reliable client recovers a dropped socket without losing or duplicating a message', async () => {
    setUp();
    const client = await connect({ userId: 'erin', groups: ['g'] });
    const { connectionId } = await client.connected.next();

    expect(emulator.dropConnection(connectionId)).toBe(true);
    for (let i = 0; i < 20; i++) await official.group('g').sendToAll({ i });
    const messages = await client.groupMessages.take(20);
    expect(messages.map((m) => (m.data as { i: number }).i)).toEqual([...Array(20).keys()]);

    // Recovered, not reconnected: same connection, no second connected event, no disconnected event.
    await official.sendToAll('after');
    expect((await client.serverMessages.next()).data).toBe('after');
    expect([client.connected.size, client.disconnected.size]).toEqual([0, 0]);
    expect(emulator.connections(hub).map((c) => [c.connectionId, c.state, c.groups])).toEqual([[connectionId, 'open', ['g']]]);
  });

  test('a connection closed through REST cannot be recovered (1008): the client connects anew and rejoins', async () => {
    setUp();
    const client = await connect({ userId: 'fay', roles: ['webpubsub.joinLeaveGroup'] });
    const first = await client.connected.next();
    await client.client.joinGroup('kept');

    await official.closeConnection(first.connectionId, { reason: 'maintenance' });
    // Apps match this sentence (the official server SDK's README shows it).
    expect(await client.disconnected.next()).toMatchObject({ message: { message: 'Application server closed the connection. Reason: maintenance' } });
    const second = await client.connected.next();
    expect(second.connectionId).not.toBe(first.connectionId);
    await official.group('kept').sendToAll('rejoined', { contentType: 'text/plain' });
    expect((await client.groupMessages.next()).data).toBe('rejoined');
  });

  test('the json protocol does not recover: a dropped socket means a new connection', async () => {
    setUp();
    const client = await connect({ userId: 'gus' }, WebPubSubJsonProtocol);
    const first = await client.connected.next();
    emulator.dropConnection(first.connectionId);
    const second = await client.connected.next();
    expect(second.connectionId).not.toBe(first.connectionId);
    expect(emulator.connections(hub).map((c) => c.connectionId)).toEqual([second.connectionId]);
  });
});

describe('@azure/web-pubsub-client 1.0.x, the newest line that declares Node 20', () => {
  test('connects, joins a group and receives what the core client sends it', async () => {
    setUp();
    const { WebPubSubClient: Client10 } = await import('@azure/web-pubsub-client-1.0');
    const { url } = await core.getClientAccessToken({ userId: 'node20-app', roles: ['webpubsub.joinLeaveGroup.ops'] });
    // Its default, reliable protocol; as with 1.1, keep-alive timers would outlive stop() by up to 40 s.
    const client = new Client10(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    const received = new Promise((resolve) => client.on('group-message', (e) => resolve(e.message)));
    await client.start();
    try {
      await client.joinGroup('ops');
      await core.sendToGroup('ops', { version: 'v1.4.2' });
      expect(await received).toMatchObject({ group: 'ops', dataType: 'json', data: { version: 'v1.4.2' } });
    } finally {
      const stopped = nextEvent(client as unknown as Parameters<typeof nextEvent>[0], 'stopped');
      client.stop();
      await stopped;
    }
  });
});
