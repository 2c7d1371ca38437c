/**
 * The emulator's end of a client WebSocket: `ws`'s WebSocket, except for how a frame over `maxPayload` ends.
 *
 * `ws` refuses such a frame from its header, before anyone sees it: its receiver fails and `ws` calls
 * `close(1009)` with no reason (`receiverOnError` in ws/lib/websocket.js). The emulator refuses frames between
 * 1 MiB of data and `maxPayload` itself, with the `disconnected` frame and a reason. So that a frame closes the same
 * way at any size, this class hands that reasonless 1009 to the connection's own refusal. `ws` lets a server make
 * its sockets with a subclass (the `WebSocket` option of `WebSocketServer`).
 */
import { WebSocket } from 'ws';
import { closes } from '../common/errors.js';

/** A client socket whose oversize frames are refused like the emulator's own refusals. */
export class ClientSocket extends WebSocket {
  #onMessageTooLarge: (() => void) | undefined;

  /**
   * Sets what happens when a frame exceeds `maxPayload`: the connection sends what it sends before it closes
   * (the `disconnected` frame) and closes with `closes.messageTooLarge()`. If it leaves the socket open, the
   * socket closes itself with that code and reason.
   */
  onMessageTooLarge(handler: (() => void) | undefined): void {
    this.#onMessageTooLarge = handler;
  }

  /** As `ws`'s `close`, except the reasonless 1009 `ws` sends for an oversize frame (see the module comment). */
  override close(code?: number, data?: string | Buffer): void {
    // Every close of the emulator gives a reason; a bare 1009 on an open socket is ws's receiver.
    if (code === 1009 && data === undefined && this.readyState === WebSocket.OPEN) {
      this.#onMessageTooLarge?.();
      if (this.readyState !== WebSocket.OPEN) return;
      const refusal = closes.messageTooLarge();
      [code, data] = [refusal.code, refusal.reason];
    }
    super.close(code, data);
  }
}
