/**
 * Role strings and runtime grants, as a raw JSON client sees them through acks: every group, one group (names
 * with dots), wildcard patterns, and REST grant/revoke on top of the token's roles.
 */
import { expect, test } from '@jest/globals';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import type { TestSocket } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

let ackId = 0;
/** Sends a request with a fresh ackId and returns whether it was allowed (a Forbidden ack is `false`). */
async function allowed(socket: TestSocket, request: Record<string, unknown>): Promise<boolean> {
  const id = ++ackId;
  socket.send({ ...request, ackId: id });
  const ack = await socket.jsonWhere<{ success: boolean; error?: { name: string } }>((f) => f.type === 'ack' && f.ackId === id);
  if (!ack.success) expect(ack.error?.name).toBe('Forbidden');
  return ack.success;
}

const join = (socket: TestSocket, group: string) => allowed(socket, { type: 'joinGroup', group });
const publish = (socket: TestSocket, group: string) => allowed(socket, { type: 'sendToGroup', group, dataType: 'text', data: 'x' });

test('no role: events only; joinGroup and sendToGroup are Forbidden, and silent without an ackId', async () => {
  fixture = env.fixture();
  const { socket } = await fixture.connect();
  expect(await join(socket, 'g')).toBe(false);
  expect(await publish(socket, 'g')).toBe(false);
  expect(await allowed(socket, { type: 'event', event: 'e', dataType: 'text', data: 'x' })).toBe(true);
  socket.send({ type: 'joinGroup', group: 'g' });
  socket.send({ type: 'ping' });
  expect(await socket.json()).toEqual({ type: 'pong' });
});

test('webpubsub.joinLeaveGroup.<group> and webpubsub.sendToGroup.<group> cover exactly that group, dots included', async () => {
  fixture = env.fixture();
  const { socket } = await fixture.connect({ roles: ['webpubsub.joinLeaveGroup.a.b', 'webpubsub.sendToGroup.a.b', 'app.custom.role'] });
  expect(await join(socket, 'a.b')).toBe(true);
  expect(await join(socket, 'a')).toBe(false);
  expect(await publish(socket, 'a.b')).toBe(true);
  expect(await publish(socket, 'a.bc')).toBe(false);
});

test('webpubsub.joinLeaveGroup and webpubsub.sendToGroup cover every group', async () => {
  fixture = env.fixture();
  const { socket } = await fixture.connect({ roles: ['webpubsub.joinLeaveGroup', 'webpubsub.sendToGroup'] });
  expect(await join(socket, 'anything at all')).toBe(true);
  expect(await publish(socket, 'elsewhere')).toBe(true);
});

test.each([
  ['room.?', ['room.1', 'room.x'], ['room.12', 'room..', 'room.']],
  ['room.*', ['room.', 'room.lobby'], ['room.a.b', 'lobby']],
  ['room.**', ['room.a.b.c', 'room.'], ['rooms.a']],
  ['*.news', ['eu.news', '.news'], ['eu.west.news']],
  ['lit\\*eral', ['lit*eral'], ['litXeral', 'lit\\*eral']],
])('webpubsub.joinLeaveGroups.%s matches by the wildcard rules', async (pattern, matching, notMatching) => {
  fixture = env.fixture();
  const { socket } = await fixture.connect({ roles: [`webpubsub.joinLeaveGroups.${pattern}`, `webpubsub.sendToGroups.${pattern}`] });
  for (const group of matching) {
    expect([group, await join(socket, group), await publish(socket, group)]).toEqual([group, true, true]);
  }
  for (const group of notMatching) {
    expect([group, await join(socket, group), await publish(socket, group)]).toEqual([group, false, false]);
  }
});

test('REST grants add to the token roles, group by group; targetName is required', async () => {
  fixture = env.fixture();
  const { socket, connectionId } = await fixture.connect({ roles: ['webpubsub.sendToGroup.fixed'] });
  const { client } = fixture;

  expect(await client.checkPermission(connectionId, 'sendToGroup', { targetName: 'fixed' })).toBe(true);
  await client.grantPermission(connectionId, 'sendToGroup', { targetName: 'extra' });
  expect(await publish(socket, 'extra')).toBe(true);
  await client.revokePermission(connectionId, 'sendToGroup', { targetName: 'extra' });
  expect(await publish(socket, 'extra')).toBe(false);
  await client.revokePermission(connectionId, 'sendToGroup', { targetName: 'fixed' });
  expect(await publish(socket, 'fixed')).toBe(false);

  for (const call of [
    () => client.grantPermission(connectionId, 'joinLeaveGroup'),
    () => client.revokePermission(connectionId, 'joinLeaveGroup'),
    () => client.checkPermission(connectionId, 'joinLeaveGroup'),
  ]) {
    await expect(call()).rejects.toMatchObject({ status: 400, code: 'Error.BadRequest' });
  }
  expect(await join(socket, 'any')).toBe(false);
});
