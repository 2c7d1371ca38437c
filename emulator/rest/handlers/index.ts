/**
 * Maps every operation of the shared table to its handler; the `Record<OperationName, ...>` type makes a missing
 * one a compile error.
 */
import type { OperationName } from '../../../shared/operations.js';
import { ConnectionHandler } from './connectionHandler.js';
import type { Handler, HandlerContext } from './context.js';
import { GroupHandler } from './groupHandler.js';
import { HubHandler } from './hubHandler.js';
import { PermissionHandler } from './permissionHandler.js';
import { UserHandler } from './userHandler.js';

export type { Handler, HandlerContext } from './context.js';

/** One handler per operation, over one store. */
export function createHandlers(context: HandlerContext): Readonly<Record<OperationName, Handler>> {
  const hub = new HubHandler(context);
  const group = new GroupHandler(context);
  const user = new UserHandler(context);
  const connection = new ConnectionHandler(context);
  const permission = new PermissionHandler(context);
  return {
    // The service answers 200 while it runs; there is nothing to look up.
    getServiceStatus: () => undefined,
    sendToAll: (r) => hub.sendToAll(r),
    closeAllConnections: (r) => hub.closeAllConnections(r),
    generateClientToken: (r) => hub.generateClientToken(r),
    addConnectionsToGroups: (r) => hub.addConnectionsToGroups(r),
    removeConnectionsFromGroups: (r) => hub.removeConnectionsFromGroups(r),
    closeConnection: (r) => connection.closeConnection(r),
    connectionExists: (r) => connection.connectionExists(r),
    sendToConnection: (r) => connection.sendToConnection(r),
    removeConnectionFromAllGroups: (r) => connection.removeConnectionFromAllGroups(r),
    groupExists: (r) => group.groupExists(r),
    closeGroupConnections: (r) => group.closeGroupConnections(r),
    sendToGroup: (r) => group.sendToGroup(r),
    listConnectionsInGroup: (r) => group.listConnectionsInGroup(r),
    addConnectionToGroup: (r) => group.addConnectionToGroup(r),
    removeConnectionFromGroup: (r) => group.removeConnectionFromGroup(r),
    grantPermission: (r) => permission.grantPermission(r),
    revokePermission: (r) => permission.revokePermission(r),
    checkPermission: (r) => permission.checkPermission(r),
    userExists: (r) => user.userExists(r),
    closeUserConnections: (r) => user.closeUserConnections(r),
    sendToUser: (r) => user.sendToUser(r),
    removeUserFromAllGroups: (r) => user.removeUserFromAllGroups(r),
    addUserToGroup: (r) => user.addUserToGroup(r),
    removeUserFromGroup: (r) => user.removeUserFromGroup(r),
  };
}
