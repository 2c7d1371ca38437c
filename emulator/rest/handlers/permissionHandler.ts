/**
 * Runtime permission grants. `targetName` is the group; without it a grant covers every group and a revoke removes
 * the permission for every group (older SDK docs: "all targets").
 */
import type { Permission } from '../../../shared/validate.js';
import { errors } from '../../common/errors.js';
import type { RestRequest } from '../restRequest.js';
import { ResourceHandler } from './context.js';

/** Handlers of the permission operations. */
export class PermissionHandler extends ResourceHandler {
  /** Granting to an unknown connection is a 404. */
  grantPermission(request: RestRequest): void {
    const connection = this.connection(request);
    if (!connection) throw errors.connectionNotExistedInfo(request.params.connectionId!);
    connection.permissions.grant(permission(request), target(request));
  }

  revokePermission(request: RestRequest): void {
    this.connection(request)?.permissions.revoke(permission(request), target(request));
  }

  checkPermission(request: RestRequest): true {
    const connection = this.connection(request);
    if (!connection) throw errors.connectionNotExistedInfo(request.params.connectionId!);
    if (!connection.permissions.has(permission(request), target(request))) {
      throw errors.permissionNotExisted(connection.connectionId, permission(request), target(request));
    }
    return true;
  }
}

const permission = (request: RestRequest) => request.params.permission as Permission;
const target = (request: RestRequest) => request.query.targetName as string | undefined;
