/**
 * The Pulumi group membership at scale, against one emulator with its WebSocket clients held in a process of their
 * own, every request counted at the emulator (bench/requestTally.ts):
 *
 * - Targets, at 1,000 members: the provider's create and then a 10% change (50 leave, 50 join), against the same
 *   work done by a sequential loop of the official `@azure/web-pubsub` SDK (`group(g).addUser` / `removeUser`),
 *   interleaved rounds, medians of per-round ratios.
 * - A sweep at 100, 1,000 and 10,000 members: time and requests of the provider's create, a 1% update, a 10%
 *   update and a no-change refresh, and how each grows between sizes.
 *
 * Each contender runs in a process of its own (bench/membershipRunner.ts), the provider as the provider host runs
 * it; the emulator, the request count and the check that each group holds exactly its members stay here.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../emulator/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import type { RunnerAnswer } from './membershipRunner.js';
import { fmt, median, medianRatio } from './measure.js';
import type { BenchOptions } from './options.js';
import { tallyRequests, type RequestTally } from './requestTally.js';
import { type Bound, checkTarget, noteRatio, progress, TARGETS } from './targets.js';

const HUB = 'bench';
/** The size the targets are measured at. */
const TARGET_MEMBERS = 1000;
const SWEEP = [100, 1000, 10_000] as const;
const ROUNDS = 5;
/** Sweep repetitions per size: fewer for the largest, whose create alone adds 10,000 users. */
const repetitionsAt = (members: number) => (members >= 10_000 ? 1 : 3);
/** The service's largest page of a group listing. */
const PAGE = 200;
/** A no-change refresh may cost its pages plus this many requests. */
const REFRESH_SLACK = 5;

const PHASES = ['create', 'refresh', 'update1', 'update10'] as const;
type Phase = (typeof PHASES)[number];
const PHASE_NAMES: Record<Phase, string> = {
  create: 'create',
  refresh: 'no-change refresh',
  update1: '1% update',
  update10: '10% update',
};

interface Timing {
  create: number;
  update: number;
}

interface Cost {
  ms: number;
  requests: number;
}

export interface PulumiBenchResult {
  /** Median per-round ratios SDK / provider at 1,000 members: the create, the 10% update, and both. */
  ratios: { create: number; update: number; total: number };
  /** Median milliseconds of the create and the 10% update, by contender. */
  medians: { provider: Timing; sdk: Timing };
  /** Median cost of each phase by sweep size. */
  sweep: Map<number, Record<Phase, Cost>>;
}

/** The users, the members before and after a change of `fraction` (half leave, half join), by size. */
class Roster {
  readonly users: string[];
  #next: number;

  constructor(maxMembers: number) {
    // Every size takes its members from the front and its joiners from past the largest size's members.
    const joiners = changeOf(maxMembers, 0.01) + changeOf(maxMembers, 0.1);
    this.users = Array.from({ length: maxMembers + joiners }, (_, i) => `user-${String(i).padStart(5, '0')}`);
    this.#next = maxMembers;
  }

  members(size: number): string[] {
    return this.users.slice(0, size);
  }

  /** Everyone a change of `fraction` at `size` involves: the members and the joiners. */
  forChange(size: number, fraction: number): string[] {
    return [...new Set([...this.members(size), ...this.changed(this.members(size), size, fraction, 0)])];
  }

  /** `members` after `changeOf(size, fraction)` of them leave and as many join (users kept for joining). */
  changed(members: readonly string[], size: number, fraction: number, joinerOffset: number): string[] {
    const count = changeOf(size, fraction);
    const start = this.#next + joinerOffset;
    return [...members.slice(count), ...this.users.slice(start, start + count)].sort();
  }
}

/** How many members leave (and as many join) in a change of `fraction` of `size`: at least one. */
function changeOf(size: number, fraction: number): number {
  return Math.max(1, Math.round((size * fraction) / 2));
}

