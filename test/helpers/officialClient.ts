/**
 * The official `@azure/web-pubsub-client` with its events in inboxes, and a stop that waits for the client to
 * settle. Keep-alive pings are off unless asked for: their timers would outlive the test.
 */
import { WebPubSubClient, type WebPubSubClientOptions } from '@azure/web-pubsub-client';
import { Inbox, nextEvent } from './inbox.js';

export interface ObservedClient {
  client: WebPubSubClient;
  connected: Inbox<{ connectionId: string; userId?: string }>;
  disconnected: Inbox<unknown>;
  serverMessages: Inbox<{ dataType: string; data: unknown; sequenceId?: number }>;
  groupMessages: Inbox<{ group: string; dataType: string; data: unknown; fromUserId?: string; sequenceId?: number }>;
  /** Stops the client and waits for its `stopped` event (at once when it has stopped already). */
  stop(): Promise<void>;
}

/** Starts an official client on `url` and records what it sees. */
export async function startOfficialClient(url: string | (() => Promise<string>), options: WebPubSubClientOptions = {}): Promise<ObservedClient> {
  // No message retries: a refused request (Forbidden) would otherwise be retried for seconds.
  const settings = { keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, messageRetryOptions: { maxRetries: 0 }, ...options };
  const client = typeof url === 'string' ? new WebPubSubClient(url, settings) : new WebPubSubClient({ getClientAccessUrl: url }, settings);
  let stopped: Promise<unknown> | undefined;
  const observed: ObservedClient = {
    client,
    connected: new Inbox('connected event'),
    disconnected: new Inbox('disconnected event'),
    serverMessages: new Inbox('server message'),
    groupMessages: new Inbox('group message'),
    async stop() {
      if (!stopped) {
        stopped = nextEvent(client as unknown as Parameters<typeof nextEvent>[0], 'stopped');
        client.stop();
      }
      await stopped;
    },
  };
  client.on('connected', (e) => observed.connected.push(e));
  client.on('disconnected', (e) => observed.disconnected.push(e));
  client.on('server-message', (e) => observed.serverMessages.push(e.message as never));
  client.on('group-message', (e) => observed.groupMessages.push(e.message as never));
  await client.start();
  return observed;
}
