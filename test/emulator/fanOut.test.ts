/**
 * Fan-out as the emulator writes it: one frame per message and kind of client, the same bytes on every socket of
 * that kind (reliable clients: per sequence id), and back-pressure per socket: a client that stops reading is
 * closed past 16 MiB waiting (1008), while the others keep receiving.
 */
import { afterEach, describe, expect, test } from '@jest/globals';
import type { EmulatorEvents } from '../../emulator/index.js';
import { OutboundMessage } from '../../emulator/state/outboundMessage.js';
import { framesOf } from '../../emulator/websocket/messageFrames.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { nextEvent } from '../helpers/inbox.js';
import { downstream, nextDownstream, PROTOBUF_PROTOCOL, PROTOBUF_RELIABLE_PROTOCOL } from '../helpers/protobufPeer.js';
import { JSON_PROTOCOL, openSocket, RELIABLE_PROTOCOL, type Frame, type TestSocket } from '../helpers/sockets.js';

const env = useEmulator();
const extraSockets: TestSocket[] = [];
afterEach(() => Promise.all(extraSockets.splice(0).map((socket) => socket.close())));
const KINDS = [null, JSON_PROTOCOL, RELIABLE_PROTOCOL, PROTOBUF_PROTOCOL, PROTOBUF_RELIABLE_PROTOCOL] as const;

/** A WebSocket frame's header as RFC 6455 §5.2 lays it out, and its payload. */
function parseWsFrame(frame: Buffer): { fin: boolean; rsv: number; opcode: number; masked: boolean; payload: Buffer } {
  const short = frame[1]! & 0x7f;
  const [length, offset] = short === 126 ? [frame.readUInt16BE(2), 4] : short === 127 ? [Number(frame.readBigUInt64BE(2)), 10] : [short, 2];
  expect(frame.length).toBe(offset + length);
  return { fin: (frame[0]! & 0x80) !== 0, rsv: frame[0]! & 0x70, opcode: frame[0]! & 0x0f, masked: (frame[1]! & 0x80) !== 0, payload: frame.subarray(offset) };
}

describe('frames built once', () => {
  test('each kind of client gets one frame object per message; reliable ones one per sequence id', () => {
    const message = new OutboundMessage({ from: 'group', group: 'g' }, { dataType: 'text', text: 'x'.repeat(300) });
    const frames = framesOf(message);
    expect(framesOf(message)).toBe(frames);
    for (const kind of ['plain', 'json', 'protobuf'] as const) expect(frames[kind]).toBe(frames[kind]);
    expect(frames.reliable(7)).toBe(frames.reliable(7));
    expect(frames.reliable(8)).not.toBe(frames.reliable(7));
    expect(frames.protobufReliable(7)).toBe(frames.protobufReliable(7));
  });

  test('the frames are whole, unmasked, uncompressed server frames of the right opcode and length', () => {
    const message = new OutboundMessage({ from: 'server' }, { dataType: 'binary', bytes: Buffer.alloc(70_000, 1) });
    const frames = framesOf(message);
    const { payload: plain, ...plainHeader } = parseWsFrame(frames.plain);
    expect([plainHeader, plain.equals(message.plain)]).toEqual([{ fin: true, rsv: 0, opcode: 2, masked: false }, true]);
    const { payload: json, ...jsonHeader } = parseWsFrame(frames.json);
    expect([jsonHeader, json.equals(message.jsonFrame)]).toEqual([{ fin: true, rsv: 0, opcode: 1, masked: false }, true]);
    expect(JSON.parse(parseWsFrame(frames.reliable(3)).payload.toString())).toMatchObject({ sequenceId: 3, dataType: 'binary' });
    const { payload: protobuf, ...protobufHeader } = parseWsFrame(frames.protobufReliable(3));
    expect(protobufHeader).toEqual({ fin: true, rsv: 0, opcode: 2, masked: false });
    const { sequenceId, data } = downstream(protobuf).dataMessage!;
    expect([sequenceId, data.binaryData?.equals(Buffer.alloc(70_000, 1))]).toEqual([3, true]);
  });
});

