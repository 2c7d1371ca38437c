/**
 * Where recordings of the real service show its answer (NOTES §3.1), the emulator gives the same status,
 * `x-ms-error-code`, body `code` and `target`: checked on the raw response, and through our core client and the
 * official `@azure/web-pubsub` where they surface the code.
 */
import { describe, expect, test } from '@jest/globals';
import { decodeJwt } from 'jose';
import type { WebPubSubResponse } from '../../shared/index.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { nextEvent } from '../helpers/inbox.js';
import { RELIABLE_PROTOCOL } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

/** A signed request through our client's pipeline, answered as it came: status, headers and body untouched. */
function raw(method: 'PUT' | 'HEAD' | 'POST', path: string, apiVersion = '2024-12-01'): Promise<WebPubSubResponse> {
  const separator = path.includes('?') ? '&' : '?';
  return fixture.client.sendRequest({ method, url: `/api/hubs/${fixture.hub}/${path}${separator}api-version=${apiVersion}`, headers: {} });
}

/** Status and header exactly; for non-HEAD requests the whole error body, with code and target exactly. */
function expectServiceError(response: WebPubSubResponse, method: string, status: number, code: string, target: string | null): void {
  expect([response.status, response.headers['x-ms-error-code']]).toEqual([status, code]);
  if (method === 'HEAD') {
    expect(response.body).toBe('');
    return;
  }
  expect(JSON.parse(response.body)).toEqual({ code, message: expect.any(String), target, details: [], inner: null });
}

describe('the recorded answers, on the raw response', () => {
  test.each([
    ['PUT', 'groups/g/connections/unknown-connection', 404, 'Error.Connection.NotExisted', 'Connection'],
    ['PUT', 'users/user-without-connection/groups/g', 404, 'Warning.User.NotExisted', 'User'],
    ['PUT', 'permissions/sendToGroup/connections/unknown-connection?targetName=g', 404, 'Info.Connection.NotExisted', 'Connection'],
    ['HEAD', 'permissions/joinLeaveGroup/connections/unknown-connection?targetName=g', 404, 'Info.Connection.NotExisted', null],
    ['HEAD', 'connections/unknown-connection', 404, 'Warning.Connection.NotExisted', null],
    ['HEAD', 'groups/empty-group', 404, 'Warning.Group.NotExisted', null],
    ['HEAD', 'users/user-without-connection', 404, 'Warning.User.NotExisted', null],
  ] as const)('%s %s is %i %s', async (method, path, status, code, target) => {
    fixture = env.fixture();
    // Someone is connected, so the hub exists and only the named resource is missing.
    await fixture.connect({ userId: 'someone', groups: ['other-group'] });
    expectServiceError(await raw(method, path), method, status, code, target);
  });

  test('POST :generateToken with clientType=socketio on 2024-01-01 is 400 Error.BadRequest, target clientType', async () => {
    fixture = env.fixture();
    expectServiceError(await raw('POST', ':generateToken?userId=u&clientType=socketio', '2024-01-01'), 'POST', 400, 'Error.BadRequest', 'clientType');
    const body = JSON.parse((await raw('POST', ':generateToken?clientType=SocketIO', '2024-01-01')).body);
    expect(body.message).toBe('Query parameter clientType must be default or mqtt in api-version 2024-01-01; socketio needs 2024-12-01 or later');
  });

  test(':generateToken takes socketio on 2024-12-01, and default and mqtt on 2024-01-01', async () => {
    fixture = env.fixture();
    const audience = async (query: string, apiVersion: string) => {
      const response = await raw('POST', `:generateToken?${query}`, apiVersion);
      expect(response.status).toBe(200);
      return decodeJwt(JSON.parse(response.body).token).aud;
    };
    expect(await audience('clientType=socketio', '2024-12-01')).toBe(`${env.emulator.endpoint}/clients/socketio/hubs/${fixture.hub}`);
    expect(await audience('clientType=mqtt', '2024-01-01')).toBe(`${env.emulator.endpoint}/clients/mqtt/hubs/${fixture.hub}`);
    expect(await audience('clientType=Default', '2024-01-01')).toBe(`${env.emulator.endpoint}/client/hubs/${fixture.hub}`);
  });

  test('a group whose last member left answers like one that never existed', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ groups: ['brief'] });
    expect((await raw('HEAD', 'groups/brief')).status).toBe(200);
    await fixture.client.removeConnectionFromGroup('brief', connectionId);
    expectServiceError(await raw('HEAD', 'groups/brief'), 'HEAD', 404, 'Warning.Group.NotExisted', null);
  });

  test('a permission an existing connection lacks is a 404 Info.Connection.NotExisted, as Microsoft’s emulator answers', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ roles: ['webpubsub.sendToGroup.mine'] });
    expect((await raw('HEAD', `permissions/sendToGroup/connections/${connectionId}?targetName=mine`)).status).toBe(200);
    const path = `permissions/sendToGroup/connections/${connectionId}?targetName=theirs`;
    expectServiceError(await raw('HEAD', path), 'HEAD', 404, 'Info.Connection.NotExisted', null);
  });
});

