/**
 * Runtime permission grants. `targetName` is the group and is required (the swagger: "a required parameter
 * standing for the group name"; Microsoft's emulator refuses a request without one). A grant or revoke changes
 * that one group, even where the token's role covers every group or a pattern.
 */
import type { Permission } from '../../../shared/validate.js';
import { errors } from '../../common/errors.js';
import { MAX_LITERAL_RULES, TooManyPermissionRules } from '../../state/permissions.js';
import type { RestRequest } from '../restRequest.js';
import { ResourceHandler } from './context.js';

/** Handlers of the permission operations. */
export class PermissionHandler extends ResourceHandler {
  /** Granting to an unknown connection is a 404. */
  grantPermission(request: RestRequest): void {
    const group = target(request);
    const connection = this.connection(request);
    if (!connection) throw errors.connectionNotExistedInfo(request.params.connectionId!);
    change(request, () => connection.permissions.grant(permission(request), group));
  }

  /** Revoking from an unknown connection succeeds: there is nothing to revoke. */
  revokePermission(request: RestRequest): void {
    const group = target(request);
    const connection = this.connection(request);
    if (connection) change(request, () => connection.permissions.revoke(permission(request), group));
  }

  /** A connection without the permission is a 404 with the same code as an unknown one, as Microsoft's emulator answers. */
  checkPermission(request: RestRequest): true {
    const group = target(request);
    const connection = this.connection(request);
    if (!connection?.permissions.has(permission(request), group)) throw errors.connectionNotExistedInfo(request.params.connectionId!);
    return true;
  }
}

const permission = (request: RestRequest) => request.params.permission as Permission;

function target(request: RestRequest): string {
  const group = request.query.targetName as string | undefined;
  if (group === undefined) throw errors.missingTargetName();
  return group;
}

/** Applies a grant or revoke; beyond the bound of group rules it is a 409 and nothing changes. */
function change(request: RestRequest, apply: () => void): void {
  try {
    apply();
  } catch (error) {
    if (error instanceof TooManyPermissionRules) throw errors.tooManyPermissionRules(request.params.connectionId!, permission(request), MAX_LITERAL_RULES);
    throw error;
  }
}
