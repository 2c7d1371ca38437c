/**
 * The receiving end: one WebSocket to Web PubSub on the reliable subprotocol that turns the Action's notifications
 * into the app's callbacks, each once, and comes back after a drop until the app closes it.
 *
 * What it guarantees (docs/browser.md states it with its bounds): while the service can recover the connection
 * (its recovery window, 30 s on Azure), every notification sent to it reaches a callback exactly once, in the
 * order the service sent it. The listener acknowledges what arrived (`sequenceAck`, batched), and after a drop it
 * recovers the same connection at once (`awps_connection_id` + `awps_reconnection_token`), so the service replays
 * what had not been acknowledged; replays are dropped by sequence id, a sender's retries by notification id.
 * When the connection cannot be recovered, the listener opens a fresh one and calls `onGap` once, so the page can
 * look up what it may have missed.
 */
import { browserGlobals, type EventSource, type NotificationSocket, type TimerHandle, type WebSocketConstructor } from './browserGlobals.js';
import { checkNotification, type DeployNotification, type ReleaseNotification } from './checkNotification.js';
import { Deliveries } from './deliveries.js';
import { reconnectDelay, resolveBackoff, type BackoffOptions } from './reconnectDelay.js';
import { clientFrames, readFrame, SUBPROTOCOL, type ServerFrame } from './serverFrame.js';

/** The connection the service opened, or recovered: its `system/connected` frame. */
export interface ConnectedEvent {
  connectionId: string;
  /** The user the client URL's token names; null for an anonymous connection. */
  userId: string | null;
  /** True when this is the same connection as before a drop, recovered with nothing missed. */
  recovered: boolean;
}

/** A connection that ended, or an attempt that failed; the listener tries again after `reconnectInMs`. */
export interface DisconnectedEvent {
  /**
   * The WebSocket close code: 1006 when the socket failed or dropped without a close frame (or went silent);
   * undefined when no socket was opened (the client URL could not be had).
   */
  code: number | undefined;
  /** Why, in words: the service's `disconnected` message, the close reason, or what went wrong before connecting. */
  reason: string;
  /**
   * The wait before the next attempt, in ms: 0 when the listener recovers at once. While the browser is offline it
   * waits for the `online` event instead. Infinity when it gave up (`gaveUp`).
   */
  reconnectInMs: number;
  /** True when the next attempt recovers the same connection (nothing is lost if it succeeds). */
  recovering: boolean;
  /**
   * True when the listener stopped for good: the service refused `maxRefusals` attempts in a row (an expired or
   * revoked token in a fixed `url`, say). `reason` says so. No callback follows.
   */
  gaveUp: boolean;
}

/** The connection could not be recovered: notifications sent in between may be missing. */
export interface GapEvent {
  /**
   * When the last frame of the previous connection arrived (ms since the epoch, as `Date.now()`): a notification
   * sent after it, or up to one network delay before it, may be missing. Earlier than the drop when the socket went
   * silent first.
   */
  since: number;
  /** Why it could not be recovered. */
  reason: string;
}

/** How the listener notices a silent (half-open) connection. */
export interface KeepAliveOptions {
  /** Send a `ping` after this long without a frame, in ms (default 10000; 0 turns keep-alive off). */
  pingIntervalMs?: number;
  /** A ping unanswered this long means the connection is dead, in ms (default 10000). */
  pongTimeoutMs?: number;
}

