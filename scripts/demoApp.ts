/**
 * The demo's application server: express with the official @azure/web-pubsub-express, which the emulator calls as
 * an upstream event handler, as the service would. It answers a subscriber's `reloaded` event.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebPubSubEventHandler } from '@azure/web-pubsub-express';
import express from 'express';

export interface DemoApp {
  /** The event handler URL template to give the emulator for the hub. */
  urlTemplate: string;
  /** Starts handling events from `endpoint` (the handler checks the caller's origin: the emulator's host). */
  allow(endpoint: string): void;
  close(): Promise<void>;
}

/** Starts the app on a free loopback port; `onEvent` hears each event it handles. */
export async function startDemoApp(hub: string, onEvent: (line: string) => void): Promise<DemoApp> {
  const app = express();
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    urlTemplate: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webpubsub/hubs/{hub}/`,
    allow(endpoint) {
      const handler = new WebPubSubEventHandler(hub, {
        allowedEndpoints: [endpoint],
        handleUserEvent: (request, response) => {
          onEvent(`event "${request.context.eventName}" from ${request.context.userId}: ${JSON.stringify(request.data)}`);
          response.success('thanks, noted', 'text');
        },
      });
      app.use(handler.getMiddleware());
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((closed) => server.close(closed));
    },
  };
}
