/**
 * The browser module in Node, with `ws` for the WebSocket, against the emulator: the bundled Action sends (as the
 * runner runs it) and the app's callbacks get exactly its payloads, once each; anything else goes to onInvalid; a
 * dropped or silent connection is recovered with nothing lost, one that cannot be is replaced and reported by
 * onGap; refused attempts end with a reason; close() stops it for good.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { WebSocket } from 'ws';
import {
  connectNotifications,
  type ConnectedEvent,
  type DeployNotification,
  type DisconnectedEvent,
  type GapEvent,
  type NotificationListener,
  type NotificationListenerOptions,
  type ReleaseNotification,
} from '../../browser/index.js';
import type { EmulatorEvents } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { PUSH, RELEASE, runAction } from '../../scripts/harness/actionRunner.js';
import { sampleNotification } from '../../scripts/harness/sampleNotification.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { Inbox, nextEvent, until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';

/** A short recovery window, so that a test can outlast it; long enough for a recovery that starts at once. */
const RECOVERY_WINDOW_MS = 1500;
const scope = useEmulator({ recoveryWindowMs: RECOVERY_WINDOW_MS });
/** Fast retries and keep-alive: the tests wait for events, never for the clock. */
const backoff = { initialDelayMs: 10, maxDelayMs: 40 };
const keepAlive = { pingIntervalMs: 100, pongTimeoutMs: 200 };

/** One step of a job: each step has its GITHUB_ACTION, so each run's notification has its own id. */
const runStep = (options: Parameters<typeof runAction>[0]) => runAction({ ...options, env: { GITHUB_ACTION: uniqueName('step'), ...options.env } });

/** A listener with every callback recorded. */
interface Observed {
  listener: NotificationListener;
  deployed: Inbox<DeployNotification>;
  released: Inbox<ReleaseNotification>;
  invalid: Inbox<{ data: unknown; reason: string }>;
  connected: Inbox<ConnectedEvent>;
  disconnected: Inbox<DisconnectedEvent>;
  gaps: Inbox<GapEvent>;
  /** How many client URLs the listener asked for. */
  urls: number;
}

const running: NotificationListener[] = [];
const clients: WebPubSubServiceClient[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((listener) => listener.close()));
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

const idOf = (n: DeployNotification) => (n as { id?: string }).id;

/** A valid @2 deploy notification with the given id, typed as the listener delivers it. */
const notification = (id: string) => sampleNotification(id) as DeployNotification;

/** A fresh hub and group, a service client for it, and a listener whose client URLs put it in the group. */
function setUp(options: Partial<NotificationListenerOptions> = {}) {
  const hub = uniqueName('hub');
  const group = uniqueName('group');
  const service = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
  clients.push(service);
  const observed: Observed = {
    listener: undefined as unknown as NotificationListener,
    deployed: new Inbox('onDeployed'),
    released: new Inbox('onRelease'),
    invalid: new Inbox('onInvalid'),
    connected: new Inbox('onConnected'),
    disconnected: new Inbox('onDisconnected'),
    gaps: new Inbox('onGap'),
    urls: 0,
  };
  observed.listener = connectNotifications({
    url: async () => {
      observed.urls++;
      // A token of its own each time (minted in the same second with the same claims, two would be the same token).
      return (await service.getClientAccessToken({ groups: [group], expirationTimeInMinutes: 60 + observed.urls })).url;
    },
    onDeployed: (notification) => observed.deployed.push(notification),
    onRelease: (notification) => observed.released.push(notification),
    onInvalid: (data, reason) => observed.invalid.push({ data, reason }),
    onConnected: (event) => observed.connected.push(event),
    onDisconnected: (event) => observed.disconnected.push(event),
    onGap: (event) => observed.gaps.push(event),
    backoff,
    keepAlive,
    WebSocket,
    ...options,
  });
  running.push(observed.listener);
  const inputs = { 'connection-string': scope.emulator.connectionString, hub };
  return { hub, group, service, observed, inputs };
}

