/**
 * Upstream event handlers against the official `@azure/web-pubsub-express` app server, unmodified: the emulator
 * calls it as the service does (binary-mode CloudEvents, abuse protection, signatures, connection state), and
 * the official `@azure/web-pubsub-client` or a raw socket sees what the application answered.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import type { ConnectRequest, DisconnectedRequest, UserEventRequest, WebPubSubEventHandlerOptions } from '@azure/web-pubsub-express';
import { Emulator, startEmulator, type ClientEvent, type EmulatorOptions, type EventHandlerSettings } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { startAppServer, type AppRequest, type AppServer } from '../helpers/appServer.js';
import { startCaptureServer, type Reply } from '../helpers/captureServer.js';
import { Inbox, nextEvent, until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { startOfficialClient, type ObservedClient } from '../helpers/officialClient.js';
import { JSON_PROTOCOL, openSocket, refusedHandshake, type TestSocket } from '../helpers/sockets.js';

const ACCESS_KEY = 'event-handler-test-key';
const ALL_SYSTEM_EVENTS = ['connect', 'connected', 'disconnected'] as const;

interface Setup {
  hub: string;
  emulator: Emulator;
  app: AppServer;
  service: WebPubSubServiceClient;
  /** Lines the emulator logged. */
  log: string[];
  /** A client URL with a token from the service client. */
  clientUrl(options?: { userId?: string; roles?: string[] }): Promise<string>;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Every cleanup runs, even after one fails.
  const results = [];
  for (const cleanup of cleanups.splice(0).reverse())
    results.push(
      await cleanup().then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
  const failure = results.find((result) => result !== undefined);
  if (failure) throw failure;
});

/**
 * An emulator whose hub sends every event to an express app with the official handler: `handler` is what the
 * application does, `settings` change the emulator's handler entry.
 */
async function setUp(
  handler: Omit<WebPubSubEventHandlerOptions, 'allowedEndpoints'>,
  { settings = {}, options = {}, allowedEndpoint }: { settings?: Partial<EventHandlerSettings>; options?: EmulatorOptions; allowedEndpoint?: string } = {},
): Promise<Setup> {
  const hub = uniqueName('hub');
  const app = await startAppServer();
  cleanups.push(() => app.close());
  const log: string[] = [];
  const emulator = await startEmulator({
    port: 0,
    accessKey: ACCESS_KEY,
    logger: (line) => log.push(line),
    hubs: {
      [hub]: {
        eventHandlers: [
          { urlTemplate: `${app.url}/api/webpubsub/hubs/{hub}/{event}`, userEventPattern: '*', systemEvents: [...ALL_SYSTEM_EVENTS], ...settings },
        ],
      },
    },
    ...options,
  });
  cleanups.push(() => emulator.close());
  app.mount(hub, allowedEndpoint ?? emulator.endpoint, handler);
  const service = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 } });
  cleanups.push(() => service.close());
  return { hub, emulator, app, service, log, clientUrl: async (token = {}) => (await service.getClientAccessToken(token)).url };
}

async function officialClient(url: string): Promise<ObservedClient> {
  const client = await startOfficialClient(url);
  cleanups.push(() => client.stop());
  return client;
}

async function rawSocket(url: string, protocol?: string): Promise<TestSocket> {
  const socket = await openSocket(url, protocol);
  cleanups.push(() => socket.close());
  return socket;
}

/** The next request the app got whose path ends with `/<event>`. */
async function nextRequest(app: AppServer, event: string): Promise<AppRequest> {
  for (;;) {
    const request = await app.requests.next();
    if (request.path.toLowerCase().endsWith(`/${event.toLowerCase()}`)) return request;
  }
}

/** What the service puts in ce-signature, computed here independently of the emulator. */
const expectedSignature = (connectionId: string) => `sha256=${createHmac('sha256', ACCESS_KEY).update(connectionId).digest('hex')}`;

