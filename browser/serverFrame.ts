/**
 * The frames Web PubSub sends a `json.reliable.webpubsub.azure.v1` client (spec NOTES §8.2), read into the few
 * cases the listener acts on, and the two frames it sends back. Frames it has no use for (acks, kinds the service
 * adds later) are `other`, not errors. The official `@azure/web-pubsub-client` is the reference for the shapes.
 */

/**
 * The subprotocol the listener speaks: JSON frames, each message numbered (`sequenceId`), so that the listener can
 * acknowledge what arrived and, after a drop, recover the same connection and get what it missed replayed.
 */
export const SUBPROTOCOL = 'json.reliable.webpubsub.azure.v1';

/** One frame from the service, as the listener sees it. */
export type ServerFrame =
  /** `reconnectionToken` is the secret that recovers this connection after a drop. */
  | { type: 'connected'; connectionId: string; userId: string | null; reconnectionToken: string | undefined }
  /** The service is about to close the connection, and says why. */
  | { type: 'disconnected'; message: string }
  /** A message sent to the hub, a group, a user or the connection; `sequenceId` on the reliable subprotocol. */
  | { type: 'message'; dataType: 'json' | 'text' | 'binary'; data: unknown; sequenceId: number | undefined }
  | { type: 'other' }
  /** Not a frame of the subprotocol at all: `data` is what arrived. */
  | { type: 'malformed'; data: unknown; reason: string };

const DATA_TYPES: readonly string[] = ['json', 'text', 'binary'];

/** Reads one WebSocket frame's data (a string for text frames). */
export function readFrame(data: unknown): ServerFrame {
  if (typeof data !== 'string') return { type: 'malformed', data, reason: `a binary frame, where ${SUBPROTOCOL} sends only text frames` };
  let frame: Record<string, unknown>;
  try {
    frame = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return { type: 'malformed', data, reason: 'a frame that is not JSON' };
  }
  if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') {
    return { type: 'malformed', data: frame, reason: `not a ${SUBPROTOCOL} frame (it has no type)` };
  }
  if (frame.type === 'system' && frame.event === 'connected' && typeof frame.connectionId === 'string') {
    return {
      type: 'connected',
      connectionId: frame.connectionId,
      userId: typeof frame.userId === 'string' ? frame.userId : null,
      reconnectionToken: typeof frame.reconnectionToken === 'string' && frame.reconnectionToken !== '' ? frame.reconnectionToken : undefined,
    };
  }
  if (frame.type === 'system' && frame.event === 'disconnected') {
    return { type: 'disconnected', message: typeof frame.message === 'string' ? frame.message : '' };
  }
  if (frame.type !== 'message') return { type: 'other' };
  // The service always names the data type; a missing one means json, as it does for what clients send (§8.1).
  const dataType = frame.dataType ?? 'json';
  if (typeof dataType !== 'string' || !DATA_TYPES.includes(dataType)) {
    return { type: 'malformed', data: frame.data, reason: `a message of unknown dataType ${JSON.stringify(dataType)}` };
  }
  const { sequenceId } = frame;
  return {
    type: 'message',
    dataType: dataType as 'json' | 'text' | 'binary',
    data: frame.data,
    sequenceId: typeof sequenceId === 'number' && Number.isSafeInteger(sequenceId) && sequenceId > 0 ? sequenceId : undefined,
  };
}

/** The frames the listener sends: it only acknowledges and pings, never publishes. */
export const clientFrames = {
  /** Everything up to and including `sequenceId` arrived: the service may forget it. */
  sequenceAck: (sequenceId: number): string => `{"type":"sequenceAck","sequenceId":${sequenceId}}`,
  /** Asks for a `pong`: any frame back proves the socket is alive. */
  ping: (): string => '{"type":"ping"}',
};
