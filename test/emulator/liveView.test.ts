/**
 * The live view over raw HTTP, where a browser would hide what is refused: who may open it (loopback, Host names
 * that cannot be rebound, the page's own Origin), what it never shows (keys, tokens), and that it is off unless
 * asked for. What the page renders is tested in Chromium (liveView.chromium.test.ts).
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/index.js';
import { parseConnectionString, WebPubSubServiceClient } from '../../shared/index.js';
import { startCaptureServer } from '../helpers/captureServer.js';
import { connectJson } from '../helpers/sockets.js';
import { uniqueName } from '../helpers/names.js';

const started: Emulator[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((emulator) => emulator.close()));
});

async function emulatorWith(options: EmulatorOptions): Promise<Emulator> {
  const emulator = await startEmulator({ port: 0, ...options });
  started.push(emulator);
  return emulator;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request with exactly these headers (Host included, as a rebound DNS name would send it). An event stream is
 * read until `until` shows up in it, then cut.
 */
function raw(
  emulator: Emulator,
  path: string,
  headers: Record<string, string> = {},
  options: { method?: string; address?: string; until?: string } = {},
): Promise<Answer> {
  const { port } = new URL(emulator.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: options.address ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `localhost:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        const done = () => resolve({ status: res.statusCode!, headers: res.headers, body });
        res.on('data', (chunk: string) => {
          body += chunk;
          if (options.until !== undefined && body.includes(options.until)) {
            done();
            req.destroy();
          }
        });
        res.on('end', done);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('who may open the live view', () => {
  test('it is off unless asked for: the root and its paths are the service’s 404s', async () => {
    const emulator = await emulatorWith({});
    for (const path of ['/', '/_emulator/live/state', '/_emulator/live/events']) {
      const answer = await raw(emulator, path);
      expect(answer.status).toBe(404);
      expect(answer.headers['x-ms-error-code']).toBeDefined();
    }
  });

  test('the page answers localhost and IP addresses, with a strict content security policy', async () => {
    const emulator = await emulatorWith({ ui: true });
    const { port } = new URL(emulator.endpoint);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `app.localhost:${port}`, '127.0.0.1']) {
      const answer = await raw(emulator, '/', { host });
      expect([host, answer.status]).toEqual([host, 200]);
      expect(answer.body).toContain('<title>Web PubSub emulator');
    }
    const page = await raw(emulator, '/');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await raw(emulator, '/_emulator/live/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
  });

  test('a Host that names another site is refused on the page, the snapshot and the feed (DNS rebinding)', async () => {
    const emulator = await emulatorWith({ ui: true });
    const { port } = new URL(emulator.endpoint);
    for (const path of ['/', '/_emulator/live/state', '/_emulator/live/events', '/_emulator/live/app.js']) {
      for (const host of [`evil.example:${port}`, 'evil.example', `localhost.evil.example:${port}`]) {
        const answer = await raw(emulator, path, { host });
        expect([path, host, answer.status]).toEqual([path, host, 403]);
        expect(answer.body).toContain('does not answer to the host');
      }
    }
  });

  test('allowedHosts opens the view to the names given, a leading dot to their subdomains too', async () => {
    const emulator = await emulatorWith({ ui: { allowedHosts: ['emulator.test', '.dev.test'] } });
    const status = async (host: string) => (await raw(emulator, '/', { host })).status;
    expect(await status('emulator.test:80')).toBe(200);
    expect(await status('dev.test')).toBe(200);
    expect(await status('api.dev.test')).toBe(200);
    expect(await status('other.emulator.test')).toBe(403);
    expect(await status('dev.test.evil.example')).toBe(403);
  });

  test('an EventSource or fetch from another origin is refused; the page’s own origin is served', async () => {
    const emulator = await emulatorWith({ ui: true });
    const { port } = new URL(emulator.endpoint);
    const events = (origin: string) => raw(emulator, '/_emulator/live/events', { origin }, { until: 'retry:' });
    expect((await events('http://evil.example')).status).toBe(403);
    expect((await events(`http://localhost:${port + 1}`)).status).toBe(403);
    expect((await events('null')).status).toBe(403);
    const own = await events(`http://localhost:${port}`);
    expect(own.status).toBe(200);
    expect(own.headers['content-type']).toMatch(/^text\/event-stream/);
  });

  test('only GET and HEAD', async () => {
    const emulator = await emulatorWith({ ui: true });
    const answer = await raw(emulator, '/', {}, { method: 'POST' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });

  const outside = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
  (outside ? test : test.skip)(
    `a client not on loopback is refused unless allowRemote (${outside ?? 'SKIPPED: this machine has no non-loopback IPv4 address'})`,
    async () => {
      const closed = await emulatorWith({ ui: true, host: '0.0.0.0' });
      const refused = await raw(closed, '/', { host: `${outside}` }, { address: outside });
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('only on this machine');
      const open = await emulatorWith({ ui: { allowRemote: true }, host: '0.0.0.0' });
      expect((await raw(open, '/', { host: `${outside}` }, { address: outside })).status).toBe(200);
    },
  );
});

