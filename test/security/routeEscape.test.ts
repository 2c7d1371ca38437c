/**
 * Ids that try to reach other routes: `..` and `.` (refused before any request), and ids that look like paths,
 * queries or fragments (`%2e%2e`, `a/../b`, `../users/x`, `x/groups/y`, `?`, `#`, `%2F`, CR LF, very long ones),
 * which must be encoded so that each reaches its own route and no other. Checked on the wire (a capture server
 * sees exactly the route's segments, each decoding to the id, with nothing a URL parser would fold or cut), and
 * by what happens (in the emulator, only the connections of that very user or group get the message; a decoy
 * user `x`, in groups `y` and `users`, users `a` and `b`, and an anonymous bystander get nothing, and a close
 * closes only the target). Through the core client, the Action's inputs and the Pulumi resources.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { startCaptureServer, type CaptureServer } from '../helpers/captureServer.js';
import { runInProcess } from '../helpers/fakeCore.js';
import { groupConnectionIds } from '../helpers/groupProbe.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import { urnOf, useProviderHost } from '../helpers/providerHost.js';
import type { TestSocket } from '../helpers/sockets.js';

/** Ids that look like more than an id; each must stay one path segment. */
const IDS: [what: string, id: string][] = [
  ['%2e%2e (an encoded dot-dot)', '%2e%2e'],
  ['%2E%2E', '%2E%2E'],
  ['.%2e', '.%2e'],
  ['a/../b', 'a/../b'],
  ['../users/x', '../users/x'],
  ['x/groups/y', 'x/groups/y'],
  ['..%2Fusers%2Fx', '..%2Fusers%2Fx'],
  ['%2F', '%2F'],
  ['?', '?'],
  ['a query in an id', 'x?api-version=2021-10-01&group=y'],
  ['#', '#'],
  ['a fragment in an id', 'x#/../../users/b'],
  ['backslashes', '..\\..\\users\\x'],
  ['spaces and ;', ' x ; y '],
  ['CR LF', 'x\r\n/users/b'],
  ['non-ASCII', 'ü/😀/..'],
  ['8,000 characters', `${'../'.repeat(2000)}${'x'.repeat(2000)}`],
];
/** The group rule refuses line breaks and more than 1,024 characters: those ids are users only. */
const isGroupName = (id: string) => !/[\r\n]/.test(id) && id.length <= 1024;
const DOT_SEGMENTS = ['..', '.'];

const scope = useEmulator();

