/**
 * protobuf.webpubsub.azure.v1 and protobuf.reliable.webpubsub.azure.v1 frame by frame, with protobufjs and the
 * service's .proto as the client: the cases of the JSON tests (websocket.plain, reliable) on the binary protocols,
 * and what the other protocols receive of a protobuf client's messages.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type EmulatorEvents } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { startCaptureServer, type Reply } from '../helpers/captureServer.js';
import { type HubFixture, useEmulator } from '../helpers/hubFixture.js';
import { nextEvent } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { anyBytes, nextDownstream, PROTOBUF_PROTOCOL, PROTOBUF_RELIABLE_PROTOCOL, upstream } from '../helpers/protobufPeer.js';
import { JSON_PROTOCOL, openSocket, type TestSocket } from '../helpers/sockets.js';

const env = useEmulator({ recoveryWindowMs: 5000 });
let fixture: HubFixture;
const sockets: TestSocket[] = [];
afterEach(() => Promise.all(sockets.splice(0).map((socket) => socket.close())));

interface ProtobufClient {
  socket: TestSocket;
  url: string;
  connectionId: string;
  userId?: string;
  reconnectionToken?: string;
}

async function connectProtobuf(options: { userId?: string; roles?: string[]; groups?: string[] } = {}, protocol = PROTOBUF_PROTOCOL): Promise<ProtobufClient> {
  const { url } = await fixture.client.getClientAccessToken(options);
  const socket = await openSocket(url, protocol);
  sockets.push(socket);
  const connected = (await nextDownstream(socket)).systemMessage?.connectedMessage;
  if (!connected) throw new Error('the first frame is not a connected system message');
  return { socket, url, ...connected };
}

/** The Any of Learn's "Publish protobuf data" example: MyMessage { value: 1 }. */
const LEARN_ANY = anyBytes('type.googleapis.com/azure.webpubsub.TestMessage', Buffer.from([0x08, 0x01]));