/** The feed as a page reads it: `opened` once subscribed, `next(text)` once the stream holds `text`. */
function openFeed(emulator: Emulator) {
  const { port } = new URL(emulator.endpoint);
  let body = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  const req = request({ host: '127.0.0.1', port, path: '/_emulator/live/events', headers: { host: `localhost:${port}` } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      body += chunk;
      for (const wait of waiting.filter(({ text }) => body.includes(text))) wait.resolve();
    });
  });
  req.on('error', () => undefined);
  req.end();
  const next = (text: string) => new Promise<void>((resolve) => (body.includes(text) ? resolve() : waiting.push({ text, resolve })));
  return { opened: next('retry:'), next, text: () => body, close: () => req.destroy() };
}

describe('what the live view shows', () => {
  test('the feed lists REST calls, connections, frames and deliveries, with no key or token in the feed or the snapshot', async () => {
    const emulator = await emulatorWith({ ui: true });
    const hub = uniqueName('hub');
    const group = uniqueName('group');
    const { accessKey } = parseConnectionString(emulator.connectionString);
    const client = new WebPubSubServiceClient(emulator.connectionString, hub, { logLevel: 'off' });
    const feed = openFeed(emulator);
    await feed.opened;
    const { url } = await client.getClientAccessToken({ userId: 'alice', groups: [group] });
    const { socket, connected } = await connectJson(url);
    // A payload that carries secrets, as a careless app's might: the view shows it redacted.
    const leaky = { note: `use ${emulator.connectionString}`, token: url.split('access_token=')[1] };
    await client.sendToGroup(group, leaky);
    await feed.next('"kind":"message"');
    const stream = feed.text();
    feed.close();
    const state = (await raw(emulator, '/_emulator/live/state')).body;
    await socket.close();
    await client.close();

    expect(stream).toContain(`"kind":"connected","hub":"${hub}","connectionId":"${connected.connectionId}","userId":"alice"`);
    expect(stream).toMatch(
      new RegExp(
        `"kind":"rest","hub":"${hub}","method":"POST","path":"/api/hubs/${hub}/groups/${group}/:send","operation":"sendToGroup","status":202,"ms":[\\d.]+`,
      ),
    );
    expect(stream).toContain(`"kind":"message","hub":"${hub}","from":"group","group":"${group}"`);
    expect(stream).toContain('[redacted');
    expect(JSON.parse(state).hubs.find((h: { name: string }) => h.name === hub).groups).toEqual([
      { name: group, members: [{ connectionId: connected.connectionId, userId: 'alice' }] },
    ]);
    for (const seen of [stream, state]) {
      expect(seen).not.toContain(accessKey);
      expect(seen).not.toMatch(/eyJ[\w-]*\.[\w-]+\.[\w-]+/);
      expect(seen).not.toContain('access_token=ey');
    }
  });

  test('upstream events are listed with their status and time, their URL without the query (a function key stays out)', async () => {
    const handler = await startCaptureServer((request) =>
      request.method === 'OPTIONS' ? { status: 200, headers: { 'webhook-allowed-origin': '*' } } : { status: 204 },
    );
    const hub = uniqueName('hub');
    const eventHandlers = [{ urlTemplate: `${handler.endpoint}/api/{event}?code=function-key-secret`, systemEvents: ['connected' as const] }];
    const emulator = await emulatorWith({ ui: true, hubs: { [hub]: { eventHandlers } } });
    const feed = openFeed(emulator);
    await feed.opened;
    const client = new WebPubSubServiceClient(emulator.connectionString, hub, { logLevel: 'off' });
    const { socket } = await connectJson((await client.getClientAccessToken({ userId: 'bob' })).url);
    await feed.next('"kind":"upstream"');
    feed.close();
    await socket.close();
    await client.close();
    await handler.close();
    expect(feed.text()).toMatch(
      new RegExp(`"kind":"upstream","hub":"${hub}","event":"connected","url":"${handler.endpoint}/api/connected","status":204,"ms":[\\d.]+`),
    );
    expect(feed.text()).not.toContain('function-key-secret');
    const state = (await raw(emulator, '/_emulator/live/state')).body;
    expect(JSON.parse(state).hubs.find((h: { name: string }) => h.name === hub).eventHandlers).toEqual([
      { url: `${handler.endpoint}/api/{event}`, userEvents: '', systemEvents: ['connected'] },
    ]);
    expect(state).not.toContain('function-key-secret');
  });
});