describe('abuse protection', () => {
  test('before the first event the handler URL is checked with OPTIONS, {event} = validate, and the emulator as origin', async () => {
    const { app, emulator, clientUrl, hub } = await setUp({});
    await rawSocket(await clientUrl(), JSON_PROTOCOL);
    const validation = await app.requests.next();
    expect(validation.method).toBe('OPTIONS');
    expect(validation.path).toBe(`/api/webpubsub/hubs/${hub}/validate`);
    expect(validation.headers['webhook-request-origin']).toBe(new URL(emulator.endpoint).host);
    expect(validation.headers['ce-awpsversion']).toBe('1.0');
    expect((await app.requests.next()).path).toBe(`/api/webpubsub/hubs/${hub}/connect`);
  });

  test('a handler that does not allow the emulator origin gets no event, and the handshake fails with 500', async () => {
    const { app, clientUrl, log } = await setUp(
      { handleConnect: (_req, res) => res.success() },
      { allowedEndpoint: 'https://someone-else.webpubsub.azure.com' },
    );
    const refused = await refusedHandshake(await clientUrl(), JSON_PROTOCOL);
    expect([refused.status, refused.errorCode]).toEqual([500, 'EventHandlerFailed']);
    expect(app.seen.map((request) => request.method)).toEqual(['OPTIONS']);
    expect(log.some((line) => line.includes('did not allow WebHook-Request-Origin'))).toBe(true);
  });
});

describe('connect', () => {
  test('a handler that refuses fails the handshake with its status; no connection and no notification follow', async () => {
    const { app, emulator, clientUrl, hub } = await setUp({ handleConnect: (_req, res) => res.fail(401, 'not you') });
    const refused = await refusedHandshake(await clientUrl({ userId: 'mallory' }), JSON_PROTOCOL);
    expect([refused.status, refused.errorCode]).toEqual([401, 'ConnectRefused']);
    // The handler's own body is not passed on, as in the service.
    expect(refused.body).not.toContain('not you');
    expect(emulator.connections(hub)).toEqual([]);
    await until(() => app.seen.length >= 2, 'the connect request');
    expect(app.seen.map((request) => `${request.method} ${request.path.split('/').pop()}`)).toEqual(['OPTIONS validate', 'POST connect']);
  });

  test('the official client is refused too', async () => {
    const { clientUrl } = await setUp({ handleConnect: (_req, res) => res.fail(401) });
    await expect(startOfficialClient(await clientUrl())).rejects.toThrow();
  });

  test('a handler that assigns a user, roles and groups: the official client is that user, and a REST send to the group reaches it', async () => {
    const connects = new Inbox<ConnectRequest>('connect request');
    const { app, service, clientUrl, hub } = await setUp({
      handleConnect: (req, res) => {
        connects.push(req);
        res.success({ userId: 'ann', groups: ['news'], roles: ['webpubsub.sendToGroup.news'] });
      },
    });
    const client = await officialClient(`${await clientUrl()}&tenant=contoso`);
    const connected = await client.connected.next();
    expect(connected.userId).toBe('ann');

    await service.sendToGroup('news', { headline: 'v1.4.2 is out' });
    expect(await client.groupMessages.next()).toMatchObject({ group: 'news', data: { headline: 'v1.4.2 is out' } });
    // The role from the connect answer lets the client publish to the group.
    await client.client.sendToGroup('news', 'from ann', 'text');
    expect(await client.groupMessages.next()).toMatchObject({ group: 'news', data: 'from ann', fromUserId: 'ann' });

    const request = await connects.next();
    expect(request.context).toMatchObject({
      hub,
      connectionId: connected.connectionId,
      eventName: 'connect',
      signature: expectedSignature(connected.connectionId),
    });
    expect(request.context.userId).toBeUndefined();
    expect(request.subprotocols).toEqual(['json.reliable.webpubsub.azure.v1']);
    expect(request.queries).toEqual({ tenant: ['contoso'] });
    expect(request.claims).toMatchObject({ aud: [expect.stringContaining(`/client/hubs/${hub}`)] });
    expect(request.headers).toMatchObject({ 'sec-websocket-protocol': ['json.reliable.webpubsub.azure.v1'] });
    expect(request.headers).not.toHaveProperty('authorization');

    const head = await until(() => app.seen.some((r) => r.path.endsWith('/connect')), 'the connect request').then(
      () => app.seen.find((r) => r.path.endsWith('/connect'))!,
    );
    expect(head.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-awpsversion': '1.0',
      'ce-type': 'azure.webpubsub.sys.connect',
      'ce-source': `/hubs/${hub}/client/${connected.connectionId}`,
      'ce-id': '0',
      'ce-hub': hub,
      'ce-connectionid': connected.connectionId,
      'ce-eventname': 'connect',
      'ce-signature': expectedSignature(connected.connectionId),
      'content-type': 'application/json; charset=utf-8',
    });
    expect(Date.parse(head.headers['ce-time'] as string)).not.toBeNaN();
  });

  test('the handler picks the subprotocol among those offered; a pick not offered fails the handshake', async () => {
    const { clientUrl } = await setUp({
      handleConnect: (req, res) => res.success({ subprotocol: req.subprotocols!.includes('pick.me') ? 'pick.me' : 'not.offered' }),
    });
    const url = await clientUrl();
    const picked = await rawSocket(url, 'pick.me');
    expect(picked.ws.protocol).toBe('pick.me');
    const refused = await refusedHandshake(url, 'other.protocol');
    expect([refused.status, refused.errorCode]).toEqual([500, 'EventHandlerFailed']);
  });
});

