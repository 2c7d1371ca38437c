/**
 * The one table of the Web PubSub data-plane REST API (api-version 2024-12-01 and the older stable versions).
 * Request builders, client methods, response interpretation, the emulator's routes and the contract tests all
 * loop over it: a new operation is one row here.
 */

/** Stable data-plane api-versions, oldest first. */
export const API_VERSIONS = ['2021-10-01', '2022-11-01', '2023-07-01', '2024-01-01', '2024-12-01'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const DEFAULT_API_VERSION: ApiVersion = '2024-12-01';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** Path parameters; each has one validation rule (see validate.ts). */
export type PathParam = 'hub' | 'group' | 'userId' | 'connectionId' | 'permission';

/**
 * A query parameter. `option` is its name in our options objects (the official SDK's name), `wire` its name on
 * the wire; arrays repeat the name (`collectionFormat: multi`).
 */
export interface QueryParam {
  readonly option: string;
  readonly wire: string;
  readonly type: 'string' | 'strings' | 'int' | 'clientType';
  readonly min?: number;
  readonly max?: number;
  /** The first stable api-version that has it. */
  readonly since: ApiVersion;
  /** Its values are group names, so the group rule applies to each, as it does in paths. */
  readonly groupNames?: true;
}

/**
 * How the response is read: `none` = no body; `exists` = HEAD, 200 → true, 404 → false;
 * `token` = `{ token }`; `page` = `{ value, nextLink? }`.
 */
export type ResultKind = 'none' | 'exists' | 'token' | 'page';

export interface Operation {
  /** The operationId without its group prefix, camelCased: the builder is `build<Name>Request`. */
  readonly name: OperationName;
  readonly operationId: string;
  readonly method: HttpMethod;
  readonly path: string;
  /** Path parameters after `hub`, in the order the client method and the builder take them. */
  readonly args: readonly PathParam[];
  readonly query: readonly QueryParam[];
  /** `message`: a raw payload in one of three content types; `groupsFilter`: JSON `{ groups, filter }`. */
  readonly body: 'none' | 'message' | 'groupsFilter';
  readonly success: readonly number[];
  readonly result: ResultKind;
  readonly since: ApiVersion;
}

const excluded: QueryParam = { option: 'excluded', wire: 'excluded', type: 'strings', since: '2021-10-01' };
const filter: QueryParam = { option: 'filter', wire: 'filter', type: 'string', since: '2022-11-01' };
const messageTtlSeconds: QueryParam = {
  option: 'messageTtlSeconds',
  wire: 'messageTtlSeconds',
  type: 'int',
  min: 0,
  max: 300,
  since: '2023-07-01',
};
const reason: QueryParam = { option: 'reason', wire: 'reason', type: 'string', since: '2021-10-01' };
const targetName: QueryParam = { option: 'targetName', wire: 'targetName', type: 'string', since: '2021-10-01', groupNames: true };

const send = { method: 'POST', body: 'message', success: [202], result: 'none' } as const;
const close = { method: 'POST', query: [excluded, reason], body: 'none', success: [204], result: 'none' } as const;
const exists = { method: 'HEAD', query: [], body: 'none', success: [200, 404], result: 'exists' } as const;
const put = { method: 'PUT', query: [], body: 'none', success: [200], result: 'none' } as const;
const remove = { method: 'DELETE', query: [], body: 'none', success: [204], result: 'none' } as const;
const groupsFilter = { method: 'POST', args: [], query: [], body: 'groupsFilter', success: [200], result: 'none' } as const;
const permissionPath = '/api/hubs/{hub}/permissions/{permission}/connections/{connectionId}';
const permissionArgs = ['connectionId', 'permission'] as const;

const table = {
  getServiceStatus: {
    operationId: 'HealthApi_GetServiceStatus',
    method: 'HEAD',
    path: '/api/health',
    args: [],
    query: [],
    body: 'none',
    success: [200],
    result: 'none',
    since: '2021-10-01',
  },
  sendToAll: {
    ...send,
    operationId: 'WebPubSub_SendToAll',
    path: '/api/hubs/{hub}/:send',
    args: [],
    query: [excluded, filter, messageTtlSeconds],
    since: '2021-10-01',
  },
  closeAllConnections: {
    ...close,
    operationId: 'WebPubSub_CloseAllConnections',
    path: '/api/hubs/{hub}/:closeConnections',
    args: [],
    since: '2021-10-01',
  },
  generateClientToken: {
    operationId: 'WebPubSub_GenerateClientToken',
    method: 'POST',
    path: '/api/hubs/{hub}/:generateToken',
    args: [],
    query: [
      { option: 'userId', wire: 'userId', type: 'string', since: '2021-10-01' },
      { option: 'roles', wire: 'role', type: 'strings', since: '2021-10-01' },
      { option: 'expirationTimeInMinutes', wire: 'minutesToExpire', type: 'int', min: 1, max: 2147483647, since: '2021-10-01' },
      { option: 'groups', wire: 'group', type: 'strings', since: '2022-11-01', groupNames: true },
      { option: 'clientProtocol', wire: 'clientType', type: 'clientType', since: '2024-01-01' },
    ],
    body: 'none',
    success: [200],
    result: 'token',
    since: '2021-10-01',
  },
  addConnectionsToGroups: {
    ...groupsFilter,
    operationId: 'WebPubSub_AddConnectionsToGroups',
    path: '/api/hubs/{hub}/:addToGroups',
    since: '2023-07-01',
  },
  removeConnectionsFromGroups: {
    ...groupsFilter,
    operationId: 'WebPubSub_RemoveConnectionsFromGroups',
    path: '/api/hubs/{hub}/:removeFromGroups',
    since: '2023-07-01',
  },
  closeConnection: {
    ...remove,
    operationId: 'WebPubSub_CloseConnection',
    path: '/api/hubs/{hub}/connections/{connectionId}',
    args: ['connectionId'],
    query: [reason],
    since: '2021-10-01',
  },
  connectionExists: {
    ...exists,
    operationId: 'WebPubSub_ConnectionExists',
    path: '/api/hubs/{hub}/connections/{connectionId}',
    args: ['connectionId'],
    since: '2021-10-01',
  },
  sendToConnection: {
    ...send,
    operationId: 'WebPubSub_SendToConnection',
    path: '/api/hubs/{hub}/connections/{connectionId}/:send',
    args: ['connectionId'],
    query: [messageTtlSeconds],
    since: '2021-10-01',
  },
  removeConnectionFromAllGroups: {
    ...remove,
    operationId: 'WebPubSub_RemoveConnectionFromAllGroups',
    path: '/api/hubs/{hub}/connections/{connectionId}/groups',
    args: ['connectionId'],
    since: '2022-11-01',
  },
  groupExists: {
    ...exists,
    operationId: 'WebPubSub_GroupExists',
    path: '/api/hubs/{hub}/groups/{group}',
    args: ['group'],
    since: '2021-10-01',
  },
  closeGroupConnections: {
    ...close,
    operationId: 'WebPubSub_CloseGroupConnections',
    path: '/api/hubs/{hub}/groups/{group}/:closeConnections',
    args: ['group'],
    since: '2021-10-01',
  },
  sendToGroup: {
    ...send,
    operationId: 'WebPubSub_SendToGroup',
    path: '/api/hubs/{hub}/groups/{group}/:send',
    args: ['group'],
    query: [excluded, filter, messageTtlSeconds],
    since: '2021-10-01',
  },
  listConnectionsInGroup: {
    operationId: 'WebPubSub_ListConnectionsInGroup',
    method: 'GET',
    path: '/api/hubs/{hub}/groups/{group}/connections',
    args: ['group'],
    query: [
      { option: 'maxPageSize', wire: 'maxpagesize', type: 'int', min: 1, max: 200, since: '2024-12-01' },
      { option: 'top', wire: 'top', type: 'int', min: 1, max: 2147483647, since: '2024-12-01' },
      { option: 'continuationToken', wire: 'continuationToken', type: 'string', since: '2024-12-01' },
    ],
    body: 'none',
    success: [200],
    result: 'page',
    since: '2024-12-01',
  },
  addConnectionToGroup: {
    ...put,
    operationId: 'WebPubSub_AddConnectionToGroup',
    path: '/api/hubs/{hub}/groups/{group}/connections/{connectionId}',
    args: ['group', 'connectionId'],
    since: '2021-10-01',
  },
  removeConnectionFromGroup: {
    ...remove,
    operationId: 'WebPubSub_RemoveConnectionFromGroup',
    path: '/api/hubs/{hub}/groups/{group}/connections/{connectionId}',
    args: ['group', 'connectionId'],
    since: '2021-10-01',
  },
  grantPermission: {
    ...put,
    operationId: 'WebPubSub_GrantPermission',
    path: permissionPath,
    args: permissionArgs,
    query: [targetName],
    since: '2021-10-01',
  },
  revokePermission: {
    ...remove,
    operationId: 'WebPubSub_RevokePermission',
    path: permissionPath,
    args: permissionArgs,
    query: [targetName],
    since: '2021-10-01',
  },
  checkPermission: {
    ...exists,
    operationId: 'WebPubSub_CheckPermission',
    path: permissionPath,
    args: permissionArgs,
    query: [targetName],
    since: '2021-10-01',
  },
  userExists: {
    ...exists,
    operationId: 'WebPubSub_UserExists',
    path: '/api/hubs/{hub}/users/{userId}',
    args: ['userId'],
    since: '2021-10-01',
  },
  closeUserConnections: {
    ...close,
    operationId: 'WebPubSub_CloseUserConnections',
    path: '/api/hubs/{hub}/users/{userId}/:closeConnections',
    args: ['userId'],
    since: '2021-10-01',
  },
  sendToUser: {
    ...send,
    operationId: 'WebPubSub_SendToUser',
    path: '/api/hubs/{hub}/users/{userId}/:send',
    args: ['userId'],
    query: [filter, messageTtlSeconds],
    since: '2021-10-01',
  },
  removeUserFromAllGroups: {
    ...remove,
    operationId: 'WebPubSub_RemoveUserFromAllGroups',
    path: '/api/hubs/{hub}/users/{userId}/groups',
    args: ['userId'],
    since: '2021-10-01',
  },
  addUserToGroup: {
    ...put,
    operationId: 'WebPubSub_AddUserToGroup',
    path: '/api/hubs/{hub}/users/{userId}/groups/{group}',
    args: ['group', 'userId'],
    since: '2021-10-01',
  },
  removeUserFromGroup: {
    ...remove,
    operationId: 'WebPubSub_RemoveUserFromGroup',
    path: '/api/hubs/{hub}/users/{userId}/groups/{group}',
    args: ['group', 'userId'],
    since: '2021-10-01',
  },
} as const satisfies Record<string, Omit<Operation, 'name'>>;

export type OperationName = keyof typeof table;

/** Every operation by name. */
export const operations = Object.fromEntries(Object.entries(table).map(([name, row]) => [name, { name, ...row }])) as unknown as {
  readonly [N in OperationName]: Operation & { readonly name: N };
};

/** Every operation, in table order. */
export const operationList: readonly Operation[] = Object.values(operations);

/** Whether `version` is `since` or newer (api-versions are ISO dates, so they compare as strings). */
export function supportsApiVersion(version: string, since: ApiVersion): boolean {
  return version >= since;
}

/**
 * WebSocket client paths under the endpoint, by client protocol: the client URL is `<endpoint>/<path><hub>` and
 * a client token's `aud` is its http(s) form.
 */
export const CLIENT_PATHS = { default: 'client/hubs/', mqtt: 'clients/mqtt/hubs/', socketio: 'clients/socketio/hubs/' } as const;
