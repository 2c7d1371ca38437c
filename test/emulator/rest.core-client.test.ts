/**
 * Our core client against the env.emulator: one case per row of the operations table (every api-version the row
 * exists in), the service's error shape, api-version gating, body limits, and the strict/loose refusal of what
 * the env.emulator does not implement.
 */
import { describe, expect, test } from '@jest/globals';
import { decodeJwt } from 'jose';
import { startEmulator } from '../../emulator/index.js';
import {
  API_VERSIONS,
  WebPubSubServiceClient,
  buildGenerateClientTokenRequest,
  buildSendToAllRequest,
  operationList,
  type Operation,
  type WebPubSubRequest,
  type WebPubSubResponse,
} from '../../shared/index.js';
import { buildRequest } from '../../shared/requests.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import { openSocket, JSON_PROTOCOL } from '../helpers/sockets.js';

const env = useEmulator();
let fixture: HubFixture;

/** Builds a row's request with sample arguments that make every target exist. */
function sampleRequest(operation: Operation, hub: string, connectionId: string, apiVersion: string): WebPubSubRequest {
  const samples = { group: 'g', userId: 'u', connectionId, permission: 'sendToGroup' } as const;
  return buildRequest(operation, {
    hub,
    apiVersion,
    args: operation.args.map((param) => samples[param as keyof typeof samples]),
    options: operation.operationId.includes('Permission') ? { targetName: 'g' } : {},
    payload: { contentType: 'application/json', body: '{"n":1}' },
    groups: ['g'],
    filter: "userId eq 'u'",
  });
}

async function send(request: WebPubSubRequest): Promise<WebPubSubResponse> {
  return fixture.client.sendRequest(request);
}

describe('every row of the operations table', () => {
  const cases = operationList.flatMap((operation) =>
    API_VERSIONS.filter((version) => version >= operation.since).map((version) => [operation.name, version, operation] as const),
  );

  test.each(cases)('%s with api-version %s answers the table status', async (_name, version, operation) => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ userId: 'u', groups: ['g'], roles: ['webpubsub.sendToGroup.g'] });
    const response = await send(sampleRequest(operation, fixture.hub, connectionId, version));
    expect(response.status).toBe(operation.success[0]);
    if (operation.result === 'none' || operation.result === 'exists') expect(response.body).toBe('');
  });

  test.each(operationList.filter((operation) => API_VERSIONS.some((v) => v < operation.since)).map((o) => [o.name, o] as const))(
    '%s is refused with a 400 in api-versions older than its row',
    async (_name, operation) => {
      fixture = env.fixture();
      const older = API_VERSIONS.filter((version) => version < operation.since).at(-1)!;
      const request = sampleRequest(operation, fixture.hub, 'c', operation.since);
      const response = await send({ ...request, url: request.url.replace(`api-version=${operation.since}`, `api-version=${older}`) });
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ code: 'Error.BadRequest', target: 'api-version' });
    },
  );

  test('HEAD operations answer 404 for missing targets with x-ms-error-code and no body', async () => {
    fixture = env.fixture();
    const heads = operationList.filter((operation) => operation.result === 'exists');
    const codes: Record<string, string> = {};
    for (const operation of heads) {
      const response = await send(sampleRequest(operation, fixture.hub, 'missing', '2024-12-01'));
      expect(response.status).toBe(404);
      expect(response.body).toBe('');
      codes[operation.name] = response.headers['x-ms-error-code'] as string;
    }
    expect(codes).toEqual({
      connectionExists: 'Warning.Connection.NotExisted',
      groupExists: 'Warning.Group.NotExisted',
      userExists: 'Warning.User.NotExisted',
      checkPermission: 'Info.Connection.NotExisted',
    });
  });
});

