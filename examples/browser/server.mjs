/**
 * The example page's own server, as an app's server would be: it serves index.html and app.js, the package's
 * browser module at the path the page's import map names, and `/negotiate`, which answers `{ "url": <client access
 * URL> }` minted here with the core client's `getClientAccessToken()`. The page never sees the connection string
 * or the key. Dependency-free but for webpubsub-action itself.
 *
 *   npx webpubsub-emulator                                  # one terminal: prints a connection string
 *   WEBPUBSUB_CONNECTION_STRING='<it>' node server.mjs      # another: prints the page's address
 *
 * Environment: WEBPUBSUB_CONNECTION_STRING (required), WEBPUBSUB_HUB (default `deployments`), WEBPUBSUB_GROUP (the
 * group the page's connections join, default `releases`), WEBPUBSUB_USER (the user id in the page's tokens; none by
 * default), PORT (default 3000; 0 picks a free one), HOST (default 127.0.0.1). `serveExample()` is the same server for code (the repository's demo and tests use it).
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebPubSubServiceClient } from 'webpubsub-action';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Where the page's import map looks for the module: its place in an app's node_modules. */
export const BROWSER_MODULE_PATH = '/node_modules/webpubsub-action/build/browser/';

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * The files served, by URL path: a fixed list read at start, so no request path can reach another file. The module
 * is the installed package's ES module build (`import.meta.resolve` finds it as the page's import would).
 */
function staticFiles() {
  const files = new Map([
    ['/', join(HERE, 'index.html')],
    ['/index.html', join(HERE, 'index.html')],
    ['/app.js', join(HERE, 'app.js')],
  ]);
  const module = dirname(fileURLToPath(import.meta.resolve('webpubsub-action/browser')));
  for (const name of readdirSync(module).filter((file) => /\.js(\.map)?$/.test(file))) files.set(BROWSER_MODULE_PATH + name, join(module, name));
  return files;
}

/**
 * Starts the server.
 * @param {{ clientUrl: () => Promise<string>, port?: number, host?: string }} options `clientUrl` gives a client
 *   access URL for the page; `port` defaults to 0 (a free one), `host` to 127.0.0.1.
 * @returns {Promise<{ url: string, close(): Promise<void> }>} the page's address, and a close that also cuts open
 *   connections.
 */
export async function serveExample({ clientUrl, port = 0, host = '127.0.0.1' }) {
  const files = staticFiles();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'text/plain', 'GET only');
    if (path === '/negotiate') {
      clientUrl().then(
        (url) => answer(res, 200, 'application/json', JSON.stringify({ url })),
        // The core client's errors name the problem and never hold a key; the page shows this text.
        (error) => answer(res, 503, 'text/plain', `no client URL could be made: ${error?.message ?? error}`),
      );
      return;
    }
    const file = files.get(path);
    if (!file) return answer(res, 404, 'text/plain', 'not found');
    answer(res, 200, CONTENT_TYPES[extname(file)], readFileSync(file));
  });
  await new Promise((listening, failed) => {
    server.once('error', failed);
    server.listen(port, host, listening);
  });
  const address = server.address();
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`,
    close: () =>
      new Promise((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}

/** No caching: a reload must fetch the new version, and `negotiate` a new token. */
function answer(res, status, contentType, body) {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

// Run as a program (through a symlinked folder too), not imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const connectionString = process.env.WEBPUBSUB_CONNECTION_STRING;
  if (!connectionString) {
    console.error(
      'Set WEBPUBSUB_CONNECTION_STRING: run `npx webpubsub-emulator` in another terminal and use the connection string it prints, or your service’s.',
    );
    process.exit(1);
  }
  const group = process.env.WEBPUBSUB_GROUP ?? 'releases';
  // In your app: the signed-in user, after your own sign-in check.
  const userId = process.env.WEBPUBSUB_USER || undefined;
  const service = new WebPubSubServiceClient(connectionString, process.env.WEBPUBSUB_HUB ?? 'deployments');
  const page = await serveExample({
    clientUrl: async () => (await service.getClientAccessToken({ userId, groups: [group] })).url,
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
  });
  console.log(`Open ${page.url} (hub "${service.hub}", group "${group}"). Ctrl+C stops.`);
  const stop = async () => {
    await page.close();
    await service.close();
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
}
