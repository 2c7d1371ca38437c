/**
 * The emulator's state: hubs, their connections, and the user and group indexes over them. Handlers and client
 * sessions use it through the `Store` and `HubStore` interfaces; `MemoryStore` keeps everything in memory.
 *
 * As in the service, a group exists only while it has a connection and a user only while they have one, and
 * group membership belongs to connections (nothing is remembered for users without connections).
 * Hub names are case-insensitive (the service lower-cases them).
 */
import type { FilterSubject } from './filter.js';
import type { OutboundMessage } from './outboundMessage.js';
import type { PermissionSet } from './permissions.js';

/**
 * The subprotocol a connection speaks: none (`plain`), `json.webpubsub.azure.v1` (`json`), its reliable sibling
 * (`reliable`), `protobuf.webpubsub.azure.v1` (`protobuf`) or `protobuf.reliable.webpubsub.azure.v1`
 * (`protobufReliable`).
 */
export type WireProtocol = 'plain' | 'json' | 'reliable' | 'protobuf' | 'protobufReliable';

/** The reliable subprotocols number messages and let a dropped connection recover. */
export const isReliable = (protocol: WireProtocol): boolean => protocol === 'reliable' || protocol === 'protobufReliable';

/** `open`: has a socket; `recovering`: a reliable connection whose socket dropped; `closed`: gone for good. */
export type ConnectionState = 'open' | 'recovering' | 'closed';

/** A connection as the store sees it. The WebSocket layer implements delivery and closing. */
export interface ConnectionRecord extends FilterSubject {
  readonly connectionId: string;
  readonly userId: string | null;
  /** The groups the connection is in; changed only through `HubStore.join` and `leave`. */
  readonly groups: Set<string>;
  readonly permissions: PermissionSet;
  readonly protocol: WireProtocol;
  /** Sends (or, while a reliable connection recovers, queues) a message. */
  deliver(message: OutboundMessage): void;
  /** Ends the connection from the server side; it cannot be recovered. */
  close(reason?: string): void;
}

/** One hub's connections, users and groups. */
export interface HubStore {
  /** The hub name as first seen. */
  readonly name: string;
  connection(connectionId: string): ConnectionRecord | undefined;
  connections(): IterableIterator<ConnectionRecord>;
  /** The user's connections (an empty set when there are none). */
  userConnections(userId: string): ReadonlySet<ConnectionRecord>;
  /** The group's connections (an empty set when the group does not exist). */
  groupMembers(group: string): ReadonlySet<ConnectionRecord>;
  add(connection: ConnectionRecord): void;
  /** Removes the connection from the hub and every group. */
  remove(connection: ConnectionRecord): void;
  join(connection: ConnectionRecord, group: string): void;
  leave(connection: ConnectionRecord, group: string): void;
  /** Removes the connection from every group it is in. */
  leaveAll(connection: ConnectionRecord): void;
}

/** Every hub. */
export interface Store {
  /**
   * The hub's state. A hub nobody is connected to is empty and not kept, so take the hub again after an `await`
   * rather than holding it across one.
   */
  hub(name: string): HubStore;
  hubs(): IterableIterator<HubStore>;
  /** Forgets everything (the connections themselves are closed by the caller). */
  clear(): void;
}

const EMPTY: ReadonlySet<ConnectionRecord> = new Set();

interface HubLifecycle {
  occupied(hub: MemoryHub): void;
  vacated(hub: MemoryHub): void;
}

/** The in-memory store. */
export class MemoryStore implements Store {
  readonly #hubs = new Map<string, MemoryHub>();

  hub(name: string): HubStore {
    const key = name.toLowerCase();
    return (
      this.#hubs.get(key) ??
      new MemoryHub(name, {
        // Hubs register on their first connection and drop out with their last, so REST calls to hubs nobody
        // uses leave nothing behind.
        occupied: (hub) => this.#hubs.set(key, hub),
        vacated: (hub) => this.#hubs.get(key) === hub && this.#hubs.delete(key),
      })
    );
  }

  hubs(): IterableIterator<HubStore> {
    return this.#hubs.values();
  }

  clear(): void {
    this.#hubs.clear();
  }
}

class MemoryHub implements HubStore {
  readonly name: string;
  readonly #connections = new Map<string, ConnectionRecord>();
  readonly #users = new Map<string, Set<ConnectionRecord>>();
  readonly #groups = new Map<string, Set<ConnectionRecord>>();
  readonly #lifecycle: HubLifecycle;

  constructor(name: string, lifecycle: HubLifecycle) {
    this.name = name;
    this.#lifecycle = lifecycle;
  }

  connection(connectionId: string): ConnectionRecord | undefined {
    return this.#connections.get(connectionId);
  }

  connections(): IterableIterator<ConnectionRecord> {
    return this.#connections.values();
  }

  userConnections(userId: string): ReadonlySet<ConnectionRecord> {
    return this.#users.get(userId) ?? EMPTY;
  }

  groupMembers(group: string): ReadonlySet<ConnectionRecord> {
    return this.#groups.get(group) ?? EMPTY;
  }

  add(connection: ConnectionRecord): void {
    if (this.#connections.size === 0) this.#lifecycle.occupied(this);
    this.#connections.set(connection.connectionId, connection);
    if (connection.userId !== null) addTo(this.#users, connection.userId, connection);
  }

  remove(connection: ConnectionRecord): void {
    if (this.#connections.get(connection.connectionId) !== connection) return;
    this.leaveAll(connection);
    if (connection.userId !== null) removeFrom(this.#users, connection.userId, connection);
    this.#connections.delete(connection.connectionId);
    if (this.#connections.size === 0) this.#lifecycle.vacated(this);
  }

  join(connection: ConnectionRecord, group: string): void {
    if (this.#connections.get(connection.connectionId) !== connection || connection.groups.has(group)) return;
    connection.groups.add(group);
    addTo(this.#groups, group, connection);
  }

  leave(connection: ConnectionRecord, group: string): void {
    if (!connection.groups.delete(group)) return;
    removeFrom(this.#groups, group, connection);
  }

  leaveAll(connection: ConnectionRecord): void {
    for (const group of connection.groups) removeFrom(this.#groups, group, connection);
    connection.groups.clear();
  }
}

function addTo(index: Map<string, Set<ConnectionRecord>>, key: string, connection: ConnectionRecord): void {
  const set = index.get(key);
  if (set) set.add(connection);
  else index.set(key, new Set([connection]));
}

function removeFrom(index: Map<string, Set<ConnectionRecord>>, key: string, connection: ConnectionRecord): void {
  const set = index.get(key);
  if (set?.delete(connection) && set.size === 0) index.delete(key);
}
