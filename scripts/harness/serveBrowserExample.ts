/**
 * Serves examples/browser as an app's own server would: the page and its script, the package's browser module at
 * the path the page's import map names, and `negotiate`, which answers `{ "url": <client access URL> }`. The
 * URL is minted on the server by `clientUrl`; the page never sees a connection string or key. For the Chromium
 * test and for `npm run demo -- --serve`, which share it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
/** Where the page's import map looks for the module: its place in an app's node_modules. */
export const BROWSER_MODULE_PATH = '/node_modules/webpubsub-action/build/browser/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export interface BrowserExampleOptions {
  /** Gives a client access URL for the page (e.g. `(await service.getClientAccessToken({ groups })).url`). */
  clientUrl: () => Promise<string>;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface BrowserExampleServer {
  /** The page: `http://<host>:<port>/`. */
  url: string;
  /** Stops listening and cuts open connections. */
  close(): Promise<void>;
}

/**
 * The files served, by URL path, read once: a fixed list, so no request path can reach another file. The module
 * comes from build/browser (run `tsc` first).
 */
function staticFiles(): Map<string, string> {
  const files = new Map<string, string>([
    ['/', join(ROOT, 'examples/browser/index.html')],
    ['/index.html', join(ROOT, 'examples/browser/index.html')],
    ['/app.js', join(ROOT, 'examples/browser/app.js')],
  ]);
  const built = join(ROOT, 'build/browser');
  for (const name of readdirSync(built).filter((file) => /\.js(\.map)?$/.test(file))) files.set(BROWSER_MODULE_PATH + name, join(built, name));
  return files;
}

/** Starts the server. */
export async function serveBrowserExample({ clientUrl, port = 0, host = '127.0.0.1' }: BrowserExampleOptions): Promise<BrowserExampleServer> {
  const files = staticFiles();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'text/plain', 'GET only');
    if (path === '/negotiate') {
      clientUrl().then(
        (url) => answer(res, 200, 'application/json', JSON.stringify({ url })),
        () => answer(res, 503, 'text/plain', 'no client URL could be made'),
      );
      return;
    }
    const file = files.get(path);
    if (!file) return answer(res, 404, 'text/plain', 'not found');
    answer(res, 200, CONTENT_TYPES[extname(file)]!, readFileSync(file));
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(port, host, listening);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`,
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}

/** No caching: a reload must fetch the new version, and `negotiate` a new token. */
function answer(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
