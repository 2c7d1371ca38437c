/**
 * Fan-out and mass close over a set of connections, shared by the REST handlers and the client sessions.
 */
import type { FilterPredicate } from './filter.js';
import type { OutboundMessage } from './outboundMessage.js';
import type { ConnectionRecord } from './store.js';

/** Which of the targets a send or close applies to. */
export interface Audience {
  /** Connection ids to leave out. */
  excluded?: ReadonlySet<string>;
  /** An OData filter the connection must match. */
  filter?: FilterPredicate;
}

/** Delivers `message` to every target in the audience. */
export function fanOut(targets: Iterable<ConnectionRecord>, message: OutboundMessage, { excluded, filter }: Audience = {}): void {
  for (const connection of targets) {
    if (excluded?.has(connection.connectionId) || (filter && !filter(connection))) continue;
    // A delivery may close the connection (a full queue), which removes it from the set being iterated; Set
    // iteration tolerates deleting the current entry.
    connection.deliver(message);
  }
}

/** The targets in the audience, as an array: safe to act on while the sets they come from change. */
export function select(targets: Iterable<ConnectionRecord>, { excluded, filter }: Audience = {}): ConnectionRecord[] {
  const selected: ConnectionRecord[] = [];
  for (const connection of targets) {
    if (!excluded?.has(connection.connectionId) && (!filter || filter(connection))) selected.push(connection);
  }
  return selected;
}

/** Closes every target in the audience from the server side. */
export function closeAll(targets: Iterable<ConnectionRecord>, reason: string | undefined, audience: Audience = {}): void {
  for (const connection of select(targets, audience)) connection.close(reason);
}
