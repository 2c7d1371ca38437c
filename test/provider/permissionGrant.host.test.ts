/**
 * WebPubSubPermissionGrant through Pulumi's real dynamic-provider host over gRPC, with the serialized provider as
 * a program produces it, against the emulator: an official WebSocket client can do what the grant allows, and no
 * more once it is revoked.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { subscribe, type Subscriber } from '../helpers/groupProbe.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import { urnOf, useProviderHost, type ProviderHost } from '../helpers/providerHost.js';

const scope = useEmulator();
const pulumi = useProviderHost(() => ({ 'webpubsub:connectionString': scope.emulator.connectionString }));
let host: ProviderHost;
let provider: string;
const subscribers: Subscriber[] = [];
const clients: WebPubSubServiceClient[] = [];

beforeAll(() => {
  [host, provider] = [pulumi.host, pulumi.providers.grant];
});
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.observed.stop()));
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function setUp() {
  const hub = uniqueName('hub');
  const client = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
  clients.push(client);
  const agent = await subscribe(client, 'agent', 'agent');
  subscribers.push(agent);
  return { hub, client, agent, urn: urnOf('PermissionGrant', uniqueName('grant')) };
}

describe('WebPubSubPermissionGrant through the provider host', () => {
  test('create grants, refresh checks, delete revokes: the client can join the group only while granted', async () => {
    const { hub, client, agent, urn } = await setUp();
    const group = uniqueName('group');
    await expect(agent.observed.client.joinGroup(group)).rejects.toThrow();

    const { inputs, failures } = await host.check(
      urn,
      {},
      { hub, connectionId: agent.connectionId, permission: 'joinLeaveGroup', targetName: group, __provider: provider },
    );
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      hub,
      connectionId: agent.connectionId,
      permission: 'joinLeaveGroup',
      targetName: group,
      endpoint: scope.emulator.endpoint,
      __provider: provider,
    });
    const created = await host.create(urn, inputs);
    expect(created.id).toBe(`${hub}/permissions/joinLeaveGroup/connections/${encodeURIComponent(agent.connectionId)}/groups/${encodeURIComponent(group)}`);
    expect(created.properties).toEqual({ ...inputs, stateVersion: 1 });
    await agent.observed.client.joinGroup(group);
    await expect(agent.observed.client.joinGroup(uniqueName('other'))).rejects.toThrow();

    const refreshed = await host.read(created.id, urn, { properties: created.properties });
    expect(refreshed.id).toBe(created.id);
    expect(refreshed.properties).toEqual(created.properties);

    await host.delete(created.id, urn, created.properties);
    expect(await client.checkPermission(agent.connectionId, 'joinLeaveGroup', { targetName: group })).toBe(false);
    await expect(agent.observed.client.leaveGroup(group)).rejects.toThrow();
    // Gone: the refresh drops it from the state, and a second delete is fine.
    expect((await host.read(created.id, urn, { properties: created.properties })).id).toBe('');
    await host.delete(created.id, urn, created.properties);
  });

  test('a grant without targetName is refused by check, naming targetName: the service grants one group at a time', async () => {
    const { hub, agent, urn } = await setUp();
    const { failures } = await host.check(urn, {}, { hub, connectionId: agent.connectionId, permission: 'sendToGroup', __provider: provider });
    expect(failures).toEqual([{ property: 'targetName', reason: 'targetName (the group) is required: a permission is granted one group at a time' }]);
  });

  test('.get reads a grant from its id alone; an existing grant is adopted by create', async () => {
    const { hub, client, agent, urn } = await setUp();
    await client.grantPermission(agent.connectionId, 'joinLeaveGroup', { targetName: 'ops' });
    const id = `${hub}/permissions/joinLeaveGroup/connections/${encodeURIComponent(agent.connectionId)}/groups/ops`;
    const read = await host.read(id, urn, { inputs: { __provider: provider } });
    const expected = { hub, connectionId: agent.connectionId, permission: 'joinLeaveGroup', targetName: 'ops', endpoint: scope.emulator.endpoint };
    expect(read).toEqual({ id, properties: { ...expected, stateVersion: 1, __provider: provider }, inputs: { ...expected, __provider: provider } });

    const created = await host.create(urn, { ...expected, __provider: provider });
    expect(created.id).toBe(id);
    await expect(host.read('deployments/permissions/joinLeaveGroup', urn, { inputs: { __provider: provider } })).rejects.toThrow(
      /is not a WebPubSubPermissionGrant id: expected <hub>\/permissions\/<permission>\/connections\/<connectionId>\[\/groups\/<targetName>\]/,
    );
  });

  test('granting to an unknown connection is a clear error', async () => {
    const { hub, urn } = await setUp();
    const { inputs } = await host.check(
      urn,
      {},
      { hub, connectionId: 'no-such-connection', permission: 'sendToGroup', targetName: 'ops', __provider: provider },
    );
    await expect(host.create(urn, inputs)).rejects.toThrow(
      new RegExp(
        `Granting sendToGroup to connection 'no-such-connection' in hub '${hub}' failed: the hub has no such open connection \\(the service answered 404 \\S+\\)`,
      ),
    );
  });

  test('every input change replaces; a change of group alone deletes the old grant first; new provider code is an update', async () => {
    const { hub, agent, urn } = await setUp();
    const { inputs } = await host.check(
      urn,
      {},
      { hub, connectionId: agent.connectionId, permission: 'joinLeaveGroup', targetName: 'a', __provider: provider },
    );
    const outputs = { ...inputs, stateVersion: 1 };
    const diff = (news: object, olds: object = {}) => host.diff('id', urn, { ...outputs, ...olds }, { ...inputs, ...news });
    expect(await diff({})).toEqual({ changes: 'none', replaces: [], deleteBeforeReplace: false });
    expect(await diff({ targetName: 'b' })).toEqual({ changes: 'some', replaces: ['targetName'], deleteBeforeReplace: true });
    expect(await diff({ targetName: undefined })).toEqual({ changes: 'some', replaces: ['targetName'], deleteBeforeReplace: true });
    expect(await diff({ connectionId: 'other', permission: 'sendToGroup' })).toEqual({
      changes: 'some',
      replaces: ['connectionId', 'permission'],
      deleteBeforeReplace: false,
    });
    expect(await diff({}, { __provider: 'older code' })).toEqual({ changes: 'some', replaces: [], deleteBeforeReplace: false });
    expect(await host.update('id', urn, { ...outputs, __provider: 'older code' }, inputs)).toEqual(outputs);
  });
});
