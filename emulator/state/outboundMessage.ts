/**
 * One message on its way to many connections. Each wire form is built at most once per message, on first use,
 * and shared by every socket of that kind: the raw payload for plain clients, the whole frame for
 * `json.webpubsub.azure.v1`, and for the reliable protocol everything but the per-connection `sequenceId`.
 * Fan-out therefore does no JSON work per socket.
 */

/** The `dataType` of a message frame; `protobuf` only from a protobuf client's `protobuf_data`. */
export type DataType = 'json' | 'text' | 'binary' | 'protobuf';

/** Who a message comes from, as its frame says. */
export type MessageSource = { from: 'server' } | { from: 'group'; group: string; fromUserId?: string | null };

/** A payload in its natural form: JSON text (already validated), a string, bytes, or a `google.protobuf.Any`'s bytes. */
export type MessageData =
  | { dataType: 'json'; json: string }
  | { dataType: 'text'; text: string }
  | { dataType: 'binary'; bytes: Buffer }
  | { dataType: 'protobuf'; bytes: Buffer };

/** The media types a message may have, and the data type each gives. */
export type PayloadMediaType = 'application/json' | 'text/plain' | 'application/octet-stream';

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType === undefined ? undefined : contentType.split(';', 1)[0]!.trim().toLowerCase();
}

/**
 * A payload as its media type reads it: JSON (checked), text, or bytes. Undefined when the body is not JSON though
 * its type says it is. Shared by REST sends and event handlers' answers.
 */
export function readPayload(mediaType: PayloadMediaType, body: Buffer): MessageData | undefined {
  switch (mediaType) {
    case 'application/json': {
      const json = body.toString('utf8');
      try {
        JSON.parse(json);
      } catch {
        return undefined;
      }
      return { dataType: 'json', json };
    }
    case 'text/plain':
      return { dataType: 'text', text: body.toString('utf8') };
    case 'application/octet-stream':
      return { dataType: 'binary', bytes: body };
  }
}

/** A message ready for fan-out. */
export class OutboundMessage {
  readonly source: MessageSource;
  readonly data: MessageData;
  /** Epoch ms after which an undelivered copy is dropped; 0 = never (`messageTtlSeconds` 0 or absent). */
  readonly expiresAt: number;
  /** The REST send's `X-WebPubSub-Metadata-<key>` headers: the frame's `metadata` (the official client passes it on). */
  readonly metadata: Readonly<Record<string, string>> | undefined;
  #plain: Buffer | undefined;
  #tail: string | undefined;
  #jsonFrame: Buffer | undefined;

  /**
   * @param ttlSeconds - the REST `messageTtlSeconds`; 0 or undefined means no expiry
   * @param metadata - the message's metadata, sent to JSON clients (plain clients get the payload only)
   */
  constructor(source: MessageSource, data: MessageData, ttlSeconds = 0, metadata?: Readonly<Record<string, string>>) {
    this.source = source;
    this.data = data;
    this.metadata = metadata;
    this.expiresAt = ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : 0;
  }

  /** What a plain (no subprotocol) client receives: the payload itself. */
  get plain(): Buffer {
    if (this.#plain === undefined) {
      const { data } = this;
      this.#plain = 'bytes' in data ? data.bytes : Buffer.from(data.dataType === 'json' ? data.json : data.text);
    }
    return this.#plain;
  }

  /** Plain clients get binary and protobuf payloads as binary frames and the rest as text frames. */
  get plainIsBinary(): boolean {
    return 'bytes' in this.data;
  }

  /** The whole `json.webpubsub.azure.v1` frame. */
  get jsonFrame(): Buffer {
    this.#jsonFrame ??= Buffer.from(`{${this.#frameTail()}`);
    return this.#jsonFrame;
  }

  /** The `json.reliable.webpubsub.azure.v1` frame for one connection's `sequenceId`. */
  reliableFrame(sequenceId: number): string {
    return `{"sequenceId":${sequenceId},${this.#frameTail()}`;
  }

  /** Everything after `{` of a message frame: `data` after `dataType`, then `metadata` when there is some. */
  #frameTail(): string {
    if (this.#tail === undefined) {
      const { source, data } = this;
      let header = `"type":"message","from":"${source.from}"`;
      if (source.from === 'group') {
        header += `,"group":${JSON.stringify(source.group)}`;
        if (source.fromUserId) header += `,"fromUserId":${JSON.stringify(source.fromUserId)}`;
      }
      // Binary and protobuf data travel as base64 (Learn, protobuf subprotocol, "Publish messages").
      const json = data.dataType === 'json' ? data.json : data.dataType === 'text' ? JSON.stringify(data.text) : `"${data.bytes.toString('base64')}"`;
      const metadata = this.metadata ? `,"metadata":${JSON.stringify(this.metadata)}` : '';
      this.#tail = `${header},"dataType":"${data.dataType}","data":${json}${metadata}}`;
    }
    return this.#tail;
  }
}
