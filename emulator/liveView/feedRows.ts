/**
 * Activities as the rows the page lists: plain JSON, payloads cut at a size a page shows, every secret the shared
 * redaction knows removed, URLs without their query. Only built while a page watches.
 */
import { redact } from '../../shared/logger.js';
import { type Activity, withoutSecrets } from '../common/activity.js';
import type { DataType, MessageData, OutboundMessage } from '../state/outboundMessage.js';

/** The most of a payload a row carries. */
export const MAX_PAYLOAD_CHARS = 16 * 1024;

export interface Payload {
  dataType: DataType;
  /** JSON or text as sent; binary and protobuf as base64. */
  text: string;
  truncated: boolean;
}

/** One line of the feed. */
export interface FeedRow {
  id: number;
  at: string;
  kind: 'rest' | 'connected' | 'disconnected' | 'frame' | 'message' | 'upstream';
  hub?: string;
  [field: string]: unknown;
  payload?: Payload;
}

export function payloadOf(data: MessageData): Payload {
  const text = data.dataType === 'json' ? data.json : data.dataType === 'text' ? data.text : data.bytes.toString('base64');
  return { dataType: data.dataType, text: text.slice(0, MAX_PAYLOAD_CHARS), truncated: text.length > MAX_PAYLOAD_CHARS };
}

/** What a client frame is: its type and group or event, and its data as the payload. */
export function describeFrame(data: Buffer, isBinary: boolean, plain: boolean): { frameType: string; group?: string; event?: string; payload: Payload } {
  if (isBinary) return { frameType: 'binary', payload: payloadOf({ dataType: 'binary', bytes: data }) };
  const text = data.toString('utf8');
  if (plain) return { frameType: 'message', payload: payloadOf({ dataType: 'text', text }) };
  try {
    const frame = JSON.parse(text) as { type?: unknown; group?: unknown; event?: unknown; dataType?: unknown; data?: unknown };
    const dataType = frame.dataType === 'text' || frame.dataType === 'binary' || frame.dataType === 'json' ? frame.dataType : undefined;
    const payload =
      frame.data === undefined
        ? payloadOf({ dataType: 'json', json: text })
        : dataType === 'text' || dataType === 'binary'
          ? { ...payloadOf({ dataType: 'text', text: String(frame.data) }), dataType: dataType as Payload['dataType'] }
          : payloadOf({ dataType: 'json', json: JSON.stringify(frame.data) });
    return {
      frameType: typeof frame.type === 'string' ? frame.type : '?',
      ...(typeof frame.group === 'string' && { group: frame.group }),
      ...(typeof frame.event === 'string' && { event: frame.event }),
      payload,
    };
  } catch {
    return { frameType: 'not JSON', payload: payloadOf({ dataType: 'text', text }) };
  }
}

/** A fan-out's row: one for every recipient of the same message. */
export function messageRow(id: number, hub: string, message: OutboundMessage, connectionIds: readonly string[]): FeedRow {
  const { source } = message;
  return {
    id,
    at: new Date().toISOString(),
    kind: 'message',
    hub,
    from: source.from,
    ...(source.from === 'group' && { group: source.group, fromUserId: source.fromUserId ?? null }),
    recipients: connectionIds.length,
    connectionIds: connectionIds.slice(0, 20),
    payload: payloadOf(message.data),
  };
}

/** A row for every activity but deliveries (which are gathered into message rows). */
export function activityRow(id: number, activity: Exclude<Activity, { kind: 'delivered' }>, plain: (connectionId: string) => boolean): FeedRow {
  const at = new Date().toISOString();
  switch (activity.kind) {
    case 'rest': {
      const { method, path, operation, hub, status, ms, message } = activity;
      return {
        id,
        at,
        kind: 'rest',
        hub,
        method,
        path,
        operation: operation ?? null,
        status: status ?? null,
        ms: round(ms),
        ...(message && { payload: payloadOf(message) }),
      };
    }
    case 'connected':
    case 'disconnected': {
      const { kind, hub, connectionId, userId, protocol, subprotocol, reason } = activity;
      return { id, at, kind, hub, connectionId, userId, protocol, subprotocol: subprotocol ?? null, ...(reason !== undefined && { reason }) };
    }
    case 'frame': {
      const { hub, connectionId, userId, data, isBinary } = activity;
      return { id, at, kind: 'frame', hub, connectionId, userId, ...describeFrame(data, isBinary, plain(connectionId)) };
    }
    case 'upstream': {
      const { hub, event, url, status, ms, error } = activity;
      return {
        id,
        at,
        kind: 'upstream',
        hub,
        event,
        url,
        status: status ?? null,
        ms: round(ms),
        ...(error !== undefined && { error: urlsWithoutSecrets(error) }),
      };
    }
  }
}

/** A row as the wire carries it: JSON with every secret removed. */
export function serializeRow(row: FeedRow): string {
  return redact(JSON.stringify(row));
}

const round = (ms: number) => Math.round(ms * 10) / 10;

const urlsWithoutSecrets = (text: string) => text.replace(/https?:\/\/[^\s'"]+/g, (url) => withoutSecrets(url));
