/**
 * Reads what a client sends on the JSON subprotocols (NOTES §8.1) into typed requests. A frame that does not match
 * the format is refused with the close the service would send; nothing here touches a connection.
 */
import { InvalidArgumentError } from '../../shared/errors.js';
import { MAX_MESSAGE_BYTES, checkGroup, describe } from '../../shared/validate.js';
import { closes, type CloseFrame } from '../common/errors.js';
import type { MessageData } from '../state/outboundMessage.js';

/** A request from a client. */
export type ClientFrame =
  | { type: 'joinGroup' | 'leaveGroup'; group: string; ackId: number | undefined }
  | { type: 'sendToGroup'; group: string; ackId: number | undefined; noEcho: boolean; data: MessageData }
  | { type: 'event'; event: string; ackId: number | undefined; data: MessageData }
  | { type: 'sequenceAck'; sequenceId: number }
  | { type: 'ping' }
  /** Frames of newer client features the emulator answers with an explicit refusal. */
  | { type: 'invoke'; invocationId: string }
  | { type: 'streamStart'; streamId: string }
  | { type: 'notImplemented'; feature: string; ackId: number | undefined }
  /** Frames that need no answer when their feature is refused (stream data, cancellations). */
  | { type: 'ignored' }
  | { type: 'unknown'; name: string };

/** A frame the service would decline; carries the close to send. */
export class FrameRejection extends Error {
  readonly close: CloseFrame;

  constructor(close: CloseFrame) {
    super(close.reason);
    this.close = close;
  }
}

const NOT_IMPLEMENTED: ReadonlyMap<string, string> = new Map([
  ['setGroupState', 'Group state (setGroupState)'],
  ['subscribeGroupState', 'Group state (subscribeGroupState)'],
  ['unsubscribeGroupState', 'Group state (unsubscribeGroupState)'],
]);
const IGNORED: ReadonlySet<string> = new Set(['cancelInvocation', 'streamData', 'streamEnd', 'invokeResponse']);

/**
 * Parses one text frame of `json.webpubsub.azure.v1` or `json.reliable.webpubsub.azure.v1`.
 * @throws FrameRejection for anything that is not a well-formed frame.
 */
export function parseClientFrame(text: string): ClientFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw malformed('not a JSON object');
  const f = frame as Record<string, unknown>;
  switch (f.type) {
    case 'joinGroup':
    case 'leaveGroup':
      return { type: f.type, group: checkedGroup(f.group), ackId: ackId(f.ackId) };
    case 'sendToGroup': {
      if (f.stream !== undefined && f.stream !== null) {
        const streamId = (f.stream as { streamId?: unknown }).streamId;
        return { type: 'streamStart', streamId: typeof streamId === 'string' ? streamId : '' };
      }
      if (f.noEcho !== undefined && typeof f.noEcho !== 'boolean') throw malformed(`noEcho must be a boolean (got ${describe(f.noEcho)})`);
      return { type: 'sendToGroup', group: checkedGroup(f.group), ackId: ackId(f.ackId), noEcho: f.noEcho === true, data: payload(f) };
    }
    case 'event':
      if (typeof f.event !== 'string' || f.event === '') throw malformed(`event must be a non-empty string (got ${describe(f.event)})`);
      return { type: 'event', event: f.event, ackId: ackId(f.ackId), data: payload(f) };
    case 'sequenceAck':
      if (!isUint(f.sequenceId)) throw malformed(`sequenceId must be a non-negative integer (got ${describe(f.sequenceId)})`);
      return { type: 'sequenceAck', sequenceId: f.sequenceId };
    case 'ping':
      return { type: 'ping' };
    case 'invoke':
      return { type: 'invoke', invocationId: typeof f.invocationId === 'string' ? f.invocationId : String(f.invocationId) };
    default:
      if (typeof f.type !== 'string') throw malformed(`type must be a string (got ${describe(f.type)})`);
      if (NOT_IMPLEMENTED.has(f.type)) return { type: 'notImplemented', feature: NOT_IMPLEMENTED.get(f.type)!, ackId: ackId(f.ackId) };
      if (IGNORED.has(f.type)) return { type: 'ignored' };
      return { type: 'unknown', name: f.type };
  }
}

/**
 * Reads `dataType` (default `json`) and `data` of a sendToGroup or event frame, or of a plain client's frame.
 * @throws FrameRejection when the data does not match its type or exceeds 1 MiB.
 */
function payload(frame: { dataType?: unknown; data?: unknown }): MessageData {
  const { dataType = 'json', data } = frame;
  switch (dataType) {
    case 'json': {
      if (data === undefined) throw malformed('data is required');
      const json = JSON.stringify(data);
      checkSize(Buffer.byteLength(json));
      return { dataType, json };
    }
    case 'text':
      if (typeof data !== 'string') throw malformed(`data must be a string when dataType is text (got ${describe(data)})`);
      checkSize(Buffer.byteLength(data));
      return { dataType, text: data };
    case 'binary':
      if (typeof data !== 'string' || !BASE64.test(data)) throw malformed('data must be base64 when dataType is binary');
      checkSize(Math.floor((data.length * 3) / 4));
      return { dataType, bytes: Buffer.from(data, 'base64') };
    default:
      throw malformed(`dataType must be json, text or binary (got ${describe(dataType)})`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const isUint = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function ackId(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isUint(value)) throw malformed(`ackId must be a non-negative integer (got ${describe(value)})`);
  return value;
}

/** A group name as a frame gives it. @throws FrameRejection naming the rule it breaks */
export function checkedGroup(value: unknown): string {
  try {
    checkGroup('group', value);
  } catch (error) {
    throw malformed(error instanceof InvalidArgumentError ? error.message : 'group is invalid');
  }
  return value;
}

/** @throws FrameRejection when message data exceeds 1 MiB */
export function checkSize(bytes: number): void {
  if (bytes > MAX_MESSAGE_BYTES) throw new FrameRejection(closes.messageTooLarge());
}

const malformed = (detail: string) => new FrameRejection(closes.malformedFrame(detail));
