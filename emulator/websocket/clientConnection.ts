/**
 * One client connection: its socket (replaced when a reliable client recovers), what it is sent, and how it ends.
 *
 * Reliable connections (JSON or protobuf) number every message frame (`sequenceId` from 1) and keep it until the
 * client's `sequenceAck` covers it. When the socket drops, the connection waits `recoveryWindowMs` for the client
 * to come back with `awps_connection_id` and `awps_reconnection_token`, then replays what was not acknowledged. As
 * in the service, more than 1,000 messages or 16 MB unacknowledged closes the connection for good.
 *
 * Back-pressure: messages are written as shared frames (messageFrames.ts) without waiting for any socket, so a slow
 * client never holds up the others. A socket with more than 16 MiB waiting to be written (`MAX_BUFFERED_BYTES`) is
 * closed with 1008 instead of being written to, so one client that stops reading holds at most that much (and,
 * for a broadcast, those bytes are shared with every other socket's).
 */
import type { RawData } from 'ws';
import type { ClientSocket, SocketOwner } from './clientSocket.js';
import { applicationServerClosed, closes, type CloseFrame } from '../common/errors.js';
import type { OutboundMessage } from '../state/outboundMessage.js';
import type { PermissionSet } from '../state/permissions.js';
import { framesOf } from './messageFrames.js';
import { protobufFrames } from './protobufFrames.js';
import { serverFrames, type ControlFrames } from './serverFrames.js';
import { isReliable, type ConnectionRecord, type ConnectionState, type WireProtocol } from '../state/store.js';
import type { UpstreamConnection } from '../upstream/upstream.js';

/** The service's bound on a reliable connection's unacknowledged messages. */
export const MAX_UNACKED_MESSAGES = 1000;
/** The service's bound on a reliable connection's unacknowledged bytes. */
export const MAX_UNACKED_BYTES = 16 * 1024 * 1024;
/** Bytes that may wait to be written to one socket before it is closed as a slow consumer (`closes.slowConsumer`). */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** ackIds remembered for `Duplicate` answers; the oldest are forgotten beyond this. */
const MAX_REMEMBERED_ACK_IDS = 10_000;

/** What a connection reports to the emulator. */
export interface ConnectionHooks {
  /**
   * A frame arrived. A promise means the frame waits for an answer from upstream (a user event): the frames after
   * it wait too, so that a client's requests run in order, as the service runs a blocking event's before the next.
   */
  received(connection: ClientConnection, data: RawData, isBinary: boolean): void | Promise<void>;
  /** The connection ended for good: closed, refused, or its recovery window passed. */
  ended(connection: ClientConnection, reason: string): void;
  /** A message is delivered (set only when someone watches the activity feed). */
  delivered?(connection: ClientConnection, message: OutboundMessage): void;
}

/** What a new connection is made of. */
export interface ClientConnectionInit {
  connectionId: string;
  hub: string;
  userId: string | null;
  permissions: PermissionSet;
  protocol: WireProtocol;
  /** Set for reliable connections: the secret a recovering client presents. */
  reconnectionToken?: string;
  /** A plain client in `webpubsub_mode=sendToGroup` publishes every frame to this group. */
  publishGroup?: string;
  /** The subprotocol negotiated at the handshake, if any (events name it in `ce-subprotocol`). */
  subprotocol?: string;
  /** The state the `connect` event handler set. */
  connectionState?: string;
  recoveryWindowMs: number;
  hooks: ConnectionHooks;
}

interface Unacked {
  sequenceId: number;
  /** The whole WebSocket frame, shared with connections at the same sequence id. */
  frame: Buffer;
  expiresAt: number;
}

/** A client connection of one hub. */
export class ClientConnection implements ConnectionRecord, UpstreamConnection, SocketOwner {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId: string | null;
  readonly groups = new Set<string>();
  readonly permissions: PermissionSet;
  readonly protocol: WireProtocol;
  readonly reconnectionToken: string | undefined;
  readonly publishGroup: string | undefined;
  readonly subprotocol: string | undefined;
  /** The non-message frames of this connection's protocol family. */
  readonly frames: ControlFrames;
  /** Set by event handlers (`ce-connectionState`), sent back with this connection's later events. */
  connectionState: string | undefined;
  /** `connect` was event 0. */
  #eventId = 0;
  /** The frames waiting for a user event before them to be answered upstream. */
  #inbox: Promise<void> | undefined;
  #socket: ClientSocket | undefined;
  /** A fault made the socket silent: nothing is read from or written to it until the client replaces it. */
  #silent = false;
  #state: ConnectionState = 'open';
  #recoveryTimer: NodeJS.Timeout | undefined;
  readonly #recoveryWindowMs: number;
  readonly #hooks: ConnectionHooks;
  #sequenceId = 0;
  /** Unacknowledged frames, oldest first, from `#unackedHead` on. */
  #unacked: Unacked[] = [];
  #unackedHead = 0;
  #unackedBytes = 0;
  /** Made on the first ackId: most connections never send one. */
  #ackIds: Set<number> | undefined;

