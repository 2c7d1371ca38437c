/**
 * Converging a group membership of 1,000 connected users, from empty and then through a 10% change (50 users
 * leave, 50 join): the Pulumi provider's create and update, against the same work done by a sequential loop of the
 * official `@azure/web-pubsub` SDK's AddUserToGroup (`group(g).addUser`, and `removeUser` for the leavers), in the same run, on
 * one emulator with 1,050 WebSocket clients connected.
 *
 * The provider runs as the provider host runs it: serialized by Pulumi exactly as a program does, loaded from that
 * text with require-from-string, configured with the connection string; only the gRPC hop is left out.
 */
import { createRequire } from 'node:module';
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import * as pulumi from '@pulumi/pulumi';
import { WebSocket } from 'ws';
import { startEmulator } from '../emulator/index.js';
import { groupMembershipProvider } from '../pulumi-provider/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { fmt, median, medianRatio } from './measure.js';
import { checkTarget, progress } from './targets.js';

const MEMBERS = 1000;
const CHANGED = 50;
const ROUNDS = 5;
const CONNECT_BATCH = 100;
const HUB = 'bench';

const require = createRequire(import.meta.url);
const requireFromString = createRequire(require.resolve('@pulumi/pulumi/package.json'))('require-from-string') as (
  code: string,
  filename: string,
) => { handler(): Provider };

type Provider = Required<pulumi.dynamic.ResourceProvider>;

/** Milliseconds of each phase for one contender in one round. */
interface Timing {
  create: number;
  update: number;
}

export interface PulumiBenchResult {
  provider: Timing[];
  sdk: Timing[];
  /** Median per-round ratios SDK / provider, by phase and in total. */
  ratios: { create: number; update: number; total: number };
}

export async function benchPulumiMembership({ rounds = ROUNDS } = {}): Promise<PulumiBenchResult> {
  const emulator = await startEmulator({ port: 0 });
  const core = new WebPubSubServiceClient(emulator.connectionString, HUB, { logLevel: 'off' });
  const official = new OfficialClient(emulator.connectionString, HUB, { allowInsecureConnection: true });
  const users = Array.from({ length: MEMBERS + CHANGED }, (_, i) => `user-${String(i).padStart(4, '0')}`);
  const sockets: WebSocket[] = [];
  try {
    for (let start = 0; start < users.length; start += CONNECT_BATCH) {
      sockets.push(
        ...(await Promise.all(users.slice(start, start + CONNECT_BATCH).map(async (userId) => open((await core.getClientAccessToken({ userId })).url)))),
      );
    }
    const before = users.slice(0, MEMBERS);
    const after = [...users.slice(CHANGED, MEMBERS), ...users.slice(MEMBERS)];
    const provider = await loadProvider(emulator.connectionString);
    const providerRounds: Timing[] = [];
    const sdkRounds: Timing[] = [];

    const viaProvider = async (group: string): Promise<Timing> => {
      const { inputs } = await provider.check({}, { hub: HUB, group, userIds: before, __provider: provider.code });
      const t0 = performance.now();
      const { id, outs } = await provider.create(inputs);
      const t1 = performance.now();
      await provider.update(id, outs, { ...inputs, userIds: after });
      return { create: t1 - t0, update: performance.now() - t1 };
    };
    const viaSdk = async (name: string): Promise<Timing> => {
      // The SDK's AddUserToGroup and RemoveUserFromGroup, one awaited call per user.
      const group = official.group(name);
      const t0 = performance.now();
      for (const userId of before) await group.addUser(userId);
      const t1 = performance.now();
      for (const userId of before.slice(0, CHANGED)) await group.removeUser(userId);
      for (const userId of after.slice(-CHANGED)) await group.addUser(userId);
      return { create: t1 - t0, update: performance.now() - t1 };
    };
    const check = (group: string) => {
      const members = emulator
        .connections(HUB)
        .filter((c) => c.groups.includes(group))
        .map((c) => c.userId)
        .sort();
      if (members.join() !== [...after].sort().join()) throw new Error(`group ${group} does not hold the 1,000 users it should`);
    };

    // A discarded warm-up round, then rounds that alternate which contender goes first.
    for (let round = -1; round < rounds; round++) {
      progress(round < 0 ? 'Pulumi converge: warming up' : `Pulumi converge: round ${round + 1} of ${rounds}`);
      const contenders = [async () => providerRounds.push(await viaProvider(`provider-${round}`)), async () => sdkRounds.push(await viaSdk(`sdk-${round}`))];
      for (const run of round % 2 ? contenders : contenders.reverse()) {
        globalThis.gc?.();
        await run();
      }
      check(`provider-${round}`);
      check(`sdk-${round}`);
      if (round === -1) providerRounds.pop() && sdkRounds.pop();
    }
    const ratio = (phase: (t: Timing) => number) => medianRatio(sdkRounds.map(phase), providerRounds.map(phase));
    const result = {
      provider: providerRounds,
      sdk: sdkRounds,
      ratios: { create: ratio((t) => t.create), update: ratio((t) => t.update), total: ratio((t) => t.create + t.update) },
    };
    print(result);
    return result;
  } finally {
    for (const socket of sockets) socket.terminate();
    await core.close();
    await emulator.close();
  }
}

/** The provider as the host gets it: Pulumi's serialization of the object, loaded from that text, configured. */
async function loadProvider(connectionString: string): Promise<Provider & { code: string }> {
  const { text } = await pulumi.runtime.serializeFunction(() => groupMembershipProvider, { allowSecrets: true });
  // A file name inside the package, so that the code's require('webpubsub-action') finds this package by name.
  const provider = requireFromString(text, new URL('../../serialized-provider.cjs', import.meta.url).pathname).handler();
  await provider.configure({ config: { get: (key) => (key === 'webpubsub:connectionString' ? connectionString : undefined), require: () => '' } });
  return Object.assign(provider, { code: text });
}

function open(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

function print({ provider, sdk, ratios }: PulumiBenchResult): void {
  const ms = (timings: Timing[], phase: (t: Timing) => number) => `${fmt(median(timings.map(phase)))} ms`;
  console.log(`\nGroup membership of ${fmt(MEMBERS)} connected users: create from empty, then a 10% change; medians of ${provider.length} alternating rounds`);
  console.log('| contender | create (1,000 users) | update (50 leave, 50 join) | total |');
  console.log('|---|---:|---:|---:|');
  const row = (name: string, timings: Timing[]) =>
    console.log(`| ${name} | ${ms(timings, (t) => t.create)} | ${ms(timings, (t) => t.update)} | ${ms(timings, (t) => t.create + t.update)} |`);
  row('Pulumi provider (bulk by filter)', provider);
  row('@azure/web-pubsub, sequential group(g).addUser / removeUser', sdk);
  console.log(
    `provider = ${checkTarget('Pulumi converge vs a sequential SDK loop', ratios.total, { atLeast: 20 })} in total, ${ratios.create.toFixed(1)}x for the create, ` +
      `${ratios.update.toFixed(1)}x for the update`,
  );
}