describe('user events', () => {
  test('the official client receives the data the handler answers, before its event is acked', async () => {
    const { clientUrl } = await setUp({
      handleUserEvent: (req, res) => {
        if (req.context.eventName === 'order') res.success(JSON.stringify({ accepted: req.data }), 'json');
        else res.success(`echo: ${req.data as string}`, 'text');
      },
    });
    const client = await officialClient(await clientUrl({ userId: 'bob' }));
    expect((await client.client.sendEvent('order', { id: 7 }, 'json')).isDuplicated).toBe(false);
    expect(await client.serverMessages.next()).toMatchObject({ dataType: 'json', data: { accepted: { id: 7 } } });
    await client.client.sendEvent('shout', 'hello', 'text');
    expect(await client.serverMessages.next()).toMatchObject({ dataType: 'text', data: 'echo: hello' });
  });

  test('the request carries the event as the service sends it: type, name, user, content type and body', async () => {
    const events = new Inbox<UserEventRequest>('user event');
    const { app, emulator, clientUrl, hub } = await setUp({
      handleUserEvent: (req, res) => {
        events.push(req);
        res.success();
      },
    });
    const client = await officialClient(await clientUrl({ userId: 'cy' }));
    const { connectionId } = await client.connected.next();
    // The emulator's own event still fires for events that go upstream.
    const emitted = nextEvent(emulator, 'event', (e: ClientEvent) => e.connectionId === connectionId);
    await client.client.sendEvent('upload', new Uint8Array([1, 2, 3]).buffer, 'binary');
    expect((await emitted)[0]).toMatchObject({ event: 'upload', dataType: 'binary' });
    const event = await events.next();
    expect(event).toMatchObject({
      dataType: 'binary',
      context: { hub, connectionId, userId: 'cy', eventName: 'upload', signature: expectedSignature(connectionId) },
    });
    expect([...new Uint8Array(event.data as ArrayBuffer)]).toEqual([1, 2, 3]);
    const head = await nextRequest(app, 'upload');
    expect(head.headers).toMatchObject({
      'ce-type': 'azure.webpubsub.user.upload',
      'ce-eventname': 'upload',
      'ce-userid': 'cy',
      'ce-subprotocol': 'json.reliable.webpubsub.azure.v1',
      'content-type': 'application/octet-stream',
    });
    // No message for an empty answer: the next server message is a REST one.
    expect(client.serverMessages.size).toBe(0);
  });

  test("an error answer gives the client the service's InternalServerError ack; the event may be sent again with its ackId", async () => {
    let fail = true;
    const { clientUrl } = await setUp({ handleUserEvent: (_req, res) => (fail ? res.fail(400, 'no') : res.success('ok', 'text')) });
    const client = await officialClient(await clientUrl());
    await expect(client.client.sendEvent('order', 'x', 'text', { ackId: 5 })).rejects.toMatchObject({ errorDetail: { name: 'InternalServerError' } });
    fail = false;
    expect(await client.client.sendEvent('order', 'x', 'text', { ackId: 5 })).toEqual({ ackId: 5, isDuplicated: false });
    expect(await client.client.sendEvent('order', 'x', 'text', { ackId: 5 })).toEqual({ ackId: 5, isDuplicated: true });
  });

  test('an event no handler of the hub takes fails as in the service', async () => {
    const { clientUrl, log } = await setUp({ handleUserEvent: (_req, res) => res.success() }, { settings: { userEventPattern: 'order, pay' } });
    const client = await officialClient(await clientUrl());
    await client.client.sendEvent('PAY', 'ok', 'text');
    await expect(client.client.sendEvent('refund', 'x', 'text')).rejects.toMatchObject({ errorDetail: { name: 'InternalServerError' } });
    expect(log.some((line) => line.includes("takes the user event 'refund'"))).toBe(true);
  });

  test('an event name that cannot travel in a header fails that event only, saying why', async () => {
    const { clientUrl, log } = await setUp({ handleUserEvent: (_req, res) => res.success('ok', 'text') });
    const client = await officialClient(await clientUrl());
    await expect(client.client.sendEvent('日本', 'x', 'text')).rejects.toMatchObject({ errorDetail: { name: 'InternalServerError' } });
    expect(log.some((line) => line.includes('cannot be sent: invalid ce-type header'))).toBe(true);
    await client.client.sendEvent('ascii', 'x', 'text');
    expect((await client.serverMessages.next()).data).toBe('ok');
  });

  test("a plain client's frames are the message event: the answer comes back raw, a failure closes it with 1011", async () => {
    const { clientUrl } = await setUp({
      handleUserEvent: (req, res) => (req.data === 'fail' ? res.fail(400) : res.success(`got ${req.data as string}`, 'text')),
    });
    const socket = await rawSocket(await clientUrl());
    socket.send('ping?');
    const reply = await socket.frames.next();
    expect([reply.isBinary, reply.data.toString()]).toEqual([false, 'got ping?']);
    socket.send('fail');
    expect((await socket.closed).code).toBe(1011);
  });
});

