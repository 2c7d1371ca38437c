/**
 * Turns a message into a request body the way the official SDK does, so a message means the same to both:
 * `contentType: 'text/plain'` sends a string as is; bytes go as `application/octet-stream`; anything else,
 * bare strings included, is JSON.
 */
import { Readable } from 'node:stream';
import { InvalidArgumentError } from './errors.js';
import { MAX_MESSAGE_BYTES, describe } from './validate.js';

export type ContentType = 'application/json' | 'text/plain' | 'application/octet-stream';
export const CONTENT_TYPES: readonly ContentType[] = ['application/json', 'text/plain', 'application/octet-stream'];

/** Anything JSON can carry. */
export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };
/** Bytes in any of the forms Node hands around. A Readable is read to its end first (at most 1 MiB). */
export type BinaryMessage = Uint8Array | ArrayBuffer | Readable;
/** A message for the send operations. */
export type Message = JSONValue | BinaryMessage | object;

/** A body ready for the wire. */
export interface Payload {
  contentType: ContentType;
  body: string | Uint8Array;
}

/**
 * Picks the content type and serialises the message.
 * @throws InvalidArgumentError when the message cannot be sent as asked, or is larger than 1 MiB.
 */
export function toPayload(message: unknown, contentType?: ContentType): Payload {
  if (contentType !== undefined && !CONTENT_TYPES.includes(contentType)) {
    throw new InvalidArgumentError('contentType', `must be one of ${CONTENT_TYPES.join(', ')} (got ${describe(contentType)})`);
  }
  let payload: Payload;
  if (contentType === 'text/plain') {
    if (typeof message !== 'string') {
      throw new InvalidArgumentError('message', `must be a string when contentType is text/plain (got ${describe(message)})`);
    }
    payload = { contentType, body: message };
  } else if (message instanceof Uint8Array) {
    payload = { contentType: 'application/octet-stream', body: message };
  } else if (message instanceof ArrayBuffer) {
    payload = { contentType: 'application/octet-stream', body: new Uint8Array(message) };
  } else if (ArrayBuffer.isView(message)) {
    payload = { contentType: 'application/octet-stream', body: new Uint8Array(message.buffer, message.byteOffset, message.byteLength) };
  } else {
    if (contentType === 'application/octet-stream') {
      throw new InvalidArgumentError('message', 'must be bytes (Uint8Array, ArrayBuffer, Buffer or Readable) when contentType is application/octet-stream');
    }
    payload = { contentType: 'application/json', body: toJson('message', message) };
  }
  checkSize(payload.body);
  return payload;
}

/**
 * The JSON text of a message, refusing what JSON cannot carry (a BigInt, a cycle) or would silently lose: a Map or
 * a Set becomes `{}`, its entries gone.
 * @throws InvalidArgumentError naming `argument`.
 */
export function toJson(argument: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = value === undefined || typeof value === 'function' ? undefined : JSON.stringify(value);
  } catch (error) {
    throw new InvalidArgumentError(argument, `must be JSON-serialisable: ${String((error as Error).message).split('\n')[0]}`);
  }
  if (json === undefined) throw new InvalidArgumentError(argument, `must be JSON-serialisable (got ${describe(value)})`);
  // Only a body that holds `{}` can hide a Map or Set, so the usual message pays for one substring search.
  if (json.includes('{}')) refuseCollections(argument, value);
  return json;
}

function refuseCollections(argument: string, value: unknown): void {
  JSON.stringify(value, (key, item: unknown) => {
    const kind = Object.prototype.toString.call(item);
    if (kind === '[object Map]' || kind === '[object Set]') {
      const where = key === '' ? '' : ` (at key ${JSON.stringify(key)})`;
      const fix = kind === '[object Map]' ? 'Object.fromEntries(map)' : '[...set]';
      throw new InvalidArgumentError(
        argument,
        `must not hold a ${kind.slice(8, -1)}${where}: JSON would send it as {} and drop its entries; send ${fix} instead`,
      );
    }
    return item;
  });
}

/** Throws when a body exceeds the service's 1 MiB message limit. */
export function checkSize(body: string | Uint8Array): void {
  // A UTF-16 string of n units encodes to at most 3n bytes, so short strings skip the byte count.
  const bytes = typeof body === 'string' ? (body.length * 3 <= MAX_MESSAGE_BYTES ? 0 : Buffer.byteLength(body)) : body.byteLength;
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InvalidArgumentError('message', `must be at most ${MAX_MESSAGE_BYTES} bytes (1 MiB); it is ${bytes} bytes`);
  }
}

/** Reads a Readable to its end, refusing to hold more than 1 MiB; other messages pass through untouched. */
export async function readMessage(message: unknown): Promise<unknown> {
  if (!(message instanceof Readable)) return message;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of message) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += buffer.byteLength;
    if (size > MAX_MESSAGE_BYTES) {
      message.destroy();
      throw new InvalidArgumentError('message', `must be at most ${MAX_MESSAGE_BYTES} bytes (1 MiB); the stream is longer`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
