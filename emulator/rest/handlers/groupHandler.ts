/**
 * Group operations. A group exists only while it has a connection.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeAll, fanOut } from '../../state/delivery.js';
import { errors } from '../../common/errors.js';
import { OutboundMessage } from '../../state/outboundMessage.js';
import type { RestRequest } from '../restRequest.js';
import type { ConnectionRecord } from '../../state/store.js';
import { ResourceHandler } from './context.js';

/** The service's largest page, used when a request gives no `maxpagesize`. */
const DEFAULT_PAGE_SIZE = 200;
/**
 * Continuation tokens are signed with a secret of this process: opaque to callers and tamper-proof, and bound to
 * the hub, group and page size they were made for (as Microsoft's emulator binds them).
 */
const TOKEN_SECRET = randomBytes(32);

/** A page of `listConnectionsInGroup`. */
export interface GroupMemberPage {
  /** `userId` is null for an anonymous connection: the key is there, as in the service's pages. */
  value: { connectionId: string; userId: string | null }[];
  nextLink?: string;
}

/** Handlers of the group operations. */
export class GroupHandler extends ResourceHandler {
  groupExists(request: RestRequest): true {
    if (this.#members(request).size === 0) throw errors.groupNotExisted(request.params.group!);
    return true;
  }

  closeGroupConnections(request: RestRequest): void {
    closeAll(this.#members(request), request.query.reason as string | undefined, request.audience);
  }

  sendToGroup(request: RestRequest): void {
    const message = new OutboundMessage(
      { from: 'group', group: request.params.group! },
      request.message!,
      request.query.messageTtlSeconds as number | undefined,
      request.metadata,
    );
    fanOut(this.#members(request), message, request.audience);
  }

  /**
   * Pages through the members ordered by connection id (ordinal); the continuation token holds the last id
   * returned, so a page is right even when members come and go between requests. The nextLink is absolute and
   * carries the api-version, since the official SDK requests it as given.
   */
  listConnectionsInGroup(request: RestRequest): GroupMemberPage {
    const {
      maxPageSize = DEFAULT_PAGE_SIZE,
      top,
      continuationToken,
    } = request.query as {
      maxPageSize?: number;
      top?: number;
      continuationToken?: string;
    };
    const binding = { hub: request.hub.toLowerCase(), group: request.params.group!, maxPageSize };
    const after = continuationToken === undefined ? undefined : openToken(continuationToken, binding);
    const members = [...this.#members(request)];
    const remaining = after === undefined ? members : members.filter((member) => compare(member.connectionId, after) > 0);
    const page = smallest(remaining, Math.min(maxPageSize, top ?? Infinity), byConnectionId);
    const value = page.map(toMember);
    const left = top === undefined ? undefined : top - page.length;
    if (page.length === remaining.length || left === 0) return { value };
    const next: Record<string, string | number | undefined> = {
      maxPageSize,
      top: left,
      continuationToken: sealToken(binding, page.at(-1)!.connectionId),
    };
    let query = `?api-version=${request.apiVersion}`;
    for (const param of request.operation.query) {
      if (next[param.option] !== undefined) query += `&${param.wire}=${encodeURIComponent(next[param.option]!)}`;
    }
    const path = request.operation.path.replace('{hub}', encodeURIComponent(request.hub)).replace('{group}', encodeURIComponent(request.params.group!));
    return { value, nextLink: request.origin + path + query };
  }

  addConnectionToGroup(request: RestRequest): void {
    const hub = this.hub(request);
    const connection = hub.connection(request.params.connectionId!);
    if (!connection) throw errors.connectionNotExisted(request.params.connectionId!);
    hub.join(connection, request.params.group!);
  }

  removeConnectionFromGroup(request: RestRequest): void {
    const hub = this.hub(request);
    const connection = hub.connection(request.params.connectionId!);
    if (connection) hub.leave(connection, request.params.group!);
  }

  #members(request: RestRequest): ReadonlySet<ConnectionRecord> {
    return this.hub(request).groupMembers(request.params.group!);
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byConnectionId = (a: ConnectionRecord, b: ConnectionRecord): number => compare(a.connectionId, b.connectionId);

/**
 * The `k` smallest items, in order, through a bounded max-heap: each page of a large group costs O(n log k), where
 * sorting the whole group for every page made a paged listing of n members cost O(n² log n / k).
 */
function smallest<T>(items: T[], k: number, order: (a: T, b: T) => number): T[] {
  if (items.length <= k) return items.sort(order);
  const heap: T[] = [];
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  for (const item of items) {
    if (heap.length < k) {
      heap.push(item);
      for (let i = heap.length - 1, parent = (i - 1) >> 1; i > 0 && order(heap[i]!, heap[parent]!) > 0; i = parent, parent = (i - 1) >> 1) swap(i, parent);
    } else if (order(item, heap[0]!) < 0) {
      heap[0] = item;
      for (let i = 0; ; ) {
        const [left, right] = [2 * i + 1, 2 * i + 2];
        let largest = i;
        if (left < k && order(heap[left]!, heap[largest]!) > 0) largest = left;
        if (right < k && order(heap[right]!, heap[largest]!) > 0) largest = right;
        if (largest === i) break;
        swap(i, largest);
        i = largest;
      }
    }
  }
  return heap.sort(order);
}

const toMember = (connection: ConnectionRecord) => ({ connectionId: connection.connectionId, userId: connection.userId });

/** What a continuation token is bound to. */
interface TokenBinding {
  hub: string;
  group: string;
  maxPageSize: number;
}

function sealToken(binding: TokenBinding, after: string): string {
  const payload = Buffer.from(JSON.stringify([binding.hub, binding.group, binding.maxPageSize, after])).toString('base64url');
  return `${payload}.${mac(payload)}`;
}

/** The last connection id of the previous page. @throws ServiceError 400 for a token not made here, altered, or made for another list */
function openToken(token: string, binding: TokenBinding): string {
  const [payload = '', signature = '', ...rest] = token.split('.');
  const expected = Buffer.from(mac(payload));
  const given = Buffer.from(signature);
  if (rest.length > 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) throw errors.invalidContinuationToken();
  const [hub, group, maxPageSize, after] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, number, string];
  if (hub !== binding.hub || group !== binding.group || maxPageSize !== binding.maxPageSize) throw errors.continuationTokenMismatch();
  return after;
}

const mac = (payload: string): string => createHmac('sha256', TOKEN_SECRET).update(payload).digest('base64url');