describe('a broadcast over real sockets', () => {
  test('every client of a kind receives byte-identical frames; reliable clients each with their own sequence ids', async () => {
    const fixture = env.fixture();
    const sockets = new Map<(typeof KINDS)[number], TestSocket[]>();
    for (const protocol of KINDS) {
      const list: TestSocket[] = [];
      for (let i = 0; i < 3; i++) {
        const userId = `${protocol}-${i}`;
        if (protocol === PROTOBUF_PROTOCOL || protocol === PROTOBUF_RELIABLE_PROTOCOL) {
          // The connected frame of a protobuf client is binary: read here, not by the fixture's JSON connect.
          const socket = await openSocket((await fixture.client.getClientAccessToken({ userId })).url, protocol);
          extraSockets.push(socket);
          await nextDownstream(socket);
          list.push(socket);
        } else {
          list.push((await fixture.connect({ protocol, userId })).socket);
        }
      }
      sockets.set(protocol, list);
    }
    // The second client of each reliable kind is one message ahead of the others.
    await fixture.client.sendToUser(`${RELIABLE_PROTOCOL}-1`, 'ahead', { contentType: 'text/plain' });
    await fixture.client.sendToUser(`${PROTOBUF_RELIABLE_PROTOCOL}-1`, 'ahead', { contentType: 'text/plain' });
    await sockets.get(RELIABLE_PROTOCOL)![1]!.frames.next();
    await sockets.get(PROTOBUF_RELIABLE_PROTOCOL)![1]!.frames.next();

    await fixture.client.sendToAll({ release: '1.4.2' });
    const received = new Map<(typeof KINDS)[number], Frame[]>();
    for (const [protocol, list] of sockets) received.set(protocol, await Promise.all(list.map((socket) => socket.frames.next())));

    const same = (frames: Frame[]) => frames.every((frame) => frame.data.equals(frames[0]!.data) && frame.isBinary === frames[0]!.isBinary);
    for (const protocol of [null, JSON_PROTOCOL, PROTOBUF_PROTOCOL] as const) expect(same(received.get(protocol)!)).toBe(true);
    expect(received.get(null)![0]).toEqual({ isBinary: false, data: Buffer.from('{"release":"1.4.2"}') });
    expect(JSON.parse(received.get(JSON_PROTOCOL)![0]!.data.toString())).toEqual({
      type: 'message',
      from: 'server',
      dataType: 'json',
      data: { release: '1.4.2' },
    });
    expect(downstream(received.get(PROTOBUF_PROTOCOL)![0]!.data).dataMessage).toEqual({ from: 'server', data: { textData: '{"release":"1.4.2"}' } });

    const reliable = received.get(RELIABLE_PROTOCOL)!.map((frame) => JSON.parse(frame.data.toString()));
    expect(reliable.map((frame) => frame.sequenceId)).toEqual([1, 2, 1]);
    expect(received.get(RELIABLE_PROTOCOL)![0]!.data.equals(received.get(RELIABLE_PROTOCOL)![2]!.data)).toBe(true);
    for (const frame of reliable) expect(frame).toMatchObject({ type: 'message', from: 'server', dataType: 'json', data: { release: '1.4.2' } });
    const protobufReliable = received.get(PROTOBUF_RELIABLE_PROTOCOL)!.map((frame) => downstream(frame.data).dataMessage!);
    expect(protobufReliable.map((frame) => frame.sequenceId)).toEqual([1, 2, 1]);
    for (const frame of protobufReliable) expect(frame.data).toEqual({ textData: '{"release":"1.4.2"}' });
  });

  test('a client that stops reading is closed past 16 MiB waiting (1008); the others keep receiving every message', async () => {
    const fixture = env.fixture();
    const { socket: slow, connectionId: slowId } = await fixture.connect({ protocol: null });
    const others = [await fixture.connect({ protocol: JSON_PROTOCOL }), await fixture.connect({ protocol: null })];
    const ended = nextEvent(env.emulator, 'disconnected', (e: EmulatorEvents['disconnected'][0]) => e.connectionId === slowId, 20_000);
    // The slow client's TCP socket stops reading, so what the emulator writes to it piles up.
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const megabyte = new Uint8Array(1024 * 1024).fill(7);
    const sends = 40;
    for (let i = 0; i < sends; i++) await fixture.client.sendToAll(megabyte);

    expect((await ended)[0].reason).toBe('More than 16 MB is waiting to be sent to this connection');
    for (const { socket } of others) {
      const frames = await socket.frames.take(sends);
      expect(frames.every((frame) => frame.data.length >= megabyte.length)).toBe(true);
    }
    // Reading again, the slow client gets what was written before the bound, far from all 40 MiB, then the close.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(1008);
    expect(slow.frames.size).toBeLessThan(sends);
    expect(env.emulator.connections(fixture.hub).map((c) => c.connectionId)).not.toContain(slowId);
  });
});
