/**
 * The live view in a real browser: Debian's Chromium, headless, opens the emulator's root while the official
 * `@azure/web-pubsub-client` connects and joins a group and the bundled Action (run as the runner runs it) sends
 * its deploy notification to that group. The page shows the connection, the group and, from the feed, the
 * notification as a card; names that hold markup stay text. Without Chromium the suite is one skipped test that
 * says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import type { Browser, Page } from 'puppeteer-core';
import { runAction } from '../../scripts/harness/actionRunner.js';
import { parseConnectionString, WebPubSubServiceClient } from '../../shared/index.js';
import { describeWithChromium, launchChromium } from '../helpers/chromium.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';

describeWithChromium('The live view in headless Chromium', describeInChromium);

function describeInChromium(executablePath: string): void {
  const scope = useEmulator({ ui: true });
  let browser: Browser;
  let chromium: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const clients: WebPubSubClient[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    chromium = await launchChromium(executablePath);
    browser = chromium.browser;
  }, 60_000);
  afterAll(() => chromium?.close());
  afterEach(async () => {
    await Promise.all(
      clients.splice(0).map(
        (client) =>
          new Promise((stopped) => {
            client.on('stopped', stopped);
            client.stop();
          }),
      ),
    );
    for (const page of pages.splice(0)) await page.close();
  });

  /** The live view open and subscribed to the feed, with what the page threw. */
  async function openLiveView() {
    const page = await browser.newPage();
    pages.push(page);
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => void errors.push(String(error)));
    await page.goto(scope.emulator.liveViewUrl!);
    await page.waitForSelector('#status.live');
    return { page, errors };
  }

  /** The official client, connected as `userId` with the right to join any group. */
  async function officialClient(hub: string, userId: string): Promise<WebPubSubClient> {
    const service = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' });
    const { url } = await service.getClientAccessToken({ userId, roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'] });
    await service.close();
    // Keep-alive timers would outlive stop() by up to 40 s.
    const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
    clients.push(client);
    await client.start();
    return client;
  }

  // The page is read through selectors and $eval: this project compiles without the DOM library.
  const texts = (page: Page, selector: string) =>
    page.$$eval(selector, (elements) => elements.map((element) => (element.textContent ?? '').replace(/\s+/g, ' ').trim()));
  /** Table rows as their cells' texts joined by ' | '. */
  const rows = (page: Page, selector: string) =>
    page.$$eval(selector, (elements) => elements.map((element) => [...element.children].map((cell) => (cell.textContent ?? '').trim()).join(' | ')));

  describe('the emulator root', () => {
    test("shows the official client's connection and group, and the Action's notification as a card", async () => {
      const { page, errors } = await openLiveView();
      const hub = uniqueName('hub');
      const group = uniqueName('group');
      const client = await officialClient(hub, 'alice');
      await client.joinGroup(group);

      const connection = `.hub[data-hub="${hub}"] .connection`;
      await page.waitForSelector(`${connection}::-p-text(${group})`);
      const [row] = await rows(page, connection);
      expect(row).toContain('alice');
      expect(row).toContain('json.reliable.webpubsub.azure.v1');
      expect(row).toContain(group);
      expect(row).toMatch(/ago\)/);
      expect(row).toContain('→ joinGroup');
      expect(await rows(page, `.hub[data-hub="${hub}"] .group`)).toEqual([expect.stringMatching(new RegExp(`^${group} \\| alice \\(`))]);

      const run = await runAction({ inputs: { 'connection-string': scope.emulator.connectionString, hub, target: 'group', group } });
      expect(run.code).toBe(0);
      const send = `#feed .feed-row[data-kind="message"]`;
      await page.click(`${send}::-p-text(group ${group})`);
      await page.waitForSelector('#detail:not([hidden]) .notification-card');
      const [card] = await texts(page, '.notification-card');
      expect(card).toContain('Deployment of octo-org/shop');
      expect(card).toContain('github-actions');
      expect(card).toContain(JSON.parse(run.outputs.payload!).runUrl);

      // The reliable client acknowledged the message: that row is hidden until acks and pings are asked for.
      const ack = '#feed .feed-row[data-chatter]';
      await page.waitForSelector(ack);
      expect(await page.$eval(ack, (tr) => [tr.hasAttribute('hidden'), tr.textContent])).toEqual([true, expect.stringContaining('alice sent sequenceAck')]);
      await page.click('#chatter');
      await page.waitForSelector(ack, { visible: true });

      // The search box filters the feed: the REST send is found by its route, the rest hidden.
      await page.type('#search', `groups/${group}/:send`);
      const shown = await page.$$eval('#feed .feed-row', (rows) => rows.filter((tr) => !tr.hasAttribute('hidden')).map((tr) => tr.getAttribute('data-kind')));
      expect(shown).toEqual(['rest']);

      const key = parseConnectionString(scope.emulator.connectionString).accessKey;
      const state = (await page.evaluate("fetch('/_emulator/live/state').then((response) => response.text())")) as string;
      for (const seen of [await page.content(), state]) {
        expect(seen).not.toContain(key);
        expect(seen).not.toMatch(/eyJ[\w-]*\.[\w-]+\.[\w-]+/);
      }
      expect(errors).toEqual([]);
    });

    test('a group, a user and a payload that hold markup are shown as text and run nothing', async () => {
      const { page, errors } = await openLiveView();
      const hub = uniqueName('hub');
      const markup = '<img src=x onerror="window.__xss=1">';
      const client = await officialClient(hub, `<b>${markup}</b>`);
      await client.joinGroup(markup);
      await client.sendToGroup(markup, { text: markup }, 'json');

      await page.waitForSelector(`.hub[data-hub="${hub}"] .group`);
      expect(await texts(page, `.hub[data-hub="${hub}"] .group`)).toEqual([expect.stringContaining(markup)]);
      await page.click('#feed .feed-row[data-kind="frame"]::-p-text(sent sendToGroup)');
      await page.waitForSelector('#detail:not([hidden]) .payload');
      expect((await texts(page, '.payload'))[0]).toContain(markup.replace(/"/g, '\\"'));
      expect(await page.$$eval('img, b', (elements) => elements.length)).toBe(0);
      expect(await page.evaluate('window.__xss')).toBeUndefined();
      expect(errors).toEqual([]);
    });
  });
}
