/**
 * examples/browser as its README runs it, in headless Chromium: `node server.mjs` started as its own process with
 * WEBPUBSUB_CONNECTION_STRING set to the emulator's, the page opened at the address it prints, `node notify.mjs`
 * sending the notification the banner shows. And the ways it breaks for a newcomer, each shown on the page rather
 * than an endless "Connecting…": opened from file://, served statically without the module, the service not
 * reachable; and the server started without a connection string.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser, Page } from 'puppeteer-core';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import { describeWithChromium, launchChromium } from '../helpers/chromium.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';

const EXAMPLE = join(ROOT, 'examples/browser');
const run = promisify(execFile);

describeWithChromium('examples/browser as shipped (headless Chromium)', (executablePath) => {
  const scope = useEmulator();
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let browser: Browser;
  beforeAll(async () => {
    chromium = await launchChromium(executablePath);
    browser = chromium.browser;
  }, 60_000);
  afterAll(() => chromium?.close());

  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** `node server.mjs`, as the README starts it, with these variables; resolves with its printed address. */
  async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcessWithoutNullStreams }> {
    const child = spawn(process.execPath, ['server.mjs'], { cwd: EXAMPLE, env: { ...process.env, PORT: '0', ...env } });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        output += chunk;
        const address = /Open (http:\/\/\S+\/)/.exec(output)?.[1];
        if (address) resolve(address);
      });
      child.once('exit', (code) => reject(new Error(`server.mjs exited with ${code}: ${output}`)));
    });
    return { url, child };
  }

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    cleanups.push(() => page.close());
    // A hang fails here, with puppeteer's message, before Jest's own timeout.
    page.setDefaultTimeout(10_000);
    await page.goto(url);
    return page;
  }

  /** The connection line once it has left "connecting": its state and text. */
  async function status(page: Page, state: string) {
    await page.waitForSelector(`#connection[data-state="${state}"]`);
    return page.$eval('#connection', (element) => ({ role: element.getAttribute('role'), text: element.textContent ?? '' }));
  }

  test('server.mjs serves the page; it connects as the user and group the server says, and notify.mjs makes the banner show the version', async () => {
    const hub = uniqueName('hub');
    const group = uniqueName('group');
    const env = { WEBPUBSUB_CONNECTION_STRING: scope.emulator.connectionString, WEBPUBSUB_HUB: hub, WEBPUBSUB_GROUP: group, WEBPUBSUB_USER: 'alice' };
    const { url } = await startServer(env);
    const page = await open(url);
    expect(await status(page, 'connected')).toEqual({ role: 'status', text: 'Listening for deploy notifications.' });
    // The page's connection is the user's, in the group the server named in its token.
    expect(scope.emulator.connections(hub).map(({ userId, groups }) => ({ userId, groups }))).toEqual([{ userId: 'alice', groups: [group] }]);

    const { stdout } = await run(process.execPath, ['notify.mjs', 'v2.0.1'], { cwd: EXAMPLE, env: { ...process.env, ...env }, timeout: 30_000 });
    expect(stdout).toBe(`Sent: v2.0.1 is deployed (hub "${hub}", group "${group}").\n`);
    await page.waitForSelector('#update-banner:not([hidden]) #update-message::-p-text(v2.0.1 is deployed)');
  });

  test('with the service unreachable, the page says it cannot connect, and why', async () => {
    // A connection string for a port nothing listens on: negotiate still signs a URL, the socket then fails.
    const closed = createServer();
    await new Promise<void>((listening) => closed.listen(0, '127.0.0.1', listening));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const { url } = await startServer({ WEBPUBSUB_CONNECTION_STRING: `Endpoint=http://127.0.0.1:${port};AccessKey=${'k'.repeat(44)};Version=1.0;` });
    const page = await open(url);
    const { role, text } = await status(page, 'error');
    expect(role).toBe('alert');
    expect(text).toMatch(/^Cannot connect for deploy notifications: the connection failed or dropped; trying again in \d+ s\.$/);
  });

  test('opened from file://, the page says to serve it with its server', async () => {
    const page = await open(pathToFileURL(join(EXAMPLE, 'index.html')).href);
    const { role, text } = await status(page, 'error');
    expect(role).toBe('alert');
    expect(text).toContain('browsers load its modules only over HTTP. Serve it with its server (node server.mjs');
  });

  test('served as static files, where the module is not found, the page says it could not load it', async () => {
    // What a static file server over examples/browser gives: the two files, and a 404 for the module's path.
    const files: Record<string, [string, string]> = {
      '/': ['index.html', 'text/html'],
      '/app.js': ['app.js', 'text/javascript'],
    };
    const server: Server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (!file) return res.writeHead(404).end('not found');
      res.writeHead(200, { 'content-type': file[1] }).end(readFileSync(join(EXAMPLE, file[0])));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    cleanups.push(
      () =>
        new Promise((done) => {
          server.close(done);
          server.closeAllConnections();
        }),
    );
    const page = await open(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const { text } = await status(page, 'error');
    expect(text).toContain('The page could not load app.js or the webpubsub-action/browser module');
  });
});

describe('examples/browser/server.mjs', () => {
  test('without WEBPUBSUB_CONNECTION_STRING it exits 1 and says how to get one', async () => {
    const { WEBPUBSUB_CONNECTION_STRING: _unset, ...env } = process.env;
    const failure = (await run(process.execPath, ['server.mjs'], { cwd: EXAMPLE, env, timeout: 30_000 }).catch((error: unknown) => error)) as {
      code: number;
      stderr: string;
    };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('Set WEBPUBSUB_CONNECTION_STRING: run `npx webpubsub-emulator`');
  });
});