  constructor(init: ClientConnectionInit) {
    this.connectionId = init.connectionId;
    this.hub = init.hub;
    this.userId = init.userId;
    this.permissions = init.permissions;
    this.protocol = init.protocol;
    this.reconnectionToken = init.reconnectionToken;
    this.publishGroup = init.publishGroup;
    this.subprotocol = init.subprotocol;
    this.frames = init.protocol === 'protobuf' || init.protocol === 'protobufReliable' ? protobufFrames : serverFrames;
    this.connectionState = init.connectionState;
    this.#recoveryWindowMs = init.recoveryWindowMs;
    this.#hooks = init.hooks;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Binds a socket: the first one, or a recovering client's new one. Subprotocol clients get the `connected` frame, and
   * a recovered reliable client every unacknowledged message that has not expired, in order.
   */
  attach(socket: ClientSocket): void {
    const previous = this.#socket;
    this.#socket = socket;
    // The old socket's close event is ignored from here on (it is no longer #socket).
    previous?.terminate();
    this.#silent = false;
    clearTimeout(this.#recoveryTimer);
    this.#state = 'open';
    // The socket passes its frames and its close to `received` and `closed`.
    socket.owner = this;
    if (this.protocol === 'plain') return;
    socket.send(this.frames.connected(this.connectionId, this.userId, this.reconnectionToken));
    const now = Date.now();
    for (let i = this.#unackedHead; i < this.#unacked.length; i++) {
      const entry = this.#unacked[i]!;
      if (entry.expiresAt === 0 || entry.expiresAt > now) this.#write(entry.frame);
    }
  }

  /** A frame over `maxPayload` arrived (ClientSocket's refusal). */
  messageTooLarge(): void {
    this.refuse(closes.messageTooLarge());
  }

  /** Sends a message frame; a recovering reliable connection queues it for replay. */
  deliver(message: OutboundMessage): void {
    this.#hooks.delivered?.(this, message);
    const frames = framesOf(message);
    switch (this.protocol) {
      case 'plain':
        this.#write(frames.plain);
        return;
      case 'json':
        this.#write(frames.json);
        return;
      case 'protobuf':
        this.#write(frames.protobuf);
        return;
      case 'reliable':
      case 'protobufReliable': {
        if (this.#state === 'closed') return;
        const sequenceId = ++this.#sequenceId;
        const frame = this.protocol === 'reliable' ? frames.reliable(sequenceId) : frames.protobufReliable(sequenceId);
        this.#unacked.push({ sequenceId, frame, expiresAt: message.expiresAt });
        this.#unackedBytes += frame.length;
        if (this.#unacked.length - this.#unackedHead > MAX_UNACKED_MESSAGES || this.#unackedBytes > MAX_UNACKED_BYTES) {
          this.refuse(closes.queueFull());
          return;
        }
        this.#write(frame);
      }
    }
  }

  /** Sends a control frame (ack, pong, ...): not numbered, not kept for replay. Text for JSON, binary for protobuf. */
  send(frame: string | Buffer): void {
    if (!this.#silent) this.#socket?.send(frame);
  }

  /** A reliable client's `sequenceAck`: forgets every frame up to `sequenceId`. */
  acknowledge(sequenceId: number): void {
    while (this.#unackedHead < this.#unacked.length && this.#unacked[this.#unackedHead]!.sequenceId <= sequenceId) {
      this.#unackedBytes -= this.#unacked[this.#unackedHead]!.frame.length;
      this.#unackedHead++;
    }
    if (this.#unackedHead > 1024 && this.#unackedHead * 2 > this.#unacked.length) {
      this.#unacked = this.#unacked.slice(this.#unackedHead);
      this.#unackedHead = 0;
    }
  }

  /** The `ce-id` of this connection's next upstream event. */
  nextEventId(): number {
    return ++this.#eventId;
  }

  /** Records `ackId`; true when it was seen before (the request must not run again). */
  isDuplicate(ackId: number): boolean {
    this.#ackIds ??= new Set();
    if (this.#ackIds.has(ackId)) return true;
    this.#ackIds.add(ackId);
    if (this.#ackIds.size > MAX_REMEMBERED_ACK_IDS) this.#ackIds.delete(this.#ackIds.values().next().value as number);
    return false;
  }

  /** Forgets `ackId`, so that a request that failed upstream may be sent again with it. */
  forgetAckId(ackId: number): void {
    this.#ackIds?.delete(ackId);
  }

  /** Closes from the server side (a REST close): `disconnected` with the service's message, then close 1000. */
  close(reason?: string): void {
    this.#finish(closes.closedByServer(), applicationServerClosed(reason));
  }

  /** Closes because of the client (a bad frame, a full queue): `disconnected`, then the given close. */
  refuse(close: CloseFrame): void {
    this.#finish(close, close.reason);
  }

  /**
   * Drops the socket without a close frame, as a network failure would. A reliable connection then waits for its
   * client to recover. False when there is no socket to drop.
   */
  drop(): boolean {
    if (!this.#socket) return false;
    this.#socket.terminate();
    return true;
  }

  /**
   * A fault: the socket goes half-open, as behind a dead NAT entry. The emulator stops reading from it and writing
   * to it but keeps it open, so neither end hears of a close; a reliable connection keeps numbering what it is sent,
   * for the client to recover once it notices. False when there is no socket.
   */
  halfOpen(): boolean {
    if (!this.#socket) return false;
    this.#silent = true;
    this.#socket.pause();
    return true;
  }

  /** Ends the connection because the emulator stops or resets; reports nothing. */
  shutdown(close: CloseFrame): void {
    this.#state = 'closed';
    clearTimeout(this.#recoveryTimer);
    this.#socket?.close(close.code, close.reason);
    this.#socket = undefined;
  }

  /**
   * Hands a frame to the emulator in order: while one waits for upstream, the next ones queue behind it and the
   * socket stops reading, so a client that sends faster than its handler answers is held back, not buffered.
   */
  received(socket: ClientSocket, data: RawData, isBinary: boolean): void {
    const handle = () => this.#hooks.received(this, data, isBinary);
    const pending = this.#inbox ? this.#inbox.then(handle) : handle();
    if (!pending) return;
    socket.pause();
    const settled = () => {
      if (this.#inbox !== inbox) return;
      this.#inbox = undefined;
      // Also when the frame's outcome closed the socket: it must read the client's close frame to finish.
      socket.resume();
    };
    // The hook reports its own failures; its promise never rejects, and a rejection must not stop the queue.
    const inbox: Promise<void> = pending.then(settled, settled);
    this.#inbox = inbox;
  }

  /** Writes a whole frame, unless the socket is too far behind: then the connection is closed as a slow consumer. */
  #write(frame: Buffer): void {
    const socket = this.#socket;
    if (!socket || this.#silent) return;
    if (!socket.sendFrame(frame, MAX_BUFFERED_BYTES)) this.refuse(closes.slowConsumer());
  }

  #finish(close: CloseFrame, message: string): void {
    if (this.#state === 'closed') return;
    const socket = this.#socket;
    this.#end(message);
    // A half-open socket hears nothing of the close either: its client finds out by its keep-alive.
    if (!socket || this.#silent) return;
    if (this.protocol !== 'plain') socket.send(this.frames.disconnected(message));
    socket.close(close.code, close.reason);
  }

  /**
   * A socket closed without the emulator closing it. A reliable connection waits for its client to recover only
   * when the socket dropped without a close frame (ws reports 1006): a client that sends one is done with the
   * connection, as the official client's `stop()` is (it closes without a status code, 1005), and will not
   * come back; its `disconnected` must not wait for the recovery window.
   */
  closed(socket: ClientSocket, code: number): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    if (this.#state !== 'open') return;
    if (isReliable(this.protocol) && this.#recoveryWindowMs > 0 && code === 1006) {
      this.#state = 'recovering';
      this.#recoveryTimer = setTimeout(() => this.#end('The client did not recover the connection in time'), this.#recoveryWindowMs);
      // A connection waiting for its client must not keep the process alive.
      this.#recoveryTimer.unref();
    } else {
      this.#end('The client closed the connection');
    }
  }

  #end(reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#socket = undefined;
    clearTimeout(this.#recoveryTimer);
    this.#unacked = [];
    this.#unackedHead = 0;
    this.#unackedBytes = 0;
    this.#hooks.ended(this, reason);
  }
}