describe('protobuf.webpubsub.azure.v1', () => {
  test('the handshake takes the subprotocol; connected names the connection and user, without a reconnection token', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf({ userId: 'ann' });
    expect(client.socket.ws.protocol).toBe(PROTOBUF_PROTOCOL);
    expect(client).toMatchObject({ userId: 'ann', connectionId: expect.stringMatching(/\S/) });
    expect(client.reconnectionToken).toBeFalsy();
    expect(env.emulator.connections(fixture.hub)).toEqual([expect.objectContaining({ connectionId: client.connectionId, protocol: 'protobuf' })]);
  });

  test('join, send to the group, leave: acks, the group message, then nothing after leaving', async () => {
    fixture = env.fixture();
    const sender = await connectProtobuf({ userId: 'sender', roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'] });
    const member = await connectProtobuf({ userId: 'member', roles: ['webpubsub.joinLeaveGroup'] });
    member.socket.send(upstream({ joinGroupMessage: { group: 'room', ackId: 1 } }));
    expect((await nextDownstream(member.socket)).ackMessage).toEqual({ ackId: 1, success: true });

    sender.socket.send(upstream({ sendToGroupMessage: { group: 'room', ackId: 7, data: { textData: 'hello' } } }));
    expect((await nextDownstream(sender.socket)).ackMessage).toEqual({ ackId: 7, success: true });
    expect((await nextDownstream(member.socket)).dataMessage).toEqual({ from: 'group', group: 'room', data: { textData: 'hello' } });

    member.socket.send(upstream({ leaveGroupMessage: { group: 'room', ackId: 2 } }));
    expect((await nextDownstream(member.socket)).ackMessage).toEqual({ ackId: 2, success: true });
    sender.socket.send(upstream({ sendToGroupMessage: { group: 'room', data: { textData: 'gone' } } }));
    await sender.socket.roundTrip();
    await fixture.client.sendToUser('member', 'after', { contentType: 'text/plain' });
    // The next frame is the server message: the group message after the leave never came.
    expect((await nextDownstream(member.socket)).dataMessage).toEqual({ from: 'server', data: { textData: 'after' } });
  });

  test('a join or send without the role is acked Forbidden', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf();
    client.socket.send(upstream({ joinGroupMessage: { group: 'locked', ackId: 1 } }));
    client.socket.send(upstream({ sendToGroupMessage: { group: 'locked', ackId: 2, data: { textData: 'x' } } }));
    // success is false, proto3's default, so it is not on the wire.
    expect((await nextDownstream(client.socket)).ackMessage).toEqual({ ackId: 1, error: { name: 'Forbidden', message: expect.stringContaining("'locked'") } });
    expect((await nextDownstream(client.socket)).ackMessage).toEqual({ ackId: 2, error: { name: 'Forbidden', message: expect.stringContaining("'locked'") } });
  });

  test('a repeated ackId is acked Duplicate and not run again', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf({ roles: ['webpubsub.joinLeaveGroup'] });
    client.socket.send(upstream({ joinGroupMessage: { group: 'g', ackId: 5 } }));
    client.socket.send(upstream({ joinGroupMessage: { group: 'g', ackId: 5 } }));
    expect((await nextDownstream(client.socket)).ackMessage).toEqual({ ackId: 5, success: true });
    expect((await nextDownstream(client.socket)).ackMessage).toMatchObject({ ackId: 5, error: { name: 'Duplicate' } });
  });

  test('noEcho leaves the sender out of its own group message', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf({ userId: 'echo', roles: ['webpubsub.sendToGroup'], groups: ['g'] });
    client.socket.send(upstream({ sendToGroupMessage: { group: 'g', noEcho: true, data: { textData: 'quiet' } } }));
    client.socket.send(upstream({ sendToGroupMessage: { group: 'g', data: { textData: 'loud' } } }));
    expect((await nextDownstream(client.socket)).dataMessage?.data).toEqual({ textData: 'loud' });
  });

  test('server messages of each content type: JSON and text as text_data, binary as binary_data', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf({ userId: 'types' });
    await fixture.client.sendToAll({ answer: 42 });
    await fixture.client.sendToAll('plain words', { contentType: 'text/plain' });
    await fixture.client.sendToUser('types', new Uint8Array([1, 2, 3]));
    const received = await Promise.all([1, 2, 3].map(() => nextDownstream(client.socket)));
    expect(received.map((frame) => frame.dataMessage)).toEqual([
      { from: 'server', data: { textData: '{"answer":42}' } },
      { from: 'server', data: { textData: 'plain words' } },
      { from: 'server', data: { binaryData: Buffer.from([1, 2, 3]) } },
    ]);
  });

  test('protobuf_data reaches protobuf clients as the Any, JSON clients as base64 dataType protobuf, plain clients as its bytes', async () => {
    fixture = env.fixture();
    const sender = await connectProtobuf({ roles: ['webpubsub.sendToGroup'] });
    const protobufMember = await connectProtobuf({ groups: ['g'] });
    const { socket: jsonMember } = await fixture.connect({ groups: ['g'], protocol: JSON_PROTOCOL });
    const { socket: plainMember } = await fixture.connect({ groups: ['g'], protocol: null });
    sender.socket.send(
      upstream({
        sendToGroupMessage: { group: 'g', data: { protobufData: { type_url: 'type.googleapis.com/azure.webpubsub.TestMessage', value: Buffer.from([8, 1]) } } },
      }),
    );

    expect((await nextDownstream(protobufMember.socket)).dataMessage?.data).toEqual({
      protobufData: { type_url: 'type.googleapis.com/azure.webpubsub.TestMessage', value: Buffer.from([8, 1]) },
    });
    expect(await jsonMember.json()).toEqual({ type: 'message', from: 'group', group: 'g', dataType: 'protobuf', data: LEARN_ANY.toString('base64') });
    const plain = await plainMember.frames.next();
    expect(plain.isBinary).toBe(true);
    // Learn's hex dump of what a plain client receives for MyMessage { value: 1 }.
    expect(plain.data.toString('hex')).toBe('0a2f747970652e676f6f676c65617069732e636f6d2f617a7572652e7765627075627375622e546573744d65737361676512020801');
  });

  test('JSON clients send, protobuf clients receive text_data; binary arrives as binary_data', async () => {
    fixture = env.fixture();
    const member = await connectProtobuf({ groups: ['g'] });
    const { socket: jsonSender } = await fixture.connect({ roles: ['webpubsub.sendToGroup'], protocol: JSON_PROTOCOL });
    jsonSender.send({ type: 'sendToGroup', group: 'g', dataType: 'json', data: { a: 1 } });
    jsonSender.send({ type: 'sendToGroup', group: 'g', dataType: 'binary', data: 'AQID' });
    expect((await nextDownstream(member.socket)).dataMessage?.data).toEqual({ textData: '{"a":1}' });
    expect((await nextDownstream(member.socket)).dataMessage?.data).toEqual({ binaryData: Buffer.from([1, 2, 3]) });
  });

  test('events are acked (no handler) and reported with their data type', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf({ userId: 'ev' });
    const events: EmulatorEvents['event'][0][] = [];
    const record = (event: EmulatorEvents['event'][0]) => events.push(event);
    env.emulator.on('event', record);
    try {
      client.socket.send(upstream({ eventMessage: { event: 'typed', ackId: 3, data: { textData: 'hi' } } }));
      expect((await nextDownstream(client.socket)).ackMessage).toEqual({ ackId: 3, success: true });
      client.socket.send(upstream({ eventMessage: { event: 'packed', ackId: 4, data: { protobufData: { type_url: 't/x', value: Buffer.from([1]) } } } }));
      expect((await nextDownstream(client.socket)).ackMessage).toEqual({ ackId: 4, success: true });
    } finally {
      env.emulator.off('event', record);
    }
    expect(events.map(({ event, dataType, data }) => ({ event, dataType, data }))).toEqual([
      { event: 'typed', dataType: 'text', data: 'hi' },
      { event: 'packed', dataType: 'protobuf', data: anyBytes('t/x', Buffer.from([1])) },
    ]);
  });

  test('a ping is answered with a pong; a group stream is refused with stream_closed', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf({ roles: ['webpubsub.sendToGroup'] });
    client.socket.send(upstream({ pingMessage: {} }));
    expect(await nextDownstream(client.socket)).toEqual({ pongMessage: {} });
    client.socket.send(upstream({ sendToGroupMessage: { group: 'g', stream: { streamId: 's1' } } }));
    expect((await nextDownstream(client.socket)).streamClosedMessage).toMatchObject({ streamId: 's1', error: { name: 'NotSupported' } });
  });

  test.each([
    ['bytes that are not a protobuf message', Buffer.from([0xff, 0xff, 0xff])],
    ['a field cut short', Buffer.from([0x32, 0x05, 0x0a])],
    ['no request set', Buffer.alloc(0)],
    ['a join without a group', upstream({ joinGroupMessage: { ackId: 1 } })],
    ['a send without data', upstream({ sendToGroupMessage: { group: 'g' } })],
    ['a string that is not UTF-8', Buffer.from([0x32, 0x03, 0x0a, 0x01, 0xc3])],
  ])('%s: disconnected system message, then close 1007', async (_what, frame) => {
    fixture = env.fixture();
    const client = await connectProtobuf({ roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'] });
    client.socket.send(frame);
    expect((await nextDownstream(client.socket)).systemMessage?.disconnectedMessage?.reason).toMatch(/^Invalid frame: /);
    expect((await client.socket.closed).code).toBe(1007);
  });

  test('a text frame is not part of the protocol: close 1003', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf();
    client.socket.send('{"type":"ping"}');
    expect((await nextDownstream(client.socket)).systemMessage?.disconnectedMessage).toBeDefined();
    expect((await client.socket.closed).code).toBe(1003);
  });

  test('a REST close sends the disconnected system message with the service sentence', async () => {
    fixture = env.fixture();
    const client = await connectProtobuf();
    await fixture.client.closeConnection(client.connectionId, { reason: 'bye' });
    expect((await nextDownstream(client.socket)).systemMessage?.disconnectedMessage).toEqual({
      reason: 'Application server closed the connection. Reason: bye',
    });
    expect((await client.socket.closed).code).toBe(1000);
  });
});