describe('connection state and notifications', () => {
  test('state set by a handler comes back with every later event of the connection, up to disconnected', async () => {
    const disconnected = new Inbox<DisconnectedRequest>('disconnected request');
    const { clientUrl } = await setUp({
      handleConnect: (_req, res) => {
        res.setState('visits', 0);
        res.success();
      },
      handleUserEvent: (req, res) => {
        const visits = (req.context.states.visits as number) + 1;
        res.setState('visits', visits);
        res.success(String(visits), 'text');
      },
      onDisconnected: (req) => disconnected.push(req),
    });
    const client = await officialClient(await clientUrl());
    await client.client.sendEvent('visit', 'a', 'text');
    await client.client.sendEvent('visit', 'b', 'text');
    expect((await client.serverMessages.take(2)).map((message) => message.data)).toEqual(['1', '2']);
    await client.stop();
    expect((await disconnected.next()).context.states).toEqual({ visits: 2 });
  });

  test("connected, then disconnected with the service's reason after a REST close", async () => {
    const connected = new Inbox<string>('connected request');
    const disconnected = new Inbox<DisconnectedRequest>('disconnected request');
    const { app, service, clientUrl, hub } = await setUp({
      onConnected: (req) => connected.push(req.context.connectionId),
      onDisconnected: (req) => disconnected.push(req),
    });
    const socket = await rawSocket(await clientUrl({ userId: 'dee' }), JSON_PROTOCOL);
    const { connectionId } = await socket.json<{ connectionId: string }>();
    expect(await connected.next()).toBe(connectionId);

    await service.closeConnection(connectionId, { reason: 'rollout' });
    const request = await disconnected.next();
    expect(request.reason).toBe('Application server closed the connection. Reason: rollout');
    expect(request.context).toMatchObject({ hub, connectionId, userId: 'dee', signature: expectedSignature(connectionId) });
    const head = await nextRequest(app, 'disconnected');
    expect(head.headers).toMatchObject({ 'ce-type': 'azure.webpubsub.sys.disconnected', 'ce-subprotocol': JSON_PROTOCOL });
    // connect was 0; connected and disconnected follow it.
    expect(Number(head.headers['ce-id'])).toBeGreaterThan(0);
  });
});

