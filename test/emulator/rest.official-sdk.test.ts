/**
 * The official `@azure/web-pubsub` against the env.emulator: every operation it exposes, with the statuses and
 * effects of the real service. It shares no code with the env.emulator, so it checks the env.emulator independently of
 * the operations table.
 */
import { describe, expect, test } from '@jest/globals';
import type { OperationOptions } from '@azure/core-client';
import { operations, type OperationName } from '../../shared/index.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { messagesUntil } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

/** Options that record the raw status, so each call can be held to the table's success status. */
function recording(): OperationOptions & { status(): number } {
  let status = 0;
  return { onResponse: (raw) => (status = raw.status), status: () => status };
}

async function expectStatus(name: OperationName, call: (options: OperationOptions) => Promise<unknown>, expected?: number): Promise<void> {
  const options = recording();
  await call(options);
  expect(options.status()).toBe(expected ?? operations[name].success[0]);
}

describe('sends', () => {
  test('every content type reaches JSON clients as the matching dataType, with 202', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    const { official } = fixture;

    await expectStatus('sendToAll', (o) => official.sendToAll({ hello: 'world' }, o));
    await expectStatus('sendToAll', (o) => official.sendToAll('plain text', { ...o, contentType: 'text/plain' }));
    await expectStatus('sendToAll', (o) => official.sendToAll(new Uint8Array([1, 2, 250]), o));
    await expectStatus('sendToAll', (o) => official.sendToAll('a json string', o));

    expect(await socket.json()).toEqual({ type: 'message', from: 'server', dataType: 'json', data: { hello: 'world' } });
    expect(await socket.json()).toEqual({ type: 'message', from: 'server', dataType: 'text', data: 'plain text' });
    expect(await socket.json()).toEqual({ type: 'message', from: 'server', dataType: 'binary', data: Buffer.from([1, 2, 250]).toString('base64') });
    expect(await socket.json()).toEqual({ type: 'message', from: 'server', dataType: 'json', data: 'a json string' });
  });

  test('user, connection and group sends reach only their targets; unknown targets still get 202', async () => {
    fixture = env.fixture();
    const a = await fixture.connect({ userId: 'alice', groups: ['team'] });
    const b = await fixture.connect({ userId: 'bob' });
    const { official } = fixture;

    await expectStatus('sendToUser', (o) => official.sendToUser('alice', 'to alice', { ...o, contentType: 'text/plain' }));
    await expectStatus('sendToConnection', (o) => official.sendToConnection(b.connectionId, 'to b', { ...o, contentType: 'text/plain' }));
    await expectStatus('sendToGroup', (o) => official.group('team').sendToAll('to team', { ...o, contentType: 'text/plain' }));
    await expectStatus('sendToUser', (o) => official.sendToUser('nobody', 'lost', o));
    await expectStatus('sendToConnection', (o) => official.sendToConnection('no-such-connection', 'lost', o));
    await expectStatus('sendToGroup', (o) => official.group('empty-group').sendToAll('lost', o));
    await official.sendToAll('end', { contentType: 'text/plain' });

    expect((await messagesUntil(a.socket, 'end')).map((m) => [m.from, m.group, m.data])).toEqual([
      ['server', undefined, 'to alice'],
      ['group', 'team', 'to team'],
    ]);
    expect((await messagesUntil(b.socket, 'end')).map((m) => m.data)).toEqual(['to b']);
  });

  test('excluded connections, OData filters and a TTL narrow a send', async () => {
    fixture = env.fixture();
    const a = await fixture.connect({ userId: 'alice', groups: ['team'] });
    const b = await fixture.connect({ userId: 'bob', groups: ['team'] });
    const { official } = fixture;

    await official.sendToAll('all but a', { contentType: 'text/plain', excludedConnections: [a.connectionId] });
    await official.sendToAll('filtered to bob', { contentType: 'text/plain', filter: "userId eq 'bob'" });
    await official.group('team').sendToAll('team but not bob', { contentType: 'text/plain', filter: "not (userId eq 'bob')" });
    await official.sendToUser('alice', 'alice with ttl', { contentType: 'text/plain', messageTtlSeconds: 60 });
    await official.sendToAll('end', { contentType: 'text/plain' });

    expect((await messagesUntil(a.socket, 'end')).map((m) => m.data)).toEqual(['team but not bob', 'alice with ttl']);
    expect((await messagesUntil(b.socket, 'end')).map((m) => m.data)).toEqual(['all but a', 'filtered to bob']);
  });

  test('a filter with a syntax error is a 400 naming the problem', async () => {
    fixture = env.fixture();
    await expect(fixture.official.sendToAll('x', { filter: "userId eq 'unterminated" })).rejects.toMatchObject({
      statusCode: 400,
      code: 'Error.BadRequest',
    });
  });
});

