/**
 * `npm run demo`: the whole product, end to end, with no Azure subscription and no network. It starts the embedded
 * emulator and connects three subscribers with the official @azure/web-pubsub-client; applies a
 * WebPubSubGroupMembership and a WebPubSubPermissionGrant through Pulumi's real provider host; runs the bundled
 * Action (`node dist/index.js`, as the runner runs it) for a deploy notification and a release announcement to the
 * group; shows who received what; lets a subscriber tell the application it reloaded, through an upstream event
 * handler (the official @azure/web-pubsub-express); and closes the group's connections in waves through the Action.
 * With WEBPUBSUB_CONNECTION_STRING set, the same steps run against that service instead of the emulator (all but the
 * application's: Azure cannot call this machine).
 *
 * `npm run demo -- --serve` also serves examples/browser: the steps wait until a browser opens the page, which then
 * shows the banners as the Action sends, and everything stays up until Ctrl+C.
 */
import { randomUUID } from 'node:crypto';
import * as pulumi from '@pulumi/pulumi';
import { startEmulator } from '../emulator/index.js';
import { groupMembershipProvider, permissionGrantProvider } from '../pulumi-provider/index.js';
import { WebPubSubServiceClient, type Notification } from '../shared/index.js';
import { HAVE_NODE24, NODE24, PUSH, RELEASE, runAction, type ActionRun, type GitHubEvent } from './harness/actionRunner.js';
import { createConsumerProject, ProviderHost, urnOf } from './harness/providerHost.js';
import { serveBrowserExample, type BrowserExampleServer } from './harness/serveBrowserExample.js';
import { startDemoApp } from './demoApp.js';
import { connectSubscriber, type Subscriber } from './demoSubscriber.js';

const HUB = 'shop';
const GROUP = 'releases';
const MEMBERS = ['alice', 'bob'];
const OUTSIDER = 'carol';
const TIMEOUT_MS = 45_000;
/** The browser page's user: its token puts its connection in the group, as an app's server would. */
const PAGE_USER = 'browser-page';
const serve = process.argv.includes('--serve');

const started = performance.now();
const say = (who: string, what: string) => console.log(`${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  ${who.padEnd(9)} ${what}`);
let watchdog: NodeJS.Timeout | undefined;

const real = process.env.WEBPUBSUB_CONNECTION_STRING;
// On the emulator, an application server takes the hub's `reloaded` events, as the service would call it.
const app = real ? undefined : await startDemoApp(HUB, (line) => say('app', line));
const emulator =
  app && (await startEmulator({ port: 0, hubs: { [HUB]: { eventHandlers: [{ urlTemplate: app.urlTemplate, userEventPattern: 'reloaded' }] } } }));
app?.allow(emulator!.endpoint);
const connectionString = real ?? emulator!.connectionString;
const core = new WebPubSubServiceClient(connectionString, HUB, { logLevel: 'off' });
const node = HAVE_NODE24 ? NODE24 : process.execPath;
const subscribers = new Map<string, Subscriber>();
let host: ProviderHost | undefined;
let project: Awaited<ReturnType<typeof createConsumerProject>> | undefined;
let page: BrowserExampleServer | undefined;

