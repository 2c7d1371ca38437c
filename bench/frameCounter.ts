/**
 * Receivers for the fan-out bench that cost as little as a receiver can: the WebSocket handshake by hand, then
 * only the frame headers read to count whole frames (server frames are unmasked; payloads are skipped, never
 * copied or decoded). Both sides' clients share the bench's two cores with the server being measured, so a
 * receiver that parses every frame as `ws` does made the receiving process, not the server, the bottleneck.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/** Counts the whole WebSocket frames in a stream of server-to-client bytes. */
export class FrameCounter {
  /** Payload bytes of the current frame still to come. */
  #rest = 0;
  /** The start of a frame header cut by a chunk boundary. */
  #carry: Buffer | undefined;

  /** The frames that `chunk` completes. */
  push(chunk: Buffer): number {
    const data = this.#carry ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = undefined;
    let frames = 0;
    let offset = Math.min(this.#rest, data.length);
    this.#rest -= offset;
    if (offset > 0 && this.#rest === 0) frames++;
    while (offset < data.length) {
      if (data.length - offset < 2) break;
      const length7 = data[offset + 1]! & 0x7f;
      const headerLength = length7 === 126 ? 4 : length7 === 127 ? 10 : 2;
      if (data.length - offset < headerLength) break;
      const payload = length7 === 126 ? data.readUInt16BE(offset + 2) : length7 === 127 ? Number(data.readBigUInt64BE(offset + 2)) : length7;
      const end = offset + headerLength + payload;
      if (end > data.length) {
        this.#rest = end - data.length;
        return frames;
      }
      frames++;
      offset = end;
    }
    if (offset < data.length) this.#carry = data.subarray(offset);
    return frames;
  }
}

/**
 * Opens a WebSocket to `url` (ws://) with an optional subprotocol and hands over the raw socket, its frames
 * counted into `onFrames`; resolves once the first frame arrived when `waitForFrame` (a subprotocol client's
 * `connected`), else once the handshake is done.
 */
export function connectCounting(url: string, protocol: string | undefined, onFrames: (frames: number) => void, waitForFrame: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const handshake = request(url.replace(/^ws/, 'http'), {
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...(protocol && { 'sec-websocket-protocol': protocol }),
      },
    });
    handshake.on('response', (response) => reject(new Error(`${url} answered the upgrade with ${response.statusCode}`)));
    handshake.on('error', reject);
    handshake.on('upgrade', (_response, socket: Socket, head: Buffer) => {
      const counter = new FrameCounter();
      let first = waitForFrame;
      const take = (chunk: Buffer) => {
        let frames = counter.push(chunk);
        if (first && frames > 0) {
          first = false;
          frames--;
          resolve(socket);
        }
        if (frames > 0) onFrames(frames);
      };
      socket.on('data', take);
      socket.on('error', () => {});
      if (head.length > 0) take(head);
      if (!waitForFrame) resolve(socket);
    });
    handshake.end();
  });
}
