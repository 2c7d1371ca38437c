/**
 * Runtime permissions as Microsoft's emulator keeps them: a REST revoke carves one group out of a token role that
 * covers it (`webpubsub.sendToGroup`, a pattern), the client's requests for that group are then acked Forbidden,
 * a grant restores it, the carve-outs survive recovery, and one connection holds at most 1,000 group rules per
 * permission. Driven with the official `@azure/web-pubsub` and `@azure/web-pubsub-client`.
 */
import { describe, expect, test } from '@jest/globals';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { startOfficialClient } from '../helpers/officialClient.js';
import { connectJson, messagesUntil, openSocket, RELIABLE_PROTOCOL, type TestSocket } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

const forbidden = { errorDetail: { name: 'Forbidden', message: expect.any(String) } };

/** Sends a request frame with an ackId and returns its ack. */
async function request(socket: TestSocket, frame: Record<string, unknown>, ackId: number): Promise<Record<string, unknown>> {
  socket.send({ ...frame, ackId });
  return socket.jsonWhere((f) => f.type === 'ack' && f.ackId === ackId);
}

describe('a revoke carves a group out of a wildcard role', () => {
  test('sendToGroup and joinGroup of that group are acked Forbidden, other groups stay allowed, a grant restores it', async () => {
    fixture = env.fixture();
    const { official } = fixture;
    const receiver = await fixture.connect({ groups: ['room', 'room-other'] });
    const { url } = await official.getClientAccessToken({ roles: ['webpubsub.joinLeaveGroups.room*', 'webpubsub.sendToGroup'] });
    const sender = await startOfficialClient(url);
    try {
      const { connectionId } = await sender.connected.next();
      for (const permission of ['sendToGroup', 'joinLeaveGroup'] as const) {
        expect(await official.hasPermission(connectionId, permission, { targetName: 'room' })).toBe(true);
        await official.revokePermission(connectionId, permission, { targetName: 'room' });
        expect(await official.hasPermission(connectionId, permission, { targetName: 'room' })).toBe(false);
        expect(await official.hasPermission(connectionId, permission, { targetName: 'room-other' })).toBe(true);
      }

      await expect(sender.client.sendToGroup('room', 'refused', 'text')).rejects.toMatchObject(forbidden);
      await expect(sender.client.joinGroup('room')).rejects.toMatchObject(forbidden);
      await expect(sender.client.leaveGroup('room')).rejects.toMatchObject(forbidden);
      await sender.client.joinGroup('room-other');
      await sender.client.sendToGroup('room-other', 'allowed', 'text');
      await official.sendToConnection(receiver.connectionId, 'marker', { contentType: 'text/plain' });
      expect((await messagesUntil(receiver.socket, 'marker')).map((m) => [m.group, m.data])).toEqual([['room-other', 'allowed']]);

      await official.grantPermission(connectionId, 'sendToGroup', { targetName: 'room' });
      await sender.client.sendToGroup('room', 'restored', 'text');
      expect((await messagesUntil(receiver.socket, 'restored')).length).toBe(0);
      await expect(sender.client.joinGroup('room')).rejects.toMatchObject(forbidden);
    } finally {
      await sender.stop();
    }
  });

  test('a recovered reliable connection keeps the carve-outs and the grants', async () => {
    fixture = env.fixture();
    const { official } = fixture;
    const { url } = await official.getClientAccessToken({ roles: ['webpubsub.sendToGroup', 'webpubsub.joinLeaveGroups.room*'] });
    const { socket, connected } = await connectJson(url, RELIABLE_PROTOCOL);
    const connectionId = connected.connectionId as string;
    await official.revokePermission(connectionId, 'sendToGroup', { targetName: 'room' });
    await socket.close();
    // Changed while the connection waits for its client: it still exists.
    await official.grantPermission(connectionId, 'joinLeaveGroup', { targetName: 'offline' });
    const recovered = await openSocket(
      `${url}&awps_connection_id=${encodeURIComponent(connectionId)}&awps_reconnection_token=${encodeURIComponent(connected.reconnectionToken as string)}`,
      RELIABLE_PROTOCOL,
    );
    try {
      const send = { type: 'sendToGroup', group: 'room', dataType: 'text', data: 'x' };
      expect(await request(recovered, send, 1)).toMatchObject({ success: false, error: { name: 'Forbidden' } });
      expect(await request(recovered, { ...send, group: 'room2' }, 2)).toMatchObject({ success: true });
      expect(await request(recovered, { type: 'joinGroup', group: 'offline' }, 3)).toMatchObject({ success: true });
    } finally {
      await recovered.close();
    }
  });
});

describe('REST contract', () => {
  test.each(['grantPermission', 'revokePermission', 'hasPermission'] as const)(
    '%s without targetName, or with an empty or whitespace one, is a 400',
    async (method) => {
      fixture = env.fixture();
      const { connectionId } = await fixture.connect();
      for (const targetName of [undefined, '', ' \t']) {
        await expect(fixture.official[method](connectionId, 'sendToGroup', { targetName })).rejects.toMatchObject({ statusCode: 400 });
      }
    },
  );

  test('a connection without the permission and an unknown one are both 404 Info.Connection.NotExisted; revoking from an unknown one is fine', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect();
    let codes: (string | undefined)[] = [];
    const onResponse = (response: { headers: { get(name: string): string | undefined } }) => codes.push(response.headers.get('x-ms-error-code'));
    expect(await fixture.official.hasPermission(connectionId, 'sendToGroup', { targetName: 'room', onResponse })).toBe(false);
    expect(await fixture.official.hasPermission('missing', 'sendToGroup', { targetName: 'room', onResponse })).toBe(false);
    expect(codes).toEqual(['Info.Connection.NotExisted', 'Info.Connection.NotExisted']);
    codes = [];
    await fixture.official.revokePermission('missing', 'sendToGroup', { targetName: 'room' });
    await expect(fixture.official.grantPermission('missing', 'sendToGroup', { targetName: 'room' })).rejects.toMatchObject({
      statusCode: 404,
      code: 'Info.Connection.NotExisted',
      message: 'Connection `missing` is not found.',
    });
  });

  test.each([
    ['grants', [], 'grantPermission', false],
    ['revokes under webpubsub.sendToGroup', ['webpubsub.sendToGroup'], 'revokePermission', true],
  ] as const)('beyond 1,000 group %s on one connection: 409 Error.Connection.Conflict, nothing changed', async (_what, roles, method, held) => {
    fixture = env.fixture();
    const { official } = fixture;
    const { connectionId } = await fixture.connect({ roles: [...roles] });
    for (let batch = 0; batch < 1000; batch += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => official[method](connectionId, 'sendToGroup', { targetName: `room${batch + i}` })));
    }
    await expect(official[method](connectionId, 'sendToGroup', { targetName: 'overflow' })).rejects.toMatchObject({
      statusCode: 409,
      code: 'Error.Connection.Conflict',
    });
    expect(await official.hasPermission(connectionId, 'sendToGroup', { targetName: 'overflow' })).toBe(held);
    // A rule already held may still change, and other permissions have their own 1,000.
    expect(await official.hasPermission(connectionId, 'sendToGroup', { targetName: 'room7' })).toBe(!held);
    await official[method === 'grantPermission' ? 'revokePermission' : 'grantPermission'](connectionId, 'sendToGroup', { targetName: 'room7' });
    expect(await official.hasPermission(connectionId, 'sendToGroup', { targetName: 'room7' })).toBe(held);
    await official.grantPermission(connectionId, 'joinLeaveGroup', { targetName: 'overflow' });
  });
});
