/**
 * Requests and connections as an HTTP server in this process sees them, by method, through Node's
 * `http.server.request.start` diagnostics channel: the emulator is counted without a hook of its own, and whatever
 * client sends (ours, the official SDK, the Pulumi provider) is counted alike.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const CHANNEL = 'http.server.request.start';

export interface MethodTally {
  requests: number;
  /** Sockets first seen carrying one of these requests: the connections they opened. */
  connections: number;
}

export interface RequestTally {
  /** Tallies by method since the start or the last `reset`. */
  byMethod(): Record<string, MethodTally>;
  /** Requests of every method since the start or the last `reset`. */
  total(): number;
  /** Starts counting afresh (sockets seen before still count as open, not as new). */
  reset(): void;
  stop(): void;
}

/** Counts the requests whose path passes `select` (default: all) from now on. */
export function tallyRequests(select: (path: string) => boolean = () => true): RequestTally {
  let tallies = new Map<string, MethodTally>();
  const seen = new WeakSet<Socket>();
  const listener = (message: unknown) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    if (!select(request.url ?? '')) return;
    const method = request.method ?? '?';
    let tally = tallies.get(method);
    if (!tally) tallies.set(method, (tally = { requests: 0, connections: 0 }));
    tally.requests++;
    if (!seen.has(socket)) {
      seen.add(socket);
      tally.connections++;
    }
  };
  subscribe(CHANNEL, listener);
  return {
    byMethod: () => Object.fromEntries(tallies),
    total: () => [...tallies.values()].reduce((sum, tally) => sum + tally.requests, 0),
    reset: () => {
      tallies = new Map();
    },
    stop: () => unsubscribe(CHANNEL, listener),
  };
}
