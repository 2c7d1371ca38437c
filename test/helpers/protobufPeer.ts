/**
 * The protobuf subprotocols from the client's side, through protobufjs and the service's .proto definitions
 * (test/emulator/fixtures/webpubsub.proto): an independent peer for the emulator's hand-written codec.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { TestSocket } from './sockets.js';

export const PROTOBUF_PROTOCOL = 'protobuf.webpubsub.azure.v1';
export const PROTOBUF_RELIABLE_PROTOCOL = 'protobuf.reliable.webpubsub.azure.v1';

// Tests run from build/test/helpers; the fixture stays in the source tree.
const root = protobuf.loadSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../test/emulator/fixtures/webpubsub.proto'));
const Upstream = root.lookupType('UpstreamMessage');
const Downstream = root.lookupType('DownstreamMessage');
const Any = root.lookupType('google.protobuf.Any');

/** A `MessageData` as protobufjs reads it. */
export interface ProtoData {
  textData?: string;
  binaryData?: Buffer;
  /** protobufjs's built-in Any keeps its snake_case field names. */
  protobufData?: { type_url: string; value: Buffer };
}

/** A `DownstreamMessage` as protobufjs reads it (camelCase fields, uint64 as numbers). */
export interface Downstream {
  ackMessage?: { ackId: number; success?: boolean; error?: { name: string; message: string } };
  dataMessage?: { from: string; group?: string; data: ProtoData; sequenceId?: number };
  systemMessage?: {
    connectedMessage?: { connectionId: string; userId?: string; reconnectionToken?: string };
    disconnectedMessage?: { reason: string };
  };
  pongMessage?: Record<string, never>;
  streamClosedMessage?: { streamId: string; error?: { name: string; message: string } };
}

/** Encodes an `UpstreamMessage` from its plain-object form, checked against the .proto first. */
export function upstream(message: Record<string, unknown>): Buffer {
  const problem = Upstream.verify(message);
  if (problem) throw new Error(`not an UpstreamMessage: ${problem}`);
  return Buffer.from(Upstream.encode(Upstream.fromObject(message)).finish());
}

/** Decodes a `DownstreamMessage`. */
export function downstream(bytes: Buffer): Downstream {
  return Downstream.toObject(Downstream.decode(bytes), { longs: Number }) as Downstream;
}

/** The bytes of a `google.protobuf.Any`. */
export function anyBytes(typeUrl: string, value: Buffer): Buffer {
  return Buffer.from(Any.encode(Any.fromObject({ type_url: typeUrl, value })).finish());
}

/** The next frame of a protobuf socket, decoded; a text frame is a failure. */
export async function nextDownstream(socket: TestSocket): Promise<Downstream> {
  const frame = await socket.frames.next();
  if (!frame.isBinary) throw new Error(`expected a binary frame, got text: ${frame.data.toString()}`);
  return downstream(frame.data);
}
