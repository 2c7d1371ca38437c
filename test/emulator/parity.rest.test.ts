/**
 * REST behaviour where Microsoft's emulator (built by the service's team) and ours used to differ: headers on every
 * answer, the health probe, routes, how bodies are let in, message metadata, and the filter. Raw HTTP through
 * undici where the SDKs hide the wire; the official `@azure/web-pubsub` and `@azure/web-pubsub-client` where
 * they show it.
 */
import { Readable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { request } from 'undici';
import { API_VERSIONS } from '../../shared/index.js';
import { signJwt } from '../../shared/tokens.js';
import { useEmulator, type HubFixture } from '../helpers/hubFixture.js';
import { startOfficialClient } from '../helpers/officialClient.js';
import { connectJson, JSON_PROTOCOL, messagesUntil, openSocket, RELIABLE_PROTOCOL } from '../helpers/sockets.js';

const KEY = 'parity-test-key-with-enough-entropy';
const env = useEmulator({ accessKey: KEY });
let fixture: HubFixture;

interface RawOptions {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  body?: string | Buffer | Readable;
  /** Sign the request (default true). */
  signed?: boolean;
}

/** A REST call as sent, signed with the emulator's key; `path` is under /api/hubs/<hub>/ unless it starts with /. */
async function raw(path: string, { method = 'POST', headers = {}, body, signed = true }: RawOptions = {}) {
  const target = path.startsWith('/') ? path : `/api/hubs/${fixture.hub}/${path}`;
  const url = env.emulator.endpoint + target;
  const authorization = signed ? { authorization: `Bearer ${await signJwt(KEY, {}, { audience: url, lifetimeSeconds: 300 })}` } : {};
  const response = await request(url, { method, headers: { ...authorization, ...headers }, body });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

const V = 'api-version=2024-12-01';

describe('every answer', () => {
  test('carries api-supported-versions: successes, errors, unknown routes and the health probe', async () => {
    fixture = env.fixture();
    const expected = API_VERSIONS.join(', ');
    const answers = await Promise.all([
      raw(`:send?${V}`, { headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      raw(`groups/g/connections/nobody?${V}`, { method: 'PUT' }),
      raw(`:send?${V}`, { signed: false, headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      raw(`/api/nowhere?${V}`, { method: 'GET' }),
      raw('/api/health', { method: 'HEAD', signed: false }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([202, 404, 401, 404, 200]);
    for (const answer of answers) expect(answer.headers['api-supported-versions']).toBe(expected);
  });

  test('HEAD /api/health answers 200 without api-version or token, so readiness probes can wait on it', async () => {
    fixture = env.fixture();
    expect((await raw('/api/health', { method: 'HEAD', signed: false })).status).toBe(200);
    expect((await raw(`/api/health?${V}`, { method: 'HEAD', signed: false })).status).toBe(200);
  });
});

describe('routes', () => {
  test('a trailing slash is the same route', async () => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ groups: ['room'] });
    const page = await raw(`groups/room/connections/?${V}`, { method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.json().value).toEqual([{ connectionId, userId: null }]);
    expect((await raw(`groups/room/?${V}`, { method: 'HEAD' })).status).toBe(200);
  });

  test.each([
    ['POST', 'users/%20/:closeConnections', 'userId'],
    ['DELETE', 'connections/%20/groups', 'connectionId'],
    ['HEAD', 'connections/%09%20', 'connectionId'],
    ['PUT', 'users/%20/groups/room', 'userId'],
  ] as const)('%s %s (an id of whitespace only) is a 400 naming %s, not a silent success', async (method, path, target) => {
    fixture = env.fixture();
    const answer = await raw(`${path}?${V}`, { method });
    expect([answer.status, answer.headers['x-ms-error-code']]).toEqual([400, 'Error.BadRequest']);
    if (method !== 'HEAD') expect(answer.json().target).toBe(target);
  });
});

describe('bodies', () => {
  test('a send of unknown length (chunked, no Content-Length) is a 400, and nothing is delivered', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    const answer = await raw(`:send?${V}`, { headers: { 'content-type': 'text/plain' }, body: Readable.from([Buffer.from('chunked')]) });
    expect([answer.status, answer.headers['x-ms-error-code'], answer.json().target]).toEqual([400, 'Error.BadRequest', 'Content-Length']);
    await fixture.official.sendToAll('marker', { contentType: 'text/plain' });
    expect(await messagesUntil(socket, 'marker')).toEqual([]);
  });

  test('the filter is checked before the body: a bad filter on a chunked send is the filter’s 400', async () => {
    fixture = env.fixture();
    const answer = await raw(`:send?${V}&filter=${encodeURIComponent('userId lt 1')}`, {
      headers: { 'content-type': 'text/plain' },
      body: Readable.from([Buffer.from('chunked')]),
    });
    expect([answer.status, answer.json()]).toEqual([
      400,
      {
        code: 'Error.BadRequest',
        message: "Invalid syntax for 'userId lt 1': Type 'string', expect 'int'. (Parameter 'filter')",
        target: 'filter',
        details: [],
        inner: null,
      },
    ]);
  });

  test.each([
    ['another media type', 'application/xml'],
    ['an unknown charset', 'text/plain; charset=unknown'],
    ['an unterminated quoted parameter', 'text/plain; charset="'],
    ['a parameter without a value', 'application/json; charset'],
    ['no subtype', 'text'],
  ])('a send with %s (%s) is a 415 and delivers nothing', async (_what, contentType) => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    const answer = await raw(`:send?${V}`, { headers: { 'content-type': contentType }, body: '"x"' });
    expect([answer.status, answer.headers['x-ms-error-code']]).toEqual([415, 'UnsupportedMediaType']);
    await fixture.official.sendToAll('marker', { contentType: 'text/plain' });
    expect(await messagesUntil(socket, 'marker')).toEqual([]);
  });

  test.each([':addToGroups', ':removeFromGroups'])('%s with an unknown charset is a 415 and changes nothing', async (operation) => {
    fixture = env.fixture();
    const { connectionId } = await fixture.connect({ groups: ['kept'] });
    const answer = await raw(`${operation}?${V}`, { headers: { 'content-type': 'application/json; charset=unknown' }, body: '{"groups":["kept","added"]}' });
    expect([answer.status, answer.headers['x-ms-error-code']]).toEqual([415, 'UnsupportedMediaType']);
    expect(env.emulator.connections(fixture.hub).find((c) => c.connectionId === connectionId)?.groups).toEqual(['kept']);
  });

  test('a quoted charset parses, and text in another charset is converted to UTF-8', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    const latin1 = Buffer.from('café', 'latin1');
    expect((await raw(`:send?${V}`, { headers: { 'content-type': 'text/plain; charset="iso-8859-1"' }, body: latin1 })).status).toBe(202);
    expect((await raw(`:send?${V}`, { headers: { 'content-type': 'application/json;charset=UTF-8' }, body: '{"a":1}' })).status).toBe(202);
    expect(await socket.json()).toMatchObject({ dataType: 'text', data: 'café' });
    expect(await socket.json()).toMatchObject({ dataType: 'json', data: { a: 1 } });
  });

  test('a JSON body that does not parse is a 400 in Microsoft’s wording, target Request', async () => {
    fixture = env.fixture();
    const answer = await raw(`:send?${V}`, { headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect([answer.status, answer.json()]).toEqual([
      400,
      { code: 'Error.BadRequest', message: 'The request body is not a valid JSON.', target: 'Request', details: [], inner: null },
    ]);
    const groups = await raw(`:addToGroups?${V}`, { headers: { 'content-type': 'application/json' }, body: '{"groups":' });
    expect([groups.status, groups.json().message, groups.json().target]).toEqual([400, 'The request body is not a valid JSON.', 'Request']);
  });
});

describe('message metadata', () => {
  test('X-WebPubSub-Metadata-<key> headers reach the official client as the message’s metadata, keys lower-cased', async () => {
    fixture = env.fixture();
    const { url } = await fixture.official.getClientAccessToken({ groups: ['room'] });
    const client = await startOfficialClient(url);
    try {
      const customHeaders = { 'X-WebPubSub-Metadata-Trace': 'abc', 'x-webpubsub-metadata-File-Name': 'report.txt' };
      await fixture.official.sendToAll({ n: 1 }, { requestOptions: { customHeaders } });
      await fixture.official.group('room').sendToAll('to the group', { contentType: 'text/plain', requestOptions: { customHeaders } });
      expect(await client.serverMessages.next()).toMatchObject({ data: { n: 1 }, metadata: { trace: 'abc', 'file-name': 'report.txt' } });
      expect(await client.groupMessages.next()).toMatchObject({ group: 'room', data: 'to the group', metadata: { trace: 'abc', 'file-name': 'report.txt' } });
    } finally {
      await client.stop();
    }
  });

  test('a message without metadata headers has no metadata; plain clients get the payload only', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    const plain = await fixture.connect({ protocol: null });
    await raw(`:send?${V}`, { headers: { 'content-type': 'text/plain', 'x-webpubsub-metadata-k': 'v' }, body: 'with' });
    await raw(`:send?${V}`, { headers: { 'content-type': 'text/plain' }, body: 'without' });
    expect(await socket.json()).toEqual({ type: 'message', from: 'server', dataType: 'text', data: 'with', metadata: { k: 'v' } });
    expect(await socket.json()).toEqual({ type: 'message', from: 'server', dataType: 'text', data: 'without' });
    expect((await plain.socket.frames.next()).data.toString()).toBe('with');
  });

  test('metadata is replayed with the message to a recovering reliable connection', async () => {
    fixture = env.fixture();
    const { url } = await fixture.client.getClientAccessToken();
    const { socket, connected } = await connectJson(url, RELIABLE_PROTOCOL);
    await raw(`connections/${connected.connectionId}/:send?${V}`, {
      headers: { 'content-type': 'text/plain', 'x-webpubsub-metadata-trace': 't1' },
      body: 'kept',
    });
    expect(await socket.json()).toMatchObject({ sequenceId: 1, data: 'kept', metadata: { trace: 't1' } });
    await socket.close();
    const recovered = await openSocket(
      `${url}&awps_connection_id=${encodeURIComponent(connected.connectionId as string)}&awps_reconnection_token=${encodeURIComponent(connected.reconnectionToken as string)}`,
      RELIABLE_PROTOCOL,
    );
    try {
      expect(await recovered.jsonWhere((f) => f.type === 'message')).toEqual({
        sequenceId: 1,
        type: 'message',
        from: 'server',
        dataType: 'text',
        data: 'kept',
        metadata: { trace: 't1' },
      });
    } finally {
      await recovered.close();
    }
  });

  test('a key longer than 256 characters is a 400 with a structured body, and nothing is delivered', async () => {
    fixture = env.fixture();
    const { socket } = await fixture.connect();
    const key = 'k'.repeat(257);
    const answer = await raw(`:send?${V}`, { headers: { 'content-type': 'text/plain', [`x-webpubsub-metadata-${key}`]: 'v' }, body: 'x' });
    expect([answer.status, answer.headers['x-ms-error-code'], answer.json()]).toEqual([
      400,
      'Error.BadRequest',
      { code: 'Error.BadRequest', message: `Metadata key '${key}' exceeds 256 bytes.`, target: 'X-WebPubSub-Metadata', details: [], inner: null },
    ]);
    expect((await raw(`:send?${V}`, { headers: { 'content-type': 'text/plain', [`x-webpubsub-metadata-${'k'.repeat(256)}`]: 'v' }, body: 'x' })).status).toBe(
      202,
    );
    const refused = await raw(`:send?${V}`, { headers: { 'content-type': 'text/plain', 'x-webpubsub-metadata-k': 'v'.repeat(1025) }, body: 'x' });
    expect(refused.json().message).toBe("Metadata value for key 'k' exceeds 1024 bytes.");
    await fixture.official.sendToAll('marker', { contentType: 'text/plain' });
    expect((await messagesUntil(socket, 'marker')).map((m) => m.data)).toEqual(['x']);
  });
});

describe('the filter', () => {
  test('knows protocol, the connection’s subprotocol (null for a plain client)', async () => {
    fixture = env.fixture();
    const json = await fixture.connect({ protocol: JSON_PROTOCOL });
    const reliable = await fixture.connect({ protocol: RELIABLE_PROTOCOL });
    const plain = await fixture.connect({ protocol: null });
    await fixture.official.sendToAll('json only', { contentType: 'text/plain', filter: `protocol eq '${JSON_PROTOCOL}'` });
    await fixture.official.sendToAll('plain only', { contentType: 'text/plain', filter: 'protocol eq null' });
    await fixture.official.sendToAll('marker', { contentType: 'text/plain' });
    expect((await messagesUntil(json.socket, 'marker')).map((m) => m.data)).toEqual(['json only']);
    expect((await messagesUntil(reliable.socket, 'marker')).map((m) => m.data)).toEqual([]);
    expect((await plain.socket.frames.next()).data.toString()).toBe('plain only');
  });

  test.each([':addToGroups', ':removeFromGroups'])('"filter": "" in %s means every connection, as null does', async (operation) => {
    fixture = env.fixture();
    const add = operation === ':addToGroups';
    const connections = await Promise.all([fixture.connect({ groups: add ? [] : ['g'] }), fixture.connect({ userId: 'u', groups: add ? [] : ['g'] })]);
    const answer = await raw(`${operation}?${V}`, { headers: { 'content-type': 'application/json' }, body: '{"groups":["g"],"filter":""}' });
    expect(answer.status).toBe(200);
    const groups = env.emulator.connections(fixture.hub).map((c) => c.groups);
    expect(groups).toEqual(connections.map(() => (add ? ['g'] : [])));
  });

  test('filter errors use Microsoft’s wording', async () => {
    fixture = env.fixture();
    await expect(fixture.official.sendToAll('x', { contentType: 'text/plain', filter: 'userId lt 1' })).rejects.toMatchObject({
      statusCode: 400,
      message: "Invalid syntax for 'userId lt 1': Type 'string', expect 'int'. (Parameter 'filter')",
    });
  });
});

describe('paging of group members', () => {
  /** The nextLink's continuation token after a first page of `maxpagesize` members. */
  async function firstToken(group: string, maxPageSize: number): Promise<string> {
    const page = await raw(`groups/${group}/connections?${V}&maxpagesize=${maxPageSize}`, { method: 'GET' });
    return new URL(page.json().nextLink as string).searchParams.get('continuationToken')!;
  }

  const page = (group: string, token: string, query = 'maxpagesize=2', hub = fixture.hub) =>
    raw(`/api/hubs/${hub}/groups/${group}/connections?${V}&${query}&continuationToken=${encodeURIComponent(token)}`, { method: 'GET' });

  test('members come ordered by connection id, ordinal, across pages the official SDK follows', async () => {
    fixture = env.fixture();
    const ids = (await Promise.all(Array.from({ length: 12 }, () => fixture.connect({ groups: ['crowd'] })))).map((c) => c.connectionId);
    for (const maxPageSize of [2, 5, 12]) {
      const listed: string[] = [];
      for await (const member of await fixture.official.group('crowd').listConnections({ maxPageSize })) listed.push(member.connectionId);
      expect(listed).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  test('the continuation token is opaque and tamper-proof: a changed one is a 400 Error.BadRequest', async () => {
    fixture = env.fixture();
    await Promise.all(Array.from({ length: 3 }, () => fixture.connect({ groups: ['crowd'] })));
    const token = await firstToken('crowd', 2);
    expect((await page('crowd', token)).status).toBe(200);
    const [payload, signature] = token.split('.') as [string, string];
    const tampered = [
      `${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}.${signature}`,
      `${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
      payload,
      Buffer.from('after:someone').toString('base64url'),
    ];
    for (const forged of tampered) {
      const answer = await page('crowd', forged);
      expect([answer.status, answer.headers['x-ms-error-code'], answer.json().target]).toEqual([400, 'Error.BadRequest', 'continuationToken']);
    }
  });

  test('a token is bound to its hub, group and page size', async () => {
    fixture = env.fixture();
    await Promise.all(Array.from({ length: 3 }, () => fixture.connect({ groups: ['crowd', 'other'] })));
    const token = await firstToken('crowd', 2);
    const answers = await Promise.all([page('other', token), page('crowd', token, 'maxpagesize=3'), page('crowd', token, 'maxpagesize=2', `${fixture.hub}x`)]);
    for (const answer of answers) expect([answer.status, answer.headers['x-ms-error-code']]).toEqual([400, 'Error.BadRequest']);
    // Hub names are case-insensitive, so the same hub in other letters is the same list.
    expect((await page('crowd', token, 'maxpagesize=2', fixture.hub.toUpperCase())).status).toBe(200);
  });
});
