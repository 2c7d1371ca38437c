/**
 * Takes docs/images/live-view.png: an emulator with the live view, three users of the official client in two
 * hubs, a REST grant, and the bundled Action's deploy notification to a group, opened in headless Chromium with
 * the notification's card shown. Run after a build: `node build/scripts/screenshot.js` (Chromium from
 * PUPPETEER_EXECUTABLE_PATH or /usr/bin/chromium).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import puppeteer from 'puppeteer-core';
import { startEmulator } from '../emulator/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { ROOT, runAction } from './harness/actionRunner.js';

const OUT = join(ROOT, 'docs/images/live-view.png');

const emulator = await startEmulator({ port: 0, ui: true });
const clients: WebPubSubClient[] = [];
try {
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--hide-scrollbars'],
    defaultViewport: { width: 1600, height: 900, deviceScaleFactor: 1 },
  });
  try {
    const page = await browser.newPage();
    await page.goto(emulator.liveViewUrl!);
    await page.waitForSelector('#status.live');
    // The feed lists what happens while a page watches: open it first.
    const people: [hub: string, user: string, groups: string[]][] = [
      ['deployments', 'alice', ['releases', 'on-call']],
      ['deployments', 'bob', ['releases']],
      ['chat', 'carol', ['lobby']],
    ];
    for (const [hub, userId, groups] of people) {
      const service = new WebPubSubServiceClient(emulator.connectionString, hub, { logLevel: 'off' });
      const { url } = await service.getClientAccessToken({ userId, roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'] });
      const client = new WebPubSubClient(url, { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 });
      clients.push(client);
      await client.start();
      for (const group of groups) await client.joinGroup(group);
      if (userId === 'bob')
        await service.grantPermission(emulator.connections(hub).find((c) => c.userId === 'bob')!.connectionId, 'sendToGroup', { targetName: 'on-call' });
      await service.close();
    }
    await clients[2]!.sendToGroup('lobby', { text: 'hello from carol' }, 'json');

    const run = await runAction({ inputs: { 'connection-string': emulator.connectionString, hub: 'deployments', target: 'group', group: 'releases' } });
    if (run.code !== 0) throw new Error(`the Action failed: ${run.logs}`);
    await page.click('#feed .feed-row[data-kind="message"]::-p-text(group releases)');
    await page.waitForSelector('#detail:not([hidden]) .notification-card');
    await page.waitForSelector('.hub[data-hub="deployments"] .grant');
    await mkdir(dirname(OUT), { recursive: true });
    await page.screenshot({ path: OUT as `${string}.png` });
    process.stdout.write(`wrote ${OUT}\n`);
  } finally {
    await browser.close();
  }
} finally {
  for (const client of clients) client.stop();
  await emulator.close();
}
