/**
 * A subscriber of the demo: the official @azure/web-pubsub-client connected as one user, with what it receives
 * queued so the demo can wait for the next message instead of sleeping.
 */
import { WebPubSubClient } from '@azure/web-pubsub-client';
import type { WebPubSubServiceClient } from '../shared/index.js';

/** One connected app user. */
export interface Subscriber {
  userId: string;
  connectionId: string;
  client: WebPubSubClient;
  /** False once the service closed the connection. */
  readonly connected: boolean;
  /** Group messages received so far. */
  readonly groupMessages: number;
  /** The next group message not yet taken. */
  nextGroupMessage(): Promise<{ group: string; data: unknown }>;
  /** The next server message whose data satisfies `match`, skipping others. */
  nextServerMessage(match: (data: unknown) => boolean): Promise<unknown>;
  /** Resolves with the service's reason when the connection is closed. */
  disconnected: Promise<string>;
  stop(): Promise<void>;
}

/** Connects `userId` with a client URL that the core client signs. */
export async function connectSubscriber(core: WebPubSubServiceClient, userId: string): Promise<Subscriber> {
  const client = new WebPubSubClient(
    { getClientAccessUrl: async () => (await core.getClientAccessToken({ userId })).url },
    // No reconnect after the demo closes the group, and no keep-alive timers outliving stop().
    { autoReconnect: false, keepAliveIntervalInMs: 0, keepAliveTimeoutInMs: 0, messageRetryOptions: { maxRetries: 0 } },
  );
  const groupQueue = new Queue<{ group: string; data: unknown }>();
  const serverQueue = new Queue<unknown>();
  let connected = false;
  let groupMessages = 0;
  let connectionId = '';
  const disconnected = new Promise<string>((resolve) =>
    client.on('disconnected', (event) => {
      connected = false;
      resolve(event.message?.message ?? '');
    }),
  );
  client.on('connected', (event) => {
    connected = true;
    connectionId = event.connectionId;
  });
  client.on('group-message', ({ message }) => {
    groupMessages++;
    groupQueue.push({ group: message.group, data: message.data });
  });
  client.on('server-message', ({ message }) => serverQueue.push(message.data));
  const stopped = new Promise<void>((resolve) => client.on('stopped', () => resolve()));
  await client.start();
  return {
    userId,
    get connectionId() {
      return connectionId;
    },
    client,
    get connected() {
      return connected;
    },
    get groupMessages() {
      return groupMessages;
    },
    nextGroupMessage: () => groupQueue.next(),
    async nextServerMessage(match) {
      for (;;) {
        const data = await serverQueue.next();
        if (match(data)) return data;
      }
    },
    disconnected,
    async stop() {
      client.stop();
      await stopped;
    },
  };
}

/** Items in arrival order; `next()` waits when there is none yet. */
class Queue<T> {
  #items: T[] = [];
  #waiters: ((item: T) => void)[] = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(): Promise<T> {
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift()!);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