try {
  console.log(
    `webpubsub-action demo: the whole product ${real ? 'against the service of WEBPUBSUB_CONNECTION_STRING' : 'on the embedded emulator (no Azure, no network)'}\n`,
  );
  say(real ? 'service' : 'emulator', `${core.endpoint}, hub "${HUB}"`);
  if (serve) await servePage();
  watchdog = setTimeout(() => fail(new Error(`the demo did not finish within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS);

  // Subscribers: the apps that wait for the pipeline's news. Group membership comes from Pulumi, not from them.
  for (const userId of [...MEMBERS, OUTSIDER]) subscribers.set(userId, await connectSubscriber(core, userId));
  say('clients', `${[...subscribers.keys()].join(', ')} connected with @azure/web-pubsub-client`);

  // Pulumi: the providers serialized as a program serializes them, run by Pulumi's own provider host over gRPC.
  project = await createConsumerProject();
  host = await ProviderHost.start({ cwd: project.dir });
  await host.configure({ 'webpubsub:connectionString': connectionString });
  const membership = await apply(host, 'GroupMembership', 'release-watchers', groupMembershipProvider, { hub: HUB, group: GROUP, userIds: MEMBERS });
  say(
    'pulumi',
    `WebPubSubGroupMembership release-watchers: group "${GROUP}" = ${(membership.userIds as string[]).join(', ')} (Pulumi's provider host, over gRPC)`,
  );
  const alice = subscribers.get('alice')!;
  await apply(host, 'PermissionGrant', 'alice-sends', permissionGrantProvider, {
    hub: HUB,
    connectionId: alice.connectionId,
    permission: 'sendToGroup',
    targetName: GROUP,
  });
  say('pulumi', `WebPubSubPermissionGrant alice-sends: alice's connection may send to "${GROUP}"`);

  // The Action, bundled, as the runner runs it: a deploy notification on a push, a release announcement on a release.
  const notify = { hub: HUB, target: 'group', group: GROUP, 'count-recipients': 'true' };
  say('action', `the bundled Action runs as the runner runs it: node ${HAVE_NODE24 ? '24 (as runs.using: node24)' : process.versions.node} dist/index.js`);
  const deployed = await action('push to main', { ...notify }, PUSH);
  say('action', `push to main: deploy notification -> ${outcome(deployed)}`);
  await expectDelivery(deployed, (n) => `${n.kind} ${n.refName}@${n.sha.slice(0, 7)}`);

  const released = await action('release published', { ...notify }, RELEASE);
  say('action', `release v1.4.2 published: release announcement -> ${outcome(released)}`);
  await expectDelivery(released, (n) => `${n.kind} ${n.release!.tag} "${n.release!.name}"`);

  // The other direction: a subscriber tells the application it reloaded; the app's answer comes back to it.
  if (app) {
    const bob = subscribers.get('bob')!;
    await bob.client.sendEvent('reloaded', { version: 'v1.4.2' }, 'json');
    say('clients', `bob got the app's answer: ${JSON.stringify(await bob.nextServerMessage((data) => typeof data === 'string'))}`);
  }

  // The grant at work: alice may publish to the group, carol may not.
  const heard = subscribers.get('bob')!.nextGroupMessage();
  await alice.client.sendToGroup(GROUP, { from: 'alice', text: 'reloading v1.4.2' }, 'json');
  const refused = await subscribers
    .get(OUTSIDER)!
    .client.sendToGroup(GROUP, 'me too', 'text')
    .then(
      () => 'accepted',
      (error: { errorDetail?: { name?: string }; name: string }) => error.errorDetail?.name ?? error.name,
    );
  if (refused === 'accepted') throw new Error('carol published to the group without a grant');
  say('clients', `alice -> "${GROUP}": bob got ${JSON.stringify((await heard).data)}; carol -> "${GROUP}": refused (${refused}: no grant)`);

  // A rollout: close the group's connections through the Action, one at a time, so clients do not reconnect at once.
  const gone = MEMBERS.map((userId) => subscribers.get(userId)!.disconnected);
  const closed = await action(
    'close in waves',
    { hub: HUB, operation: 'close', target: 'group', group: GROUP, reason: 'rollout v1.4.2', 'batch-size': '1', 'batch-interval-seconds': '0.3' },
    PUSH,
  );
  say('action', `close group "${GROUP}" in waves of 1, 0.3 s apart -> ${outcome(closed)}, closed ${closed.outputs.closed}`);
  const reasons = await Promise.all(gone);
  if (!subscribers.get(OUTSIDER)!.connected) throw new Error(`${OUTSIDER} was disconnected, though not in the group`);
  say('clients', `${MEMBERS.join(', ')} disconnected ("${reasons[0]}"); ${OUTSIDER} still connected`);

  console.log(
    `\nOK: alice and bob got exactly the group's two notifications and carol none;${app ? " bob's event reached the app and its answer came back;" : ''}`,
  );
  console.log(`the grant let alice publish; the waves closed the group one connection at a time.`);
  if (!real)
    console.log(
      "Set WEBPUBSUB_CONNECTION_STRING to a real service and run it again: the same steps run against Azure (all but the app's, which Azure cannot call here).",
    );
  if (page) {
    clearTimeout(watchdog);
    // Listen before saying so: whoever reads the line may press Ctrl+C at once.
    const stopped = new Promise((stop) => ['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, stop)));
    console.log(`\nThe page at ${page.url} stays up, with the ${real ? 'service' : 'emulator'}; Ctrl+C stops it.`);
    await stopped;
  }
} catch (error) {
  fail(error);
} finally {
  clearTimeout(watchdog);
  await page?.close();
  await Promise.all([...subscribers.values()].map((subscriber) => subscriber.stop()));
  await host?.stop();
  await project?.remove();
  await core.close();
  await emulator?.close();
  await app?.close();
}

/** Serves examples/browser and waits until a browser opens it: its connection joins the group through its token. */
async function servePage(): Promise<void> {
  page = await serveBrowserExample({ clientUrl: async () => (await core.getClientAccessToken({ userId: PAGE_USER, groups: [GROUP] })).url });
  say('page', `open ${page.url} in a browser: the steps start once the page is connected`);
  while (!(await core.userExists(PAGE_USER))) await new Promise((resolve) => setTimeout(resolve, 250));
  say('page', `connected: it is in group "${GROUP}" and shows the banners as the Action sends`);
}

/** Check, then create, one resource through the provider host, as `pulumi up` does for a new resource. */
async function apply(host: ProviderHost, type: 'GroupMembership' | 'PermissionGrant', name: string, provider: object, inputs: Record<string, unknown>) {
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  const urn = urnOf(type, name);
  const checked = await host.check(urn, {}, { ...inputs, __provider: text });
  if (checked.failures.length > 0) throw new Error(`${name}: ${checked.failures.map((f) => f.reason).join('; ')}`);
  return (await host.create(urn, checked.inputs)).properties;
}

/** Runs the bundled Action; throws with its error lines when the step failed. */
async function action(what: string, inputs: Record<string, string>, event: GitHubEvent): Promise<ActionRun> {
  const run = await runAction({ inputs: { 'connection-string': connectionString, ...inputs }, event, node });
  if (run.code !== 0) throw new Error(`the Action (${what}) failed: ${run.errors.join(' ') || run.stderr}`);
  return run;
}

/**
 * The members must each get the notification the Action reports in its `payload` output, and the outsider nothing:
 * a message sent to the outsider afterwards arrives first, and a connection's messages arrive in order.
 */
async function expectDelivery(run: ActionRun, describe: (notification: Notification) => string): Promise<void> {
  const sent = JSON.parse(run.outputs.payload!) as Notification;
  const got = await Promise.all(MEMBERS.map((userId) => subscribers.get(userId)!.nextGroupMessage()));
  for (const message of got) if (JSON.stringify(message.data) !== run.outputs.payload) throw new Error('a member got something else than the Action sent');
  const outsider = subscribers.get(OUTSIDER)!;
  const marker = randomUUID();
  await core.sendToUser(OUTSIDER, { marker });
  await outsider.nextServerMessage((data) => (data as { marker?: string }).marker === marker);
  if (outsider.groupMessages > 0) throw new Error(`${OUTSIDER} got a group message though not a member`);
  say('clients', `${MEMBERS.join(', ')} got ${describe(sent)}; ${OUTSIDER} nothing (not a member)`);
}

/** The step's outputs, as a workflow reads them. */
function outcome(run: ActionRun): string {
  const { ok, status, recipients } = run.outputs;
  return `ok=${ok}, status ${status}${recipients === undefined ? '' : `, ${recipients} recipients`}`;
}

function fail(error: unknown): never {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
