import * as pulumi from '@pulumi/pulumi';
import { WebPubSubGroupMembership, WebPubSubPermissionGrant } from 'webpubsub-action/pulumi';

const config = new pulumi.Config();
const hub = config.get('hub') ?? 'deployments';

// Everyone who should hear "v1.4.2 is deployed, reload". Each user's open connections join the group; a user
// with no open connection right now is pending (see `pendingWatchers`), and the next `pulumi up` tries again.
const releaseWatchers = new WebPubSubGroupMembership('release-watchers', {
  hub,
  group: 'releases',
  userIds: config.requireObject<string[]>('releaseWatchers'),
});

// A long-lived server-side connection (a deploy bot, say) that may publish to the group itself.
// `pulumi config set botConnectionId <id>` to declare it; a grant lives as long as its connection.
const botConnectionId = config.get('botConnectionId');
const botSends = botConnectionId
  ? new WebPubSubPermissionGrant('bot-sends', { hub, connectionId: botConnectionId, permission: 'sendToGroup', targetName: 'releases' })
  : undefined;

// A group another team maintains, read but not managed (needs @pulumi/pulumi 3.268 or later).
const onCall = WebPubSubGroupMembership.get('on-call', `${hub}/groups/on-call`);

export const watchers = releaseWatchers.userIds;
export const pendingWatchers = releaseWatchers.pendingUserIds;
export const botGrant = botSends?.id;
export const onCallUsers = onCall.userIds;