/** What {@link connectNotifications} needs: where to connect and what to call. */
export interface NotificationListenerOptions {
  /**
   * The client access URL (`wss://<host>/client/hubs/<hub>?access_token=<token>`, as the server's
   * `getClientAccessToken()` returns it), or a function giving one. The function is called before every new
   * connection (not before a recovery, which needs no token), so each gets a fresh token: prefer it whenever tokens
   * can expire while the page is open. Never a connection string: its access key would let anyone send anything.
   */
  url: string | (() => string | Promise<string>);
  /** A deploy notification arrived (`kind: 'deployment'`). */
  onDeployed(notification: DeployNotification): void;
  /** A release announcement arrived (`kind: 'release'`, with its `release`). */
  onRelease(notification: ReleaseNotification): void;
  /**
   * A message arrived that is not a notification: other JSON, text, binary (as its base64 text), or a frame that
   * is not the subprotocol's. `reason` names the first rule it breaks. Without this callback the listener writes
   * the reason to `console.warn`: a message is never dropped without a word.
   */
  onInvalid?(data: unknown, reason: string): void;
  /** The service accepted a connection (the first, a new one, or a recovered one: see `recovered`). */
  onConnected?(event: ConnectedEvent): void;
  /** A connection ended or an attempt failed; another attempt follows unless `gaveUp`. Not called after `close()`. */
  onDisconnected?(event: DisconnectedEvent): void;
  /**
   * The previous connection could not be recovered (the service's recovery window passed, or it closed the
   * connection), and a new one is now open: notifications sent in between may be missing. Called once per lost
   * connection, after the new one is up, so a check of the deployed version made here misses nothing after it.
   */
  onGap?(event: GapEvent): void;
  /** The bounds of the wait between failed attempts (default 1 s doubling up to 30 s, with jitter). */
  backoff?: BackoffOptions;
  /** Keep-alive pings (default: a ping after 10 s without a frame, dead 10 s later). */
  keepAlive?: KeepAliveOptions;
  /**
   * Attempts in a row the service may refuse (no socket opened while the browser is online: an expired token, a
   * wrong URL, the service unreachable) before the listener gives up (default 10; with the default backoff, some
   * 4 minutes of trying). With a `url` function every attempt asks for a fresh URL first.
   */
  maxRefusals?: number;
  /**
   * The WebSocket constructor (default: the browser's `globalThis.WebSocket`). Outside a browser, pass one, e.g.
   * `ws`'s `WebSocket` in Node 20.
   */
  WebSocket?: WebSocketConstructor;
}

/** A running listener. */
export interface NotificationListener {
  /**
   * Stops for good: cancels a pending reconnect and closes the socket. No callback runs after `close()` returns.
   * @returns a promise that settles once the socket is closed (at once when there is none)
   */
  close(): Promise<void>;
}

/** What a client URL must look like before the listener hands it to WebSocket (never echoed: it holds a token). */
const CLIENT_URL = /^wss?:\/\/\S+$/i;
/** Acknowledge at most this often, as the official client does: one small frame a second, whatever the rate. */
const ACK_INTERVAL_MS = 1000;
/** ...and at once when this many are unacknowledged, far from the service's limit of 1,000 (then it closes). */
const ACK_AT_ONCE_AFTER = 300;
/** Notification ids remembered for de-duplication. */
const REMEMBERED_IDS = 1000;
/** How long the listener tries to recover a dropped connection: the service's recovery window. */
const RECOVERY_TIMEOUT_MS = 30_000;
const DEFAULT_KEEP_ALIVE: Required<KeepAliveOptions> = { pingIntervalMs: 10_000, pongTimeoutMs: 10_000 };
const DEFAULT_MAX_REFUSALS = 10;
/** How long a handshake may go unanswered before the attempt counts as failed. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Connects to Web PubSub with a client URL and calls the app back for each deploy notification and release
 * announcement the Action sends to the connection's hub, group or user, once each. Each message is checked against
 * the `webpubsub-action/notification@2` (or `@1`) shape first; one that breaks it goes to `onInvalid`. After a drop
 * the listener recovers the connection at once; when it cannot, it opens a new one with capped, jittered backoff
 * and calls `onGap`. It runs until `close()`.
 *
 * ```ts
 * const listener = connectNotifications({
 *   url: async () => (await (await fetch('/negotiate')).json()).url,
 *   onDeployed: (n) => showBanner(`${n.refName} is deployed`),
 *   onRelease: (n) => showBanner(`${n.release.tag} is deployed`),
 *   onGap: () => checkDeployedVersion(),
 * });
 * // later: listener.close();
 * ```
 *
 * @throws TypeError naming the option, when an option is missing or of the wrong kind, or when there is no
 *   WebSocket to use (outside a browser, pass `WebSocket`)
 */
