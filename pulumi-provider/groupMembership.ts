/**
 * `WebPubSubGroupMembership`: who is in one group of one hub, as a Pulumi resource.
 */
import * as pulumi from '@pulumi/pulumi';
import { groupMembershipProvider } from './groupMembershipProvider.js';

/** The inputs of a {@link WebPubSubGroupMembership}. */
export interface WebPubSubGroupMembershipArgs {
  /** The hub: a letter, then letters, digits and `` _ ` , . [ ] `` (128 characters at most). */
  hub: pulumi.Input<string>;
  /** The group: 1 to 1024 characters, not only whitespace, no line breaks. */
  group: pulumi.Input<string>;
  /** Users whose open connections join the group. A user with none is pending until an update finds one. */
  userIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Connections that join the group; each must be open. */
  connectionIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The service, e.g. `https://<name>.webpubsub.azure.com`. Default: stack config `webpubsub:endpoint`, else the
   * endpoint of the connection string. Changing it replaces the resource.
   */
  endpoint?: pulumi.Input<string>;
}

/** What {@link WebPubSubGroupMembership.get} reads besides the id. */
export interface WebPubSubGroupMembershipState {
  /** The service to read from; default as for the `endpoint` input. */
  endpoint?: pulumi.Input<string>;
}

/**
 * Declares that users (all their open connections) and connections are members of a group.
 *
 * ```ts
 * new WebPubSubGroupMembership('release-watchers', { hub: 'deployments', group: 'releases', userIds: ['alice', 'bob'] });
 * ```
 *
 * Credentials come from the stack config `webpubsub:connectionString` (secret) or `WEBPUBSUB_CONNECTION_STRING`,
 * read inside the provider host; they are never part of the resource's inputs, outputs or stored code. Members
 * already in the group are adopted. The resource owns only its declared members: give each member to one resource.
 */
export class WebPubSubGroupMembership extends pulumi.dynamic.Resource {
  declare readonly hub: pulumi.Output<string>;
  declare readonly group: pulumi.Output<string>;
  declare readonly endpoint: pulumi.Output<string>;
  /** Declared users with at least one connection in the group. */
  declare readonly userIds: pulumi.Output<string[]>;
  /** Declared users with no open connection: not in the group yet; the next update tries them again. */
  declare readonly pendingUserIds: pulumi.Output<string[]>;
  /** Declared connections in the group. */
  declare readonly connectionIds: pulumi.Output<string[]>;
  /** The shape of the stored outputs. */
  declare readonly stateVersion: pulumi.Output<number>;

  /**
   * @param name - the resource's unique name in the program
   * @param args - hub, group and members
   * @param opts - Pulumi resource options (`aliases` when renaming: see the README)
   */
  constructor(name: string, args: WebPubSubGroupMembershipArgs, opts?: pulumi.CustomResourceOptions) {
    const { hub, group, userIds, connectionIds, endpoint } = args;
    // Output-only keys must be present (undefined) for Pulumi to expose them on the resource.
    const props = { hub, group, userIds, connectionIds, endpoint, pendingUserIds: undefined, stateVersion: undefined };
    super(groupMembershipProvider, name, props, opts, 'webpubsub', 'GroupMembership');
  }

  /**
   * Reads an existing group's membership without managing it: every user in the group, and anonymous connections
   * by id. Needs `@pulumi/pulumi` 3.268 or later.
   * @param id - `<hub>/groups/<group>`, each percent-encoded
   */
  static get(name: string, id: pulumi.Input<pulumi.ID>, state?: WebPubSubGroupMembershipState, opts?: pulumi.CustomResourceOptions): WebPubSubGroupMembership {
    return new WebPubSubGroupMembership(name, { endpoint: state?.endpoint } as WebPubSubGroupMembershipArgs, { ...opts, id });
  }
}
