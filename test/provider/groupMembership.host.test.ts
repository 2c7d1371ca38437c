/**
 * WebPubSubGroupMembership through Pulumi's real dynamic-provider host over gRPC, with the serialized provider
 * exactly as a program produces it, against the emulator with official WebSocket clients connected. After each
 * step the emulator's group holds exactly the declared members, and a message to the group reaches exactly them.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { groupConnectionIds, subscribe, whoReceives, type Subscriber } from '../helpers/groupProbe.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import { urnOf, useProviderHost, type ProviderHost } from '../helpers/providerHost.js';

const scope = useEmulator();
const pulumi = useProviderHost(() => ({ 'webpubsub:connectionString': scope.emulator.connectionString }));
let host: ProviderHost;
let provider: string;
const subscribers: Subscriber[] = [];

beforeAll(() => {
  [host, provider] = [pulumi.host, pulumi.providers.membership];
});
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.observed.stop()));
});

/** A fresh hub and group, a core client for checks from the outside, and a way to connect subscribers. */
function setUp() {
  const hub = uniqueName('hub');
  const group = uniqueName('group');
  const client = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
  const connect = async (name: string, userId?: string) => {
    const subscriber = await subscribe(client, name, userId);
    subscribers.push(subscriber);
    return subscriber;
  };
  const members = () => groupConnectionIds(scope.emulator, hub, group);
  const ids = (...named: Subscriber[]) => named.map((s) => s.connectionId).sort();
  return { hub, group, client, connect, members, ids, urn: urnOf('GroupMembership', uniqueName('membership')) };
}

