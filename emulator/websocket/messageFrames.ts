/**
 * The WebSocket frames of one message, built once and written as the same bytes to every socket of a kind: the
 * whole frame (header and payload) for plain, `json.webpubsub.azure.v1` and `protobuf.webpubsub.azure.v1` clients,
 * and for the reliable subprotocols one frame per `sequenceId`, shared by every connection at that number (clients
 * that joined together count alike). A broadcast thus does no encoding or frame building per socket.
 *
 * Frames are built with `ws`'s own `Sender.frame` (unmasked, as a server sends; the emulator's sockets never
 * negotiate permessage-deflate, so no frame is compressed) and written by `ClientSocket.sendFrame`.
 */
import * as ws from 'ws';
import type { OutboundMessage } from '../state/outboundMessage.js';
import { dataMessageBody, dataMessageFrame } from './protobufFrames.js';

/** `ws`'s framing (`Sender.frame`, exported by ws's ESM and CommonJS entries alike), which @types/ws does not declare. */
const { frame } = (ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;

/** A whole unmasked, uncompressed, final WebSocket frame around `payload`. */
export function wsFrame(payload: Buffer, binary: boolean): Buffer {
  const parts = frame(payload, { fin: true, opcode: binary ? 2 : 1, mask: false, readOnly: false, rsv1: false });
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** A message's frames, each built on first use. */
export class MessageFrames {
  readonly #message: OutboundMessage;
  #plain: Buffer | undefined;
  #json: Buffer | undefined;
  #protobufBody: Buffer | undefined;
  #protobuf: Buffer | undefined;
  readonly #reliable = new Map<number, Buffer>();
  readonly #protobufReliable = new Map<number, Buffer>();

  constructor(message: OutboundMessage) {
    this.#message = message;
  }

  get plain(): Buffer {
    this.#plain ??= wsFrame(this.#message.plain, this.#message.plainIsBinary);
    return this.#plain;
  }

  get json(): Buffer {
    this.#json ??= wsFrame(this.#message.jsonFrame, false);
    return this.#json;
  }

  get protobuf(): Buffer {
    this.#protobuf ??= wsFrame(dataMessageFrame(this.#protobufData()), true);
    return this.#protobuf;
  }

  /** The `json.reliable.webpubsub.azure.v1` frame numbered `sequenceId`. */
  reliable(sequenceId: number): Buffer {
    let built = this.#reliable.get(sequenceId);
    if (!built) this.#reliable.set(sequenceId, (built = wsFrame(Buffer.from(this.#message.reliableFrame(sequenceId)), false)));
    return built;
  }

  /** The `protobuf.reliable.webpubsub.azure.v1` frame numbered `sequenceId`. */
  protobufReliable(sequenceId: number): Buffer {
    let built = this.#protobufReliable.get(sequenceId);
    if (!built) this.#protobufReliable.set(sequenceId, (built = wsFrame(dataMessageFrame(this.#protobufData(), sequenceId), true)));
    return built;
  }

  #protobufData(): Buffer {
    this.#protobufBody ??= dataMessageBody(this.#message.source, this.#message.data);
    return this.#protobufBody;
  }
}

const frames = new WeakMap<OutboundMessage, MessageFrames>();
/** The message of the fan-out under way, checked before the map: one comparison per socket. */
let last: { message: OutboundMessage; frames: MessageFrames } | undefined;

/** The frames of `message`, shared by every connection it is delivered to. */
export function framesOf(message: OutboundMessage): MessageFrames {
  if (last?.message === message) return last.frames;
  let found = frames.get(message);
  if (!found) frames.set(message, (found = new MessageFrames(message)));
  last = { message, frames: found };
  return found;
}
