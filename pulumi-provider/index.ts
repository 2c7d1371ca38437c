/**
 * webpubsub-action/pulumi: Azure Web PubSub group membership and permission grants as Pulumi resources.
 *
 * ```ts
 * import { WebPubSubGroupMembership } from 'webpubsub-action/pulumi';
 * new WebPubSubGroupMembership('release-watchers', { hub: 'deployments', group: 'releases', userIds: ['alice'] });
 * ```
 * @packageDocumentation
 */
export { WebPubSubGroupMembership } from './groupMembership.js';
export type { WebPubSubGroupMembershipArgs, WebPubSubGroupMembershipState } from './groupMembership.js';
export { WebPubSubPermissionGrant } from './permissionGrant.js';
export type { WebPubSubPermissionGrantArgs, WebPubSubPermissionGrantState } from './permissionGrant.js';
export { groupMembershipProvider } from './groupMembershipProvider.js';
export type { GroupMembershipInputs, GroupMembershipOutputs } from './groupMembershipProvider.js';
export { permissionGrantProvider } from './permissionGrantProvider.js';
export type { PermissionGrantInputs, PermissionGrantOutputs } from './permissionGrantProvider.js';