describe('WebPubSubGroupMembership through the provider host', () => {
  test('check, create, refresh, drift, update and delete keep the group as declared; messages reach exactly the members', async () => {
    const { hub, group, client, connect, members, ids, urn } = setUp();
    const alice = await connect('alice', 'alice');
    const bob1 = await connect('bob1', 'bob');
    const bob2 = await connect('bob2', 'bob');
    const carol = await connect('carol', 'carol');
    const anonymous = await connect('anonymous');
    const everyone = () => subscribers;

    const checked = await host.check(
      urn,
      {},
      { hub, group, userIds: ['bob', 'alice', 'bob', 'dave'], connectionIds: [anonymous.connectionId], __provider: provider },
    );
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toEqual({
      hub,
      group,
      userIds: ['alice', 'bob', 'dave'],
      connectionIds: [anonymous.connectionId],
      endpoint: scope.emulator.endpoint,
      __provider: provider,
    });

    // Create: dave has no connection, so he is pending; the rest join.
    const created = await host.create(urn, checked.inputs);
    expect(created.id).toBe(`${encodeURIComponent(hub)}/groups/${encodeURIComponent(group)}`);
    expect(created.properties).toEqual({
      hub,
      group,
      endpoint: scope.emulator.endpoint,
      userIds: ['alice', 'bob'],
      pendingUserIds: ['dave'],
      connectionIds: [anonymous.connectionId],
      stateVersion: 1,
      __provider: provider,
    });
    expect(members()).toEqual(ids(alice, bob1, bob2, anonymous));
    expect(await whoReceives(client, group, everyone())).toEqual(['alice', 'anonymous', 'bob1', 'bob2']);

    // Refresh without drift: the same outputs.
    const refreshed = await host.read(created.id, urn, { properties: created.properties });
    expect(refreshed).toMatchObject({ id: created.id, properties: created.properties });
    expect(members()).toEqual(ids(alice, bob1, bob2, anonymous));
    expect(await whoReceives(client, group, everyone())).toEqual(['alice', 'anonymous', 'bob1', 'bob2']);
    expect(await host.diff(created.id, urn, refreshed.properties, checked.inputs)).toMatchObject({ changes: 'some', replaces: [] });

    // Drift: bob is taken out behind Pulumi's back; refresh shows him pending (not in the group), like dave.
    await client.removeUserFromGroup(group, 'bob');
    const drifted = await host.read(created.id, urn, { properties: created.properties });
    expect(drifted.properties).toMatchObject({ userIds: ['alice'], pendingUserIds: ['bob', 'dave'], connectionIds: [anonymous.connectionId] });
    expect(members()).toEqual(ids(alice, anonymous));
    expect(await whoReceives(client, group, everyone())).toEqual(['alice', 'anonymous']);

    // Update: dave connects; bob (drifted) and dave (pending) are added again, carol is new, the anonymous
    // connection is dropped.
    const dave = await connect('dave', 'dave');
    const news = (await host.check(urn, checked.inputs, { hub, group, userIds: ['alice', 'bob', 'carol', 'dave'], __provider: provider })).inputs;
    expect(await host.diff(created.id, urn, drifted.properties, news)).toEqual({ changes: 'some', replaces: [], deleteBeforeReplace: false });
    const updated = await host.update(created.id, urn, drifted.properties, news);
    expect(updated).toEqual({
      hub,
      group,
      endpoint: scope.emulator.endpoint,
      userIds: ['alice', 'bob', 'carol', 'dave'],
      pendingUserIds: [],
      connectionIds: [],
      stateVersion: 1,
      __provider: provider,
    });
    expect(members()).toEqual(ids(alice, bob1, bob2, carol, dave));
    expect(await whoReceives(client, group, everyone())).toEqual(['alice', 'bob1', 'bob2', 'carol', 'dave']);
    expect(await host.diff(created.id, urn, updated, news)).toEqual({ changes: 'none', replaces: [], deleteBeforeReplace: false });

    // Delete: exactly its members leave; the group is empty.
    await host.delete(created.id, urn, updated);
    expect(members()).toEqual([]);
    expect(await whoReceives(client, group, everyone())).toEqual([]);
    await client.close();
  });

  test('create adopts members already in the group, and delete leaves members that are not its own', async () => {
    const { hub, group, client, connect, members, ids, urn } = setUp();
    const alice = await connect('alice', 'alice');
    const bob = await connect('bob', 'bob');
    const other = await connect('other', 'other');
    await client.addUserToGroup(group, 'alice');
    await client.addUserToGroup(group, 'other');

    const { inputs } = await host.check(urn, {}, { hub, group, userIds: ['alice', 'bob'], __provider: provider });
    const created = await host.create(urn, inputs);
    expect(created.properties).toMatchObject({ userIds: ['alice', 'bob'], pendingUserIds: [] });
    expect(members()).toEqual(ids(alice, bob, other));

    await host.delete(created.id, urn, created.properties);
    expect(members()).toEqual(ids(other));
    expect(await whoReceives(client, group, subscribers)).toEqual(['other']);
    await client.close();
  });

  test('an unknown connection fails the create with a clear error, and nothing it added stays', async () => {
    const { hub, group, connect, members, urn } = setUp();
    await connect('alice', 'alice');
    await connect('bob', 'bob');
    const { inputs } = await host.check(urn, {}, { hub, group, userIds: ['alice', 'bob'], connectionIds: ['no-such-connection'], __provider: provider });
    await expect(host.create(urn, inputs)).rejects.toThrow(
      /Creating the membership of group '.*' in hub '.*' failed: connection\(s\) no-such-connection could not join: the hub has no such open connection.*Undone: the group is as it was \(2 connection\(s\) taken out again, 0 put back\)/,
    );
    expect(members()).toEqual([]);
  });

  test('.get imports a group from its id alone: every user, and anonymous connections by id', async () => {
    const { hub, group, client, connect, urn } = setUp();
    await connect('alice', 'alice');
    await connect('bob', 'bob');
    const anonymous = await connect('anonymous');
    await client.addUserToGroup(group, 'alice');
    await client.addUserToGroup(group, 'bob');
    await client.addConnectionToGroup(group, anonymous.connectionId);
    const id = `${hub}/groups/${encodeURIComponent(group)}`;

    // What the engine sends for `WebPubSubGroupMembership.get(name, id)`: no state, the program's inputs only.
    const read = await host.read(id, urn, { inputs: { __provider: provider } });
    const expected = { hub, group, endpoint: scope.emulator.endpoint, userIds: ['alice', 'bob'], connectionIds: [anonymous.connectionId] };
    expect(read.id).toBe(id);
    expect(read.properties).toEqual({ ...expected, pendingUserIds: [], stateVersion: 1, __provider: provider });
    expect(read.inputs).toEqual({ ...expected, __provider: provider });
    await expect(host.read('not-an-id', urn, { inputs: { __provider: provider } })).rejects.toThrow(
      "'not-an-id' is not a WebPubSubGroupMembership id: expected <hub>/groups/<group>, each percent-encoded",
    );
    await client.close();
  });

  test('diff replaces on another endpoint, hub or group, and updates when the stored provider code is not the current one', async () => {
    const { hub, group, urn } = setUp();
    const { inputs } = await host.check(urn, {}, { hub, group, userIds: ['alice'], __provider: provider });
    const outputs = { ...inputs, pendingUserIds: [], stateVersion: 1 };
    const diff = (olds: object, news: object) => host.diff('id', urn, { ...outputs, ...olds }, { ...inputs, ...news });
    expect(await diff({}, {})).toEqual({ changes: 'none', replaces: [], deleteBeforeReplace: false });
    expect(await diff({}, { hub: `${hub}x`, group: `${group}x` })).toEqual({ changes: 'some', replaces: ['hub', 'group'], deleteBeforeReplace: false });
    expect(await diff({}, { endpoint: 'https://other.webpubsub.azure.com' })).toMatchObject({ changes: 'some', replaces: ['endpoint'] });
    expect(await diff({ userIds: [] }, {})).toEqual({ changes: 'some', replaces: [], deleteBeforeReplace: false });
    expect(await diff({ __provider: `${provider}\n// an older version` }, {})).toEqual({ changes: 'some', replaces: [], deleteBeforeReplace: false });
    // Preview: an unknown group may be another group.
    expect(await diff({}, { group: '04da6b54-80e4-46f7-96ec-b56ff0331ba9' })).toMatchObject({ changes: 'some', replaces: ['group'] });
  });
});
