/**
 * What a group looks like from the outside: its members in the emulator, and who actually receives a message
 * sent to it. Receivers are official `@azure/web-pubsub-client` clients; no sleeps, a fence message orders things.
 */
import type { Emulator } from '../../emulator/index.js';
import type { WebPubSubServiceClient } from '../../shared/index.js';
import type { ObservedClient } from './officialClient.js';
import { startOfficialClient } from './officialClient.js';

/** The connection ids in `group` of `hub`, as the emulator holds them, sorted. */
export function groupConnectionIds(emulator: Emulator, hub: string, group: string): string[] {
  return emulator
    .connections(hub)
    .filter((connection) => connection.groups.includes(group))
    .map((connection) => connection.connectionId)
    .sort();
}

/** A connected official client and its connection id. */
export interface Subscriber {
  name: string;
  connectionId: string;
  observed: ObservedClient;
}

/** Connects an official client as `userId` (anonymous when undefined). */
export async function subscribe(client: WebPubSubServiceClient, name: string, userId?: string): Promise<Subscriber> {
  const observed = await startOfficialClient(async () => (await client.getClientAccessToken(userId === undefined ? {} : { userId })).url);
  const { connectionId } = await observed.connected.next();
  return { name, connectionId, observed };
}

let probes = 0;

/**
 * Sends a message to `group`, then a fence to the whole hub, and returns the names of the subscribers that got
 * the group message before their fence. Each connection receives in order, so the fence settles the answer.
 */
export async function whoReceives(client: WebPubSubServiceClient, group: string, subscribers: readonly Subscriber[]): Promise<string[]> {
  const probe = ++probes;
  await client.sendToGroup(group, { probe });
  await client.sendToAll({ fence: probe });
  const receivers: string[] = [];
  for (const subscriber of subscribers) {
    const { serverMessages, groupMessages } = subscriber.observed;
    while (((await serverMessages.next()).data as { fence?: number }).fence !== probe);
    const arrived = await groupMessages.take(groupMessages.size);
    if (arrived.some((message) => (message.data as { probe?: number }).probe === probe)) receivers.push(subscriber.name);
  }
  return receivers.sort();
}
