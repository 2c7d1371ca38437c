/**
 * A page that records everything the browser module tells it, for the fault suite: the package's ES module build
 * of browser/ served from loopback, with `/negotiate` minting a client URL per call. `window.receiving` holds
 * every callback with `Date.now()` beside it (the page and the test share the machine's clock).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import { listenOnLoopback, type Listening } from '../helpers/loopbackServer.js';

/** What the page recorded, as `page.evaluate(() => window.receiving)` returns it. */
export interface PageRecord {
  /** Notification ids in the order the callbacks ran. */
  received: string[];
  connected: { connectionId: string; recovered: boolean; at: number }[];
  disconnected: { code: number | undefined; reason: string; recovering: boolean; gaveUp: boolean; at: number }[];
  gaps: { since: number; reason: string; at: number }[];
}

/** The listener's timing options the page passes on. */
export interface PageTiming {
  keepAlive: { pingIntervalMs: number; pongTimeoutMs: number };
  backoff: { initialDelayMs: number; maxDelayMs: number };
}

const page = (timing: PageTiming) => `<!doctype html>
<meta charset="utf-8">
<title>receiving</title>
<script type="module">
import { connectNotifications } from '/browser/index.js';
const record = (window.receiving = { received: [], connected: [], disconnected: [], gaps: [] });
connectNotifications({
  url: async () => (await (await fetch('/negotiate', { cache: 'no-store' })).json()).url,
  onDeployed: (n) => record.received.push(n.id),
  onRelease: (n) => record.received.push(n.id),
  onInvalid: (_data, reason) => console.warn('invalid: ' + reason),
  onConnected: ({ connectionId, recovered }) => record.connected.push({ connectionId, recovered, at: Date.now() }),
  onDisconnected: ({ code, reason, recovering, gaveUp }) => record.disconnected.push({ code, reason, recovering, gaveUp, at: Date.now() }),
  onGap: ({ since, reason }) => record.gaps.push({ since, reason, at: Date.now() }),
  ...${JSON.stringify(timing)},
});
</script>`;

/** Serves the recording page and the module; `clientUrl` mints each `/negotiate` answer. */
export async function serveReceivingPage(clientUrl: () => Promise<string>, timing: PageTiming): Promise<Listening> {
  const moduleDir = join(ROOT, 'build/browser');
  const modules = new Map(
    readdirSync(moduleDir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => [`/browser/${name}`, join(moduleDir, name)]),
  );
  const html = page(timing);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/') return send(200, 'text/html; charset=utf-8', html);
    if (path === '/negotiate') {
      clientUrl().then(
        (url) => send(200, 'application/json', JSON.stringify({ url })),
        (error: unknown) => send(503, 'text/plain', String(error)),
      );
      return;
    }
    const file = modules.get(path);
    if (file) return send(200, 'text/javascript; charset=utf-8', readFileSync(file));
    send(404, 'text/plain', 'not found');
  });
  return listenOnLoopback(server);
}
