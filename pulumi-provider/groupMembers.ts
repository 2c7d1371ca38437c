/**
 * A group's members as the membership provider changes them: in bulk, by OData filter (`userId in ('u1','u2')`,
 * spec NOTES §6), a few requests in flight at once; read back page by page with `listConnectionsInGroup`; and put
 * back as they were when a change fails midway.
 *
 * Serialized by value with the provider (see credentials.ts for why): no value imports, no module state.
 */
import type { WebPubSubServiceClient } from '../shared/index.js';

/** Who is in a group: connection id → user id (`undefined` for an anonymous connection). */
export type Members = Map<string, string | undefined>;

/** The filter field that selects members by user or by connection. */
export type MemberField = 'userId' | 'connectionId';

/**
 * Ids per filter. The service documents "about 100 clauses" per filter; whether each item of an `in` list counts
 * as one is not documented, so a list stays within 100 items.
 */
const IDS_PER_FILTER = 100;
/** Filter text per request, so that long ids still make modest request bodies. */
const FILTER_CHARS = 30_000;
/** Filter requests in flight at once: enough to hide latency, few enough not to provoke throttling. */
const CONCURRENCY = 8;
/** The service's largest page. */
const PAGE_SIZE = 200;

/** An OData string literal: quoted, with `'` doubled. */
const literal = (id: string): string => `'${id.replace(/'/g, "''")}'`;

/** `field in (...)` filters covering `ids`, each within the item and length bounds. */
function filtersFor(field: MemberField, ids: readonly string[]): string[] {
  const filters: string[] = [];
  let items: string[] = [];
  let length = 0;
  for (const id of ids) {
    const item = literal(id);
    if (items.length > 0 && (items.length === IDS_PER_FILTER || length + item.length + 1 > FILTER_CHARS)) {
      filters.push(`${field} in (${items.join(',')})`);
      [items, length] = [[], 0];
    }
    items.push(item);
    length += item.length + 1;
  }
  if (items.length > 0) filters.push(`${field} in (${items.join(',')})`);
  return filters;
}

/** Runs `work` over `items` with at most `limit` in flight; rejects with the first failure once all settled. */
async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

/**
 * Adds every current connection of the given users (or the given connections) to `group`, and to `probe` as well
 * when given: the same request puts the same connections in both, so the probe then holds exactly who joined.
 */
function add(client: WebPubSubServiceClient, group: string, field: MemberField, ids: readonly string[], probe?: string): Promise<void> {
  const groups = probe === undefined ? [group] : [group, probe];
  return mapLimit(filtersFor(field, ids), CONCURRENCY, (filter) => client.addConnectionsToGroups(groups, filter));
}

/**
 * A probe group for learning who joined without reading the whole group, when that is cheaper: its pages hold only
 * the joiners, and emptying it costs one request per filter. `undefined` when reading the group costs less (a
 * create, where everyone joins). A random name no one sends to; the members stay in it only during the update.
 */
function probeFor(joiners: { users: number; connections: number }, recorded: number): string | undefined {
  const joining = joiners.users + joiners.connections;
  if (joining === 0) return undefined;
  const probeCost = Math.ceil(joiners.users / IDS_PER_FILTER) + Math.ceil(joiners.connections / IDS_PER_FILTER) + Math.ceil(joining / PAGE_SIZE);
  const readCost = Math.ceil((recorded + joining) / PAGE_SIZE);
  return probeCost < readCost ? `pulumi-probe-${globalThis.crypto.randomUUID()}` : undefined;
}

/** Removes every connection of the given users (or the given connections) from `group`; absent ones are no-ops. */
function remove(client: WebPubSubServiceClient, group: string, field: MemberField, ids: readonly string[]): Promise<void> {
  return mapLimit(filtersFor(field, ids), CONCURRENCY, (filter) => client.removeConnectionsFromGroups([group], filter));
}

/** The group's members now. */
async function list(client: WebPubSubServiceClient, group: string): Promise<Members> {
  const members: Members = new Map();
  // A page at a time: this code runs as Pulumi serialized it (inside `with` scopes, which V8 cannot optimize), so
  // its loops stay short and plain.
  for await (const page of client.listConnectionsInGroup(group, { maxPageSize: PAGE_SIZE }).byPage()) {
    for (const { connectionId, userId } of page) members.set(connectionId, userId);
  }
  return members;
}

/** The users with at least one connection among `members`. */
function usersOf(members: Members): Set<string> {
  const users = new Set<string>();
  for (const userId of members.values()) if (userId !== undefined) users.add(userId);
  return users;
}

/** What a change set out to do, by user and by connection. */
export interface MemberChange {
  addUsers: readonly string[];
  addConnections: readonly string[];
  removeUsers: readonly string[];
  removeConnections: readonly string[];
}

/**
 * Puts the members a change touched back as they were: connections it added leave the group (those that were in
 * it `before`, when that listing is known, stay), and the users and connections it removed that are no longer in
 * the group join again (those still open). Members it did not touch are left alone. `now` is the group as it is,
 * when the caller has just read it; otherwise it is read here.
 * @returns how many connections were taken out, and how many users and connections were put back.
 */
async function restore(
  client: WebPubSubServiceClient,
  group: string,
  change: MemberChange,
  { now, before }: { now?: Members; before?: Members } = {},
): Promise<{ removed: number; readded: number }> {
  const current = now ?? (await list(client, group));
  const [addedUsers, addedConnections] = [new Set(change.addUsers), new Set(change.addConnections)];
  const takeOut = [...current]
    .filter(([id, user]) => !before?.has(id) && (addedConnections.has(id) || (user !== undefined && addedUsers.has(user))))
    .map(([id]) => id);
  const present = usersOf(current);
  const usersBack = change.removeUsers.filter((userId) => !present.has(userId));
  const connectionsBack = change.removeConnections.filter((connectionId) => !current.has(connectionId));
  await remove(client, group, 'connectionId', takeOut);
  await add(client, group, 'userId', usersBack);
  await add(client, group, 'connectionId', connectionsBack);
  return { removed: takeOut.length, readded: usersBack.length + connectionsBack.length };
}

/** The member operations the membership provider carries (serialized by value with it). */
export const groupMembers = { filtersFor, add, probeFor, remove, list, usersOf, restore };
