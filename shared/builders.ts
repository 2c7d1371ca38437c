/**
 * The seed's low-level style: one `build<OperationId>Request` per operation, hub first, then the path
 * arguments, then an options object. Each returns a plain request for `client.sendRequest`.
 *
 * ```ts
 * const request = buildSendToAllRequest('default', { json: { hello: 'webpubsub!' } });
 * // { method: 'POST', url: '/api/hubs/default/:send?api-version=2024-12-01', headers, body }
 * const response = await client.sendRequest(request); // response.status === 202
 * ```
 */
import { operations, type Operation } from './operations.js';
import type { ClientProtocol, Permission } from './validate.js';
import { buildRequest, payloadFromBody, type BodyOptions, type OperationInput, type WebPubSubRequest } from './requests.js';

export interface ApiVersionOption {
  /** Defaults to 2024-12-01; older stable versions refuse operations and options they lack. */
  apiVersion?: string;
}
export interface SendToAllOptions {
  /** Connection ids that must not receive the message. */
  excluded?: string[];
  /** An OData filter over `userId`, `connectionId` and `groups`. */
  filter?: string;
  /** Seconds (0–300) the service keeps trying to deliver; 0 means no expiry. */
  messageTtlSeconds?: number;
}
export type SendToGroupOptions = SendToAllOptions;
export type SendToUserOptions = Omit<SendToAllOptions, 'excluded'>;
export type SendToConnectionOptions = Pick<SendToAllOptions, 'messageTtlSeconds'>;
export interface CloseConnectionsOptions {
  excluded?: string[];
  /** Sent to the clients in their `disconnected` message. */
  reason?: string;
}
export type CloseConnectionOptions = Pick<CloseConnectionsOptions, 'reason'>;
export interface PermissionOptions {
  /** The group the permission applies to. */
  targetName?: string;
}
export interface ListConnectionsOptions {
  /** Items per page, 1–200. */
  maxPageSize?: number;
  /** Items in all, at most. */
  top?: number;
  continuationToken?: string;
}
export interface GenerateClientTokenOptions {
  userId?: string;
  roles?: string[];
  /** Token lifetime; the service's default is 60. */
  expirationTimeInMinutes?: number;
  /** Groups the client joins when it connects. */
  groups?: string[];
  clientProtocol?: ClientProtocol;
}
export interface GroupsFilterBody {
  groups: string[];
  filter: string;
}

type Options<T> = T & ApiVersionOption;
type MessageOptions<T> = Options<T> & BodyOptions;

function build(operation: Operation, hub: string | undefined, args: unknown[], options: object = {}): WebPubSubRequest {
  const { apiVersion, ...rest } = options as Record<string, unknown>;
  const input: OperationInput = { hub, args, apiVersion: apiVersion as string | undefined, options: rest, otherOptions: ['apiVersion'] };
  if (operation.body === 'message') {
    const { json, content, contentType, ...query } = rest;
    input.payload = payloadFromBody({ json, content, contentType } as BodyOptions);
    Object.assign(input, { options: query, otherOptions: ['json', 'content', 'contentType', 'apiVersion'] });
  } else if (operation.body === 'groupsFilter') {
    const { groups, filter, ...query } = rest;
    Object.assign(input, { groups, filter, options: query, otherOptions: ['groups', 'filter', 'apiVersion'] });
  }
  return buildRequest(operation, input);
}

const o = operations;
export const buildGetServiceStatusRequest = (options?: ApiVersionOption) => build(o.getServiceStatus, undefined, [], options);
export const buildSendToAllRequest = (hub: string, options: MessageOptions<SendToAllOptions>) => build(o.sendToAll, hub, [], options);
export const buildCloseAllConnectionsRequest = (hub: string, options?: Options<CloseConnectionsOptions>) => build(o.closeAllConnections, hub, [], options);
export const buildGenerateClientTokenRequest = (hub: string, options?: Options<GenerateClientTokenOptions>) => build(o.generateClientToken, hub, [], options);
export const buildAddConnectionsToGroupsRequest = (hub: string, options: Options<GroupsFilterBody>) => build(o.addConnectionsToGroups, hub, [], options);
export const buildRemoveConnectionsFromGroupsRequest = (hub: string, options: Options<GroupsFilterBody>) =>
  build(o.removeConnectionsFromGroups, hub, [], options);
