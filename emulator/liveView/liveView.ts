/**
 * The live view's HTTP side: the page (`/`), its script and style, a snapshot of every hub (`/_emulator/live/state`)
 * and the feed as server-sent events (`/_emulator/live/events`). Rows are built and serialized only while a page is
 * subscribed; before that the view only remembers, per connection, when it opened and its last frame.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redact } from '../../shared/logger.js';
import { type Activity, type ActivityFeed, withoutSecrets } from '../common/activity.js';
import type { GrantLog } from '../state/grantLog.js';
import type { OutboundMessage } from '../state/outboundMessage.js';
import type { WireProtocol } from '../state/store.js';
import { refusal } from './access.js';
import { activityRow, describeFrame, type FeedRow, messageRow, serializeRow } from './feedRows.js';
import type { ResolvedLiveView } from './liveViewOptions.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './page.js';

/** The paths the view answers; everything else is the service's. */
export const LIVE_VIEW_PATHS = {
  page: '/',
  script: '/_emulator/live/app.js',
  style: '/_emulator/live/app.css',
  state: '/_emulator/live/state',
  events: '/_emulator/live/events',
  icon: '/favicon.ico',
};
/** Rows a newly opened page is sent first. */
const HISTORY = 500;
const KEEP_ALIVE_MS = 15_000;
/** Strict: the page's own script and style only, so even a slip in escaping could run nothing. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A connection as the view lists it. */
export interface LiveConnection {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId: string | null;
  readonly groups: ReadonlySet<string>;
  readonly protocol: WireProtocol;
  readonly subprotocol: string | undefined;
  readonly state: string;
}

export interface LiveViewContext {
  options: ResolvedLiveView;
  feed: ActivityFeed;
  grants: GrantLog;
  connections(): Iterable<LiveConnection>;
  /** The event handlers configured, by hub. */
  eventHandlers(): Iterable<[hub: string, handlers: readonly ConfiguredHandler[]]>;
}

/** An event handler as configured (the `hubs` option). */
export interface ConfiguredHandler {
  urlTemplate: string;
  userEventPattern?: string;
  systemEvents?: readonly string[];
}

type LastFrame = { direction: 'in'; at: number; data: Buffer; isBinary: boolean } | { direction: 'out'; at: number; message: OutboundMessage };

/** The live view of one emulator. */
export class LiveView {
  readonly #context: LiveViewContext;
  readonly #connectedAt = new Map<string, number>();
  readonly #lastFrame = new Map<string, LastFrame>();
  readonly #plain = new Set<string>();
  readonly #hubsSeen = new Map<string, string>();
  readonly #pages = new Set<ServerResponse>();
  readonly #history: string[] = [];
  /** Deliveries of this tick, gathered into one row per message. */
  readonly #fanOuts = new Map<OutboundMessage, { hub: string; connectionIds: string[] }>();
  #nextId = 1;
  /** This run of the view: a page that reconnects to a restarted emulator starts its feed afresh. */
  readonly #run = randomUUID();
  #keepAlive: NodeJS.Timeout | undefined;
  readonly #unsubscribe: () => void;

  constructor(context: LiveViewContext) {
    this.#context = context;
    this.#unsubscribe = context.feed.subscribe((activity) => this.#follow(activity));
  }

