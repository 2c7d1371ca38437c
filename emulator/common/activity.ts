/**
 * What happens in the emulator, as it happens: REST calls, connections opening and ending, frames from clients,
 * messages delivered and upstream events. The REST, WebSocket and upstream halves publish here with one-line hooks;
 * the live view and the state file subscribe. Publishing is guarded by `watched`, so with no subscriber a hook costs
 * one property read: no object is built and nothing is serialized.
 */
import type { MessageData, OutboundMessage } from '../state/outboundMessage.js';
import type { WireProtocol } from '../state/store.js';

/** A REST call once answered. `path` never holds the query (where a token could be). */
export interface RestActivity {
  kind: 'rest';
  method: string;
  path: string;
  /** The operation's name (`sendToGroup`, …), when the route matched. */
  operation: string | undefined;
  hub: string | undefined;
  /** The path parameters (`group`, `userId`, `connectionId`, `permission`) and `targetName`, when they parsed. */
  params: Readonly<Record<string, string | undefined>>;
  status: number | 'reset' | undefined;
  ms: number;
  /** The payload of a send. */
  message: MessageData | undefined;
}

/** A connection opened or ended. */
export interface ConnectionActivity {
  kind: 'connected' | 'disconnected';
  hub: string;
  connectionId: string;
  userId: string | null;
  protocol: WireProtocol;
  subprotocol: string | undefined;
  /** Why a connection ended. */
  reason?: string;
}

/** A frame a client sent. */
export interface FrameActivity {
  kind: 'frame';
  hub: string;
  connectionId: string;
  userId: string | null;
  data: Buffer;
  isBinary: boolean;
}

/** A message handed to one connection (one per recipient; the same `message` object for one fan-out). */
export interface DeliveredActivity {
  kind: 'delivered';
  hub: string;
  connectionId: string;
  message: OutboundMessage;
}

/** A call to an upstream event handler. `url` never holds a query or credentials. */
export interface UpstreamActivity {
  kind: 'upstream';
  hub: string;
  event: string;
  url: string;
  status: number | undefined;
  ms: number;
  /** Why the call failed, when it did. */
  error?: string;
}

export type Activity = RestActivity | ConnectionActivity | FrameActivity | DeliveredActivity | UpstreamActivity;

/** The emulator's activity, fanned out to whoever listens. */
export class ActivityFeed {
  readonly #listeners = new Set<(activity: Activity) => void>();
  /** True while anyone listens: hooks build an activity only then. */
  watched = false;

  /** Listens until the returned function is called. */
  subscribe(listener: (activity: Activity) => void): () => void {
    this.#listeners.add(listener);
    this.watched = true;
    return () => {
      this.#listeners.delete(listener);
      this.watched = this.#listeners.size > 0;
    };
  }

  publish(activity: Activity): void {
    for (const listener of this.#listeners) {
      try {
        listener(activity);
      } catch {
        // A watcher's failure must not fail the request or the frame that was being reported.
      }
    }
  }
}

/**
 * A URL, or an event handler's URL template, without its query, fragment or credentials (a function key in
 * `?code=` stays out of sight). Cut as text, not parsed, so a template's `{hub}` and `{event}` stay as written.
 */
export function withoutSecrets(url: string): string {
  return url.replace(/[?#].*$/s, '').replace(/^(\w+:\/\/)[^/@]*@/, '$1');
}
