/**
 * The providers against an emulator that injects faults (429 with Retry-After, 503, connection resets), through the
 * real provider host: create, update and delete converge when faults pass, and when they do not, fail with an
 * error that says what happened and leave nothing half-done.
 */
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { groupConnectionIds, subscribe, type Subscriber } from '../helpers/groupProbe.js';
import { seeded } from '../helpers/faultDrill.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import { urnOf, useProviderHost, type ProviderError, type ProviderHost, type SerializedProviders } from '../helpers/providerHost.js';

/** Attempts per request: the first and two retries (stack config webpubsub:maxRetries). */
const ATTEMPTS = 3;

const scope = useEmulator();
// Short backoff so that a test's retries take milliseconds; 429s carry Retry-After: 0.
const pulumi = useProviderHost(() => ({
  'webpubsub:connectionString': scope.emulator.connectionString,
  'webpubsub:maxRetries': String(ATTEMPTS - 1),
  'webpubsub:retryDelayMs': '1',
}));
let host: ProviderHost;
let providers: SerializedProviders;
const subscribers: Subscriber[] = [];
const clients: WebPubSubServiceClient[] = [];

beforeAll(() => {
  [host, providers] = [pulumi.host, pulumi.providers];
});
afterEach(async () => {
  scope.emulator.setFaults(undefined);
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.observed.stop()));
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** A hub with `users` connected (one connection each) and a group name. */
async function setUp(users: string[]) {
  const hub = uniqueName('hub');
  const group = uniqueName('group');
  const client = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
  clients.push(client);
  const connected = await Promise.all(users.map((user) => subscribe(client, user, user)));
  subscribers.push(...connected);
  const connectionsOf = (...names: string[]) =>
    connected
      .filter((s) => names.includes(s.name))
      .map((s) => s.connectionId)
      .sort();
  return { hub, group, client, connectionsOf, members: () => groupConnectionIds(scope.emulator, hub, group) };
}

/**
 * Faults for the requests numbered `from` to `to` (counted from now, 1-based, in arrival order) and none for the
 * others: the emulator draws one number per request, and one more for the kind of a faulted request.
 */
function faultRequests(from: number, to: number): () => number {
  let request = 0;
  let kindDraw = false;
  return () => {
    if (kindDraw) {
      kindDraw = false;
      return 0;
    }
    request++;
    kindDraw = request >= from && request <= to;
    return kindDraw ? 0 : 0.99;
  };
}

const users = (count: number, prefix = 'user') => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);

