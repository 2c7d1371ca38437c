/**
 * `npm run demo`: the main job, end to end, with no Azure subscription and no network. It starts the embedded
 * emulator, connects a subscriber with the official @azure/web-pubsub-client, announces a deployment through our
 * core client to the subscriber's group, and prints what was sent and what arrived. On the emulator, the
 * subscriber then tells the application it reloaded, through an upstream event handler (the official
 * @azure/web-pubsub-express), and gets its answer. With WEBPUBSUB_CONNECTION_STRING set, the same steps run
 * against that service instead of the emulator (without the last one: Azure cannot call this machine).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import { WebPubSubClient, type OnGroupDataMessageArgs, type OnServerDataMessageArgs } from '@azure/web-pubsub-client';
import express from 'express';
import { startEmulator } from '../emulator/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';

const HUB = 'deployments';
const GROUP = 'releases';
const TIMEOUT_MS = 15_000;

const started = performance.now();
const elapsed = () => `${Math.round(performance.now() - started)} ms`.padStart(7);
const say = (who: string, what: string) => console.log(`${elapsed()}  ${who.padEnd(10)} ${what}`);

const real = process.env.WEBPUBSUB_CONNECTION_STRING;
// On the emulator, an application server takes the hub's user events, as the service would call it.
const app = express();
const appServer = real ? undefined : app.listen(0, '127.0.0.1');
if (appServer) await once(appServer, 'listening');
const emulator = appServer && (await startEmulator({
  port: 0,
  hubs: { [HUB]: { eventHandlers: [{ urlTemplate: `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/api/webpubsub/hubs/{hub}/`, userEventPattern: 'reloaded' }] } },
}));
if (emulator) {
  const handler = new WebPubSubEventHandler(HUB, {
    allowedEndpoints: [emulator.endpoint],
    handleUserEvent: (req, res) => {
      say('app', `event "${req.context.eventName}" from ${req.context.userId}: ${JSON.stringify(req.data)}`);
      res.success('thanks, noted', 'text');
    },
  });
  app.use(handler.getMiddleware());
}
const service = new WebPubSubServiceClient(real ?? emulator!.connectionString, HUB);
const subscriber = new WebPubSubClient(
  {
    // The official client asks for a fresh URL on every (re)connect; our core client signs it locally.
    getClientAccessUrl: async () =>
      (await service.getClientAccessToken({ userId: 'dashboard-1', roles: [`webpubsub.joinLeaveGroup.${GROUP}`] })).url,
  },
  // A short-lived demo needs no keep-alive pings; the client's ping timer also outlives stop() by up to 20 s.
  { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0 },
);
const watchdog = setTimeout(() => fail(new Error(`no message arrived within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);

try {
  if (emulator) {
    console.log('webpubsub-action demo: a deploy notification through the embedded emulator (no Azure, no network)\n');
    say('emulator', `listening on ${emulator.endpoint}, hub "${HUB}"`);
  } else {
    console.log('webpubsub-action demo: a deploy notification through the service of WEBPUBSUB_CONNECTION_STRING\n');
    say('service', `${service.endpoint}, hub "${HUB}"`);
  }

  const received = new Promise<OnGroupDataMessageArgs>((resolve) => subscriber.on('group-message', resolve));
  subscriber.on('connected', (e) => say('subscriber', `connected as ${e.userId} (connection ${e.connectionId}) with @azure/web-pubsub-client`));
  await subscriber.start();
  await subscriber.joinGroup(GROUP);
  say('subscriber', `joined group "${GROUP}"`);

  const notification = { event: 'deployed', version: 'v1.4.2', environment: 'production', action: 'reload' };
  await service.sendToGroup(GROUP, notification);
  say('pipeline', `sendToGroup("${GROUP}") ${JSON.stringify(notification)} -> 202 Accepted`);

  const { message } = await received;
  say('subscriber', `received in "${message.group}" (${message.dataType}): ${JSON.stringify(message.data)}`);
  if (JSON.stringify(message.data) !== JSON.stringify(notification)) throw new Error('the received message differs from the one sent');

  if (emulator) {
    const answer = new Promise<OnServerDataMessageArgs>((resolve) => subscriber.on('server-message', resolve));
    await subscriber.sendEvent('reloaded', { version: notification.version }, 'json');
    say('subscriber', `got the app's answer: ${String((await answer).message.data)}`);
  }

  console.log('\nOK: the subscriber got exactly what the pipeline sent.');
  if (emulator) console.log('Set WEBPUBSUB_CONNECTION_STRING to a real service and run it again: the same steps run against Azure (all but the app\'s, which Azure cannot call here).');
} catch (error) {
  fail(error);
} finally {
  clearTimeout(watchdog);
  subscriber.stop();
  await service.close();
  await emulator?.close();
  appServer?.closeAllConnections();
  appServer?.close();
}

function fail(error: unknown): never {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
