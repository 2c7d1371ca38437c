/**
 * A loopback forward proxy that records what passes through it: absolute-form requests (`POST http://host/path`),
 * which it forwards, and CONNECT tunnels, which it opens to loopback targets only and answers 502 elsewhere (the
 * tests have no network). The real protocol a corporate proxy speaks, on a real socket.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { listenOnLoopback } from './loopbackServer.js';

export interface ProxiedRequest {
  method: string;
  /** The request target as the proxy received it: an absolute URL, or `host:port` for CONNECT. */
  target: string;
  headers: IncomingHttpHeaders;
}

export interface ProxyServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

export async function startProxyServer(): Promise<ProxyServer> {
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', target: req.url ?? '', headers: req.headers });
    const { 'proxy-authorization': _, 'proxy-connection': __, ...headers } = req.headers;
    const upstream = httpRequest(req.url ?? '', { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    requests.push({ method: 'CONNECT', target: req.url ?? '', headers: req.headers });
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    if (!LOOPBACK.test(host ?? '')) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const listening = await listenOnLoopback(server);
  return { url: listening.url, requests, close: listening.close };
}
