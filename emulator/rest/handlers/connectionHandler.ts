/**
 * Single-connection operations. Sends and closes succeed for unknown connections, as in the service.
 */
import { errors } from '../../common/errors.js';
import type { RestRequest } from '../restRequest.js';
import { ResourceHandler } from './context.js';
import { serverMessage } from './hubHandler.js';

/** Handlers of the connection operations. */
export class ConnectionHandler extends ResourceHandler {
  closeConnection(request: RestRequest): void {
    this.connection(request)?.close(request.query.reason as string | undefined);
  }

  connectionExists(request: RestRequest): true {
    if (!this.connection(request)) throw errors.connectionNotExistedWarning(request.params.connectionId!);
    return true;
  }

  sendToConnection(request: RestRequest): void {
    this.connection(request)?.deliver(serverMessage(request));
  }

  removeConnectionFromAllGroups(request: RestRequest): void {
    const connection = this.connection(request);
    if (connection) this.hub(request).leaveAll(connection);
  }
}
