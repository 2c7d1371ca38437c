/**
 * The frames of `protobuf.webpubsub.azure.v1` and `protobuf.reliable.webpubsub.azure.v1` (Learn, "The Azure Web
 * PubSub-supported protobuf WebSocket subprotocol" and its reliable sibling; test/emulator/fixtures/webpubsub.proto
 * has the messages). A client sends one `UpstreamMessage` per binary frame and gets one `DownstreamMessage` per
 * binary frame. A frame that is not a well-formed `UpstreamMessage` is refused as the JSON protocols refuse theirs.
 */
import { closes } from '../common/errors.js';
import type { MessageData, MessageSource } from '../state/outboundMessage.js';
import { checkSize, checkedGroup, FrameRejection, type ClientFrame } from './clientFrames.js';
import type { ControlFrames, FrameError } from './serverFrames.js';
import { readBytes, readFields, readString, readVarintField, varint, varintKey, WireFormatError, WireWriter, type WireField } from './protobufWire.js';

/** Field numbers of `UpstreamMessage`'s oneof. */
const UP = { sendToGroup: 1, event: 5, joinGroup: 6, leaveGroup: 7, sequenceAck: 8, ping: 9, streamData: 13, streamEnd: 14 } as const;
/** Field numbers of `DownstreamMessage`'s oneof. */
const DOWN = { ack: 1, data: 2, system: 3, pong: 4, streamClosed: 8 } as const;
/** `DataMessage.sequence_id` (reliable only). */
const SEQUENCE_ID = 4;

/**
 * Parses one binary frame of a protobuf subprotocol.
 * @throws FrameRejection for anything that is not a well-formed `UpstreamMessage`.
 */
export function parseProtobufFrame(frame: Buffer): ClientFrame {
  try {
    let request: WireField | undefined;
    // A oneof set twice keeps its last value, as every protobuf parser reads it.
    for (const field of readFields(frame)) request = field;
    if (!request) throw new WireFormatError('no request is set');
    const body = () => fieldsOf(readBytes(request));
    switch (request.field) {
      case UP.joinGroup:
      case UP.leaveGroup: {
        const f = body();
        return { type: request.field === UP.joinGroup ? 'joinGroup' : 'leaveGroup', group: checkedGroup(string(f, 1)), ackId: uint(f, 2) };
      }
      case UP.sendToGroup: {
        const f = body();
        if (f.has(7)) return { type: 'streamStart', streamId: string(fieldsOf(readBytes(f.get(7)!)), 1) ?? '' };
        return { type: 'sendToGroup', group: checkedGroup(string(f, 1)), ackId: uint(f, 2), noEcho: (uint(f, 4) ?? 0) !== 0, data: messageData(f.get(3)) };
      }
      case UP.event: {
        const f = body();
        const event = string(f, 1);
        if (!event) throw new WireFormatError('event must be a non-empty string');
        return { type: 'event', event, ackId: uint(f, 3), data: messageData(f.get(2)) };
      }
      case UP.sequenceAck:
        return { type: 'sequenceAck', sequenceId: uint(body(), 1) ?? 0 };
      case UP.ping:
        body();
        return { type: 'ping' };
      case UP.streamData:
      case UP.streamEnd:
        return { type: 'ignored' };
      default:
        return { type: 'unknown', name: `UpstreamMessage field ${request.field}` };
    }
  } catch (error) {
    if (error instanceof WireFormatError) throw new FrameRejection(closes.malformedFrame(error.message));
    throw error;
  }
}

/** The last value of each field of a message (proto3: a repeated scalar's last value wins). */
function fieldsOf(message: Buffer): Map<number, WireField> {
  const fields = new Map<number, WireField>();
  for (const field of readFields(message)) fields.set(field.field, field);
  return fields;
}

const string = (fields: Map<number, WireField>, field: number): string | undefined => (fields.has(field) ? readString(fields.get(field)!) : undefined);
const uint = (fields: Map<number, WireField>, field: number): number | undefined => (fields.has(field) ? readVarintField(fields.get(field)!) : undefined);