describe('a handler that is down or slow', () => {
  test('a handler that is down fails the handshake with 500 after the retries, and the rest keeps serving', async () => {
    const app = await startAppServer();
    await app.close();
    const hub = uniqueName('hub');
    const log: string[] = [];
    const emulator = await startEmulator({
      port: 0,
      logger: (line) => log.push(line),
      upstream: { retryDelaysMs: [0, 0] },
      hubs: { [hub]: { eventHandlers: [{ urlTemplate: `${app.url}/{event}`, systemEvents: ['connect'] }] } },
    });
    cleanups.push(() => emulator.close());
    const service = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 } });
    cleanups.push(() => service.close());
    const refused = await refusedHandshake((await service.getClientAccessToken()).url, JSON_PROTOCOL);
    expect([refused.status, refused.errorCode]).toEqual([500, 'EventHandlerFailed']);
    expect(log.some((line) => line.includes('could not be reached (ECONNREFUSED)'))).toBe(true);

    const other = new WebPubSubServiceClient(emulator.connectionString, uniqueName('hub'), { retry: { maxRetries: 0 } });
    cleanups.push(() => other.close());
    const socket = await rawSocket((await other.getClientAccessToken()).url, JSON_PROTOCOL);
    await socket.json();
    await other.sendToAll('still serving', { contentType: 'text/plain' });
    expect((await socket.json()).data).toBe('still serving');
  });

  test('408 and 5xx answers are retried, and the event then succeeds', async () => {
    let refusals = 2;
    const { app, clientUrl } = await setUp(
      { handleConnect: (_req, res) => res.success({ userId: 'patient' }) },
      { options: { upstream: { retryDelaysMs: [0, 0, 0] } } },
    );
    app.before((req, res, next) => (req.method === 'POST' && refusals-- > 0 ? void res.status(refusals === 1 ? 503 : 408).end() : next()));
    const socket = await rawSocket(await clientUrl(), JSON_PROTOCOL);
    expect(await socket.json()).toMatchObject({ event: 'connected', userId: 'patient' });
    expect(app.seen.filter((request) => request.method === 'POST').length).toBe(3);
  });

  test('a 4xx other than 408 is not retried', async () => {
    const { app, clientUrl } = await setUp({ handleConnect: (_req, res) => res.fail(400) }, { options: { upstream: { retryDelaysMs: [0, 0, 0] } } });
    expect((await refusedHandshake(await clientUrl(), JSON_PROTOCOL)).status).toBe(400);
    expect(app.seen.filter((request) => request.method === 'POST').length).toBe(1);
  });

  test("while a handler thinks, its connection's later frames wait, and other connections and the REST API do not", async () => {
    const held: (() => void)[] = [];
    const { service, clientUrl } = await setUp({
      handleUserEvent: (req, res) => {
        if (req.context.eventName === 'slow') held.push(() => res.success('slow done', 'text'));
        else res.success('fast done', 'text');
      },
    });
    const slow = await officialClient(await clientUrl({ userId: 'slow' }));
    const fast = await officialClient(await clientUrl({ userId: 'fast' }));
    const slowEvent = slow.client.sendEvent('slow', 'x', 'text');
    await until(() => held.length === 1, 'the slow event to reach the handler');

    await fast.client.sendEvent('quick', 'y', 'text');
    expect((await fast.serverMessages.next()).data).toBe('fast done');
    await service.sendToUser('slow', 'REST still delivers', { contentType: 'text/plain' });
    expect((await slow.serverMessages.next()).data).toBe('REST still delivers');

    held[0]!();
    await slowEvent;
    expect((await slow.serverMessages.next()).data).toBe('slow done');
  });

  test('a handler that never answers fails the event when the time limit passes', async () => {
    const { clientUrl, log } = await setUp({ handleUserEvent: () => undefined }, { options: { upstream: { timeoutMs: 300, retryDelaysMs: [] } } });
    const client = await officialClient(await clientUrl());
    await expect(client.client.sendEvent('stuck', 'x', 'text')).rejects.toMatchObject({ errorDetail: { name: 'InternalServerError' } });
    expect(log.some((line) => line.includes('did not answer within 300 ms'))).toBe(true);
  });
});