describe('errors as the service sends them', () => {
  test('a 4xx carries the bare ErrorDetail body and x-ms-error-code', async () => {
    fixture = env.fixture();
    const response = await send({ method: 'PUT', url: `/api/hubs/${fixture.hub}/groups/g/connections/nobody?api-version=2024-12-01`, headers: {} });
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-ms-error-code']).toBe('Error.Connection.NotExisted');
    expect(JSON.parse(response.body)).toEqual({
      code: 'Error.Connection.NotExisted',
      message: 'Connection `nobody` is not found.',
      target: 'Connection',
      details: [],
      inner: null,
    });
    await expect(fixture.client.addConnectionToGroup('g', 'nobody')).rejects.toMatchObject({
      name: 'WebPubSubRequestError',
      status: 404,
      code: 'Error.Connection.NotExisted',
    });
  });

  test.each([
    ['missing api-version', '/api/hubs/{hub}/:send', 'api-version', 'The api-version query parameter is required'],
    ['a preview api-version', '/api/hubs/{hub}/:send?api-version=2021-08-01-preview', 'api-version', '--loose'],
    ['filter before 2022-11-01', "/api/hubs/{hub}/:send?api-version=2021-10-01&filter=userId%20eq%20'a'", 'filter', 'needs api-version 2022-11-01'],
    [
      'messageTtlSeconds before 2023-07-01',
      '/api/hubs/{hub}/:send?api-version=2022-11-01&messageTtlSeconds=5',
      'messageTtlSeconds',
      'needs api-version 2023-07-01',
    ],
    ['a TTL over 300', '/api/hubs/{hub}/:send?api-version=2024-12-01&messageTtlSeconds=301', 'messageTtlSeconds', 'from 0 to 300'],
    ['a TTL that is not an integer', '/api/hubs/{hub}/:send?api-version=2024-12-01&messageTtlSeconds=1.5', 'messageTtlSeconds', 'must be an integer'],
    ['an invalid hub', '/api/hubs/9lives/:send?api-version=2024-12-01', 'hub', 'must start with a letter'],
    ['a blank group', '/api/hubs/{hub}/groups/%20%20/:send?api-version=2024-12-01', 'group', 'not only whitespace'],
    ['a group over 1024 characters', `/api/hubs/{hub}/groups/${'g'.repeat(1025)}/:send?api-version=2024-12-01`, 'group', '1 to 1024 characters'],
    ['a dot-dot user id', '/api/hubs/{hub}/users/%2E%2E/:send?api-version=2024-12-01', 'userId', "must not be '.' or '..'"],
    ['a dot connection id', '/api/hubs/{hub}/connections/./:send?api-version=2024-12-01', 'connectionId', "must not be '.' or '..'"],
    ['bad percent-encoding', '/api/hubs/{hub}/users/%E0%A4%A/:send?api-version=2024-12-01', 'userId', 'not valid percent-encoding'],
    ['a bad filter', '/api/hubs/{hub}/:send?api-version=2024-12-01&filter=userId%20eq', 'filter', "(Parameter 'filter')"],
    ['an unknown query parameter', '/api/hubs/{hub}/:send?api-version=2024-12-01&fanout=fast', 'fanout', '--loose'],
    ['a repeated api-version', '/api/hubs/{hub}/:send?api-version=2024-12-01&api-version=2024-12-01', 'api-version', 'at most once'],
    [
      'a repeated messageTtlSeconds',
      '/api/hubs/{hub}/:send?api-version=2024-12-01&messageTtlSeconds=1&messageTtlSeconds=2',
      'messageTtlSeconds',
      'at most once',
    ],
  ])('%s is a 400 Error.BadRequest naming the parameter', async (_what, path, target, rule) => {
    fixture = env.fixture();
    const url = path.replace('{hub}', fixture.hub);
    const response = await send({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(response.status).toBe(400);
    expect(response.headers['x-ms-error-code']).toBe('Error.BadRequest');
    const body = JSON.parse(response.body);
    expect(body).toEqual({ code: 'Error.BadRequest', message: expect.stringContaining(rule), target, details: [], inner: null });
  });

  test('a bad permission in the path is a 400 Error.BadRequest naming it, through our client too', async () => {
    fixture = env.fixture();
    const response = await send({ method: 'PUT', url: `/api/hubs/${fixture.hub}/permissions/sendToGroups/connections/c?api-version=2024-12-01`, headers: {} });
    expect([response.status, response.headers['x-ms-error-code']]).toEqual([400, 'Error.BadRequest']);
    expect(JSON.parse(response.body)).toMatchObject({
      target: 'permission',
      message: 'permission must be one of sendToGroup, joinLeaveGroup (got "sendToGroups")',
    });
  });

  test.each([
    ['maxpagesize 0', 'maxpagesize=0'],
    ['maxpagesize 201', 'maxpagesize=201'],
    ['top 0', 'top=0'],
    ['a forged continuation token', 'continuationToken=bm9wZQ'],
  ])('list with %s is a 400 Error.BadRequest naming the parameter', async (_what, query) => {
    fixture = env.fixture();
    const response = await send({ method: 'GET', url: `/api/hubs/${fixture.hub}/groups/g/connections?api-version=2024-12-01&${query}`, headers: {} });
    expect([response.status, response.headers['x-ms-error-code']]).toEqual([400, 'Error.BadRequest']);
    expect(JSON.parse(response.body).target).toBe(query.split('=')[0]);
  });

  test('bodies: 1 MiB is accepted, one byte more is a 413; unknown content types 415; bad JSON 400', async () => {
    fixture = env.fixture();
    const url = `/api/hubs/${fixture.hub}/:send?api-version=2024-12-01`;
    const octets = { 'content-type': 'application/octet-stream' };
    expect((await send({ method: 'POST', url, headers: octets, body: new Uint8Array(1024 * 1024) })).status).toBe(202);
    const tooLarge = await send({ method: 'POST', url, headers: octets, body: new Uint8Array(1024 * 1024 + 1) });
    expect([tooLarge.status, tooLarge.headers['x-ms-error-code']]).toEqual([413, 'PayloadTooLarge']);
    const xml = await send({ method: 'POST', url, headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    expect([xml.status, xml.headers['x-ms-error-code']]).toEqual([415, 'UnsupportedMediaType']);
    const badJson = await send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect([badJson.status, badJson.headers['x-ms-error-code'], JSON.parse(badJson.body).target]).toEqual([400, 'Error.BadRequest', 'Request']);
    // The env.emulator keeps serving after all of these.
    expect((await send(buildSendToAllRequest(fixture.hub, { json: 'still here' }))).status).toBe(202);
  });

  test('addToGroups bodies are validated field by field', async () => {
    fixture = env.fixture();
    const url = `/api/hubs/${fixture.hub}/:addToGroups?api-version=2024-12-01`;
    const post = (body: string) => send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body });
    const targets = async (body: string) => {
      const response = await post(body);
      expect([response.status, response.headers['x-ms-error-code']]).toEqual([400, 'Error.BadRequest']);
      return JSON.parse(response.body).target as string;
    };
    expect(await targets('{"groups":[]}')).toBe('groups');
    expect(await targets('{"groups":["ok","  "]}')).toBe('groups[1]');
    expect(await targets('{"groups":["ok"],"filter":"userId eq"}')).toBe('filter');
    expect(await targets('{"groups":["ok"],"extra":1}')).toBe('extra');
    expect(await targets('{"groups":["ok"],"filter":5}')).toBe('filter');
    expect(await targets('[1]')).toBe('body');
    expect((await post('{"groups":["ok"],"filter":"true"}')).status).toBe(200);
  });

  test.each([':addToGroups', ':removeFromGroups'])('%s takes only an application/json body: anything else is a 415', async (operation) => {
    fixture = env.fixture();
    const url = `/api/hubs/${fixture.hub}/${operation}?api-version=2024-12-01`;
    const body = '{"groups":["g"]}';
    const refusedTypes: Record<string, string>[] = [{ 'content-type': 'text/plain' }, { 'content-type': 'application/octet-stream' }, {}];
    for (const headers of refusedTypes) {
      const refused = await send({ method: 'POST', url, headers, body });
      expect([refused.status, refused.headers['x-ms-error-code'], JSON.parse(refused.body).target]).toEqual([415, 'UnsupportedMediaType', 'Content-Type']);
    }
    expect((await send({ method: 'POST', url, headers: { 'content-type': 'application/json; charset=utf-8' }, body })).status).toBe(200);
  });

  test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
    fixture = env.fixture();
    const notFound = await send({ method: 'POST', url: `/api/hubs/${fixture.hub}/:broadcast?api-version=2024-12-01`, headers: {} });
    expect([notFound.status, notFound.headers['x-ms-error-code']]).toEqual([404, 'RouteNotFound']);
    const wrongMethod = await send({ method: 'GET', url: `/api/hubs/${fixture.hub}/:send?api-version=2024-12-01`, headers: {} });
    expect([wrongMethod.status, wrongMethod.headers.allow]).toEqual([405, 'POST']);
  });
});

