/**
 * User operations. A user exists only while they have a connection, and user–group membership applies to the
 * user's current connections: nothing is remembered for later ones, as in the service.
 */
import { closeAll, fanOut } from '../../state/delivery.js';
import { errors } from '../../common/errors.js';
import type { RestRequest } from '../restRequest.js';
import type { ConnectionRecord } from '../../state/store.js';
import { ResourceHandler } from './context.js';
import { serverMessage } from './hubHandler.js';

/** Handlers of the user operations. */
export class UserHandler extends ResourceHandler {
  userExists(request: RestRequest): true {
    if (this.#connections(request).size === 0) throw errors.userNotExisted(request.params.userId!);
    return true;
  }

  closeUserConnections(request: RestRequest): void {
    closeAll(this.#connections(request), request.query.reason as string | undefined, request.audience);
  }

  sendToUser(request: RestRequest): void {
    fanOut(this.#connections(request), serverMessage(request), request.audience);
  }

  removeUserFromAllGroups(request: RestRequest): void {
    const hub = this.hub(request);
    for (const connection of this.#connections(request)) hub.leaveAll(connection);
  }

  /** Adds the user's current connections; a user without connections is a 404. */
  addUserToGroup(request: RestRequest): void {
    const connections = this.#connections(request);
    if (connections.size === 0) throw errors.userNotExisted(request.params.userId!);
    const hub = this.hub(request);
    for (const connection of connections) hub.join(connection, request.params.group!);
  }

  removeUserFromGroup(request: RestRequest): void {
    const hub = this.hub(request);
    for (const connection of this.#connections(request)) hub.leave(connection, request.params.group!);
  }

  #connections(request: RestRequest): ReadonlySet<ConnectionRecord> {
    return this.hub(request).userConnections(request.params.userId!);
  }
}