describe('faults', () => {
  test('create, update and delete converge through 429s, 503s and resets', async () => {
    const everyone = users(24);
    const { hub, group, members } = await setUp(everyone);
    const urn = urnOf('GroupMembership', 'drill');
    scope.emulator.setFaults({ rate: 0.4, kinds: ['throttle', 'unavailable', 'reset'], retryAfterSeconds: 0, random: seeded(7) });

    const { inputs } = await host.check(urn, {}, { hub, group, userIds: everyone.slice(0, 16), __provider: providers.membership });
    const created = await host.create(urn, inputs);
    expect(created.properties).toMatchObject({ userIds: everyone.slice(0, 16), pendingUserIds: [] });
    const updated = await host.update(created.id, urn, created.properties, { ...inputs, userIds: everyone.slice(8) });
    expect(updated).toMatchObject({ userIds: everyone.slice(8), pendingUserIds: [] });
    const faultsSoFar = scope.emulator.faultsInjected;
    await host.delete(created.id, urn, updated);
    expect(scope.emulator.faultsInjected).toBeGreaterThan(faultsSoFar);

    scope.emulator.setFaults(undefined);
    expect(members()).toEqual([]);
  });

  test('a create that fails midway undoes what it did and says so', async () => {
    const { hub, group, client, connectionsOf, members } = await setUp(['alice', 'bob', 'carol', 'dave']);
    await client.addUserToGroup(group, 'carol');
    const urn = urnOf('GroupMembership', 'midway');
    const { inputs } = await host.check(
      urn,
      {},
      { hub, group, userIds: ['alice', 'bob', 'carol'], connectionIds: connectionsOf('dave'), __provider: providers.membership },
    );
    // 1: list the group, 2: add alice and bob (carol is in already, and stays), 3-5: every attempt to add dave's
    // connection fails.
    scope.emulator.setFaults({ rate: 0.5, kinds: ['unavailable'], random: faultRequests(3, 2 + ATTEMPTS) });

    await expect(host.create(urn, inputs)).rejects.toThrow(
      /^Creating the membership of group '.*' in hub '.*' failed: addConnectionsToGroups failed with 503 ServiceUnavailable.*Undone: the group is as it was \(2 connection\(s\) taken out again, 0 put back\)\.$/,
    );
    expect(scope.emulator.faultsInjected).toBe(ATTEMPTS);
    expect(members()).toEqual(connectionsOf('carol'));
  });

  test('when undoing fails too, the error says so and the engine records the resource, so that a destroy cleans up', async () => {
    const { hub, group, connectionsOf, members } = await setUp(['alice', 'dave']);
    const urn = urnOf('GroupMembership', 'undo-fails');
    const { inputs } = await host.check(urn, {}, { hub, group, userIds: ['alice'], connectionIds: connectionsOf('dave'), __provider: providers.membership });
    // 1: list, 2: add alice (done), then the service stays down: adding dave's connection and undoing both fail.
    scope.emulator.setFaults({ rate: 0.5, kinds: ['unavailable'], random: faultRequests(3, 1000) });

    const failure = (await host.create(urn, inputs).catch((error: unknown) => error)) as ProviderError;
    expect(failure.message).toMatch(
      /failed: addConnectionsToGroups failed with 503 .*Undoing it failed too: listConnectionsInGroup failed with 503 .*run `pulumi refresh`, then `pulumi up`\.$/,
    );
    expect(failure.initFailure).toEqual({
      id: `${hub}/groups/${group}`,
      properties: { ...inputs, pendingUserIds: [], stateVersion: 1 },
      reasons: [expect.stringMatching(/^Undoing it failed too/)],
    });
    scope.emulator.setFaults(undefined);
    expect(members()).toEqual(connectionsOf('alice'));
    await host.delete(failure.initFailure!.id, urn, failure.initFailure!.properties);
    expect(members()).toEqual([]);
  });

  test('an update that fails midway puts the group back as it was', async () => {
    const { hub, group, connectionsOf, members } = await setUp(['alice', 'bob', 'carol']);
    const urn = urnOf('GroupMembership', 'update-midway');
    const { inputs } = await host.check(urn, {}, { hub, group, userIds: ['alice', 'bob'], __provider: providers.membership });
    const created = await host.create(urn, inputs);
    // 1: add carol (done; an update does not read the group first), 2-4: every attempt to remove bob fails.
    scope.emulator.setFaults({ rate: 0.5, kinds: ['unavailable', 'reset'], random: faultRequests(2, 1 + ATTEMPTS) });

    await expect(host.update(created.id, urn, created.properties, { ...inputs, userIds: ['alice', 'carol'] })).rejects.toThrow(
      /^Updating the membership of group '.*' failed: removeConnectionsFromGroups .*Undone: the group is as it was \(1 connection\(s\) taken out again, 0 put back\)\.$/,
    );
    expect(members()).toEqual(connectionsOf('alice', 'bob'));
  });

  test('a delete that keeps failing leaves the resource to delete again, which then converges', async () => {
    const { hub, group, members } = await setUp(['alice']);
    const urn = urnOf('GroupMembership', 'delete');
    const { inputs } = await host.check(urn, {}, { hub, group, userIds: ['alice'], __provider: providers.membership });
    const created = await host.create(urn, inputs);
    scope.emulator.setFaults({ rate: 1, kinds: ['throttle'], retryAfterSeconds: 0, maxFaults: ATTEMPTS });

    await expect(host.delete(created.id, urn, created.properties)).rejects.toThrow(/removeConnectionsFromGroups failed with 429/);
    expect(members()).toHaveLength(1);
    await host.delete(created.id, urn, created.properties);
    expect(members()).toEqual([]);
  });

  test('a grant converges through faults, and a grant that cannot be made leaves nothing granted', async () => {
    const { hub, client, connectionsOf } = await setUp(['agent']);
    const [connectionId] = connectionsOf('agent');
    const urn = urnOf('PermissionGrant', 'drill');
    const { inputs } = await host.check(urn, {}, { hub, connectionId, permission: 'sendToGroup', targetName: 'ops', __provider: providers.grant });

    scope.emulator.setFaults({ rate: 1, kinds: ['unavailable', 'reset'], maxFaults: ATTEMPTS + 1 });
    await expect(host.create(urn, inputs)).rejects.toThrow(/grantPermission (failed with 503|could not reach the service)/);
    scope.emulator.setFaults(undefined);
    expect(await client.checkPermission(connectionId!, 'sendToGroup', { targetName: 'ops' })).toBe(false);

    scope.emulator.setFaults({ rate: 1, kinds: ['throttle', 'unavailable', 'reset'], retryAfterSeconds: 0, maxFaults: ATTEMPTS - 1 });
    const created = await host.create(urn, inputs);
    scope.emulator.setFaults({ rate: 1, kinds: ['throttle', 'unavailable', 'reset'], retryAfterSeconds: 0, maxFaults: ATTEMPTS - 1 });
    expect((await host.read(created.id, urn, { properties: created.properties })).id).toBe(created.id);
    scope.emulator.setFaults({ rate: 1, kinds: ['throttle', 'unavailable', 'reset'], retryAfterSeconds: 0, maxFaults: ATTEMPTS - 1 });
    await host.delete(created.id, urn, created.properties);
    scope.emulator.setFaults(undefined);
    expect(await client.checkPermission(connectionId!, 'sendToGroup', { targetName: 'ops' })).toBe(false);
  });
});
