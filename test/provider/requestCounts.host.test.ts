/**
 * What WebPubSubGroupMembership costs in requests, counted at the emulator through the real provider host: the
 * change plus at most one paged read of the group per operation, never a request per unchanged member, and one
 * client per configuration for the host's life (its connections serve every call after the first).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { tallyRequests, type RequestTally } from '../../bench/requestTally.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import { urnOf, useProviderHost } from '../helpers/providerHost.js';
import { openSocket, type TestSocket } from '../helpers/sockets.js';

/** Connected users: more than two pages (200 each) of members, so that reading the group takes three. */
const CONNECTED = 450;
const scope = useEmulator();
const pulumi = useProviderHost(() => ({ 'webpubsub:connectionString': scope.emulator.connectionString }));
const hub = uniqueName('hub');
const users = Array.from({ length: CONNECTED }, (_, i) => `user-${String(i).padStart(3, '0')}`);
const sockets = new Map<string, TestSocket>();
let client: WebPubSubServiceClient;
let tally: RequestTally;

beforeAll(async () => {
  client = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' });
  for (let start = 0; start < users.length; start += 50) {
    const batch = users.slice(start, start + 50);
    const opened = await Promise.all(batch.map(async (userId) => openSocket((await client.getClientAccessToken({ userId })).url)));
    batch.forEach((userId, i) => sockets.set(userId, opened[i]!));
  }
  tally = tallyRequests((path) => path.startsWith(`/api/hubs/${hub}/`));
});
afterAll(async () => {
  tally.stop();
  await Promise.all([...sockets.values()].map((socket) => socket.close()));
  await client.close();
});

/** Requests by method of what `step` sent, and the connections it opened. */
async function counted(step: () => Promise<unknown>): Promise<{ requests: Record<string, number>; opened: number }> {
  tally.reset();
  await step();
  const byMethod = Object.entries(tally.byMethod());
  return {
    requests: Object.fromEntries(byMethod.map(([method, { requests }]) => [method, requests])),
    opened: byMethod.reduce((sum, [, { connections }]) => sum + connections, 0),
  };
}

describe('request counts of WebPubSubGroupMembership', () => {
  test('create, refresh, updates and delete cost the change plus at most one read of the group', async () => {
    const { host, providers } = pulumi;
    const group = uniqueName('group');
    const urn = urnOf('GroupMembership', uniqueName('counted'));
    // 440 connected members and 10 users with no connection (pending).
    const declared = [...users.slice(0, 440), ...Array.from({ length: 10 }, (_, i) => `offline-${i}`)];
    const { inputs } = await host.check(urn, {}, { hub, group, userIds: declared, __provider: providers.membership });

    // Create: the empty group read (1), 5 bulk adds of 100 users (the last 50), the group read back (3 pages).
    let created!: Awaited<ReturnType<typeof host.create>>;
    expect(await counted(async () => (created = await host.create(urn, inputs)))).toEqual({ requests: { GET: 4, POST: 5 }, opened: expect.any(Number) });
    expect(created.properties).toMatchObject({ userIds: users.slice(0, 440), pendingUserIds: declared.slice(440) });

    // A refresh with no change: one paged read, no connection opened (the host kept its client).
    let refreshed!: Awaited<ReturnType<typeof host.read>>;
    expect(await counted(async () => (refreshed = await host.read(created.id, urn, { properties: created.properties })))).toEqual({
      requests: { GET: 3 },
      opened: 0,
    });
    expect(refreshed.properties).toEqual(created.properties);

    // Two leave and two join, and the 10 pending users are tried again: one bulk add into the group and a probe
    // group, one bulk remove, the probe read (one page of joiners, not three of the group) and emptied.
    const news = { ...inputs, userIds: [...users.slice(2, 442), ...declared.slice(440)].sort() };
    let updated!: Awaited<ReturnType<typeof host.update>>;
    expect(await counted(async () => (updated = await host.update(created.id, urn, created.properties, news)))).toEqual({
      requests: { POST: 3, GET: 1 },
      opened: 0,
    });
    expect(updated).toMatchObject({ userIds: users.slice(2, 442), pendingUserIds: declared.slice(440) });
    const probes = new Set(scope.emulator.connections(hub).flatMap((c) => c.groups.filter((g) => g !== group)));
    expect(probes).toEqual(new Set());

    // Only leavers (and nobody pending): one bulk remove, no read.
    const fewer = { ...inputs, userIds: users.slice(2, 432) };
    const connectedOnly = { ...updated, userIds: users.slice(2, 442), pendingUserIds: [] };
    let shrunk!: Awaited<ReturnType<typeof host.update>>;
    expect(await counted(async () => (shrunk = await host.update(created.id, urn, connectedOnly, fewer)))).toEqual({ requests: { POST: 1 }, opened: 0 });
    expect(shrunk).toMatchObject({ userIds: users.slice(2, 432), pendingUserIds: [] });

    // 30 members disconnect: the refresh is still one paged read (no request per absent user); they are pending.
    const leaving = users.slice(2, 32);
    await Promise.all(leaving.map((userId) => sockets.get(userId)!.close()));
    let afterDisconnect!: Awaited<ReturnType<typeof host.read>>;
    expect(await counted(async () => (afterDisconnect = await host.read(created.id, urn, { properties: shrunk })))).toEqual({
      requests: { GET: 2 },
      opened: 0,
    });
    expect(afterDisconnect.properties).toMatchObject({ userIds: users.slice(32, 432), pendingUserIds: leaving });

    // Delete: the resource's users in bulk, 100 per request.
    expect(await counted(() => host.delete(created.id, urn, afterDisconnect.properties as typeof shrunk))).toEqual({ requests: { POST: 4 }, opened: 0 });
    expect(scope.emulator.connections(hub).filter((c) => c.groups.includes(group))).toEqual([]);
  });
});