export function connectNotifications(options: NotificationListenerOptions): NotificationListener {
  return new Listener(options);
}

/** What the listener knows of the connection it holds, or last held. */
interface Session {
  connectionId: string;
  reconnectionToken: string | undefined;
  /** The client URL the connection was opened with (a recovery adds its parameters to it). */
  url: string;
}

/**
 * Where the listener is. `connecting`: an attempt at a new connection (the first, or after a failed one) is made
 * or waits its backoff; `connected`: the service accepted the socket (keep-alive and acks run); `recovering`: a
 * connection that was up dropped, and attempts to get the same one back are made; `stopped`: closed by the app,
 * or given up. `#lost` alone decides what follows a socket's end.
 */
type ListenerState = 'connecting' | 'connected' | 'recovering' | 'stopped';

class Listener implements NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #WebSocket: WebSocketConstructor;
  readonly #backoff: Required<BackoffOptions>;
  readonly #keepAlive: Required<KeepAliveOptions>;
  readonly #maxRefusals: number;
  readonly #deliveries = new Deliveries(REMEMBERED_IDS);
  #state: ListenerState = 'connecting';
  #socket: NotificationSocket | undefined;
  #socketClosed: Promise<void> = Promise.resolve();
  /** The pending attempt, or the keep-alive tick while connected. */
  #timer: TimerHandle | undefined;
  #tick: TimerHandle | undefined;
  /** Attempts that failed since the last connection the service accepted: the backoff's exponent. */
  #failures = 0;
  /** Attempts in a row that never opened a socket while online. */
  #refusals = 0;
  #session: Session | undefined;
  /** While `recovering`: the last frame of the lost connection, and until when to try to get it back. */
  #recovery = { since: 0, until: 0 };
  /** A lost connection that could not be recovered, reported by `onGap` once the next one is up. */
  #gap: GapEvent | undefined;
  #lastFrameAt = 0;
  /** When the unanswered ping was sent (0 when none is outstanding). */
  #pingSentAt = 0;
  /** A silent socket let go of without a close frame, closed once the next connection is up. */
  #abandoned: NotificationSocket | undefined;
  /** True while an attempt waits for its client URL. */
  #connecting = false;
  readonly #wake = () => this.#woken();
  readonly #shown = () => {
    if (browserGlobals.document?.visibilityState !== 'hidden') this.#woken();
  };
  /** The page events that make the listener try at once, each with its listener: added at start, removed at stop. */
  readonly #pageListeners = pageEvents().map(([source, type]) => [source, type, type === 'online' ? this.#wake : this.#shown] as const);

  constructor(options: NotificationListenerOptions) {
    checkOptions(options);
    const WebSocket = options.WebSocket ?? browserGlobals.WebSocket;
    if (typeof WebSocket !== 'function') throw new TypeError("WebSocket must be given where the platform has none (in Node 20, pass ws's WebSocket)");
    this.#options = options;
    this.#WebSocket = WebSocket;
    this.#backoff = resolveBackoff(options.backoff);
    this.#keepAlive = resolveKeepAlive(options.keepAlive);
    this.#maxRefusals = options.maxRefusals ?? DEFAULT_MAX_REFUSALS;
    for (const [source, type, listener] of this.#pageListeners) source.addEventListener(type, listener);
    void this.#connect();
  }

  close(): Promise<void> {
    if (!this.#stopped) {
      this.#stop();
      this.#socket?.close(1000, 'closed by the app');
      this.#abandoned?.close(1000, 'closed by the app');
    }
    return this.#socketClosed;
  }

  /** Read through a getter: the state may change while an attempt awaits its client URL. */
  get #stopped(): boolean {
    return this.#state === 'stopped';
  }

  /** Ends every timer and page listener: nothing of the listener runs after this. */
  #stop(): void {
    this.#state = 'stopped';
    this.#stopTimers();
    for (const [source, type, listener] of this.#pageListeners) source.removeEventListener(type, listener);
  }

  async #connect(): Promise<void> {
    this.#timer = undefined;
    // Offline, an attempt can only fail: the `online` event brings the listener back (#woken).
    if (this.#stopped || this.#socket || isOffline()) return;
    const session = this.#state === 'recovering' ? this.#session : undefined;
    let url: string;
    if (session) {
      url = recoveryUrl(session);
    } else {
      this.#connecting = true;
      try {
        url = await this.#clientUrl();
      } catch (error) {
        return this.#retry(undefined, `could not get the client URL: ${messageOf(error)}`);
      } finally {
        this.#connecting = false;
      }
      if (this.#stopped || this.#socket) return;
    }
    let socket: NotificationSocket;
    try {
      socket = new this.#WebSocket(url, SUBPROTOCOL);
    } catch (error) {
      // Not the message: a browser's names the URL, and with it the token.
      return this.#retry(undefined, `could not open a WebSocket (${error instanceof Error ? error.name : 'error'})`);
    }
    this.#socket = socket;
    this.#socketClosed = new Promise((resolve) => socket.addEventListener('close', () => resolve()));
    let opened = false;
    let connected = false;
    /** The service's parting words (its `disconnected` frame), or ours when the server is not Web PubSub. */
    let goodbye: string | undefined;
    /** The HTTP status of a refused handshake, where the platform tells it (Node's `ws`; browsers do not). */
    let refusedWith: string | undefined;
    // A handshake lost in the network (no answer, no error) could hang for minutes: give up on it and try again.
    this.#timer = browserGlobals.setTimeout(() => {
      this.#timer = undefined;
      if (socket !== this.#socket || connected) return;
      this.#letGo(socket);
      this.#lost(1006, `no answer to the handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s`, { opened, connected, closedByService: false });
    }, HANDSHAKE_TIMEOUT_MS);
    socket.addEventListener('open', () => {
      opened = true;
      // A browser opens the socket even when the server picked no subprotocol; its frames would then be raw.
      if (socket.protocol === SUBPROTOCOL) return;
      goodbye = `the server did not accept the subprotocol ${SUBPROTOCOL}: is the URL a Web PubSub client URL?`;
      socket.close(1000, 'subprotocol not accepted');
    });
    socket.addEventListener('message', ({ data }) => {
      if (this.#stopped || socket !== this.#socket) return;
      this.#lastFrameAt = Date.now();
      this.#pingSentAt = 0;
      const frame = readFrame(data);
      if (frame.type === 'disconnected') goodbye = frame.message || 'the service closed the connection';
      else if (frame.type === 'connected') {
        connected = true;
        this.#connected(frame, url);
      } else this.#receive(frame);
    });
    socket.addEventListener('error', ({ message }) => {
      // Every error event is followed by a close event, which carries the rest.
      const status = typeof message === 'string' ? /Unexpected server response: (\d{3})/.exec(message)?.[1] : undefined;
      if (status) refusedWith = status;
    });
    socket.addEventListener('close', ({ code, reason }) => {
      if (socket !== this.#socket) return;
      this.#lost(code, goodbye ?? (refusedWith ? `the service refused the connection (HTTP ${refusedWith})` : reason || describeClose(code)), {
        opened,
        connected,
        closedByService: goodbye !== undefined || code === 1008,
      });
    });
  }

  async #clientUrl(): Promise<string> {
    const { url } = this.#options;
    const value = typeof url === 'function' ? await url() : url;
    if (typeof value !== 'string' || !CLIENT_URL.test(value)) throw new TypeError('url() gave something other than a ws:// or wss:// URL');
    return value;
  }

  /** The service accepted the socket: a new connection, or the recovery of the one before. */
  #connected(frame: Extract<ServerFrame, { type: 'connected' }>, url: string): void {
    const recovered = this.#state === 'recovering' && this.#session?.connectionId === frame.connectionId;
    if (recovered) {
      this.#deliveries.recovered();
    } else {
      this.#session = { connectionId: frame.connectionId, reconnectionToken: frame.reconnectionToken, url };
      this.#deliveries.newConnection();
    }
    this.#state = 'connected';
    browserGlobals.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#failures = 0;
    this.#refusals = 0;
    this.#abandoned?.close(1000, 'replaced');
    this.#abandoned = undefined;
    this.#startTick();
    const { onConnected, onGap } = this.#options;
    if (onConnected) this.#call(() => onConnected({ connectionId: frame.connectionId, userId: frame.userId, recovered }));
    const gap = this.#gap;
    this.#gap = undefined;
    if (gap && onGap) this.#call(() => onGap(gap));
  }

  /**
   * The socket is gone. A connection that was up is recovered at once, unless the service ended it; a recovery
   * the service refuses (1008, or its `disconnected`), or that fails for longer than the recovery window, becomes
   * a new connection and a gap.
   */
  #lost(code: number, reason: string, how: { opened: boolean; connected: boolean; closedByService: boolean }): void {
    this.#socket = undefined;
    this.#stopTimers();
    if (this.#stopped) return;
    const now = Date.now();
    if (how.connected) {
      this.#failures = 0;
      if (!how.closedByService && this.#session?.reconnectionToken) {
        // A blip on a healthy connection is recovered at once: every millisecond waited is notifications replayed late.
        this.#state = 'recovering';
        this.#recovery = { since: this.#lastFrameAt, until: now + RECOVERY_TIMEOUT_MS };
        this.#retry(code, reason, 0);
        return;
      }
      // A healthy connection the service closed is replaced at once: what is sent meanwhile is the gap. The crowd a
      // close sends back is spread where it is closed (the Action closes in waves: batch-size, batch-interval);
      // only failed attempts back off, with jitter.
      this.#startOver(code, reason, { since: this.#lastFrameAt, reason });
      return;
    }
    if (this.#state === 'recovering' && (how.closedByService || now > this.#recovery.until)) {
      // Refused for this client alone (no crowd to spread out): the sooner the new connection, the smaller the gap.
      this.#startOver(code, reason, { since: this.#recovery.since, reason: `the connection could not be recovered: ${reason}` });
      return;
    }
    if (!how.opened && !isOffline()) this.#refusals++;
    this.#retry(code, reason);
  }

  /** A new connection at once, in place of one that is gone: `gap` is reported once it is up (the first gap wins). */
  #startOver(code: number, reason: string, gap: GapEvent): void {
    this.#state = 'connecting';
    this.#gap ??= gap;
    this.#retry(code, reason, 0);
  }

  /** Schedules the next attempt (or gives up) and tells the app, unless the listener is closed. */
  #retry(code: number | undefined, reason: string, delay = reconnectDelay(this.#failures++, this.#backoff)): void {
    if (this.#stopped) return;
    const recovering = this.#state === 'recovering';
    const { onDisconnected } = this.#options;
    if (this.#refusals >= this.#maxRefusals) {
      this.#stop();
      const gaveUp = `${reason}; gave up after ${this.#refusals} attempts in a row that the service refused or that could not reach it (an expired or revoked token, a URL of another service, or the service down): connect again to retry`;
      if (onDisconnected) this.#call(() => onDisconnected({ code, reason: gaveUp, reconnectInMs: Infinity, recovering: false, gaveUp: true }));
      return;
    }
    // At once means at once: a timer of 0 ms waits behind everything else the page (or Node) has queued.
    if (delay === 0) void Promise.resolve().then(() => this.#connect());
    else this.#timer = browserGlobals.setTimeout(() => void this.#connect(), delay);
    if (onDisconnected) this.#call(() => onDisconnected({ code, reason, reconnectInMs: delay, recovering, gaveUp: false }));
  }

  /** The page came back (visible again, or online): reconnect now, or check that the socket still answers. */
  #woken(): void {
    if (this.#stopped || isOffline()) return;
    if (!this.#socket) {
      if (this.#connecting) return;
      browserGlobals.clearTimeout(this.#timer);
      void this.#connect();
      return;
    }
    if (this.#state !== 'connected') return;
    // After a long sleep the socket is most likely dead; recovering costs one handshake and loses nothing.
    const { pingIntervalMs, pongTimeoutMs } = this.#keepAlive;
    if (pingIntervalMs > 0 && Date.now() - this.#lastFrameAt > pingIntervalMs + pongTimeoutMs) this.#abandon('no frame since the page slept');
    else this.#ping();
  }

  /** Every second while connected: acknowledge what arrived, ping when idle, and drop a socket that went silent. */
  #startTick(): void {
    this.#stopTick();
    this.#lastFrameAt = Date.now();
    this.#pingSentAt = 0;
    const { pingIntervalMs, pongTimeoutMs } = this.#keepAlive;
    const every = Math.min(ACK_INTERVAL_MS, pingIntervalMs || ACK_INTERVAL_MS, pongTimeoutMs || ACK_INTERVAL_MS);
    const tick = () => {
      this.#tick = browserGlobals.setTimeout(tick, every);
      this.#acknowledge();
      if (pingIntervalMs === 0) return;
      const now = Date.now();
      if (this.#pingSentAt !== 0 && now - this.#pingSentAt >= pongTimeoutMs) this.#abandon(`no answer to a ping for ${now - this.#pingSentAt} ms`);
      else if (this.#pingSentAt === 0 && now - this.#lastFrameAt >= pingIntervalMs) this.#ping();
    };
    this.#tick = browserGlobals.setTimeout(tick, every);
  }

  #stopTick(): void {
    browserGlobals.clearTimeout(this.#tick);
    this.#tick = undefined;
  }

  #stopTimers(): void {
    this.#stopTick();
    browserGlobals.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #ping(): void {
    if (this.#pingSentAt === 0) this.#pingSentAt = Date.now();
    this.#send(clientFrames.ping());
  }

  /**
   * Gives up on a silent socket without waiting for its close, which on a half-open connection may take minutes:
   * its events are ignored from here on, and the connection is recovered as after any drop.
   */
  #abandon(why: string): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#letGo(socket);
    this.#lost(1006, `the connection went silent (${why})`, { opened: true, connected: true, closedByService: false });
  }

  /**
   * Lets go of a socket without waiting for it: its events are ignored from here on (the caller makes it no longer
   * #socket), and close() need not wait for it. No close frame: one that got through would tell the service the
   * connection is over, and forfeit the recovery. A browser has no other way to let go, so the socket stays until
   * the recovery replaces it (the service cuts it) or the next connection is up (then it is closed).
   */
  #letGo(socket: NotificationSocket): void {
    this.#socketClosed = Promise.resolve();
    if (typeof socket.terminate === 'function') socket.terminate();
    else {
      this.#abandoned?.close(1000, 'replaced');
      this.#abandoned = socket;
    }
  }

  #acknowledge(): void {
    const due = this.#deliveries.ackDue();
    if (due !== undefined && this.#send(clientFrames.sequenceAck(due))) this.#deliveries.acknowledged(due);
  }

  #send(frame: string): boolean {
    const socket = this.#socket;
    if (socket?.readyState !== 1) return false;
    try {
      socket.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  #receive(frame: Exclude<ServerFrame, { type: 'disconnected' | 'connected' }>): void {
    switch (frame.type) {
      case 'malformed':
        this.#invalid(frame.data, frame.reason);
        return;
      case 'message': {
        // A replay of what arrived before the drop, whose ack the service had not seen.
        if (!this.#deliveries.firstArrival(frame.sequenceId)) return;
        if (this.#deliveries.unacknowledged >= ACK_AT_ONCE_AFTER) this.#acknowledge();
        const check = frame.dataType === 'json' ? checkNotification(frame.data) : undefined;
        if (!check?.valid) {
          this.#invalid(frame.data, check?.reason ?? `a ${frame.dataType} message, where notifications are JSON`);
          return;
        }
        const { notification } = check;
        // A sender that retried a send whose answer was lost sent the same notification twice: deliver it once.
        if ('id' in notification && !this.#deliveries.firstDelivery(notification.id)) return;
        const { onDeployed, onRelease } = this.#options;
        this.#call(() => (notification.kind === 'release' ? onRelease(notification) : onDeployed(notification)));
        return;
      }
      case 'other':
        return;
    }
  }

  #invalid(data: unknown, reason: string): void {
    const { onInvalid } = this.#options;
    if (onInvalid) this.#call(() => onInvalid(data, reason));
    else browserGlobals.console?.warn(`webpubsub-action/browser: ignored a message that is not a notification: ${reason}`);
  }

  /**
   * Runs an app callback. What it throws is re-thrown from a fresh task, so the page reports it as any uncaught
   * error while the listener's own state stays sound.
   */
  #call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      browserGlobals.setTimeout(() => {
        throw error;
      }, 0);
    }
  }
}

/** The page events that make the listener try at once: back online, or shown again. */
function pageEvents(): [EventSource, string][] {
  const events: [EventSource, string][] = [];
  const { addEventListener, removeEventListener, document } = browserGlobals;
  if (typeof addEventListener === 'function' && typeof removeEventListener === 'function') {
    events.push([{ addEventListener: addEventListener.bind(globalThis), removeEventListener: removeEventListener.bind(globalThis) }, 'online']);
  }
  if (document && typeof document.addEventListener === 'function') events.push([document, 'visibilitychange']);
  return events;
}

function isOffline(): boolean {
  return browserGlobals.navigator?.onLine === false;
}

/** The URL that asks the service for the same connection back: the last URL plus the connection's id and secret. */
function recoveryUrl(session: Session): string {
  const separator = session.url.includes('?') ? '&' : '?';
  return `${session.url}${separator}awps_connection_id=${encodeURIComponent(session.connectionId)}&awps_reconnection_token=${encodeURIComponent(session.reconnectionToken ?? '')}`;
}

function resolveKeepAlive(keepAlive: KeepAliveOptions = {}): Required<KeepAliveOptions> {
  const resolved = { ...DEFAULT_KEEP_ALIVE, ...keepAlive };
  for (const name of ['pingIntervalMs', 'pongTimeoutMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`keepAlive.${name} must be a finite number ≥ 0`);
  }
  if (resolved.pingIntervalMs > 0 && resolved.pongTimeoutMs === 0) throw new TypeError('keepAlive.pongTimeoutMs must be above 0 while pings are on');
  return resolved;
}

/** @throws TypeError naming the first option that is missing or of the wrong kind. */
function checkOptions(options: NotificationListenerOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { url } = options;
  if (typeof url !== 'function' && (typeof url !== 'string' || !CLIENT_URL.test(url))) {
    throw new TypeError('url must be a ws:// or wss:// client access URL, or a function that gives one');
  }
  for (const name of ['onDeployed', 'onRelease'] as const) {
    if (typeof options[name] !== 'function') throw new TypeError(`${name} must be a function`);
  }
  for (const name of ['onInvalid', 'onConnected', 'onDisconnected', 'onGap', 'WebSocket'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new TypeError(`${name} must be a function when given`);
  }
  const { maxRefusals } = options;
  if (maxRefusals !== undefined && !(Number.isSafeInteger(maxRefusals) && maxRefusals >= 1)) throw new TypeError('maxRefusals must be an integer ≥ 1');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeClose(code: number): string {
  return code === 1006 ? 'the connection failed or dropped' : `closed with code ${code}`;
}
