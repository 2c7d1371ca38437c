/**
 * Plain WebSocket clients (no Web PubSub subprotocol) get payloads unwrapped (NOTES §8.4), and what they send
 * becomes user events, or group messages in `webpubsub_mode=sendToGroup`.
 */
import { expect, test } from '@jest/globals';
import type { ClientEvent } from '../../emulator/index.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { nextEvent } from '../helpers/inbox.js';
import { openSocket } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

test('REST payloads arrive unwrapped: text as text, JSON as its exact text, bytes as a binary frame', async () => {
  fixture = env.fixture();
  const { socket } = await fixture.connect({ protocol: null });
  const { client, official } = fixture;

  await client.sendToAll('just text', { contentType: 'text/plain' });
  await client.sendRequest({
    method: 'POST',
    url: `/api/hubs/${fixture.hub}/:send?api-version=2024-12-01`,
    headers: { 'content-type': 'application/json' },
    body: '{ "spaced" : [1, 2] }',
  });
  await official.sendToAll('a json string');
  await client.sendToAll(new Uint8Array([0, 255, 10]));

  const frames = await socket.frames.take(4);
  expect(frames.map((f) => [f.isBinary, f.data.toString('utf8')])).toEqual([
    [false, 'just text'],
    [false, '{ "spaced" : [1, 2] }'],
    [false, '"a json string"'],
    [true, Buffer.from([0, 255, 10]).toString('utf8')],
  ]);
  expect([...frames[3]!.data]).toEqual([0, 255, 10]);
});

test('group messages from JSON clients arrive unwrapped by dataType', async () => {
  fixture = env.fixture();
  const plain = await fixture.connect({ protocol: null, groups: ['mix'] });
  const sender = await fixture.connect({ roles: ['webpubsub.sendToGroup.mix'] });

  sender.socket.send({ type: 'sendToGroup', group: 'mix', dataType: 'json', data: { n: 1 } });
  sender.socket.send({ type: 'sendToGroup', group: 'mix', dataType: 'text', data: 'words' });
  sender.socket.send({ type: 'sendToGroup', group: 'mix', dataType: 'binary', data: Buffer.from('bytes').toString('base64') });

  const frames = await plain.socket.frames.take(3);
  expect(frames.map((f) => [f.isBinary, f.data.toString('utf8')])).toEqual([
    [false, '{"n":1}'],
    [false, 'words'],
    [true, 'bytes'],
  ]);
});

test('a plain client gets no connected frame; its frames become user events named message', async () => {
  fixture = env.fixture();
  const { socket, connectionId } = await fixture.connect({ protocol: null, userId: 'raw' });
  const text = nextEvent(env.emulator, 'event', (e: ClientEvent) => e.connectionId === connectionId && e.dataType === 'text');
  socket.send('hello service');
  expect((await text)[0]).toMatchObject({ event: 'message', userId: 'raw', dataType: 'text', data: 'hello service' });

  const binary = nextEvent(env.emulator, 'event', (e: ClientEvent) => e.connectionId === connectionId && e.dataType === 'binary');
  socket.send(Buffer.from([1, 2]));
  expect([...((await binary)[0].data as Buffer)]).toEqual([1, 2]);
  // A frame shaped like a joinGroup request means nothing from a plain client.
  socket.send(JSON.stringify({ type: 'joinGroup', group: 'sneaky' }));
  await fixture.client.sendToAll('end', { contentType: 'text/plain' });
  expect((await socket.frames.next()).data.toString()).toBe('end');
  expect(env.emulator.connections(fixture.hub)[0]!.groups).toEqual([]);
});

test('webpubsub_mode=sendToGroup publishes every frame to the group when the role allows it', async () => {
  fixture = env.fixture();
  const listener = await fixture.connect({ groups: ['feed'] });
  const allowed = await fixture.client.getClientAccessToken({ userId: 'pub', roles: ['webpubsub.sendToGroup.feed'] });
  const refused = await fixture.client.getClientAccessToken({ userId: 'nopub' });
  const publisher = await openSocket(`${allowed.url}&webpubsub_mode=sendToGroup&group=feed`);
  const outsider = await openSocket(`${refused.url}&webpubsub_mode=sendToGroup&group=feed`);

  outsider.send('must not arrive');
  await outsider.roundTrip();
  publisher.send('published');
  expect(await listener.socket.jsonWhere((f) => f.type === 'message')).toEqual({
    type: 'message',
    from: 'group',
    group: 'feed',
    fromUserId: 'pub',
    dataType: 'text',
    data: 'published',
  });
  await Promise.all([publisher.close(), outsider.close()]);
});

test('a custom subprotocol is echoed and the client is plain', async () => {
  fixture = env.fixture();
  const { url } = await fixture.client.getClientAccessToken();
  const socket = await openSocket(url, 'my.own.protocol');
  expect(socket.ws.protocol).toBe('my.own.protocol');
  await fixture.client.sendToAll({ raw: true });
  expect((await socket.frames.next()).data.toString()).toBe('{"raw":true}');
  await socket.close();
});