describe('the core client end to end', () => {
  test('sends, membership and existence through the client methods', async () => {
    fixture = env.fixture();
    const { socket, connectionId } = await fixture.connect({ userId: 'a/b' });
    const { client } = fixture;

    await client.sendToUser('a/b', { to: 'a user whose id has a slash' });
    expect((await socket.json()).data).toEqual({ to: 'a user whose id has a slash' });
    await client.addConnectionToGroup('team', connectionId);
    await client.sendToGroup('team', 'hello team', { contentType: 'text/plain', excluded: ['someone-else'] });
    expect(await socket.json()).toMatchObject({ from: 'group', group: 'team', dataType: 'text', data: 'hello team' });
    expect(await client.groupExists('team')).toBe(true);
    const members = [];
    for await (const member of client.listConnectionsInGroup('team', { maxPageSize: 1 })) members.push(member);
    expect(members).toEqual([{ connectionId, userId: 'a/b' }]);
    await client.removeUserFromGroup('team', 'a/b');
    expect(await client.groupExists('team')).toBe(false);
    await client.getServiceStatus();
  });

  test('a page lists an anonymous member with userId null, the key present, as the service does', async () => {
    fixture = env.fixture();
    const anonymous = await fixture.connect({ groups: ['mixed'] });
    const named = await fixture.connect({ userId: 'named', groups: ['mixed'] });
    const response = await send({ method: 'GET', url: `/api/hubs/${fixture.hub}/groups/mixed/connections?api-version=2024-12-01`, headers: {} });
    const { value } = JSON.parse(response.body) as { value: Record<string, unknown>[] };
    const byId = new Map(value.map((member) => [member.connectionId, member]));
    expect(byId.get(anonymous.connectionId)).toStrictEqual({ connectionId: anonymous.connectionId, userId: null });
    expect(byId.get(named.connectionId)).toStrictEqual({ connectionId: named.connectionId, userId: 'named' });
    expect(response.body).toContain(`{"connectionId":"${anonymous.connectionId}","userId":null}`);
  });

  test('hub names are case-insensitive, as in the service', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    const shouting = new WebPubSubServiceClient(env.emulator.connectionString, fixture.hub.toUpperCase(), { retry: { maxRetries: 0 } });
    await shouting.sendToAll('same hub', { contentType: 'text/plain' });
    expect((await socket.json()).data).toBe('same hub');
    await shouting.close();
  });

  test('an older api-version client works for the operations that version has', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect({ userId: 'old' });
    const old = new WebPubSubServiceClient(env.emulator.connectionString, fixture.hub, { apiVersion: '2021-10-01', retry: { maxRetries: 0 } });
    await old.sendToUser('old', 'from 2021', { contentType: 'text/plain' });
    expect((await socket.json()).data).toBe('from 2021');
    expect(await old.userExists('old')).toBe(true);
    await old.close();
  });

  test(':generateToken signs a client token for this endpoint that the client endpoint accepts', async () => {
    fixture = env.fixture();
    const request = buildGenerateClientTokenRequest(fixture.hub, {
      userId: 'gen',
      roles: ['webpubsub.joinLeaveGroup'],
      groups: ['welcome'],
      expirationTimeInMinutes: 5,
    });
    const response = await send(request);
    expect(response.status).toBe(200);
    const { token } = JSON.parse(response.body) as { token: string };
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: `${env.emulator.endpoint}/client/hubs/${fixture.hub}`,
      sub: 'gen',
      role: ['webpubsub.joinLeaveGroup'],
      'webpubsub.group': ['welcome'],
    });
    expect(claims.exp! - claims.iat!).toBe(300);

    const socket = await openSocket(`${env.emulator.endpoint.replace('http', 'ws')}/client/hubs/${fixture.hub}?access_token=${token}`, JSON_PROTOCOL);
    expect(await socket.json()).toMatchObject({ event: 'connected', userId: 'gen' });
    expect(env.emulator.connections(fixture.hub)[0]!.groups).toEqual(['welcome']);
    await socket.close();

    const mqtt = await send(buildGenerateClientTokenRequest(fixture.hub, { clientProtocol: 'mqtt' }));
    expect(decodeJwt(JSON.parse(mqtt.body).token).aud).toBe(`${env.emulator.endpoint}/clients/mqtt/hubs/${fixture.hub}`);
  });
});