describe('exists checks', () => {
  test('connection, group, user and permission checks answer 200 or 404', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ userId: 'carol', groups: ['g1'], roles: ['webpubsub.sendToGroup.g1'] });
    const { official } = fixture;

    const answers: [OperationName, () => Promise<boolean>, boolean][] = [
      ['connectionExists', () => official.connectionExists(connectionId), true],
      ['connectionExists', () => official.connectionExists('missing'), false],
      ['groupExists', () => official.groupExists('g1'), true],
      ['groupExists', () => official.groupExists('g2'), false],
      ['userExists', () => official.userExists('carol'), true],
      ['userExists', () => official.userExists('dave'), false],
      ['checkPermission', () => official.hasPermission(connectionId, 'sendToGroup', { targetName: 'g1' }), true],
      ['checkPermission', () => official.hasPermission(connectionId, 'sendToGroup', { targetName: 'g2' }), false],
      ['checkPermission', () => official.hasPermission(connectionId, 'joinLeaveGroup', { targetName: 'g1' }), false],
    ];
    for (const [, ask, expected] of answers) expect(await ask()).toBe(expected);
  });
});

describe('group membership', () => {
  test('connections join and leave groups; an unknown connection is a 404', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect();
    const group = fixture.official.group('ops');

    await expectStatus('addConnectionToGroup', (o) => group.addConnection(connectionId, o));
    expect(await fixture.official.groupExists('ops')).toBe(true);
    await expectStatus('removeConnectionFromGroup', (o) => group.removeConnection(connectionId, o));
    expect(await fixture.official.groupExists('ops')).toBe(false);
    await expect(group.addConnection('no-such-connection')).rejects.toMatchObject({ statusCode: 404 });

    await group.addConnection(connectionId);
    await fixture.official.group('other').addConnection(connectionId);
    await expectStatus('removeConnectionFromAllGroups', (o) => fixture.official.removeConnectionFromAllGroups(connectionId, o));
    expect(await fixture.official.groupExists('ops')).toBe(false);
    expect(await fixture.official.groupExists('other')).toBe(false);
  });

  test('users join groups through their current connections; a user without connections is a 404', async () => {
    fixture = env.fixture();
    const first = await fixture.connect({ userId: 'erin' });
    const second = await fixture.connect({ userId: 'erin' });
    const { official } = fixture;

    await expectStatus('addUserToGroup', (o) => official.group('blue').addUser('erin', o));
    await official.group('red').addUser('erin');
    const members = async (name: string) => (await listAll(name)).map((m) => m.connectionId).sort();
    expect(await members('blue')).toEqual([first.connectionId, second.connectionId].sort());

    await expectStatus('removeUserFromGroup', (o) => official.group('blue').removeUser('erin', o));
    expect(await official.groupExists('blue')).toBe(false);
    await expectStatus('removeUserFromAllGroups', (o) => official.removeUserFromAllGroups('erin', o));
    expect(await official.groupExists('red')).toBe(false);

    await expect(official.group('blue').addUser('frank')).rejects.toMatchObject({ statusCode: 404 });
    // Membership is not remembered for a user's later connections.
    await official.group('green').addUser('erin');
    const later = await fixture.connect({ userId: 'erin' });
    expect(await members('green')).not.toContain(later.connectionId);
  });

  test('add/removeConnectionsToGroups apply to the connections the filter selects, with 200', async () => {
    fixture = env.fixture();
    const a = await fixture.connect({ userId: 'u1' });
    const b = await fixture.connect({ userId: 'u2' });
    const { official } = fixture;

    await expectStatus('addConnectionsToGroups', (o) => official.addConnectionsToGroups(['x', 'y'], "userId eq 'u1'", o));
    expect((await listAll('x')).map((m) => m.connectionId)).toEqual([a.connectionId]);
    expect((await listAll('y')).map((m) => m.connectionId)).toEqual([a.connectionId]);
    await official.addConnectionsToGroups(['x'], `connectionId eq '${b.connectionId}'`);
    await expectStatus('removeConnectionsFromGroups', (o) => official.removeConnectionsFromGroups(['x', 'y'], "'y' in groups", o));
    expect((await listAll('x')).map((m) => m.connectionId)).toEqual([b.connectionId]);
    expect(await official.groupExists('y')).toBe(false);
  });

  test('listConnections follows absolute nextLinks page by page and honours top', async () => {
    fixture = env.fixture();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await fixture.connect({ userId: `user${i}`, groups: ['crowd'] })).connectionId);

    const members = await listAll('crowd', { maxPageSize: 2 });
    expect(members.map((m) => m.connectionId).sort()).toEqual([...ids].sort());
    expect(new Set(members.map((m) => m.userId))).toEqual(new Set(['user0', 'user1', 'user2', 'user3', 'user4']));

    const pages: number[] = [];
    for await (const page of (await fixture.official.group('crowd').listConnections({ maxPageSize: 2 })).byPage()) pages.push(page.length);
    expect(pages).toEqual([2, 2, 1]);
    expect(await listAll('crowd', { maxPageSize: 2, top: 3 })).toHaveLength(3);
    expect(await listAll('nobody-here')).toEqual([]);
  });

  test('an anonymous member comes through with userId null', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ groups: ['anonymous'] });
    expect(await listAll('anonymous')).toStrictEqual([{ connectionId, userId: null }]);
  });
});

