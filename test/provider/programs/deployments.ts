/**
 * A Pulumi program (ESM) using both resources as a user would; the mocked-program tests run it, and the
 * provider-host tests take the serialized providers it produces.
 */
import { WebPubSubGroupMembership, WebPubSubPermissionGrant } from '../../../pulumi-provider/index.js';

export const watchers = new WebPubSubGroupMembership('release-watchers', {
  hub: 'deployments',
  group: 'releases',
  userIds: ['bob', 'alice', 'bob'],
  connectionIds: ['dashboard-connection'],
});

export const agentJoins = new WebPubSubPermissionGrant('agent-joins', {
  hub: 'deployments',
  connectionId: 'agent-connection',
  permission: 'joinLeaveGroup',
  targetName: 'releases',
});

export const existing = WebPubSubGroupMembership.get('existing-oncall', 'deployments/groups/on-call');
