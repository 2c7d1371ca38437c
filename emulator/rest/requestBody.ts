/**
 * How a REST body is let in, as Microsoft's emulator lets it in: a send must say its length (`Content-Length`;
 * a chunked body of unknown length is refused), its `Content-Type` must be one of the three payload types with
 * parameters that parse (RFC 9110 media-type syntax) and a charset the emulator can decode, and a body typed
 * JSON must parse. Each refusal happens before the body is read, so nothing changes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { TextDecoder } from 'node:util';
import { CONTENT_TYPES } from '../../shared/payload.js';
import { errors } from '../common/errors.js';
import type { PayloadMediaType } from '../state/outboundMessage.js';

/** A `Content-Type` that passed: its media type, and the decoder of its charset (undefined: UTF-8 or bytes). */
export interface BodyType {
  mediaType: PayloadMediaType;
  decoder: TextDecoder | undefined;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED = '"(?:[^"\\\\\\r\\n]|\\\\.)*"';
const MEDIA_TYPE = new RegExp(`^[ \\t]*(${TOKEN}/${TOKEN})[ \\t]*((?:;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|${QUOTED}))?[ \\t]*)*)$`);
const PARAMETER = new RegExp(`(${TOKEN})=(${TOKEN}|${QUOTED})`, 'g');

/**
 * Checks the `Content-Type` of a body: one of application/json, text/plain, application/octet-stream, with
 * parameters that parse and, for text and JSON, a charset the emulator knows.
 * @throws ServiceError 415 otherwise
 */
export function checkBodyType(header: string | undefined): BodyType {
  const match = header === undefined ? null : MEDIA_TYPE.exec(header);
  const mediaType = match ? match[1]!.toLowerCase() : undefined;
  if (!match || !(CONTENT_TYPES as readonly string[]).includes(mediaType!)) throw errors.unsupportedMediaType(header, CONTENT_TYPES);
  if (mediaType === 'application/octet-stream') return { mediaType, decoder: undefined };
  let charset: string | undefined;
  for (const [, name, value] of match[2]!.matchAll(PARAMETER)) {
    if (name!.toLowerCase() === 'charset') charset = value!.startsWith('"') ? value!.slice(1, -1).replace(/\\(.)/g, '$1') : value;
  }
  if (charset === undefined) return { mediaType: mediaType as PayloadMediaType, decoder: undefined };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    throw errors.unsupportedMediaType(header, CONTENT_TYPES);
  }
  return { mediaType: mediaType as PayloadMediaType, decoder: decoder.encoding === 'utf-8' ? undefined : decoder };
}

/**
 * A send's body must have a `Content-Length`: Microsoft's emulator refuses a chunked one (unknown length) with
 * a 400 and reads none of it.
 * @throws ServiceError 400 target Content-Length
 */
export function requireContentLength(headers: IncomingHttpHeaders): void {
  if (headers['content-length'] === undefined) throw errors.invalidContentLength();
}

/** The body as UTF-8: text in another charset is converted, as Microsoft's emulator converts it. */
export function toUtf8(body: Buffer, type: BodyType): Buffer {
  return type.decoder ? Buffer.from(type.decoder.decode(body)) : body;
}

/** The prefix of request headers that carry a message's metadata (lower case, as Node gives header names). */
const METADATA_PREFIX = 'x-webpubsub-metadata-';
const METADATA_KEY = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i;
const MAX_KEY = 256;
const MAX_VALUE = 1024;
const MAX_TOTAL = 8 * 1024;

/**
 * The message metadata of a send: each `X-WebPubSub-Metadata-<key>` header, key lower-cased, the last
 * comma-separated part of its value trimmed (repeated headers arrive joined with commas). Undefined when there
 * is none. Limits as in Microsoft's emulator: key a token of at most 256 characters, value ASCII of at most
 * 1024, all of it at most 8 KiB.
 * @throws ServiceError 400 target X-WebPubSub-Metadata naming the key and the rule
 */
export function readMetadata(headers: IncomingHttpHeaders): Record<string, string> | undefined {
  let metadata: Record<string, string> | undefined;
  let total = 0;
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith(METADATA_PREFIX) || raw === undefined) continue;
    const key = name.slice(METADATA_PREFIX.length);
    const joined = Array.isArray(raw) ? raw.join(',') : raw;
    const value = joined.slice(joined.lastIndexOf(',') + 1).trim();
    if (!METADATA_KEY.test(key)) throw errors.invalidMetadata(`Metadata key '${key}' contains invalid characters.`);
    if (!/^\p{ASCII}*$/u.test(value)) throw errors.invalidMetadata(`Metadata value for key '${key}' must be ASCII.`);
    if (key.length > MAX_KEY) throw errors.invalidMetadata(`Metadata key '${key}' exceeds ${MAX_KEY} bytes.`);
    if (value.length > MAX_VALUE) throw errors.invalidMetadata(`Metadata value for key '${key}' exceeds ${MAX_VALUE} bytes.`);
    total += key.length + value.length;
    if (total > MAX_TOTAL) throw errors.invalidMetadata(`Metadata exceeds ${MAX_TOTAL} bytes.`);
    metadata ??= {};
    metadata[key] = value;
  }
  return metadata;
}