describe('permissions', () => {
  test('grant, check and revoke per group; granting to an unknown connection is a 404', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect();
    const { official } = fixture;

    expect(await official.hasPermission(connectionId, 'joinLeaveGroup', { targetName: 'g' })).toBe(false);
    await expectStatus('grantPermission', (o) => official.grantPermission(connectionId, 'joinLeaveGroup', { ...o, targetName: 'g' }));
    expect(await official.hasPermission(connectionId, 'joinLeaveGroup', { targetName: 'g' })).toBe(true);
    expect(await official.hasPermission(connectionId, 'joinLeaveGroup', { targetName: 'h' })).toBe(false);
    await expectStatus('revokePermission', (o) => official.revokePermission(connectionId, 'joinLeaveGroup', { ...o, targetName: 'g' }));
    expect(await official.hasPermission(connectionId, 'joinLeaveGroup', { targetName: 'g' })).toBe(false);
    await expect(official.grantPermission('missing', 'sendToGroup', { targetName: 'g' })).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('closing connections', () => {
  test("each close operation sends disconnected with the service's message and ends only its targets, with 204", async () => {
    fixture = env.fixture();
    const one = await fixture.connect({ userId: 'one' });
    const two = await fixture.connect({ userId: 'two', groups: ['g'] });
    const three = await fixture.connect({ userId: 'three' });
    const four = await fixture.connect({ userId: 'four' });
    const five = await fixture.connect({ userId: 'five' });
    const { official } = fixture;
    const closedBy = (reason: string) => ({ type: 'system', event: 'disconnected', message: `Application server closed the connection. Reason: ${reason}` });

    await expectStatus('closeConnection', (o) => official.closeConnection(one.connectionId, { ...o, reason: 'bye one' }));
    expect(await one.socket.jsonWhere((f) => f.type === 'system')).toEqual(closedBy('bye one'));
    // The reason is in the disconnected frame only: the close frame is 1000 with an empty description.
    expect(await one.socket.closed).toEqual({ code: 1000, reason: '' });

    await expectStatus('closeGroupConnections', (o) => official.group('g').closeAllConnections({ ...o, reason: 'group closed' }));
    expect(await two.socket.jsonWhere((f) => f.type === 'system')).toEqual(closedBy('group closed'));

    await expectStatus('closeUserConnections', (o) => official.closeUserConnections('three', { ...o, reason: 'user closed' }));
    expect(await three.socket.jsonWhere((f) => f.type === 'system')).toEqual(closedBy('user closed'));

    // Without a reason the sentence ends after "connection.".
    await expectStatus('closeConnection', (o) => official.closeConnection(five.connectionId, o));
    expect(await five.socket.jsonWhere((f) => f.type === 'system')).toEqual({
      type: 'system',
      event: 'disconnected',
      message: 'Application server closed the connection.',
    });
    expect(await five.socket.closed).toEqual({ code: 1000, reason: '' });

    await expectStatus('closeAllConnections', (o) => official.closeAllConnections({ ...o, reason: 'all' }));
    expect(await four.socket.jsonWhere((f) => f.type === 'system')).toEqual(closedBy('all'));
    await four.socket.closed;
    expect(env.emulator.connections(fixture.hub)).toEqual([]);
    expect(await official.connectionExists(four.connectionId)).toBe(false);
  });
});

describe('errors', () => {
  test('invalid names and unknown permissions are 400s with the service error shape', async () => {
    fixture = env.fixture();
    await expect(fixture.official.group('   ').sendToAll('x')).rejects.toMatchObject({ statusCode: 400, code: 'Error.BadRequest' });
    await expect(fixture.official.grantPermission('c', 'sendToGroups' as never)).rejects.toMatchObject({ statusCode: 400, code: 'Error.BadRequest' });
    await expect(fixture.official.sendToAll('x', { messageTtlSeconds: 301 })).rejects.toMatchObject({ statusCode: 400, code: 'Error.BadRequest' });
  });
});

async function listAll(group: string, options: { maxPageSize?: number; top?: number } = {}): Promise<{ connectionId: string; userId?: string }[]> {
  const members: { connectionId: string; userId?: string }[] = [];
  for await (const member of await fixture.official.group(group).listConnections(options)) members.push(member);
  return members;
}
