/**
 * Subscribers for the Action's end-to-end tests: official `@azure/web-pubsub-client` clients on the emulator, and
 * the checks every payload must pass (the JSON Schema of the default notifications).
 */
import type { WebPubSubClientOptions } from '@azure/web-pubsub-client';
import { afterEach } from '@jest/globals';
import type { Emulator } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { uniqueName } from '../helpers/names.js';
import { startOfficialClient, type ObservedClient } from '../helpers/officialClient.js';

export { validateNotification } from '../helpers/notificationSchema.js';

/** Starts official clients on `hub`, each with the user id and groups asked for, and stops them all at the end. */
export class Subscribers {
  readonly #clients: ObservedClient[] = [];
  readonly #service: WebPubSubServiceClient;

  constructor(emulator: Emulator, hub: string) {
    this.#service = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
  }

  /** A connected official client and its connection id. */
  async connect(
    options: { userId?: string; groups?: string[] } = {},
    clientOptions: WebPubSubClientOptions = {},
  ): Promise<ObservedClient & { connectionId: string }> {
    const { url } = await this.#service.getClientAccessToken(options);
    const client = await startOfficialClient(url, clientOptions);
    // A client the service closed for good has stopped already: waiting for its `stopped` event would hang.
    client.client.on('stopped', () => {
      const index = this.#clients.indexOf(client);
      if (index >= 0) this.#clients.splice(index, 1);
    });
    this.#clients.push(client);
    const { connectionId } = await client.connected.next();
    return Object.assign(client, { connectionId });
  }

  async stop(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((client) => client.stop().catch(() => undefined)));
    await this.#service.close();
  }
}

/**
 * For a test file: a function giving each test a fresh hub on the emulator, its subscribers, and the inputs that
 * address it (connection string and hub). The subscribers are stopped after each test.
 */
export function useSubscribedHubs(
  emulator: () => Emulator,
): () => { hub: string; subscribers: Subscribers; inputs: { 'connection-string': string; hub: string } } {
  const started: Subscribers[] = [];
  afterEach(() => Promise.all(started.splice(0).map((subscribers) => subscribers.stop())));
  return () => {
    const hub = uniqueName('hub');
    const subscribers = new Subscribers(emulator(), hub);
    started.push(subscribers);
    return { hub, subscribers, inputs: { 'connection-string': emulator().connectionString, hub } };
  };
}