describe('notifications from the bundled Action', () => {
  test('a deploy notification to the group reaches onDeployed, a release announcement to the hub reaches onRelease, each exactly as sent', async () => {
    const { group, observed, inputs } = setUp();
    await observed.connected.next();

    const deploy = await runStep({ event: PUSH, inputs: { ...inputs, target: 'group', group } });
    expect(deploy.code).toBe(0);
    expect(await observed.deployed.next()).toEqual(JSON.parse(deploy.outputs.payload!));

    const announce = await runStep({ event: RELEASE, inputs });
    expect(announce.code).toBe(0);
    const released = await observed.released.next();
    expect(released).toEqual(JSON.parse(announce.outputs.payload!));
    expect(released.release.tag).toBe('v1.4.2');

    expect([observed.deployed.size, observed.released.size, observed.invalid.size]).toEqual([0, 0, 0]);
  });

  test("the Action's close of the group: the listener hears the reason and connects again with a fresh URL", async () => {
    const { group, observed, inputs } = setUp();
    const first = await observed.connected.next();
    const close = await runStep({ inputs: { ...inputs, operation: 'close', target: 'group', group, reason: 'deploying v1.4.2' } });
    expect(close.code).toBe(0);
    const disconnected = await observed.disconnected.next();
    // The service words it (`Application server closed the connection. Reason: …`); the Action's reason is in it.
    expect(disconnected.reason).toContain('deploying v1.4.2');
    expect(disconnected.reconnectInMs).toBeLessThanOrEqual(backoff.maxDelayMs);
    const second = await observed.connected.next();
    expect(second.connectionId).not.toBe(first.connectionId);
    expect(observed.urls).toBe(2);
    expect((await observed.gaps.next()).reason).toContain('deploying v1.4.2');

    const deploy = await runStep({ event: PUSH, inputs: { ...inputs, target: 'group', group } });
    expect(await observed.deployed.next()).toEqual(JSON.parse(deploy.outputs.payload!));
  });
});

