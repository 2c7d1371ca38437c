/**
 * A loopback HTTP server that records every request and answers as a test scripts it: a status with headers and
 * body, a connection reset, or a stall that never answers. The real socket path, no stubbed fetch.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { listenOnLoopback } from './loopbackServer.js';

export interface CapturedRequest {
  method: string;
  /** The raw request target: path and query exactly as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'reset' | 'stall';

export interface CaptureServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  requests: CapturedRequest[];
  /** Replaces the responder. */
  respond(responder: (request: CapturedRequest) => Reply): void;
  close(): Promise<void>;
}

export async function startCaptureServer(responder: (request: CapturedRequest) => Reply = () => ({ status: 200 })): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  let answer = responder;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const captured = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(captured);
      const reply = answer(captured);
      if (reply === 'reset') return void req.socket.destroy();
      if (reply === 'stall') return;
      const send = () => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    endpoint: listening.url,
    port: listening.port,
    requests,
    respond: (next) => void (answer = next),
    close: listening.close,
  };
}