/**
 * `MessageData`: `text_data`, `binary_data` or `protobuf_data` (a `google.protobuf.Any`, kept as its bytes: clients
 * of other protocols get exactly those, Learn "Publish messages").
 * @throws FrameRejection when data is missing or exceeds 1 MiB.
 */
function messageData(field: WireField | undefined): MessageData {
  if (!field) throw new WireFormatError('data is required');
  let data: WireField | undefined;
  for (const f of readFields(readBytes(field))) data = f;
  let result: MessageData;
  switch (data?.field) {
    case 1:
      result = { dataType: 'text', text: readString(data) };
      break;
    case 2:
      result = { dataType: 'binary', bytes: readBytes(data) };
      break;
    case 3: {
      const any = readBytes(data);
      // An Any is type_url (string) and value (bytes); it must parse as such before others are sent it.
      const parts = fieldsOf(any);
      if (parts.has(1)) readString(parts.get(1)!);
      if (parts.has(2)) readBytes(parts.get(2)!);
      result = { dataType: 'protobuf', bytes: any };
      break;
    }
    default:
      throw new WireFormatError('data must set text_data, binary_data or protobuf_data');
  }
  checkSize(result.dataType === 'text' ? Buffer.byteLength(result.text) : result.bytes.length);
  return result;
}

/** `MessageData` for a message of any data type: JSON travels as `text_data` (Learn, "Message response"). */
function encodeData(data: MessageData): Buffer {
  const writer = new WireWriter();
  switch (data.dataType) {
    case 'json':
      return writer.string(1, data.json).finish();
    case 'text':
      return writer.string(1, data.text).finish();
    case 'binary':
      return writer.bytes(2, data.bytes).finish();
    case 'protobuf':
      return writer.bytes(3, data.bytes).finish();
  }
}

/** `DataMessage` without its `sequence_id`: shared by every protobuf connection a message goes to. */
export function dataMessageBody(source: MessageSource, data: MessageData): Buffer {
  const writer = new WireWriter().string(1, source.from);
  if (source.from === 'group') writer.string(2, source.group);
  return writer.bytes(3, encodeData(data)).finish();
}

/** The `DownstreamMessage` of a message; with a `sequenceId` for reliable connections. */
export function dataMessageFrame(body: Buffer, sequenceId?: number): Buffer {
  if (sequenceId === undefined) return new WireWriter().bytes(DOWN.data, body).finish();
  return new WireWriter().bytes(DOWN.data, [body, SEQUENCE_KEY, varint(sequenceId)]).finish();
}

const SEQUENCE_KEY = varintKey(SEQUENCE_ID);

const downstream = (field: number, message: WireWriter | Buffer) =>
  new WireWriter().bytes(field, Buffer.isBuffer(message) ? message : message.finish()).finish();
const errorMessage = (error: FrameError) => new WireWriter().string(1, error.name).string(2, error.message).finish();
const PONG = downstream(DOWN.pong, Buffer.alloc(0));

/** The non-message frames, as `DownstreamMessage` bytes (sent as binary frames). */
export const protobufFrames: ControlFrames = {
  connected(connectionId, userId, reconnectionToken) {
    const connected = new WireWriter().string(1, connectionId);
    if (userId !== null) connected.string(2, userId);
    if (reconnectionToken !== undefined) connected.string(3, reconnectionToken);
    return downstream(DOWN.system, new WireWriter().bytes(1, connected.finish()));
  },
  disconnected: (message) => downstream(DOWN.system, new WireWriter().bytes(2, new WireWriter().string(2, message).finish())),
  ack(ackId, error) {
    const ack = new WireWriter().varint(1, ackId).bool(2, !error);
    if (error) ack.bytes(3, errorMessage(error));
    return downstream(DOWN.ack, ack);
  },
  pong: () => PONG,
  streamClosed: (streamId, error) => downstream(DOWN.streamClosed, new WireWriter().string(1, streamId).bytes(2, errorMessage(error))),
};