describe('HEAD connections/{id} right after a close', () => {
  test.each([
    ['json', undefined],
    ['reliable', RELIABLE_PROTOCOL],
    ['plain', null],
  ] as const)('a %s connection closed through REST is Warning.Connection.NotExisted at once', async (_kind, protocol) => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ protocol });
    expect((await raw('HEAD', `connections/${connectionId}`)).status).toBe(200);
    await fixture.client.closeConnection(connectionId, { reason: 'done' });
    expectServiceError(await raw('HEAD', `connections/${connectionId}`), 'HEAD', 404, 'Warning.Connection.NotExisted', null);
  });

  test.each([
    ['json', undefined],
    ['plain', null],
  ] as const)('a %s connection its client closed is Warning.Connection.NotExisted once the emulator sees the close', async (_kind, protocol) => {
    fixture = env.fixture();
    const { socket, connectionId } = await fixture.connect({ protocol });
    const ended = nextEvent(env.emulator, 'disconnected', (e: { connectionId: string }) => e.connectionId === connectionId);
    socket.ws.close(1000, 'bye');
    await ended;
    expectServiceError(await raw('HEAD', `connections/${connectionId}`), 'HEAD', 404, 'Warning.Connection.NotExisted', null);
  });
});

describe('the codes through the clients', () => {
  test('our core client: failed calls carry the service code; HEAD misses are false', async () => {
    fixture = env.fixture();
    const { client } = fixture;
    await expect(client.addConnectionToGroup('g', 'unknown-connection')).rejects.toMatchObject({
      name: 'WebPubSubRequestError',
      status: 404,
      code: 'Error.Connection.NotExisted',
    });
    await expect(client.addUserToGroup('g', 'user-without-connection')).rejects.toMatchObject({ status: 404, code: 'Warning.User.NotExisted' });
    await expect(client.grantPermission('unknown-connection', 'sendToGroup', { targetName: 'g' })).rejects.toMatchObject({
      status: 404,
      code: 'Info.Connection.NotExisted',
    });
    await expect(client.sendToGroup('   ', 'x')).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    expect(await client.connectionExists('unknown-connection')).toBe(false);
    expect(await client.groupExists('empty-group')).toBe(false);
    expect(await client.userExists('user-without-connection')).toBe(false);
    expect(await client.checkPermission('unknown-connection', 'sendToGroup', { targetName: 'g' })).toBe(false);
  });

  test('the official SDK: the codes it keeps are the service’s; HEAD misses are false', async () => {
    fixture = env.fixture();
    const { official } = fixture;
    await expect(official.group('g').addUser('user-without-connection')).rejects.toMatchObject({ statusCode: 404, code: 'Warning.User.NotExisted' });
    await expect(official.grantPermission('unknown-connection', 'sendToGroup', { targetName: 'g' })).rejects.toMatchObject({
      statusCode: 404,
      code: 'Info.Connection.NotExisted',
    });
    // The SDK replaces this 404 with its own message and no code (groupClient addConnection).
    await expect(official.group('g').addConnection('unknown-connection')).rejects.toMatchObject({ statusCode: 404 });
    await expect(official.group('   ').sendToAll('x')).rejects.toMatchObject({ statusCode: 400, code: 'Error.BadRequest' });
    expect(await official.connectionExists('unknown-connection')).toBe(false);
    expect(await official.groupExists('empty-group')).toBe(false);
    expect(await official.userExists('user-without-connection')).toBe(false);
    expect(await official.hasPermission('unknown-connection', 'sendToGroup', { targetName: 'g' })).toBe(false);
  });
});