describe('pages that open later', () => {
  test('are sent the recent rows first, after a hello naming this run of the emulator', async () => {
    const emulator = await emulatorWith({ ui: true });
    const hub = uniqueName('hub');
    const first = openFeed(emulator);
    await first.opened;
    const client = new WebPubSubServiceClient(emulator.connectionString, hub, { logLevel: 'off' });
    await client.sendToAll('hello, later');
    await first.next(':send');
    first.close();
    await client.close();
    const later = openFeed(emulator);
    await later.next(':send');
    later.close();
    const [hello] = /event: hello\ndata: (.*)\n/.exec(later.text())!.slice(1);
    expect(JSON.parse(hello!)).toEqual({ run: expect.stringMatching(/^[\w-]{36}$/) });
    expect(later.text().indexOf('event: hello')).toBeLessThan(later.text().indexOf(`/api/hubs/${hub}/:send`));
  });
});

describe('the CLI', () => {
  const CLI = fileURLToPath(new URL('../../emulator/cli.js', import.meta.url));

  /** The CLI's stderr once it holds `until`, then SIGTERM. */
  async function stderrOf(args: string[], until: RegExp): Promise<string> {
    const child = spawn(process.execPath, [CLI, '--port', '0', ...args]);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (until.test(stderr)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited with ${code}: ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    return stderr;
  }

  test('serves the live view by default and prints its URL; --no-ui turns it off', async () => {
    let page: number | undefined;
    const child = spawn(process.execPath, [CLI, '--port', '0']);
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /live view on (http:\/\/127\.0\.0\.1:\d+\/)\n/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited with ${code}: ${stderr}`)));
    });
    try {
      page = (await fetch(url)).status;
    } finally {
      child.kill('SIGTERM');
    }
    expect(page).toBe(200);
    expect(await stderrOf(['--no-ui'], /Ctrl\+C stops it\n/)).not.toContain('live view');
  });

  test('--help says where the page is and how to open it wider', async () => {
    const child = spawn(process.execPath, [CLI, '--help']);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));
    expect(stdout).toContain("By default the emulator's root (http://<host>:<port>/) is a");
    expect(stdout).toMatch(/--ui-allowed-hosts <names>[\s\S]*--ui-remote/);
    expect(stdout).toContain('--state <file>');
  });
});
