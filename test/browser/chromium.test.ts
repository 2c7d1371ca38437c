/**
 * The receiving end in a real browser: Debian's Chromium, headless, driven by puppeteer-core, opens
 * examples/browser served from loopback (the page, the package's ES module build of browser/, and a negotiate
 * endpoint). The bundled Action, run as the runner runs it, sends a deploy notification to the page's group and a
 * release announcement to its hub; the page shows the banner with each version. Without Chromium the suite is one
 * skipped test that says so: it never passes in silence.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser, Page } from 'puppeteer-core';
import { serveBrowserExample, type BrowserExampleServer } from '../../scripts/harness/serveBrowserExample.js';
import { parseConnectionString, WebPubSubServiceClient } from '../../shared/index.js';
import { PUSH, RELEASE, runAction, type GitHubEvent } from '../../scripts/harness/actionRunner.js';
import { describeWithChromium, launchChromium } from '../helpers/chromium.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';

describeWithChromium('The real-browser suite (examples/browser in headless Chromium)', describeInChromium);

/** One step of a job: each step has its GITHUB_ACTION, so each run's notification has its own id. */
const runStep = (options: Parameters<typeof runAction>[0]) => runAction({ ...options, env: { GITHUB_ACTION: uniqueName('step'), ...options.env } });

/** A tag push: its deploy notification's refName is the version. */
const TAG_PUSH: GitHubEvent = { ...PUSH, ref: 'refs/tags/v1.4.1', payload: { ...PUSH.payload, ref: 'refs/tags/v1.4.1' } };

function describeInChromium(executablePath: string): void {
  const scope = useEmulator();
  let browser: Browser;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;

  beforeAll(async () => {
    chromium = await launchChromium(executablePath);
    browser = chromium.browser;
  }, 60_000);
  afterAll(() => chromium?.close());

  const opened: { page: Page; server: BrowserExampleServer; service: WebPubSubServiceClient }[] = [];
  afterEach(async () => {
    for (const { page, server, service } of opened.splice(0)) {
      await page.close();
      await server.close();
      await service.close();
    }
  });

  /** A fresh hub and group, the example served with client URLs for them, and the page open and connected. */
  async function openPage() {
    const hub = uniqueName('hub');
    const group = uniqueName('group');
    const service = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' });
    const server = await serveBrowserExample({ clientUrl: async () => (await service.getClientAccessToken({ groups: [group] })).url });
    const page = await browser.newPage();
    opened.push({ page, server, service });
    // A hang fails here, with puppeteer's message, before Jest's own timeout.
    page.setDefaultTimeout(10_000);
    const seen = { urls: [] as string[], bodies: [] as string[], warnings: [] as string[], errors: [] as string[] };
    page.on('request', (request) => void seen.urls.push(request.url()));
    page.on(
      'response',
      (response) =>
        void response.text().then(
          (body) => seen.bodies.push(body),
          () => undefined,
        ),
    );
    page.on('console', (message) => void (message.type() === 'warn' && seen.warnings.push(message.text())));
    page.on('pageerror', (error) => void seen.errors.push(String(error)));
    await page.goto(server.url);
    await connected(page);
    const inputs = { 'connection-string': scope.emulator.connectionString, hub };
    return { hub, group, service, page, seen, inputs };
  }

  // The page is read through selectors and $eval: this project compiles without the DOM library.
  const connected = (page: Page) => page.waitForSelector('#connection[data-state="connected"]');
  const banner = (page: Page) =>
    page.$eval('#update-banner', (element) => ({
      hidden: element.hasAttribute('hidden'),
      text: (element.textContent ?? '').replace(/\s+/g, ' ').trim(),
      details: element.querySelector('#update-details')?.getAttribute('href'),
    }));
  /** Waits until the banner is shown with `version`. */
  const bannerShows = (page: Page, version: string) => page.waitForSelector(`#update-banner:not([hidden]) #update-message::-p-text(${version} is deployed)`);

  describe('examples/browser in headless Chromium', () => {
    test('the bundled Action sends a deploy notification to the group, then a release announcement to the hub: the banner shows each version', async () => {
      const { group, page, seen, inputs } = await openPage();
      expect(await banner(page)).toMatchObject({ hidden: true });

      const deploy = await runStep({ event: TAG_PUSH, inputs: { ...inputs, target: 'group', group } });
      expect(deploy.code).toBe(0);
      await bannerShows(page, 'v1.4.1');
      expect(await banner(page)).toEqual({
        hidden: false,
        text: 'v1.4.1 is deployed — Reload What changed',
        details: JSON.parse(deploy.outputs.payload!).runUrl,
      });

      const announce = await runStep({ event: RELEASE, inputs });
      expect(announce.code).toBe(0);
      await bannerShows(page, 'v1.4.2');
      expect(await banner(page)).toEqual({
        hidden: false,
        text: 'v1.4.2 is deployed — Reload What changed',
        details: 'https://github.com/octo-org/shop/releases/tag/v1.4.2',
      });
      expect(seen.errors).toEqual([]);
    });

    test('the page gets a client URL from its server, never the connection string or the key', async () => {
      const { page, seen } = await openPage();
      const { accessKey } = parseConnectionString(scope.emulator.connectionString);
      const everything = [...seen.urls, ...seen.bodies, await page.content()].join('\n');
      expect(seen.urls.some((url) => url.endsWith('/negotiate'))).toBe(true);
      expect(everything).toContain('access_token=');
      expect(everything).not.toContain(accessKey);
      expect(everything).not.toMatch(/AccessKey=|Endpoint=/i);
    });

    test('a message that is not a notification leaves the banner alone and is logged; Reload reloads the page', async () => {
      const { service, page, seen, inputs } = await openPage();
      await service.sendToAll({ version: 'v9.9.9' });
      await runStep({ event: RELEASE, inputs });
      await bannerShows(page, 'v1.4.2');
      expect(seen.warnings).toEqual(['Ignored a message that is not a notification: schema is missing']);

      await Promise.all([page.waitForNavigation(), page.click('#reload')]);
      expect(await banner(page)).toMatchObject({ hidden: true });
      await connected(page);
    });

    test("after the emulator drops the page's connection, the page recovers the same connection and shows the next notification", async () => {
      const { hub, page, inputs } = await openPage();
      const { connectionId } = scope.emulator.connections(hub)[0]!;
      scope.emulator.dropConnection(connectionId);
      // The page recovers the connection the service keeps for it; what is sent meanwhile is replayed.
      const deploy = await runStep({ event: TAG_PUSH, inputs });
      expect(deploy.code).toBe(0);
      await bannerShows(page, 'v1.4.1');
      expect(scope.emulator.connections(hub).map((c) => c.connectionId)).toEqual([connectionId]);
    });
  });
}