export async function benchPulumiMembership({ quick = false, members: maxOption }: Partial<BenchOptions> = {}): Promise<PulumiBenchResult> {
  const maxMembers = maxOption ?? (quick ? TARGET_MEMBERS : SWEEP[SWEEP.length - 1]);
  // The standard sizes up to the largest asked for, and that size itself (`--members 5000` sweeps 100, 1,000, 5,000).
  const sizes = [...new Set([...SWEEP.filter((size) => size <= maxMembers), maxMembers])];
  const targetSize = Math.min(TARGET_MEMBERS, maxMembers);
  const rounds = quick ? 3 : ROUNDS;
  if (maxMembers >= 10_000)
    progress('Pulumi: the 10,000-member sweep holds 10,550 WebSocket clients and takes a few minutes; --members 1000 (or --quick) scales it down');

  const emulator = await startEmulator({ port: 0 });
  const core = new WebPubSubServiceClient(emulator.connectionString, HUB, { logLevel: 'off' });
  const tally = tallyRequests((path) => path.startsWith(`/api/hubs/${HUB}/`));
  const roster = new Roster(maxMembers);
  const stops: (() => void)[] = [];
  const fleet = spawn(process.execPath, [fileURLToPath(new URL('./fleet.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const connect = async (userIds: readonly string[]) => {
      progress(`Pulumi: connecting ${fmt(userIds.length)} more WebSocket clients (in a process of their own)`);
      const urls: string[] = [];
      for (const userId of userIds) urls.push((await core.getClientAccessToken({ userId })).url);
      fleet.stdin!.write(`${JSON.stringify(urls)}\n`);
      await once(fleet.stdout!, 'data');
    };
    const runners = await Promise.all([Runner.start('provider', emulator.connectionString), Runner.start('sdk', emulator.connectionString)]);
    stops.push(...runners.map((runner) => () => runner.stop()));
    const bench = new MembershipBench(runners[0], runners[1], core, emulator, tally, roster);

    // The targets first, with only their own clients connected: the emulator's bulk operations scan the whole hub,
    // so the sweep's 10,000 other clients would slow both contenders for reasons of the emulator's own.
    const forTargets = new Set(roster.forChange(targetSize, 0.1));
    await connect([...forTargets]);
    const { ratios, medians } = await bench.targets(targetSize, rounds);
    await connect(roster.users.filter((userId) => !forTargets.has(userId)));
    const sweep = new Map<number, Record<Phase, Cost>>();
    for (const size of sizes) sweep.set(size, await bench.sweep(size, repetitionsAt(size)));
    print({ ratios, medians, sweep }, targetSize, rounds);
    return { ratios, medians, sweep };
  } finally {
    for (const stop of stops) stop();
    tally.stop();
    fleet.stdin!.end();
    await once(fleet, 'exit');
    await core.close();
    await emulator.close();
  }
}

/** A contender's process: commands over IPC, answers with the milliseconds each took there. */
class Runner {
  #child: ChildProcess;
  #next = 0;
  #waiting = new Map<number, (answer: RunnerAnswer) => void>();

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (answer: RunnerAnswer) => {
      this.#waiting.get(answer.id)?.(answer);
      this.#waiting.delete(answer.id);
    });
  }

  static async start(role: 'provider' | 'sdk', connectionString: string): Promise<Runner> {
    const path = fileURLToPath(new URL('./membershipRunner.js', import.meta.url));
    const runner = new Runner(fork(path, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await runner.call('start', role, connectionString, HUB);
    return runner;
  }

  /** Runs `op` there; its value, and how long it took there. */
  call<T = unknown>(op: string, ...args: unknown[]): Promise<{ value: T; ms: number }> {
    const id = ++this.#next;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, ({ value, ms, error }) => (error === undefined ? resolve({ value: value as T, ms: ms! }) : reject(new Error(`${op}: ${error}`))));
      this.#child.send({ id, op, args });
    });
  }

  stop(): void {
    this.#child.disconnect();
  }
}

class MembershipBench {
  #groups = 0;

  constructor(
    readonly provider: Runner,
    readonly sdk: Runner,
    readonly core: WebPubSubServiceClient,
    readonly emulator: Awaited<ReturnType<typeof startEmulator>>,
    readonly tally: RequestTally,
    readonly roster: Roster,
  ) {}

