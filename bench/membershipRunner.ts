/**
 * One contender of the Pulumi bench in a process of its own, as Pulumi's provider host is one: `provider` runs the
 * membership provider serialized by Pulumi and loaded from that text (only the gRPC hop is left out); `sdk` runs
 * the official `@azure/web-pubsub` loop. Each keeps its own heap, so neither pays for the other's garbage. Commands
 * come over IPC; each answer carries the milliseconds the call took inside this process.
 */
import { createRequire } from 'node:module';
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import * as pulumi from '@pulumi/pulumi';
import { groupMembershipProvider } from '../pulumi-provider/index.js';

type Provider = Required<pulumi.dynamic.ResourceProvider>;

export interface RunnerCommand {
  id: number;
  op: string;
  args: unknown[];
}

export interface RunnerAnswer {
  id: number;
  value?: unknown;
  ms?: number;
  error?: string;
}

const require = createRequire(import.meta.url);
const requireFromString = createRequire(require.resolve('@pulumi/pulumi/package.json'))('require-from-string') as (
  code: string,
  filename: string,
) => { handler(): Provider };

let provider: (Provider & { code: string }) | undefined;
let official: OfficialClient | undefined;

/** The provider as the host gets it: Pulumi's serialization of the object, loaded from that text, configured. */
async function loadProvider(connectionString: string): Promise<void> {
  const { text } = await pulumi.runtime.serializeFunction(() => groupMembershipProvider, { allowSecrets: true });
  // A file name inside the package, so that the code's require('webpubsub-action') finds this package by name.
  const loaded = requireFromString(text, new URL('../../serialized-provider.cjs', import.meta.url).pathname).handler();
  await loaded.configure({ config: { get: (key) => (key === 'webpubsub:connectionString' ? connectionString : undefined), require: () => '' } });
  provider = Object.assign(loaded, { code: text });
}

/** The commands; the timed ones return what they produced, and the caller gets their duration. */
const ops: Record<string, (...args: never[]) => Promise<unknown>> = {
  async start(role: 'provider' | 'sdk', connectionString: string, hub: string) {
    if (role === 'provider') await loadProvider(connectionString);
    else official = new OfficialClient(connectionString, hub, { allowInsecureConnection: true });
  },
  async check(news: Record<string, unknown>) {
    return (await provider!.check({}, { ...news, __provider: provider!.code })).inputs;
  },
  create: (inputs: Record<string, unknown>) => provider!.create(inputs),
  update: (id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => provider!.update(id, { ...olds, __provider: provider!.code }, news),
  read: (id: string, props: Record<string, unknown>) => provider!.read(id, props),
  delete: (id: string, props: Record<string, unknown>) => provider!.delete(id, props),
  /** The SDK's AddUserToGroup, one awaited call per user. */
  async addUsers(group: string, userIds: string[]) {
    const members = official!.group(group);
    for (const userId of userIds) await members.addUser(userId);
  },
  /** The SDK's RemoveUserFromGroup, one awaited call per user. */
  async removeUsers(group: string, userIds: string[]) {
    const members = official!.group(group);
    for (const userId of userIds) await members.removeUser(userId);
  },
  async gc() {
    globalThis.gc?.();
  },
};

process.on('message', async ({ id, op, args }: RunnerCommand) => {
  let answer: RunnerAnswer;
  try {
    const started = performance.now();
    const value = await ops[op]!(...(args as never[]));
    answer = { id, value, ms: performance.now() - started };
  } catch (error) {
    answer = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  process.send!(answer);
});
process.on('disconnect', () => process.exit(0));