export const buildCloseConnectionRequest = (hub: string, connectionId: string, options?: Options<CloseConnectionOptions>) =>
  build(o.closeConnection, hub, [connectionId], options);
export const buildConnectionExistsRequest = (hub: string, connectionId: string, options?: ApiVersionOption) =>
  build(o.connectionExists, hub, [connectionId], options);
export const buildSendToConnectionRequest = (hub: string, connectionId: string, options: MessageOptions<SendToConnectionOptions>) =>
  build(o.sendToConnection, hub, [connectionId], options);
export const buildRemoveConnectionFromAllGroupsRequest = (hub: string, connectionId: string, options?: ApiVersionOption) =>
  build(o.removeConnectionFromAllGroups, hub, [connectionId], options);
export const buildGroupExistsRequest = (hub: string, group: string, options?: ApiVersionOption) => build(o.groupExists, hub, [group], options);
export const buildCloseGroupConnectionsRequest = (hub: string, group: string, options?: Options<CloseConnectionsOptions>) =>
  build(o.closeGroupConnections, hub, [group], options);
export const buildSendToGroupRequest = (hub: string, group: string, options: MessageOptions<SendToGroupOptions>) => build(o.sendToGroup, hub, [group], options);
export const buildListConnectionsInGroupRequest = (hub: string, group: string, options?: Options<ListConnectionsOptions>) =>
  build(o.listConnectionsInGroup, hub, [group], options);
export const buildAddConnectionToGroupRequest = (hub: string, group: string, connectionId: string, options?: ApiVersionOption) =>
  build(o.addConnectionToGroup, hub, [group, connectionId], options);
export const buildRemoveConnectionFromGroupRequest = (hub: string, group: string, connectionId: string, options?: ApiVersionOption) =>
  build(o.removeConnectionFromGroup, hub, [group, connectionId], options);
export const buildGrantPermissionRequest = (hub: string, connectionId: string, permission: Permission, options?: Options<PermissionOptions>) =>
  build(o.grantPermission, hub, [connectionId, permission], options);
export const buildRevokePermissionRequest = (hub: string, connectionId: string, permission: Permission, options?: Options<PermissionOptions>) =>
  build(o.revokePermission, hub, [connectionId, permission], options);
export const buildCheckPermissionRequest = (hub: string, connectionId: string, permission: Permission, options?: Options<PermissionOptions>) =>
  build(o.checkPermission, hub, [connectionId, permission], options);
export const buildUserExistsRequest = (hub: string, userId: string, options?: ApiVersionOption) => build(o.userExists, hub, [userId], options);
export const buildCloseUserConnectionsRequest = (hub: string, userId: string, options?: Options<CloseConnectionsOptions>) =>
  build(o.closeUserConnections, hub, [userId], options);
export const buildSendToUserRequest = (hub: string, userId: string, options: MessageOptions<SendToUserOptions>) => build(o.sendToUser, hub, [userId], options);
export const buildRemoveUserFromAllGroupsRequest = (hub: string, userId: string, options?: ApiVersionOption) =>
  build(o.removeUserFromAllGroups, hub, [userId], options);
export const buildAddUserToGroupRequest = (hub: string, group: string, userId: string, options?: ApiVersionOption) =>
  build(o.addUserToGroup, hub, [group, userId], options);
export const buildRemoveUserFromGroupRequest = (hub: string, group: string, userId: string, options?: ApiVersionOption) =>
  build(o.removeUserFromGroup, hub, [group, userId], options);
