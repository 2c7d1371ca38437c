/**
 * The protocol-buffers wire format, as much of it as the Web PubSub frames need (protobuf.dev, "Encoding"):
 * varints, length-delimited fields, and skipping the fixed-width fields a newer peer may add. Strict on input:
 * a truncated varint or field, a group wire type, a field number 0 or a varint past 2^53 is malformed, never
 * guessed at. Hand-written so that the emulator ships without a protobuf runtime.
 */

/** Input that is not a well-formed protobuf message; the detail says where it breaks. */
export class WireFormatError extends Error {}

/** One field as read: varints as numbers, length-delimited fields as views of the input. */
export type WireField = { field: number; wireType: 0; value: number } | { field: number; wireType: 2; value: Buffer };

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** The fields of one message in order, fixed-width ones skipped (no field of these frames has that type). */
export function* readFields(buffer: Buffer): Generator<WireField> {
  let offset = 0;
  while (offset < buffer.length) {
    const [key, afterKey] = readVarint(buffer, offset);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    if (field === 0) throw new WireFormatError('field number 0');
    switch (wireType) {
      case VARINT: {
        const [value, next] = readVarint(buffer, afterKey);
        offset = next;
        yield { field, wireType, value };
        break;
      }
      case LENGTH_DELIMITED: {
        const [length, start] = readVarint(buffer, afterKey);
        if (length > buffer.length - start) throw new WireFormatError(`field ${field} is cut short`);
        offset = start + length;
        yield { field, wireType, value: buffer.subarray(start, offset) };
        break;
      }
      case FIXED64:
      case FIXED32:
        offset = afterKey + (wireType === FIXED64 ? 8 : 4);
        if (offset > buffer.length) throw new WireFormatError(`field ${field} is cut short`);
        break;
      default:
        throw new WireFormatError(`field ${field} has wire type ${wireType}, which proto3 does not use`);
    }
  }
}

/** A varint at `offset`, and the offset after it. */
function readVarint(buffer: Buffer, offset: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buffer.length && i < offset + 10; i++) {
    const byte = buffer[i]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (!Number.isSafeInteger(value)) throw new WireFormatError('a varint exceeds 2^53');
      return [value, i + 1];
    }
    scale *= 128;
  }
  throw new WireFormatError('a varint is cut short');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A string field's text; proto3 requires UTF-8. */
export function readString(field: WireField): string {
  if (field.wireType !== LENGTH_DELIMITED) throw new WireFormatError(`field ${field.field} must be a string`);
  try {
    return utf8.decode(field.value);
  } catch {
    throw new WireFormatError(`field ${field.field} is not UTF-8`);
  }
}

/** A nested message or bytes field. */
export function readBytes(field: WireField): Buffer {
  if (field.wireType !== LENGTH_DELIMITED) throw new WireFormatError(`field ${field.field} must be length-delimited`);
  return field.value;
}

/** A uint64, bool or enum field. */
export function readVarintField(field: WireField): number {
  if (field.wireType !== VARINT) throw new WireFormatError(`field ${field.field} must be a varint`);
  return field.value;
}

/** Appends fields in order and returns the message's bytes. */
export class WireWriter {
  readonly #parts: Buffer[] = [];
  #length = 0;

  varint(field: number, value: number): this {
    return this.#push(Buffer.concat([varint(field * 8 + VARINT), varint(value)]));
  }

  bool(field: number, value: boolean): this {
    return value ? this.varint(field, 1) : this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value));
  }

  /** A bytes field, or a nested message's bytes: whole, or as parts written one after another (not joined first). */
  bytes(field: number, value: Buffer | readonly Buffer[]): this {
    const parts = Buffer.isBuffer(value) ? [value] : value;
    let length = 0;
    for (const part of parts) length += part.length;
    this.#push(Buffer.concat([varint(field * 8 + LENGTH_DELIMITED), varint(length)]));
    for (const part of parts) this.#push(part);
    return this;
  }

  finish(): Buffer {
    return Buffer.concat(this.#parts, this.#length);
  }

  #push(part: Buffer): this {
    this.#parts.push(part);
    this.#length += part.length;
    return this;
  }
}

/** The varint bytes of a non-negative safe integer. */
export function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

/** The key byte(s) of a varint field. */
export const varintKey = (field: number): Buffer => varint(field * 8 + VARINT);
