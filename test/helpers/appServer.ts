/**
 * An application server as users write one: express with the official `WebPubSubEventHandler` of
 * `@azure/web-pubsub-express`, unmodified, on a loopback port. It records the head of every request it gets (the
 * CloudEvents headers) before the SDK sees it, and can answer some requests itself first (a handler that is down
 * for a while).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import express, { type RequestHandler } from 'express';
import { WebPubSubEventHandler, type WebPubSubEventHandlerOptions } from '@azure/web-pubsub-express';
import { Inbox } from './inbox.js';
import { listenOnLoopback } from './loopbackServer.js';

/** The head of a request the application got. */
export interface AppRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface AppServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request, in order of arrival. */
  requests: Inbox<AppRequest>;
  /** The same requests, kept. */
  seen: AppRequest[];
  /**
   * Mounts the official event handler for `hub` (its default path, `/api/webpubsub/hubs/<hub>/`), allowing only
   * `emulatorEndpoint` in abuse protection. Done once the emulator listens, since its endpoint is the allowed origin.
   */
  mount(hub: string, emulatorEndpoint: string, options: Omit<WebPubSubEventHandlerOptions, 'allowedEndpoints'>): void;
  /** A middleware that runs before the SDK's, e.g. to answer 503 to the first requests. */
  before(middleware: RequestHandler): void;
  close(): Promise<void>;
}

/** Starts an express application server on a free loopback port, with nothing mounted yet. */
export async function startAppServer(): Promise<AppServer> {
  const app = express();
  const requests = new Inbox<AppRequest>('request to the app');
  const seen: AppRequest[] = [];
  const early: RequestHandler[] = [];
  app.use((req, _res, next) => {
    const request = { method: req.method, path: req.path, headers: req.headers };
    seen.push(request);
    requests.push(request);
    next();
  });
  app.use((req, res, next) => {
    const run = (i: number): void => (i < early.length ? void early[i]!(req, res, () => run(i + 1)) : next());
    run(0);
  });
  const listening = await listenOnLoopback(createServer(app));
  return {
    url: listening.url,
    requests,
    seen,
    mount(hub, emulatorEndpoint, options) {
      app.use(new WebPubSubEventHandler(hub, { ...options, allowedEndpoints: [emulatorEndpoint] }).getMiddleware());
    },
    before: (middleware) => void early.push(middleware),
    close: listening.close,
  };
}