describe('on the wire: each id is one segment of its own route', () => {
  let server: CaptureServer;
  let client: WebPubSubServiceClient;
  beforeAll(async () => {
    server = await startCaptureServer((request) => ({ status: request.method === 'HEAD' ? 404 : request.url.includes(':send') ? 202 : 200 }));
    client = new WebPubSubServiceClient(`Endpoint=${server.endpoint};AccessKey=route-escape-key;Version=1.0;`, 'hub', {
      retry: { maxRetries: 0 },
      logLevel: 'off',
    });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  /** Each call with the route it must reach, `{id}` where the id goes, and the query it must carry. */
  const calls: [
    what: string,
    call: (c: WebPubSubServiceClient, id: string) => Promise<unknown>,
    route: string,
    query: (id: string) => string[][],
    group?: boolean,
  ][] = [
    ['sendToUser', (c, id) => c.sendToUser(id, 'x'), 'POST /api/hubs/hub/users/{id}/:send', () => []],
    ['sendToGroup', (c, id) => c.sendToGroup(id, 'x'), 'POST /api/hubs/hub/groups/{id}/:send', () => [], true],
    ['sendToConnection', (c, id) => c.sendToConnection(id, 'x'), 'POST /api/hubs/hub/connections/{id}/:send', () => []],
    ['addUserToGroup', (c, id) => c.addUserToGroup(id, id), 'PUT /api/hubs/hub/users/{id}/groups/{id}', () => [], true],
    ['userExists', (c, id) => c.userExists(id), 'HEAD /api/hubs/hub/users/{id}', () => []],
    [
      'grantPermission with targetName',
      (c, id) => c.grantPermission(id, 'sendToGroup', { targetName: id }),
      'PUT /api/hubs/hub/permissions/sendToGroup/connections/{id}',
      (id) => [['targetName', id]],
      true,
    ],
  ];
  const cases = IDS.filter(([, id]) => id.length < 4000).flatMap(([what, id]) =>
    calls.filter(([, , , , group]) => !group || isGroupName(id)).map(([name, call, route, query]) => [`${name}: ${what}`, id, call, route, query] as const),
  );

  test.each(cases)('%s', async (_what, id, call, route, query) => {
    const before = server.requests.length;
    await call(client, id);
    const [request] = server.requests.slice(before);
    expect(server.requests).toHaveLength(before + 1);
    const [method, template] = route.split(' ') as [string, string];
    expect(request!.method).toBe(method);
    const [path, search = ''] = request!.url.split(/\?(.*)/s);
    const segments = path!.split('/');
    const expected = template.split('/');
    expect(segments).toHaveLength(expected.length);
    expected.forEach((segment, i) => expect(segment === '{id}' ? decodeURIComponent(segments[i]!) : segments[i]).toBe(segment === '{id}' ? id : segment));
    // Nothing a URL parser would act on: no dot segment to fold, no ? or # to cut the path short, no raw space.
    expect(new URL(path!, 'http://h').pathname).toBe(path);
    expect(path).not.toMatch(/[?#\s\\]/);
    expect([...new URLSearchParams(search)]).toEqual([['api-version', '2024-12-01'], ...query(id)]);
  });

  test.each(DOT_SEGMENTS)('%s is refused before any request, as a user, group or connection id', async (id) => {
    const before = server.requests.length;
    for (const call of [
      () => client.sendToUser(id, 'x'),
      () => client.sendToGroup(id, 'x'),
      () => client.closeConnection(id),
      () => client.addUserToGroup('ok', id),
    ]) {
      await expect(call()).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/must not be '\.' or '\.\.'/) });
    }
    expect(server.requests).toHaveLength(before);
  });
});

/** The target (a connection of the user, or a member of the group, named by the id) and the decoys. */
interface Cast {
  fixture: HubFixture;
  sockets: Record<string, TestSocket>;
  connectionIds: Record<string, string>;
}

/** Connects the target as user `id` (and, when `id` is a group name, into group `id`) and the decoys. */
async function cast(fixture: HubFixture, id: string): Promise<Cast> {
  const people = {
    target: { userId: id, groups: isGroupName(id) ? [id] : [] },
    'user x': { userId: 'x', groups: ['x', 'y', 'users', 'groups'] },
    'user a': { userId: 'a' },
    'user b': { userId: 'b' },
    bystander: {},
  };
  const sockets: Record<string, TestSocket> = {};
  const connectionIds: Record<string, string> = {};
  for (const [name, options] of Object.entries(people)) {
    const { socket, connectionId } = await fixture.connect(options);
    [sockets[name], connectionIds[name]] = [socket, connectionId];
  }
  return { fixture, sockets, connectionIds };
}

let probes = 0;

/**
 * Runs `act` (which sends the message it is given), then a fence to the whole hub, and returns who got the
 * message before their fence. Each connection receives in order, so the fence settles the answer.
 */
async function receivers({ fixture, sockets }: Cast, act: (message: string) => Promise<unknown>): Promise<string[]> {
  const probe = `probe-${++probes}`;
  await act(probe);
  await fixture.client.sendToAll({ fence: probe });
  const got: string[] = [];
  for (const [name, socket] of Object.entries(sockets)) {
    let reached = false;
    for (;;) {
      const frame = await socket.json<{ type: string; data?: unknown }>();
      if (frame.type !== 'message') continue;
      if ((frame.data as { fence?: string })?.fence === probe) break;
      if (frame.data === probe) reached = true;
    }
    if (reached) got.push(name);
  }
  return got.sort();
}

const inEmulator = IDS.map(([what, id]) => [what, id] as const);

describe('through the core client, in the emulator: each id reaches its own user or group and no other', () => {
  test.each(inEmulator)('%s', async (_what, id) => {
    const people = await cast(scope.fixture(), id);
    const { client } = people.fixture;
    expect(await receivers(people, (m) => client.sendToUser(id, m))).toEqual(['target']);
    if (isGroupName(id)) {
      expect(await receivers(people, (m) => client.sendToGroup(id, m))).toEqual(['target']);
      expect(await client.groupExists(id)).toBe(true);
    }
    expect(await receivers(people, (m) => client.sendToConnection(id, m))).toEqual([]);
    expect(await client.userExists(id)).toBe(true);
    await client.closeUserConnections(id);
    await people.sockets.target!.closed;
    expect(
      people.fixture.emulator
        .connections(people.fixture.hub)
        .map((c) => c.connectionId)
        .sort(),
    ).toEqual(['user x', 'user a', 'user b', 'bystander'].map((name) => people.connectionIds[name]).sort());
  });
});

describe("through the Action's inputs, in the emulator: each id reaches its own user or group and no other", () => {
  const step = (people: Cast, inputs: Record<string, string>) => (message: string) =>
    runInProcess({ 'connection-string': people.fixture.emulator.connectionString, hub: people.fixture.hub, message, ...inputs }).then((record) => {
      expect(record.failed).toEqual([]);
      // Every line the step logged is one line: an id cannot start a line the runner would read as a command.
      expect(record.log.filter((line) => /[\r\n]/.test(line))).toEqual([]);
      return record;
    });

  test.each(inEmulator)('%s', async (_what, id) => {
    const people = await cast(scope.fixture(), id);
    // The runner's inputs are trimmed (core.getInput): an id with spaces around it names the trimmed id, which
    // nobody here is.
    const target = id.trim() === id ? ['target'] : [];
    expect(await receivers(people, step(people, { target: 'user', 'user-id': id }))).toEqual(target);
    if (isGroupName(id)) expect(await receivers(people, step(people, { target: 'group', group: id }))).toEqual(target);
    expect(await receivers(people, step(people, { target: 'connection', 'connection-id': id }))).toEqual([]);
  });

  test.each(DOT_SEGMENTS)('%s is refused as user-id, group and connection-id, before any request', async (id) => {
    const steps: Record<string, string>[] = [
      { target: 'user', 'user-id': id },
      { target: 'group', group: id },
      { target: 'connection', 'connection-id': id },
    ];
    for (const inputs of steps) {
      const record = await runInProcess({ 'connection-string': 'Endpoint=http://127.0.0.1:1;AccessKey=k;Version=1.0;', hub: 'h', ...inputs });
      expect(record.failed).toEqual([expect.stringMatching(/^Input '(user-id|group|connection-id)' must not be '\.' or '\.\.'/)]);
      expect(record.outputs.attempts).toBe('0');
    }
  });
});

describe('through the Pulumi resources: ids are members and names, never routes', () => {
  const pulumi = useProviderHost(() => ({ 'webpubsub:connectionString': scope.emulator.connectionString }));
  const users = IDS.map(([, id]) => id);

  test('a membership of group ../users/x with every id as a user: exactly those users join, the decoys nothing', async () => {
    const { host, providers } = pulumi;
    const fixture = scope.fixture();
    const group = '../users/x';
    const members: string[] = [];
    for (const userId of users) members.push((await fixture.connect({ userId })).connectionId);
    const decoys = await cast(fixture, 'decoy');
    const urn = urnOf('GroupMembership', uniqueName('membership'));
    const { inputs, failures } = await host.check(urn, {}, { hub: fixture.hub, group, userIds: users, __provider: providers.membership });
    expect(failures).toEqual([]);

    const created = await host.create(urn, inputs);
    expect(created.id).toBe(`${fixture.hub}/groups/..%2Fusers%2Fx`);
    expect(created.properties).toMatchObject({ userIds: [...users].sort(), pendingUserIds: [] });
    expect(groupConnectionIds(scope.emulator, fixture.hub, group)).toEqual([...members].sort());
    const decoyGroups = () =>
      scope.emulator
        .connections(fixture.hub)
        .find((c) => c.connectionId === decoys.connectionIds['user x'])!
        .groups.sort();
    expect(decoyGroups()).toEqual(['groups', 'users', 'x', 'y']);
    expect(await receivers(decoys, (m) => fixture.client.sendToGroup(group, m))).toEqual([]);

    // The id names that group and nothing else: a refresh from it reads the same group back.
    expect((await host.read(created.id, urn, { properties: created.properties })).properties).toEqual(created.properties);
    await host.delete(created.id, urn, created.properties);
    expect(groupConnectionIds(scope.emulator, fixture.hub, group)).toEqual([]);
    expect(decoyGroups()).toEqual(['groups', 'users', 'x', 'y']);
  });

  test('an id whose segments are not encoded is refused, not read as another route', async () => {
    const { host, providers } = pulumi;
    const urn = urnOf('GroupMembership', uniqueName('import'));
    for (const id of ['hub/groups/../users/x', 'hub/groups/x/groups/y', 'hub/users/x', 'hub/groups/']) {
      await expect(host.read(id, urn, { inputs: { __provider: providers.membership } })).rejects.toThrow(`'${id}' is not a WebPubSubGroupMembership id`);
    }
  });

  test('a grant with targetName ../users/x grants that group only; a connection id that is a path is no connection', async () => {
    const { host, providers } = pulumi;
    const fixture = scope.fixture();
    const { connectionId } = await fixture.connect({ userId: 'agent' });
    const urn = urnOf('PermissionGrant', uniqueName('grant'));
    const grant = { hub: fixture.hub, connectionId, permission: 'sendToGroup', targetName: '../users/x', __provider: providers.grant };
    const { inputs, failures } = await host.check(urn, {}, grant);
    expect(failures).toEqual([]);
    const created = await host.create(urn, inputs);
    expect(created.id).toBe(`${fixture.hub}/permissions/sendToGroup/connections/${encodeURIComponent(connectionId)}/groups/..%2Fusers%2Fx`);
    const check = (targetName: string) => fixture.client.checkPermission(connectionId, 'sendToGroup', { targetName });
    expect([await check('../users/x'), await check('x'), await check('users')]).toEqual([true, false, false]);
    expect((await host.read(created.id, urn, { properties: created.properties })).id).toBe(created.id);
    await host.delete(created.id, urn, created.properties);
    expect(await check('../users/x')).toBe(false);

    const stray = (await host.check(urn, {}, { ...grant, connectionId: `${connectionId}/../${connectionId}` })).inputs;
    await expect(host.create(urn, stray)).rejects.toThrow(/the hub has no such open connection/);
    expect(await check('../users/x')).toBe(false);
  });
});
