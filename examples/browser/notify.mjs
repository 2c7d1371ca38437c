/**
 * Sends the page a deploy notification, in the shape the Action's default payload has (a run by hand: `ci` is
 * `local`), so you can see the banner without a pipeline: `WEBPUBSUB_CONNECTION_STRING='<it>' node notify.mjs v1.4.2`. Same hub and group variables
 * as server.mjs.
 */
import { randomUUID } from 'node:crypto';
import { NOTIFICATION_SCHEMA, WebPubSubServiceClient } from 'webpubsub-action';

const version = process.argv[2] ?? 'v1.4.2';
const connectionString = process.env.WEBPUBSUB_CONNECTION_STRING;
if (!connectionString) {
  console.error('Set WEBPUBSUB_CONNECTION_STRING to the connection string server.mjs uses.');
  process.exit(1);
}
const group = process.env.WEBPUBSUB_GROUP ?? 'releases';
const service = new WebPubSubServiceClient(connectionString, process.env.WEBPUBSUB_HUB ?? 'deployments');
/** @type {import('webpubsub-action').Notification} */
const notification = {
  schema: NOTIFICATION_SCHEMA,
  // New for every send: the page drops a notification whose id it has seen.
  id: `notify-${randomUUID()}`,
  kind: 'deployment',
  ci: 'local',
  repository: 'octo-org/shop',
  ref: `refs/tags/${version}`,
  refName: version,
  sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  workflow: 'notify.mjs',
  runId: '1',
  runUrl: null,
  actor: process.env.USER ?? 'you',
  environment: null,
  event: 'manual',
  timestamp: new Date().toISOString(),
};
try {
  await service.sendToGroup(group, notification);
  console.log(`Sent: ${version} is deployed (hub "${service.hub}", group "${group}").`);
} finally {
  await service.close();
}
