/**
 * The receiving end: one WebSocket to Web PubSub that turns the Action's notifications into the app's callbacks,
 * and comes back after a drop until the app closes it.
 */
import { browserGlobals, type NotificationSocket, type TimerHandle, type WebSocketConstructor } from './browserGlobals.js';
import { checkNotification, type DeployNotification, type ReleaseNotification } from './checkNotification.js';
import { reconnectDelay, resolveBackoff, type BackoffOptions } from './reconnectDelay.js';
import { readFrame, SUBPROTOCOL, type ServerFrame } from './serverFrame.js';

/** The connection the service opened: its `system/connected` frame. */
export interface ConnectedEvent {
  connectionId: string;
  /** The user the client URL's token names; null for an anonymous connection. */
  userId: string | null;
}

/** A connection that ended, or an attempt that failed; the listener tries again after `reconnectInMs`. */
export interface DisconnectedEvent {
  /**
   * The WebSocket close code: 1006 when the socket failed or dropped without a close frame; undefined when no
   * socket was opened (the client URL could not be had).
   */
  code: number | undefined;
  /** Why, in words: the service's `disconnected` message, the close reason, or what went wrong before connecting. */
  reason: string;
  /** The wait before the next attempt, in ms. */
  reconnectInMs: number;
}

/** What {@link connectNotifications} needs: where to connect and what to call. */
export interface NotificationListenerOptions {
  /**
   * The client access URL (`wss://<host>/client/hubs/<hub>?access_token=<token>`, as the server's
   * `getClientAccessToken()` returns it), or a function giving one. The function is called before every
   * connection attempt, so each reconnect gets a fresh token: prefer it whenever tokens can expire while the page
   * is open. Never a connection string: its access key would let anyone send anything.
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
  /** The service accepted a connection (the first, or a reconnect). */
  onConnected?(event: ConnectedEvent): void;
  /** A connection ended or an attempt failed; another attempt follows. Not called after `close()`. */
  onDisconnected?(event: DisconnectedEvent): void;
  /** The bounds of the wait between attempts (default 1 s doubling up to 30 s, with jitter). */
  backoff?: BackoffOptions;
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

/**
 * Connects to Web PubSub with a client URL and calls the app back for each deploy notification and release
 * announcement the Action sends to the connection's hub, group or user. Each message is checked against the
 * `webpubsub-action/notification@1` shape first; one that breaks it goes to `onInvalid`. After a drop the
 * listener reconnects with capped, jittered backoff until `close()`.
 *
 * ```ts
 * const listener = connectNotifications({
 *   url: async () => (await (await fetch('/negotiate')).json()).url,
 *   onDeployed: (n) => showBanner(`${n.refName} is deployed`),
 *   onRelease: (n) => showBanner(`${n.release.tag} is deployed`),
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

class Listener implements NotificationListener {
  readonly #options: NotificationListenerOptions;
  readonly #WebSocket: WebSocketConstructor;
  readonly #backoff: Required<BackoffOptions>;
  #socket: NotificationSocket | undefined;
  #socketClosed: Promise<void> = Promise.resolve();
  #timer: TimerHandle | undefined;
  /** Attempts that failed since the last connection the service accepted: the backoff's exponent. */
  #failures = 0;
  #closed = false;

  constructor(options: NotificationListenerOptions) {
    checkOptions(options);
    const WebSocket = options.WebSocket ?? browserGlobals.WebSocket;
    if (typeof WebSocket !== 'function') throw new TypeError("WebSocket must be given where the platform has none (in Node 20, pass ws's WebSocket)");
    this.#options = options;
    this.#WebSocket = WebSocket;
    this.#backoff = resolveBackoff(options.backoff);
    void this.#connect();
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      browserGlobals.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#socket?.close(1000, 'closed by the app');
    }
    return this.#socketClosed;
  }

  async #connect(): Promise<void> {
    let url: string;
    try {
      url = await this.#clientUrl();
    } catch (error) {
      return this.#retry(undefined, `could not get the client URL: ${messageOf(error)}`);
    }
    if (this.#closed) return;
    let socket: NotificationSocket;
    try {
      socket = new this.#WebSocket(url, SUBPROTOCOL);
    } catch (error) {
      // Not the message: a browser's names the URL, and with it the token.
      return this.#retry(undefined, `could not open a WebSocket (${error instanceof Error ? error.name : 'error'})`);
    }
    this.#socket = socket;
    this.#socketClosed = new Promise((resolve) => socket.addEventListener('close', () => resolve()));
    /** The service's parting words (its `disconnected` frame), or ours when the server is not Web PubSub. */
    let goodbye: string | undefined;
    socket.addEventListener('open', () => {
      // A browser opens the socket even when the server picked no subprotocol; its frames would then be raw.
      if (socket.protocol === SUBPROTOCOL) return;
      goodbye = `the server did not accept the subprotocol ${SUBPROTOCOL}: is the URL a Web PubSub client URL?`;
      socket.close(1000, 'subprotocol not accepted');
    });
    socket.addEventListener('message', ({ data }) => {
      if (this.#closed) return;
      const frame = readFrame(data);
      if (frame.type === 'disconnected') goodbye = frame.message || undefined;
      else this.#receive(frame);
    });
    // Every error event is followed by a close event, which carries all there is to know.
    socket.addEventListener('error', () => undefined);
    socket.addEventListener('close', ({ code, reason }) => {
      this.#socket = undefined;
      this.#retry(code, goodbye ?? (reason || describeClose(code)));
    });
  }

  async #clientUrl(): Promise<string> {
    const { url } = this.#options;
    const value = typeof url === 'function' ? await url() : url;
    if (typeof value !== 'string' || !CLIENT_URL.test(value)) throw new TypeError('url() gave something other than a ws:// or wss:// URL');
    return value;
  }

  /** Schedules the next attempt and tells the app, unless the listener is closed. */
  #retry(code: number | undefined, reason: string): void {
    if (this.#closed) return;
    const delay = reconnectDelay(this.#failures++, this.#backoff);
    this.#timer = browserGlobals.setTimeout(() => {
      this.#timer = undefined;
      void this.#connect();
    }, delay);
    const { onDisconnected } = this.#options;
    if (onDisconnected) this.#call(() => onDisconnected({ code, reason, reconnectInMs: delay }));
  }

  #receive(frame: Exclude<ServerFrame, { type: 'disconnected' }>): void {
    const { onConnected, onDeployed, onRelease } = this.#options;
    switch (frame.type) {
      case 'connected':
        this.#failures = 0;
        if (onConnected) this.#call(() => onConnected({ connectionId: frame.connectionId, userId: frame.userId }));
        return;
      case 'malformed':
        this.#invalid(frame.data, frame.reason);
        return;
      case 'message': {
        const check = frame.dataType === 'json' ? checkNotification(frame.data) : undefined;
        if (!check?.valid) {
          this.#invalid(frame.data, check?.reason ?? `a ${frame.dataType} message, where notifications are JSON`);
          return;
        }
        const { notification } = check;
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
  for (const name of ['onInvalid', 'onConnected', 'onDisconnected', 'WebSocket'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw new TypeError(`${name} must be a function when given`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeClose(code: number): string {
  return code === 1006 ? 'the connection failed or dropped' : `closed with code ${code}`;
}
