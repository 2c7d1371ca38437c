/**
 * Raw `ws` clients for the emulator's client endpoint: what a browser or a hand-written client does, frame by
 * frame, with every received frame in an inbox.
 */
import WebSocket from 'ws';
import { Inbox } from './inbox.js';

export const JSON_PROTOCOL = 'json.webpubsub.azure.v1';
export const RELIABLE_PROTOCOL = 'json.reliable.webpubsub.azure.v1';

export interface Frame {
  data: Buffer;
  isBinary: boolean;
}

/** An open socket with its received frames and its eventual close. */
export class TestSocket {
  readonly ws: WebSocket;
  readonly frames = new Inbox<Frame>('frame');
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => this.frames.push({ data: data as Buffer, isBinary }));
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** The next frame parsed as JSON (for the JSON subprotocols). */
  async json<T = Record<string, unknown>>(): Promise<T> {
    const frame = await this.frames.next();
    if (frame.isBinary) throw new Error('expected a text frame, got a binary one');
    return JSON.parse(frame.data.toString('utf8')) as T;
  }

  /** The next frame whose JSON satisfies `accept`, skipping others. */
  async jsonWhere<T = Record<string, unknown>>(accept: (frame: Record<string, unknown>) => boolean): Promise<T> {
    for (;;) {
      const frame = await this.json();
      if (accept(frame)) return frame as T;
    }
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
  }

  /**
   * Resolves once the server has read everything sent so far: it answers a WebSocket ping only after the frames
   * before it, so this orders a test after the server handled them.
   */
  roundTrip(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('pong', () => resolve());
      this.ws.ping();
    });
  }

  /** Closes (or cuts) the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.terminate();
    await this.closed;
  }
}

/** Opens a socket and waits for the upgrade. */
export function openSocket(url: string, protocol?: string, headers?: Record<string, string>): Promise<TestSocket> {
  const ws = new WebSocket(url, protocol === undefined ? [] : [protocol], { headers });
  const socket = new TestSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Opens a reliable/json socket and reads its `connected` frame. */
export async function connectJson(url: string, protocol = RELIABLE_PROTOCOL): Promise<{ socket: TestSocket; connected: Record<string, unknown> }> {
  const socket = await openSocket(url, protocol);
  const connected = await socket.json();
  return { socket, connected };
}

/** Attempts a handshake that must be refused; returns the HTTP status, headers and body. */
export function refusedHandshake(
  url: string,
  protocol?: string,
  headers?: Record<string, string>,
): Promise<{ status: number; body: string; errorCode: string | undefined; headers: Record<string, string | string[] | undefined> }> {
  const ws = new WebSocket(url, protocol === undefined ? [] : [protocol], { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      reject(new Error('the handshake was accepted'));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, errorCode: res.headers['x-ms-error-code'] as string | undefined, headers: res.headers });
        ws.terminate();
      });
    });
    ws.once('error', () => {
      // 'unexpected-response' has the answer; the error that follows is expected.
    });
  });
}

/** Message frames up to the one whose data is `marker`: proves what arrived before it and, by absence, what did not. */
export async function messagesUntil(socket: TestSocket, marker: string): Promise<Record<string, unknown>[]> {
  const seen: Record<string, unknown>[] = [];
  for (;;) {
    const frame = await socket.json();
    if (frame.type !== 'message') continue;
    if (frame.data === marker) return seen;
    seen.push(frame);
  }
}
