/**
 * `WebPubSubPermissionGrant`: one runtime permission of one connection, as a Pulumi resource.
 */
import * as pulumi from '@pulumi/pulumi';
import { permissionGrantProvider } from './permissionGrantProvider.js';

/** The inputs of a {@link WebPubSubPermissionGrant}. Every one is part of the grant: changing any replaces it. */
export interface WebPubSubPermissionGrantArgs {
  hub: pulumi.Input<string>;
  /** An open connection of the hub. */
  connectionId: pulumi.Input<string>;
  permission: pulumi.Input<'joinLeaveGroup' | 'sendToGroup'>;
  /** The group the permission is for; without it, every group. */
  targetName?: pulumi.Input<string>;
  /** The service; default: stack config `webpubsub:endpoint`, else the connection string's endpoint. */
  endpoint?: pulumi.Input<string>;
}

/** What {@link WebPubSubPermissionGrant.get} reads besides the id. */
export interface WebPubSubPermissionGrantState {
  endpoint?: pulumi.Input<string>;
}

/**
 * Grants a connection the right to join and leave a group, or to send to it.
 *
 * ```ts
 * new WebPubSubPermissionGrant('agent-joins', { hub: 'ops', connectionId, permission: 'joinLeaveGroup', targetName: 'alerts' });
 * ```
 *
 * A grant lives as long as its connection: when the connection closes, a refresh removes the resource from the
 * state and the next update grants again (which fails, clearly, if the connection is gone for good).
 */
export class WebPubSubPermissionGrant extends pulumi.dynamic.Resource {
  declare readonly hub: pulumi.Output<string>;
  declare readonly connectionId: pulumi.Output<string>;
  declare readonly permission: pulumi.Output<'joinLeaveGroup' | 'sendToGroup'>;
  declare readonly targetName: pulumi.Output<string | undefined>;
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly stateVersion: pulumi.Output<number>;

  /**
   * @param name - the resource's unique name in the program
   * @param args - the grant
   * @param opts - Pulumi resource options
   */
  constructor(name: string, args: WebPubSubPermissionGrantArgs, opts?: pulumi.CustomResourceOptions) {
    const { hub, connectionId, permission, targetName, endpoint } = args;
    super(
      permissionGrantProvider,
      name,
      { hub, connectionId, permission, targetName, endpoint, stateVersion: undefined },
      opts,
      'webpubsub',
      'PermissionGrant',
    );
  }

  /**
   * Reads an existing grant without managing it. Needs `@pulumi/pulumi` 3.268 or later.
   * @param id - `<hub>/permissions/<permission>/connections/<connectionId>[/groups/<targetName>]`, each percent-encoded
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: WebPubSubPermissionGrantState, opts?: pulumi.CustomResourceOptions): WebPubSubPermissionGrant {
    return new WebPubSubPermissionGrant(name, { endpoint: state?.endpoint } as WebPubSubPermissionGrantArgs, { ...opts, id });
  }
}