  /** Answers the request when it is the view's; false leaves it to the service. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const known = Object.values(LIVE_VIEW_PATHS).includes(path);
    if (!known) return false;
    const refused = refusal(req, this.#context.options);
    if (refused !== undefined) {
      send(res, 403, 'text/plain; charset=utf-8', `${refused}\n`);
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, 'text/plain; charset=utf-8', 'The live view answers GET only.\n');
      return true;
    }
    switch (path) {
      case LIVE_VIEW_PATHS.page:
        send(res, 200, 'text/html; charset=utf-8', PAGE_HTML);
        break;
      case LIVE_VIEW_PATHS.script:
        send(res, 200, 'text/javascript; charset=utf-8', PAGE_JS);
        break;
      case LIVE_VIEW_PATHS.style:
        send(res, 200, 'text/css; charset=utf-8', PAGE_CSS);
        break;
      case LIVE_VIEW_PATHS.state:
        send(res, 200, 'application/json; charset=utf-8', redact(JSON.stringify(this.snapshot())));
        break;
      case LIVE_VIEW_PATHS.events:
        this.#subscribe(res);
        break;
      case LIVE_VIEW_PATHS.icon:
        // Browsers ask for it; unanswered, every page load would put a REST 404 in the feed.
        res.writeHead(204, { 'cache-control': 'max-age=86400' }).end();
        break;
    }
    return true;
  }

  /** Every hub: its connections, groups and grants. */
  snapshot() {
    const hubs = new Map<
      string,
      {
        name: string;
        eventHandlers: { url: string; userEvents: string; systemEvents: readonly string[] }[];
        connections: unknown[];
        groups: Map<string, { connectionId: string; userId: string | null }[]>;
        grants: unknown[];
      }
    >();
    const hubOf = (name: string) => {
      const key = name.toLowerCase();
      let hub = hubs.get(key);
      if (!hub) hubs.set(key, (hub = { name, eventHandlers: [], connections: [], groups: new Map(), grants: [] }));
      return hub;
    };
    for (const [name, handlers] of this.#context.eventHandlers()) {
      hubOf(name).eventHandlers = handlers.map(({ urlTemplate, userEventPattern, systemEvents }) => ({
        url: withoutSecrets(urlTemplate),
        userEvents: userEventPattern ?? '',
        systemEvents: systemEvents ?? [],
      }));
    }
    for (const name of this.#hubsSeen.values()) hubOf(name);
    for (const connection of this.#context.connections()) {
      const { connectionId, userId, protocol, subprotocol, state } = connection;
      const hub = hubOf(connection.hub);
      const connectedAt = this.#connectedAt.get(connectionId);
      hub.connections.push({
        connectionId,
        userId,
        protocol,
        subprotocol: subprotocol ?? null,
        state,
        groups: [...connection.groups],
        connectedAt: connectedAt === undefined ? null : new Date(connectedAt).toISOString(),
        lastFrame: this.#describeLastFrame(connectionId),
      });
      for (const group of connection.groups) {
        const members = hub.groups.get(group) ?? [];
        members.push({ connectionId, userId });
        hub.groups.set(group, members);
      }
      for (const grant of this.#context.grants.ops(connectionId)) hub.grants.push({ connectionId, userId, ...grant });
    }
    return {
      hubs: [...hubs.values()].map((hub) => ({ ...hub, groups: [...hub.groups].map(([name, members]) => ({ name, members })) })),
    };
  }

  /** Forgets what it knew of connections (the emulator was reset; they ended without a word). */
  reset(): void {
    this.#connectedAt.clear();
    this.#lastFrame.clear();
    this.#plain.clear();
  }

  /** Ends every page's feed (the emulator is closing). */
  close(): void {
    this.#unsubscribe();
    clearInterval(this.#keepAlive);
    for (const page of this.#pages) page.end();
    this.#pages.clear();
  }

  #describeLastFrame(connectionId: string) {
    const last = this.#lastFrame.get(connectionId);
    if (!last) return null;
    const at = new Date(last.at).toISOString();
    if (last.direction === 'out') {
      const { source } = last.message;
      return { direction: 'out', at, type: 'message', ...(source.from === 'group' && { group: source.group }) };
    }
    const { frameType, group, event } = describeFrame(last.data, last.isBinary, this.#plain.has(connectionId));
    return { direction: 'in', at, type: frameType, ...(group !== undefined && { group }), ...(event !== undefined && { event }) };
  }

  #subscribe(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ run: this.#run })}\n\n`);
    for (const line of this.#history) res.write(line);
    this.#pages.add(res);
    this.#keepAlive ??= setInterval(() => {
      for (const page of this.#pages) page.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS).unref();
    res.on('close', () => {
      this.#pages.delete(res);
      if (this.#pages.size === 0) {
        clearInterval(this.#keepAlive);
        this.#keepAlive = undefined;
      }
    });
  }

  #follow(activity: Activity): void {
    switch (activity.kind) {
      case 'connected':
        this.#connectedAt.set(activity.connectionId, Date.now());
        if (activity.protocol === 'plain') this.#plain.add(activity.connectionId);
        break;
      case 'disconnected':
        this.#connectedAt.delete(activity.connectionId);
        this.#lastFrame.delete(activity.connectionId);
        this.#plain.delete(activity.connectionId);
        break;
      case 'frame':
        this.#lastFrame.set(activity.connectionId, { direction: 'in', at: Date.now(), data: activity.data, isBinary: activity.isBinary });
        break;
      case 'delivered':
        this.#lastFrame.set(activity.connectionId, { direction: 'out', at: Date.now(), message: activity.message });
        break;
      case 'rest':
        if (activity.hub) this.#hubsSeen.set(activity.hub.toLowerCase(), activity.hub);
        break;
    }
    if (this.#pages.size === 0) return;
    if (activity.kind === 'delivered') this.#gather(activity.hub, activity.connectionId, activity.message);
    else this.#emit(activityRow(this.#nextId++, activity, (id) => this.#plain.has(id)));
  }

  /** One row per fan-out: deliveries of one message in one tick come from one send. */
  #gather(hub: string, connectionId: string, message: OutboundMessage): void {
    const fanOut = this.#fanOuts.get(message);
    if (fanOut) {
      fanOut.connectionIds.push(connectionId);
      return;
    }
    if (this.#fanOuts.size === 0) setImmediate(() => this.#flushFanOuts());
    this.#fanOuts.set(message, { hub, connectionIds: [connectionId] });
  }

  #flushFanOuts(): void {
    for (const [message, { hub, connectionIds }] of this.#fanOuts) this.#emit(messageRow(this.#nextId++, hub, message, connectionIds));
    this.#fanOuts.clear();
  }

  #emit(row: FeedRow): void {
    const line = `data: ${serializeRow(row)}\n\n`;
    this.#history.push(line);
    if (this.#history.length > HISTORY) this.#history.shift();
    for (const page of this.#pages) page.write(line);
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': CSP,
    'referrer-policy': 'no-referrer',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
