/**
 * What happens when a client sends something: group joins and leaves, group publishing, user events, acks,
 * sequence acks and pings on the JSON and protobuf subprotocols; events or group publishing for plain clients (NOTES §8).
 * Nothing a client sends can throw out of here: a bad frame closes that socket with a reason.
 *
 * User events go to the hub's upstream event handler and wait for its answer, which may carry a message for the
 * client (sent before the ack). A failed event is acked `InternalServerError` when it has an ackId (and may be sent
 * again with it), else only logged; a plain client's failed message closes it with 1011 (Microsoft's emulator
 * README, "User events" and "Raw WebSocket events"). In a hub without event handlers the emulator acks events
 * itself. Every user event is also emitted as the emulator's `event`.
 */
import type { RawData } from 'ws';
import type { ClientConnection } from './clientConnection.js';
import { MAX_MESSAGE_BYTES } from '../../shared/validate.js';
import { FrameRejection, parseClientFrame, type ClientFrame } from './clientFrames.js';
import { fanOut } from '../state/delivery.js';
import { ackErrors, closes } from '../common/errors.js';
import type { ClientEvent } from './clientEvent.js';
import { OutboundMessage, type MessageData } from '../state/outboundMessage.js';
import { parseProtobufFrame } from './protobufFrames.js';
import { serverFrames, type FrameError } from './serverFrames.js';
import { isReliable, type Store } from '../state/store.js';
import type { Upstream } from '../upstream/upstream.js';

/** What the client request handler works with. */
export interface ClientRequestContext {
  store: Store;
  /** Ignore unknown frame types instead of closing the socket. */
  loose: boolean;
  /** The hubs' event handlers. */
  upstream: Upstream;
  /** Receives user events. */
  onEvent(event: ClientEvent): void;
  /** A client joined or left a group (the state file keeps users' groups). */
  onGroupsChanged?(): void;
  /** Reports an unexpected failure (the socket is closed with 1011). */
  onError(error: unknown): void;
}

/** Builds the handler for every frame any client sends. */
export function createClientRequestHandler(context: ClientRequestContext) {
  return (connection: ClientConnection, data: RawData, isBinary: boolean): void | Promise<void> => {
    try {
      if (connection.protocol === 'plain') return handlePlain(context, connection, toBuffer(data), isBinary);
      if (connection.protocol === 'protobuf' || connection.protocol === 'protobufReliable') {
        if (!isBinary) return connection.refuse(closes.textFrame());
        return handleFrame(context, connection, parseProtobufFrame(toBuffer(data)));
      }
      if (isBinary) return connection.refuse(closes.binaryFrame());
      return handleFrame(context, connection, parseClientFrame(toBuffer(data).toString('utf8')));
    } catch (error) {
      if (error instanceof FrameRejection) {
        connection.refuse(error.close);
        return;
      }
      context.onError(error);
      connection.refuse(closes.internalError());
    }
  };
}

