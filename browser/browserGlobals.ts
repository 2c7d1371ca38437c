/**
 * The few platform objects the browser module uses, typed here instead of through the DOM library or @types/node:
 * browser/tsconfig.json compiles this folder with neither, so any other global (a Node API, say) fails the build,
 * and the shipped declarations need nothing from the user's type libraries.
 */

/** The events of a WebSocket the listener needs: the browser's `WebSocket` and `ws`'s both fit. */
export interface NotificationSocket {
  /** The subprotocol the server accepted ('' when it accepted none). */
  readonly protocol: string;
  /** 1 while open (the WebSocket standard's OPEN). */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws`'s, in Node: cuts the socket at once, where `close` would wait for a silent peer. Browsers have none. */
  terminate?(): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { readonly code: number; readonly reason: string }) => void): void;
  /** `message` is there in Node's `ws` (`Unexpected server response: 401`); a browser tells nothing more. */
  addEventListener(type: 'error', listener: (event: { readonly message?: unknown }) => void): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in a browser, or `ws`'s `WebSocket` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => NotificationSocket;

/** A timer handle, opaque: a number in browsers, an object in Node. */
export type TimerHandle = { readonly __timer: unique symbol } | number;

/** Where the page's `online`, `offline` and `visibilitychange` events come from (absent in Node). */
export interface EventSource {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

interface BrowserGlobals {
  readonly WebSocket?: WebSocketConstructor;
  /** `window`'s own listeners (`online`, `offline`): a browser's globalThis is the window. */
  readonly addEventListener?: EventSource['addEventListener'];
  readonly removeEventListener?: EventSource['removeEventListener'];
  /** `navigator.onLine`: false when the browser knows it has no network; undefined in Node. */
  readonly navigator?: { readonly onLine?: boolean };
  readonly document?: EventSource & { readonly visibilityState?: string };
  readonly URL: new (url: string) => unknown;
  readonly console?: { warn(...data: unknown[]): void };
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

/** `globalThis`, as far as this module uses it. */
export const browserGlobals = globalThis as unknown as BrowserGlobals;
