/**
 * A loopback reverse proxy in front of the emulator that loses answers: the request reaches the emulator, which
 * acts on it, and then the proxy cuts the client's connection instead of passing the answer on, as a gateway that
 * times out or a network that drops does. The emulator's own faults all strike before it acts, so this is the
 * failure the emulator cannot stage: the one that turns an at-least-once retry into a duplicate. The Host header
 * is passed on unchanged, so a token signed for the proxy's URL is what the emulator checks.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { listenOnLoopback } from './loopbackServer.js';

export interface LossyProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** How many answers were lost, by status. */
  readonly lost: Map<number, number>;
  close(): Promise<void>;
}

/**
 * @param target - the emulator's endpoint
 * @param lose - asked once per answer that arrives, in arrival order: true cuts the connection instead
 */
export async function startLossyProxy(target: string, lose: (status: number) => boolean): Promise<LossyProxy> {
  const lost = new Map<number, number>();
  const { hostname, port } = new URL(target);
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest({ hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const status = answer.statusCode ?? 502;
      if (lose(status)) {
        lost.set(status, (lost.get(status) ?? 0) + 1);
        answer.resume();
        req.socket.destroy();
        return;
      }
      res.writeHead(status, answer.headers);
      answer.pipe(res);
    });
    // The emulator reset the connection (an injected fault): the client sees a reset too.
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  const listening = await listenOnLoopback(server);
  return { url: listening.url, lost, close: listening.close };
}
