/**
 * examples/browser/server.mjs, the example page's own server, loaded for the Chromium tests and for
 * `npm run demo -- --serve`: one server for the page, whether a user runs it or the repository does. This module
 * only gives it types.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './actionRunner.js';

export interface BrowserExampleOptions {
  /** Gives a client access URL for the page (e.g. `(await service.getClientAccessToken({ groups })).url`). */
  clientUrl: () => Promise<string>;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface BrowserExampleServer {
  /** The page: `http://<host>:<port>/`. */
  url: string;
  /** Stops listening and cuts open connections. */
  close(): Promise<void>;
}

/** The example's server file. */
export const BROWSER_EXAMPLE_SERVER = join(ROOT, 'examples/browser/server.mjs');

/** Starts examples/browser/server.mjs's server in this process. */
export async function serveBrowserExample(options: BrowserExampleOptions): Promise<BrowserExampleServer> {
  const { serveExample } = (await import(pathToFileURL(BROWSER_EXAMPLE_SERVER).href)) as {
    serveExample(options: BrowserExampleOptions): Promise<BrowserExampleServer>;
  };
  return serveExample(options);
}