  /** The create and the 10% update at `size`, provider and SDK in alternating order, per-round ratios. */
  async targets(size: number, rounds: number): Promise<Pick<PulumiBenchResult, 'ratios' | 'medians'>> {
    const before = this.roster.members(size);
    const after = this.roster.changed(before, size, 0.1, 0);
    const provider: Timing[] = [];
    const sdk: Timing[] = [];
    for (let round = -1; round < rounds; round++) {
      progress(round < 0 ? 'Pulumi converge: warming up' : `Pulumi converge: round ${round + 1} of ${rounds}`);
      const contenders = [
        async () => {
          const group = this.#group();
          await this.provider.call('gc');
          const created = await this.#create(group, before);
          const updated = await this.#update(created.outs, after);
          this.#expect(group, after);
          await this.provider.call('delete', created.id, updated.outs);
          return { create: created.cost.ms, update: updated.cost.ms };
        },
        async () => {
          const group = this.#group();
          await this.sdk.call('gc');
          const create = (await this.sdk.call('addUsers', group, before)).ms;
          const joiners = after.filter((userId) => !before.includes(userId));
          const update =
            (await this.sdk.call('removeUsers', group, before.slice(0, changeOf(size, 0.1)))).ms + (await this.sdk.call('addUsers', group, joiners)).ms;
          this.#expect(group, after);
          // Empty the group, so that later listings of its members' connections stay short.
          await this.core.removeConnectionsFromGroups([group], `userId in (${after.map((u) => `'${u}'`).join(',')})`);
          return { create, update };
        },
      ];
      const order = round % 2 ? [0, 1] : [1, 0];
      for (const index of order) {
        const timing = await contenders[index]!();
        if (round >= 0) (index === 0 ? provider : sdk).push(timing);
      }
    }
    const ratio = (phase: (t: Timing) => number) => medianRatio(sdk.map(phase), provider.map(phase));
    const medians = (timings: Timing[]) => ({ create: median(timings.map((t) => t.create)), update: median(timings.map((t) => t.update)) });
    return {
      ratios: { create: ratio((t) => t.create), update: ratio((t) => t.update), total: ratio((t) => t.create + t.update) },
      medians: { provider: medians(provider), sdk: medians(sdk) },
    };
  }

  /** Every phase at `size`, `repetitions` times on fresh groups; median times, requests of the last. */
  async sweep(size: number, repetitions: number): Promise<Record<Phase, Cost>> {
    const members = this.roster.members(size);
    const after1 = this.roster.changed(members, size, 0.01, 0);
    const after10 = this.roster.changed(after1, size, 0.1, changeOf(size, 0.01));
    const runs: Record<Phase, Cost>[] = [];
    for (let repetition = 0; repetition < repetitions; repetition++) {
      progress(`Pulumi sweep: ${fmt(size)} members, repetition ${repetition + 1} of ${repetitions}`);
      await this.provider.call('gc');
      const group = this.#group();
      const created = await this.#create(group, members);
      this.#expect(group, members);
      const refreshed = await this.#cost(() => this.provider.call('read', created.id, created.outs));
      const update1 = await this.#update(created.outs, after1);
      this.#expect(group, after1);
      const update10 = await this.#update(update1.outs, after10);
      this.#expect(group, after10);
      await this.provider.call('delete', created.id, update10.outs);
      runs.push({ create: created.cost, refresh: refreshed.cost, update1: update1.cost, update10: update10.cost });
    }
    return Object.fromEntries(
      PHASES.map((phase) => [phase, { ms: median(runs.map((run) => run[phase].ms)), requests: runs[runs.length - 1]![phase].requests }]),
    ) as Record<Phase, Cost>;
  }

  #group(): string {
    return `group-${++this.#groups}`;
  }

  async #create(group: string, userIds: string[]) {
    const { value: inputs } = await this.provider.call<Record<string, unknown>>('check', { hub: HUB, group, userIds });
    const { value, cost } = await this.#cost(() => this.provider.call<{ id: string; outs: Record<string, unknown> }>('create', inputs));
    return { id: value.id, outs: value.outs, cost };
  }

  async #update(olds: Record<string, unknown>, userIds: string[]) {
    const { value: inputs } = await this.provider.call<Record<string, unknown>>('check', { hub: HUB, group: olds.group, userIds });
    const id = `${HUB}/groups/${encodeURIComponent(olds.group as string)}`;
    const { value, cost } = await this.#cost(() => this.provider.call<{ outs: Record<string, unknown> }>('update', id, olds, inputs));
    return { outs: value.outs, cost };
  }

  /** What `work` cost: its time inside the contender's process, and the requests the emulator saw. */
  async #cost<T>(work: () => Promise<{ value: T; ms: number }>): Promise<{ value: T; cost: Cost }> {
    this.tally.reset();
    const { value, ms } = await work();
    return { value, cost: { ms, requests: this.tally.total() } };
  }

  /** Fails the run when the emulator's group does not hold exactly `userIds`: a fast wrong answer is no answer. */
  #expect(group: string, userIds: readonly string[]): void {
    const members = this.emulator
      .connections(HUB)
      .filter((c) => c.groups.includes(group))
      .map((c) => c.userId)
      .sort();
    if (members.join() !== [...userIds].sort().join()) throw new Error(`group ${group} holds ${members.length} users, not the ${userIds.length} it should`);
  }
}