describe('messages that are not notifications go to onInvalid, and the listener carries on', () => {
  test('other JSON, text, binary and a notification that breaks a rule, each with its reason', async () => {
    const { group, service, observed, inputs } = setUp();
    await observed.connected.next();
    const run = await runStep({ event: PUSH, inputs });
    const payload = await observed.deployed.next();
    expect(payload).toEqual(JSON.parse(run.outputs.payload!));

    await service.sendToGroup(group, { hello: 'world' });
    await service.sendToGroup(group, 'v1.4.2 is out, reload', { contentType: 'text/plain' });
    await service.sendToAll(new Uint8Array([1, 2, 3]));
    await service.sendToAll({ ...payload, sha: 'not-a-sha' });
    await service.sendToAll({ ...payload, id: 'another', refName: 'after the invalid ones' });

    expect(await observed.invalid.take(4)).toEqual([
      { data: { hello: 'world' }, reason: 'schema is missing' },
      { data: 'v1.4.2 is out, reload', reason: 'a text message, where notifications are JSON' },
      { data: 'AQID', reason: 'a binary message, where notifications are JSON' },
      { data: { ...payload, sha: 'not-a-sha' }, reason: 'sha must be a 40- or 64-digit lower-case hex commit SHA' },
    ]);
    expect(await observed.deployed.next()).toEqual({ ...payload, id: 'another', refName: 'after the invalid ones' });
  });

  test('without onInvalid, the reason goes to console.warn: never dropped without a word', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { service, observed } = setUp({ onInvalid: undefined });
      await observed.connected.next();
      await service.sendToAll({ version: 'v1.4.2' });
      await service.sendToAll('fence', { contentType: 'text/plain' });
      await until(() => warn.mock.calls.length === 2, 'two warnings');
      expect(warn.mock.calls).toEqual([
        ['webpubsub-action/browser: ignored a message that is not a notification: schema is missing'],
        ['webpubsub-action/browser: ignored a message that is not a notification: a text message, where notifications are JSON'],
      ]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('reconnecting', () => {
  test('after emulator.dropConnection the listener recovers the same connection at once, and what was sent meanwhile arrives once, in order', async () => {
    const { service, observed, inputs } = setUp();
    const first = await observed.connected.next();
    const payload = JSON.parse((await runStep({ event: PUSH, inputs })).outputs.payload!) as DeployNotification;
    expect(await observed.deployed.next()).toEqual(payload);
    // Sent while the socket is down, and while it comes back: the service keeps them for the recovery.
    expect(scope.emulator.dropConnection(first.connectionId)).toBe(true);
    const sent = Array.from({ length: 30 }, (_, i) => ({ ...payload, id: `drop-${i}`, refName: `v${i}` }));
    for (const [i, notification] of sent.entries()) {
      await service.sendToAll(notification);
      if (i % 10 === 5) scope.emulator.dropConnection(first.connectionId);
    }
    expect((await observed.deployed.take(30)).map((n) => n.refName)).toEqual(sent.map((n) => n.refName));
    const disconnected = await observed.disconnected.next();
    expect(disconnected).toMatchObject({ code: 1006, reason: 'the connection failed or dropped', reconnectInMs: 0, recovering: true, gaveUp: false });
    expect(await observed.connected.next()).toEqual({ ...first, recovered: true });
    expect(observed.urls).toBe(1);
    expect([observed.deployed.size, observed.gaps.size]).toEqual([0, 0]);
  });

  test('a half-open socket (the emulator neither reads nor writes) is noticed by the keep-alive and recovered with nothing lost', async () => {
    const { service, observed } = setUp();
    const first = await observed.connected.next();
    expect(scope.emulator.halfOpenConnection(first.connectionId)).toBe(true);
    const sent = Array.from({ length: 5 }, (_, i) => notification(`silent-${i}`));
    for (const n of sent) await service.sendToAll(n);
    const disconnected = await observed.disconnected.next();
    expect(disconnected).toMatchObject({ code: 1006, recovering: true });
    expect(disconnected.reason).toMatch(/^the connection went silent \(no answer to a ping for \d+ ms\)$/);
    expect(await observed.connected.next()).toMatchObject({ connectionId: first.connectionId, recovered: true });
    expect((await observed.deployed.take(5)).map(idOf)).toEqual(sent.map(idOf));
  });

  test('a recovery the service refuses (its window passed) becomes a new connection and one onGap; nothing arrives twice', async () => {
    let blocked = false;
    /** A network that is down while `blocked`: attempts fail before they open, as a browser's do. */
    class FlakyNetwork extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(blocked ? 'ws://127.0.0.1:9/' : url, protocols);
      }
    }
    const { service, observed } = setUp({ WebSocket: FlakyNetwork as never, maxRefusals: 1000 });
    const first = await observed.connected.next();
    await service.sendToAll(notification('before'));
    expect(idOf(await observed.deployed.next())).toBe('before');
    blocked = true;
    const lostAt = Date.now();
    const ended = nextEvent(scope.emulator, 'disconnected', (info: EmulatorEvents['disconnected'][0]) => info.connectionId === first.connectionId, 5000);
    scope.emulator.dropConnection(first.connectionId);
    await service.sendToAll(notification('in-the-gap'));
    await ended;
    blocked = false;
    const second = await observed.connected.next();
    expect(second).toMatchObject({ recovered: false });
    expect(second.connectionId).not.toBe(first.connectionId);
    const gap = await observed.gaps.next();
    // Its last frame came before the drop: anything sent after it may be missing.
    expect(gap.since).toBeLessThanOrEqual(lostAt);
    expect(gap.since).toBeGreaterThan(lostAt - 5000);
    expect(gap.reason).toContain('the connection could not be recovered');
    await service.sendToAll(notification('after'));
    await service.sendToAll(notification('before'));
    expect(idOf(await observed.deployed.next())).toBe('after');
    // 'in-the-gap' went with the connection; the repeated 'before' was delivered already.
    expect([observed.gaps.size, observed.urls, observed.deployed.size, observed.invalid.size]).toEqual([0, 2, 0, 0]);
  });

  test('a lost response (the emulator sends, then resets instead of answering): the Action retries with the same id, the app hears it once', async () => {
    const { observed, inputs } = setUp();
    await observed.connected.next();
    scope.emulator.setFaults({ rate: 1, kinds: ['lostResponse'], maxFaults: 1 });
    try {
      const run = await runStep({ event: PUSH, inputs });
      expect(run.code).toBe(0);
      expect(scope.emulator.faultsInjected).toBe(1);
      const sent = JSON.parse(run.outputs.payload!) as DeployNotification;
      expect(await observed.deployed.next()).toEqual(sent);
      const next = await runStep({ event: RELEASE, inputs });
      expect(await observed.released.next()).toEqual(JSON.parse(next.outputs.payload!));
      expect(observed.deployed.size).toBe(0);
    } finally {
      scope.emulator.setFaults(undefined);
    }
  });

  test('an expired token in a fixed url: after the service closes the connection, every attempt is refused 401, and the listener gives up with the reason', async () => {
    const hub = uniqueName('hub');
    const service = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' });
    clients.push(service);
    const { url } = await service.getClientAccessToken();
    const { observed } = setUp({ url, maxRefusals: 3 });
    const { connectionId } = await observed.connected.next();
    scope.emulator.expireClientTokens();
    await service.closeConnection(connectionId, { reason: 'redeploy' });
    const events = await observed.disconnected.take(4);
    expect(events.map((e) => e.gaveUp)).toEqual([false, false, false, true]);
    expect(events[3]!.reason).toMatch(/^the service refused the connection \(HTTP 401\); gave up after 3 attempts in a row/);
    expect(events[3]!.reconnectInMs).toBe(Infinity);
  });

  test('an expired token with a url function: the next attempt asks for a fresh URL and connects; onGap tells of the closed connection', async () => {
    const { hub, observed } = setUp();
    const { connectionId } = await observed.connected.next();
    scope.emulator.expireClientTokens();
    await new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' }).closeConnection(connectionId);
    expect(await observed.connected.next()).toMatchObject({ recovered: false });
    expect((await observed.gaps.next()).reason).toContain('Application server closed the connection');
    expect(observed.urls).toBe(2);
  });

  test('a client URL that cannot be had is a failed attempt like any other: reported, then tried again', async () => {
    const hub = uniqueName('hub');
    const service = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' });
    clients.push(service);
    let calls = 0;
    const { observed } = setUp({
      url: async () => {
        if (++calls === 1) throw new Error('negotiate answered 503');
        if (calls === 2) return 'Endpoint=http://127.0.0.1;AccessKey=secret-key-0123;Version=1.0;';
        return (await service.getClientAccessToken()).url;
      },
    });
    const failures = await observed.disconnected.take(2);
    expect(failures.map(({ code, reason }) => ({ code, reason }))).toEqual([
      { code: undefined, reason: 'could not get the client URL: negotiate answered 503' },
      { code: undefined, reason: 'could not get the client URL: url() gave something other than a ws:// or wss:// URL' },
    ]);
    // The waits grow (each is drawn between half and all of a doubling ceiling).
    expect(failures[1]!.reconnectInMs).toBeGreaterThanOrEqual(backoff.initialDelayMs);
    await observed.connected.next();
  });
});

describe("the page's signals: offline, online, shown again", () => {
  /** A browser's window and document, as far as the listener reads them, on Node's globalThis. */
  const page = new EventTarget();
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const navigator = { onLine: true };
  const globals = globalThis as unknown as Record<string, unknown>;
  const saved = ['addEventListener', 'removeEventListener', 'document', 'navigator'].map(
    (name) => [name, Object.getOwnPropertyDescriptor(globals, name)] as const,
  );
  beforeEach(() => {
    navigator.onLine = true;
    document.visibilityState = 'visible';
    Object.defineProperty(globals, 'navigator', { value: navigator, configurable: true, writable: true });
    Object.assign(globals, { addEventListener: page.addEventListener.bind(page), removeEventListener: page.removeEventListener.bind(page), document });
  });
  afterEach(() => {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globals, name, descriptor);
      else delete globals[name];
    }
  });

  test('offline, a dropped connection waits (no attempt can succeed); the online event recovers it at once', async () => {
    const { service, observed } = setUp();
    const first = await observed.connected.next();
    navigator.onLine = false;
    scope.emulator.dropConnection(first.connectionId);
    expect(await observed.disconnected.next()).toMatchObject({ recovering: true, reconnectInMs: 0 });
    await service.sendToAll(notification('while-offline'));
    // Long enough for the attempt that must not happen; the connection waits in the emulator meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([observed.connected.size, observed.disconnected.size]).toEqual([0, 0]);
    expect(scope.emulator.connections().find((c) => c.connectionId === first.connectionId)?.state).toBe('recovering');
    navigator.onLine = true;
    page.dispatchEvent(new Event('online'));
    expect(await observed.connected.next()).toMatchObject({ connectionId: first.connectionId, recovered: true });
    expect(idOf(await observed.deployed.next())).toBe('while-offline');
  });

  test('a page shown again does not wait out its backoff: it tries at once', async () => {
    let calls = 0;
    const hub = uniqueName('hub');
    const service = new WebPubSubServiceClient(scope.emulator.connectionString, hub, { logLevel: 'off' });
    clients.push(service);
    const { observed } = setUp({
      url: async () => {
        if (++calls === 1) throw new Error('negotiate answered 503');
        return (await service.getClientAccessToken()).url;
      },
      backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    expect((await observed.disconnected.next()).reconnectInMs).toBeGreaterThanOrEqual(30_000);
    document.visibilityState = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    document.visibilityState = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(await observed.connected.next()).toMatchObject({ recovered: false });
    expect(calls).toBe(2);
  });
});

describe('close()', () => {
  test('closes the socket: the emulator sees the connection end, and no callback runs after', async () => {
    const { hub, service, observed } = setUp();
    const { connectionId } = await observed.connected.next();
    const ended = nextEvent(scope.emulator, 'disconnected', (info: EmulatorEvents['disconnected'][0]) => info.connectionId === connectionId);
    await observed.listener.close();
    await ended;
    expect(scope.emulator.connections(hub)).toEqual([]);
    await service.sendToAll({ after: 'close' });
    expect([observed.invalid.size, observed.disconnected.size, observed.connected.size]).toEqual([0, 0, 0]);
  });

  test('in a process of its own: a listener closed while a reconnect is pending leaves nothing behind, so Node exits by itself', async () => {
    const program = fileURLToPath(new URL('programs/closeWhileReconnecting.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [program], { timeout: 20_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'connected',
      'disconnected: the connection failed or dropped, recovering at once',
      'disconnected: the connection failed or dropped, recovering in 60 s or less',
      'closed',
    ]);
  });
});

describe('bad options are refused at once, naming the option', () => {
  const base = { url: 'wss://example.test/client/hubs/h?access_token=t', onDeployed: () => undefined, onRelease: () => undefined, WebSocket };
  test.each([
    ['no url', { ...base, url: undefined }, 'url must be a ws:// or wss:// client access URL, or a function that gives one'],
    [
      'a connection string as the url',
      { ...base, url: 'Endpoint=https://x.webpubsub.azure.com;AccessKey=secret-key;Version=1.0;' },
      'url must be a ws:// or wss:// client access URL, or a function that gives one',
    ],
    ['no onRelease', { ...base, onRelease: undefined }, 'onRelease must be a function'],
    ['an onInvalid that is not a function', { ...base, onInvalid: 'log' }, 'onInvalid must be a function when given'],
    // Node 22 and later have a WebSocket of their own.
    ...(typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined'
      ? [
          [
            'no WebSocket where the platform has none',
            { ...base, WebSocket: undefined },
            "WebSocket must be given where the platform has none (in Node 20, pass ws's WebSocket)",
          ] as const,
        ]
      : []),
    [
      'a maximum delay below the initial one',
      { ...base, backoff: { initialDelayMs: 5000, maxDelayMs: 1000 } },
      'backoff.initialDelayMs must not exceed backoff.maxDelayMs',
    ],
    ['a negative delay', { ...base, backoff: { initialDelayMs: -1 } }, 'backoff.initialDelayMs must be a finite number ≥ 0'],
  ])('%s', (_what, options, message) => {
    expect(() => connectNotifications(options as unknown as NotificationListenerOptions)).toThrow(new TypeError(message));
  });
});