describe('lifecycle', () => {
  test('an emulator that is closed and started again calls its handlers again', async () => {
    const app = await startCaptureServer(
      ({ method }): Reply =>
        method === 'OPTIONS'
          ? { status: 200, headers: { 'WebHook-Allowed-Origin': '*' } }
          : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"userId":"again"}' },
    );
    cleanups.push(() => app.close());
    const hub = uniqueName('hub');
    const emulator = new Emulator({ port: 0, hubs: { [hub]: { eventHandlers: [{ urlTemplate: `${app.endpoint}/{event}`, systemEvents: ['connect'] }] } } });
    cleanups.push(() => emulator.close());
    for (let run = 0; run < 2; run++) {
      await emulator.start();
      const service = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 } });
      const socket = await openSocket((await service.getClientAccessToken()).url, JSON_PROTOCOL);
      expect(await socket.json()).toMatchObject({ event: 'connected', userId: 'again' });
      await socket.close();
      await service.close();
      await emulator.close();
    }
    expect(app.requests.filter((request) => request.method === 'POST').length).toBe(2);
  });
});

describe('options', () => {
  const handler = (settings: Record<string, unknown>) => ({ chat: { eventHandlers: [{ urlTemplate: 'http://127.0.0.1:3000/{event}', ...settings }] } });
  test.each([
    [handler({ urlTemplate: 'tunnel:///eventhandler' }), 'options.hubs.chat.eventHandlers[0].urlTemplate must be an http:// or https:// URL'],
    [handler({ urlTemplate: 'http://{event}.example.com/' }), 'options.hubs.chat.eventHandlers[0].urlTemplate must not hold a placeholder in its host'],
    [handler({ urlTemplate: 'http://127.0.0.1/{evnt}' }), 'may hold only the placeholders {hub} and {event} (got {evnt})'],
    [handler({ urlTemplate: '/relative/{event}' }), 'urlTemplate must be an absolute http:// or https:// URL'],
    [handler({ systemEvents: ['connecting'] }), 'options.hubs.chat.eventHandlers[0].systemEvents must be an array of connect, connected, disconnected'],
    [handler({ userEventPattern: 'order*' }), 'options.hubs.chat.eventHandlers[0].userEventPattern must be *, or event names separated by commas'],
    [handler({ auth: { type: 'ManagedIdentity' } }), 'options.hubs.chat.eventHandlers[0].auth is not an option'],
    [{ chat: {} }, 'options.hubs.chat.eventHandlers must be an array (got undefined)'],
    [{ '1chat': { eventHandlers: [] } }, 'options.hubs.1chat names a hub'],
    [{ chat: { eventHandlers: [] }, CHAT: { eventHandlers: [] } }, 'options.hubs.CHAT repeats a hub (hub names are case-insensitive)'],
  ])('hubs %j is refused: %s', (hubs, message) => {
    expect(() => new Emulator({ hubs: hubs as EmulatorOptions['hubs'] })).toThrow(message);
  });

  test.each([
    [{ timeoutMs: 0 }, 'options.upstream.timeoutMs must be an integer from 1'],
    [{ retryDelaysMs: [1000, -1] }, 'options.upstream.retryDelaysMs[1] must be an integer from 0 to 600000'],
    [{ retries: 3 }, 'options.upstream.retries is not an option'],
  ])('upstream %j is refused: %s', (upstream, message) => {
    expect(() => new Emulator({ upstream: upstream as EmulatorOptions['upstream'] })).toThrow(message);
  });
});
