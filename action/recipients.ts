/**
 * Who is listening: the members of a group (listed page by page), whether a connection or a user is connected.
 * Used by count-recipients (before a send) and by the waves of a graceful close.
 */
import { buildConnectionExistsRequest, buildListConnectionsInGroupRequest, buildUserExistsRequest } from '../shared/builders.js';
import type { WebPubSubServiceClient } from '../shared/hubClient.js';
import type { WebPubSubRequest } from '../shared/requests.js';
import type { Config } from './config.js';
import { execute, type Attempts } from './execute.js';

/** The service's largest page, so a big group is listed in few requests. */
const PAGE_SIZE = 200;

/** The request that tells who a send would reach: list a group, or ask whether a user or connection exists. */
export function buildRecipientsRequest(config: Config): WebPubSubRequest {
  const { hub, target, apiVersion } = config;
  switch (target.kind) {
    case 'group':
      return buildListConnectionsInGroupRequest(hub, target.group, { maxPageSize: PAGE_SIZE, apiVersion });
    case 'user':
      return buildUserExistsRequest(hub, target.userId, { apiVersion });
    case 'connection':
      return buildConnectionExistsRequest(hub, target.connectionId, { apiVersion });
    default:
      throw new Error(`recipients cannot be counted for target ${target.kind}`);
  }
}

interface MembersPage {
  value?: { connectionId: string }[];
  nextLink?: string | null;
}

/** The connection ids in a group now, following nextLink. */
export async function listMembers(client: WebPubSubServiceClient, request: WebPubSubRequest, attempts: Attempts, signal: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  let next: WebPubSubRequest | undefined = request;
  while (next) {
    const page: MembersPage | undefined = attempts.add(await execute<MembersPage | undefined>(client, next, signal)).value;
    ids.push(...(page?.value ?? []).map((member) => member.connectionId));
    next = page?.nextLink ? { ...request, url: page.nextLink } : undefined;
  }
  return ids;
}

/**
 * How many live connections a send reaches: for a group the members listed now (less `excluded`), for a
 * connection 1 or 0, for a user 0 or "1 or more" (the service only says whether the user is connected).
 */
export async function countRecipients(client: WebPubSubServiceClient, config: Config, attempts: Attempts, signal: AbortSignal): Promise<number | '1 or more'> {
  const request = buildRecipientsRequest(config);
  if (config.target.kind === 'group') {
    const excluded = new Set(config.excluded);
    return (await listMembers(client, request, attempts, signal)).filter((id) => !excluded.has(id)).length;
  }
  const exists = attempts.add(await execute<boolean>(client, request, signal)).value;
  if (!exists) return 0;
  return config.target.kind === 'user' ? '1 or more' : 1;
}