describe('loose mode', () => {
  test('ignores unknown query parameters and newer client protocols, and answers unknown api-versions as 2024-12-01', async () => {
    const loose = await startEmulator({ port: 0, loose: true });
    const client = new WebPubSubServiceClient(loose.connectionString, uniqueName(), { retry: { maxRetries: 0 } });
    try {
      const hub = client.hub;
      const ask = (url: string) => client.sendRequest({ method: 'POST', url, headers: { 'content-type': 'text/plain' }, body: 'x' });
      expect((await ask(`/api/hubs/${hub}/:send?api-version=2024-12-01&fanout=fast`)).status).toBe(202);
      expect((await ask(`/api/hubs/${hub}/:send?api-version=2021-08-01-preview`)).status).toBe(202);
      expect((await ask(`/api/hubs/${hub}/:send?api-version=2021-10-01&messageTtlSeconds=3`)).status).toBe(202);
      const socketio = await client.sendRequest({
        method: 'POST',
        url: `/api/hubs/${hub}/:generateToken?api-version=2024-01-01&clientType=socketio`,
        headers: {},
      });
      expect(socketio.status).toBe(200);
      expect((await ask(`/api/hubs/${hub}/:send`)).status).toBe(400);
    } finally {
      await client.close();
      await loose.close();
    }
  });
});
