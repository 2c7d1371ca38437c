/**
 * The emulator's end of a client WebSocket: `ws`'s WebSocket, with a way to write a frame built once for many
 * sockets (`sendFrame`), and a different end for a frame over `maxPayload`.
 *
 * `ws` refuses such a frame from its header, before anyone sees it: its receiver fails and `ws` calls
 * `close(1009)` with no reason (`receiverOnError` in ws/lib/websocket.js). The emulator refuses frames between
 * 1 MiB of data and `maxPayload` itself, with the `disconnected` frame and a reason. So that a frame closes the same
 * way at any size, this class hands that reasonless 1009 to the connection's own refusal. `ws` lets a server make
 * its sockets with a subclass (the `WebSocket` option of `WebSocketServer`).
 */
import type { Writable } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import { closes } from '../common/errors.js';

/** The connection a socket serves, as the socket sees it. */
export interface SocketOwner {
  /** A frame arrived on `socket`. */
  received(socket: ClientSocket, data: RawData, isBinary: boolean): void;
  /** `socket` closed with `code`. */
  closed(socket: ClientSocket, code: number): void;
  /** A frame exceeded `maxPayload`; see `ClientSocket.close`. */
  messageTooLarge(): void;
}

/** A client socket whose oversize frames are refused like the emulator's own refusals. */
export class ClientSocket extends WebSocket {
  /** The connection this socket serves, which gets its frames and its close. */
  owner: SocketOwner | undefined;
  #tracker: Set<ClientSocket> | undefined;

  // One listener per event, shared by every socket (`this` is the socket): an idle connection costs no closures
  // or listener arrays of its own.
  static readonly #onMessage = function (this: WebSocket, data: RawData, isBinary: boolean): void {
    const socket = this as ClientSocket;
    socket.owner?.received(socket, data, isBinary);
  };
  static readonly #onClose = function (this: WebSocket, code: number): void {
    const socket = this as ClientSocket;
    socket.#tracker?.delete(socket);
    socket.owner?.closed(socket, code);
  };
  /**
   * Takes the socket into service: its frames and close go to its owner from now on, and it stays in `tracker`
   * until it closes. (Its errors are handled from the upgrade on, in upgrade.ts.)
   */
  trackIn(tracker: Set<ClientSocket>): void {
    this.#tracker = tracker;
    tracker.add(this);
    this.on('message', ClientSocket.#onMessage);
    this.on('close', ClientSocket.#onClose);
  }

  /**
   * Writes a whole frame from messageFrames.ts, the same bytes that go to other sockets, straight to the TCP
   * socket, unless more than `limit` bytes already wait there: then it writes nothing and answers false. In order
   * with `send`: without permessage-deflate (never negotiated here) and without Blob data (never sent here), `ws`'s
   * sender writes each frame to that socket at once, queueing nothing, so the TCP socket's buffer is all that waits.
   * Nothing is written once the socket is closing.
   */
  sendFrame(frame: Buffer, limit: number): boolean {
    if (this.readyState !== WebSocket.OPEN) return true;
    // `_socket` is ws's TCP socket (set once the upgrade is done; ws's own docs read it for the remote address).
    const tcp = (this as unknown as { _socket: Writable })._socket;
    if (tcp.writableLength > limit) return false;
    tcp.write(frame);
    return true;
  }

  /**
   * As `ws`'s `close`, except the reasonless 1009 `ws` sends for an oversize frame (see the module comment): the
   * owner sends what it sends before it closes (the `disconnected` frame) and closes with
   * `closes.messageTooLarge()`; if it leaves the socket open, the socket closes itself with that code and reason.
   */
  override close(code?: number, data?: string | Buffer): void {
    // Every close of the emulator gives a reason; a bare 1009 on an open socket is ws's receiver.
    if (code === 1009 && data === undefined && this.readyState === WebSocket.OPEN) {
      this.owner?.messageTooLarge();
      if (this.readyState !== WebSocket.OPEN) return;
      const refusal = closes.messageTooLarge();
      [code, data] = [refusal.code, refusal.reason];
    }
    super.close(code, data);
  }
}