function print({ ratios, medians, sweep }: PulumiBenchResult, targetSize: number, rounds: number): void {
  const change = changeOf(targetSize, 0.1);
  console.log(`\nGroup membership of ${fmt(targetSize)} connected users, create then a 10% change; medians of ${rounds} alternating rounds`);
  console.log(`| contender | create (${fmt(targetSize)} users) | update (${change} leave, ${change} join) | total |`);
  console.log('|---|---:|---:|---:|');
  const row = (name: string, { create, update }: Timing) => console.log(`| ${name} | ${fmt(create)} ms | ${fmt(update)} ms | ${fmt(create + update)} ms |`);
  row('Pulumi provider (bulk by filter, one read)', medians.provider);
  row('@azure/web-pubsub, sequential group(g).addUser / removeUser', medians.sdk);
  // The targets are set at 1,000 members; a smaller run reports its ratios without judging them.
  const judge = (what: string, ratio: number, bound: Bound) => {
    if (targetSize === TARGET_MEMBERS) return checkTarget(what, ratio, bound);
    noteRatio(`${what} (${fmt(targetSize)} members)`, ratio);
    return `${ratio.toFixed(2)}x (the target applies at ${fmt(TARGET_MEMBERS)} members)`;
  };
  console.log(
    `provider = ${judge('Pulumi converge (create + 10% update) vs a sequential SDK loop', ratios.total, TARGETS.pulumiConverge)} in total; ` +
      `${ratios.create.toFixed(1)}x for the create; the 10% update alone ${judge('Pulumi 10% update vs a sequential SDK loop', ratios.update, TARGETS.pulumiUpdate)}`,
  );
  noteRatio('Pulumi create vs a sequential SDK loop', ratios.create);

  const sizes = [...sweep.keys()];
  console.log('\nPulumi provider sweep: median time and requests (counted at the emulator) per phase; the SDK loop sends one request per changed user');
  console.log(
    `| phase | ${sizes.map((size) => `${fmt(size)} members`).join(' | ')} | ${sizes
      .slice(1)
      .map((size, i) => `growth ${fmt(sizes[i]!)} to ${fmt(size)}`)
      .join(' | ')} |`,
  );
  console.log(
    `|---|${sizes.map(() => '---:').join('|')}|${sizes
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  );
  for (const phase of PHASES) {
    const cells = sizes.map((size) => {
      const { ms, requests } = sweep.get(size)![phase];
      return `${ms < 10 ? ms.toFixed(1) : fmt(ms)} ms, ${fmt(requests)} req`;
    });
    const growth = sizes.slice(1).map((size, i) => {
      const [a, b] = [sweep.get(sizes[i]!)![phase], sweep.get(size)![phase]];
      return `${(b.ms / a.ms).toFixed(1)}x time, ${(b.requests / a.requests).toFixed(1)}x req`;
    });
    console.log(`| ${PHASE_NAMES[phase]} | ${cells.join(' | ')} | ${growth.join(' | ')} |`);
  }
  const largest = sizes[sizes.length - 1]!;
  const pages = Math.ceil(largest / PAGE);
  const refresh = sweep.get(largest)!.refresh.requests;
  console.log(
    `no-change refresh of ${fmt(largest)} members: ${refresh} requests for ${pages} pages = ` +
      checkTarget(`Pulumi no-change refresh requests / pages at ${fmt(largest)} members`, refresh / pages, { atMost: (pages + REFRESH_SLACK) / pages }),
  );
}