describe('protobuf.reliable.webpubsub.azure.v1', () => {
  const connectReliable = (options: { userId?: string; groups?: string[] } = {}) => connectProtobuf(options, PROTOBUF_RELIABLE_PROTOCOL);
  const recoveryUrl = ({ url, connectionId, reconnectionToken }: ProtobufClient) =>
    `${url}&awps_connection_id=${encodeURIComponent(connectionId)}&awps_reconnection_token=${encodeURIComponent(reconnectionToken ?? '')}`;

  test('connected carries a reconnection token; message frames count from 1, acks and pongs are not numbered', async () => {
    fixture = env.fixture();
    const client = await connectReliable({ userId: 'seq' });
    expect(client.reconnectionToken).toMatch(/^[\w-]{20,}$/);
    await fixture.client.sendToAll('one', { contentType: 'text/plain' });
    client.socket.send(upstream({ pingMessage: {} }));
    await fixture.client.sendToUser('seq', { two: 2 });
    expect((await nextDownstream(client.socket)).dataMessage).toEqual({ from: 'server', data: { textData: 'one' }, sequenceId: 1 });
    expect(await nextDownstream(client.socket)).toEqual({ pongMessage: {} });
    expect((await nextDownstream(client.socket)).dataMessage).toEqual({ from: 'server', data: { textData: '{"two":2}' }, sequenceId: 2 });
  });

  test('after a drop, what was not sequence-acked is replayed in order on recovery, what was is not', async () => {
    fixture = env.fixture();
    const client = await connectReliable({ userId: 'r1', groups: ['g'] });
    for (const word of ['a', 'b', 'c']) await fixture.client.sendToGroup('g', word, { contentType: 'text/plain' });
    expect((await Promise.all([1, 2, 3].map(() => nextDownstream(client.socket)))).map((f) => f.dataMessage?.sequenceId)).toEqual([1, 2, 3]);
    client.socket.send(upstream({ sequenceAckMessage: { sequenceId: 2 } }));
    await client.socket.roundTrip();

    env.emulator.dropConnection(client.connectionId);
    await client.socket.closed;
    await fixture.client.sendToGroup('g', 'd', { contentType: 'text/plain' });

    const second = await openSocket(recoveryUrl(client), PROTOBUF_RELIABLE_PROTOCOL);
    sockets.push(second);
    expect((await nextDownstream(second)).systemMessage?.connectedMessage).toMatchObject({ connectionId: client.connectionId, userId: 'r1' });
    const replayed = await Promise.all([1, 2].map(() => nextDownstream(second)));
    expect(replayed.map((f) => [f.dataMessage?.sequenceId, f.dataMessage?.data.textData])).toEqual([
      [3, 'c'],
      [4, 'd'],
    ]);
    expect(env.emulator.connections(fixture.hub)).toEqual([expect.objectContaining({ state: 'open', protocol: 'protobufReliable' })]);
  });

  test('a connection comes back only on its own subprotocol: the JSON reliable one is closed 1008', async () => {
    fixture = env.fixture();
    const client = await connectReliable();
    env.emulator.dropConnection(client.connectionId);
    await client.socket.closed;
    const wrong = await openSocket(recoveryUrl(client), 'json.reliable.webpubsub.azure.v1');
    sockets.push(wrong);
    expect((await wrong.closed).code).toBe(1008);
  });

  test('every member of a group gets its own sequence ids, whatever the others got before', async () => {
    fixture = env.fixture();
    const early = await connectReliable({ groups: ['g'] });
    await fixture.client.sendToGroup('g', 'first', { contentType: 'text/plain' });
    const late = await connectReliable({ groups: ['g'] });
    await fixture.client.sendToGroup('g', 'second', { contentType: 'text/plain' });
    const earlyFrames = await Promise.all([1, 2].map(() => nextDownstream(early.socket)));
    expect(earlyFrames.map((f) => [f.dataMessage?.sequenceId, f.dataMessage?.data.textData])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
    expect((await nextDownstream(late.socket)).dataMessage).toMatchObject({ sequenceId: 1, data: { textData: 'second' } });
  });
});

test('the disconnected event names the protobuf protocol', async () => {
  fixture = env.fixture();
  const client = await connectProtobuf();
  const ended = nextEvent(env.emulator, 'disconnected', (e: EmulatorEvents['disconnected'][0]) => e.connectionId === client.connectionId);
  await client.socket.close();
  expect((await ended)[0]).toMatchObject({ protocol: 'protobuf' });
});

test("an event handler gets a protobuf client's event as application/x-protobuf, and its answer reaches the client before the ack", async () => {
  const app = await startCaptureServer(
    ({ method }): Reply =>
      method === 'OPTIONS'
        ? { status: 200, headers: { 'WebHook-Allowed-Origin': '*' } }
        : { status: 200, headers: { 'content-type': 'text/plain' }, body: 'handled' },
  );
  const hub = uniqueName('hub');
  const emulator = await startEmulator({ port: 0, hubs: { [hub]: { eventHandlers: [{ urlTemplate: `${app.endpoint}/{event}`, userEventPattern: '*' }] } } });
  const service = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
  try {
    const socket = await openSocket((await service.getClientAccessToken({ userId: 'pb' })).url, PROTOBUF_PROTOCOL);
    sockets.push(socket);
    await nextDownstream(socket);
    const any = anyBytes('type.googleapis.com/azure.webpubsub.TestMessage', Buffer.from([8, 1]));
    socket.send(
      upstream({
        eventMessage: {
          event: 'packed',
          ackId: 1,
          data: { protobufData: { type_url: 'type.googleapis.com/azure.webpubsub.TestMessage', value: Buffer.from([8, 1]) } },
        },
      }),
    );
    expect((await nextDownstream(socket)).dataMessage).toEqual({ from: 'server', data: { textData: 'handled' } });
    expect((await nextDownstream(socket)).ackMessage).toEqual({ ackId: 1, success: true });
    const posted = app.requests.find((request) => request.method === 'POST')!;
    expect(posted.headers).toMatchObject({ 'content-type': 'application/x-protobuf', 'ce-eventname': 'packed', 'ce-subprotocol': PROTOBUF_PROTOCOL });
    expect(posted.body.equals(any)).toBe(true);
  } finally {
    await service.close();
    await emulator.close();
    await app.close();
  }
});