function handleFrame(context: ClientRequestContext, connection: ClientConnection, frame: ClientFrame): void | Promise<void> {
  const hub = context.store.hub(connection.hub);
  switch (frame.type) {
    case 'joinGroup':
    case 'leaveGroup':
      if (!firstTime(connection, frame.ackId)) return;
      if (!connection.permissions.has('joinLeaveGroup', frame.group)) return ack(connection, frame.ackId, ackErrors.forbiddenJoinLeave(frame.group));
      if (frame.type === 'joinGroup') hub.join(connection, frame.group);
      else hub.leave(connection, frame.group);
      context.onGroupsChanged?.();
      return ack(connection, frame.ackId);
    case 'sendToGroup': {
      if (!firstTime(connection, frame.ackId)) return;
      if (!connection.permissions.has('sendToGroup', frame.group)) return ack(connection, frame.ackId, ackErrors.forbiddenSend(frame.group));
      const message = new OutboundMessage({ from: 'group', group: frame.group, fromUserId: connection.userId }, frame.data);
      fanOut(hub.groupMembers(frame.group), message, frame.noEcho ? { excluded: new Set([connection.connectionId]) } : {});
      return ack(connection, frame.ackId);
    }
    case 'event':
      if (!firstTime(connection, frame.ackId)) return;
      return userEvent(context, connection, frame.event, frame.data, frame.ackId);
    case 'sequenceAck':
      if (isReliable(connection.protocol)) connection.acknowledge(frame.sequenceId);
      return;
    case 'ping':
      return connection.send(connection.frames.pong());
    case 'invoke':
      // JSON only: the protobuf subprotocols have no invocations.
      return connection.send(serverFrames.invokeResponse(frame.invocationId, ackErrors.notImplemented('invoke (upstream invocations)')));
    case 'streamStart':
      return connection.send(connection.frames.streamClosed(frame.streamId, ackErrors.notImplemented('Group streams')));
    case 'notImplemented':
      return ack(connection, frame.ackId, ackErrors.notImplemented(frame.feature));
    case 'ignored':
      return;
    case 'unknown':
      if (!context.loose) connection.refuse(closes.unknownFrameType(frame.name));
  }
}

/** Plain clients: each frame is a user event `message`, or in sendToGroup mode a message to their group. */
function handlePlain(context: ClientRequestContext, connection: ClientConnection, bytes: Buffer, isBinary: boolean): void | Promise<void> {
  if (bytes.byteLength > MAX_MESSAGE_BYTES) throw new FrameRejection(closes.messageTooLarge());
  const data: MessageData = isBinary ? { dataType: 'binary', bytes } : { dataType: 'text', text: bytes.toString('utf8') };
  const group = connection.publishGroup;
  if (group === undefined) {
    return userEvent(context, connection, 'message', data, undefined);
  } else if (connection.permissions.has('sendToGroup', group)) {
    const hub = context.store.hub(connection.hub);
    fanOut(hub.groupMembers(group), new OutboundMessage({ from: 'group', group, fromUserId: connection.userId }, data));
  }
}

/** A user event: emitted, then answered by the hub's event handler (or, in a hub without one, acked at once). */
function userEvent(
  context: ClientRequestContext,
  connection: ClientConnection,
  event: string,
  data: MessageData,
  ackId: number | undefined,
): void | Promise<void> {
  context.onEvent(toEvent(connection, event, data));
  const outcome = context.upstream.userEvent(connection, event, data);
  if (!outcome) return ack(connection, ackId);
  return outcome.then(
    (result) => {
      if (connection.state === 'closed') return;
      if (result.ok) {
        if (result.message) connection.deliver(new OutboundMessage({ from: 'server' }, result.message));
        return ack(connection, ackId);
      }
      if (connection.protocol === 'plain') return connection.refuse(closes.eventHandlerFailed());
      if (ackId === undefined) return;
      connection.forgetAckId(ackId);
      ack(connection, ackId, ackErrors.eventHandlerFailed(event));
    },
    (error: unknown) => {
      context.onError(error);
      connection.refuse(closes.internalError());
    },
  );
}

/** Records the ackId; a repeated one is answered `Duplicate` and not run again. */
function firstTime(connection: ClientConnection, ackId: number | undefined): boolean {
  if (ackId === undefined || !connection.isDuplicate(ackId)) return true;
  ack(connection, ackId, ackErrors.duplicate(ackId));
  return false;
}

/** Acks a request that carried an ackId; without one, the outcome (even Forbidden) is silent. */
function ack(connection: ClientConnection, ackId: number | undefined, error?: FrameError): void {
  if (ackId !== undefined) connection.send(connection.frames.ack(ackId, error));
}

function toEvent(connection: ClientConnection, event: string, data: MessageData): ClientEvent {
  const value = data.dataType === 'json' ? JSON.parse(data.json) : data.dataType === 'text' ? data.text : data.bytes;
  return { hub: connection.hub, connectionId: connection.connectionId, userId: connection.userId, event, dataType: data.dataType, data: value };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
