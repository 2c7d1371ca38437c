/**
 * sendToAll throughput of our client, the official @azure/web-pubsub and raw undici, against one loopback 202 sink
 * in a separate process, at concurrency 1 and 32. Raw undici sends the very same request (same keep-alive pool
 * settings, headers, pre-signed token and pre-serialised body) with no validation, retry or timeout, two ways:
 * `pool.request()`, the documented call and the target's yardstick, and undici's bare handler API, the floor
 * (our client's transport uses that API too, so it can match `request()`; the floor shows what it still costs).
 *
 * Each contender runs in a process of its own (this file, run with `--contender`), as a pipeline step or a
 * provider host runs one client: side by side in one process, each paid for the others' garbage and JIT state,
 * and whoever ran second inherited the first one's heap. Rounds interleave the processes one at a time, so the
 * machine's bursts hit all alike. Then the floor and our client each run 20,000 requests at c=1 under V8's
 * profiler (in alternating batches), and the bench prints where each one's microseconds went: what is left between
 * us and the floor. Last, the floor spends that much more JavaScript busy before each request, beside our client:
 * if the two measure alike, the gap is our CPU and nothing else.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import { SignJWT } from 'jose';
import { Pool, type Dispatcher } from 'undici';
import { VERSION, WebPubSubServiceClient } from '../shared/index.js';
import { Child, pinApart, roleOf } from './child.js';
import { connectionsPerHundredCalls } from './connectionReuse.js';
import { CPU_CATEGORIES, type CpuBreakdown, cpuBreakdown, zeroBreakdown } from './cpuProfile.js';
import { compare, fmt, median, medianRatio, throughput } from './measure.js';
import { checkTarget, noteRatio, TARGETS } from './targets.js';

const KEY = 'bench-access-key-0123456789abcdefghijklmnopqrstuv';
const HUB = 'bench';
const MESSAGE = { event: 'deployed', version: 'v1.4.2', sha: '3f2a9c1', reload: true };
const CONCURRENCIES = [1, 32] as const;
const PROFILED_REQUESTS = 20_000;
const PROFILE_BATCHES = 10;
const CALIBRATION_ROUNDS = 5;
/** The profile's categories of JavaScript running: what a busy loop stands in for. */
const JS_CATEGORIES = ['webpubsub-action', 'undici', 'node', 'gc', 'other'] as const;
const OURS = 'webpubsub-action';
const REQUEST = 'undici pool.request()';
const FLOOR = 'undici handler API';
const OFFICIAL = '@azure/web-pubsub';
const CONTENDERS = [REQUEST, FLOOR, OURS, OFFICIAL] as const;
type ContenderName = (typeof CONTENDERS)[number];

type Command = { rate: { concurrency: number; durationMs: number; busyMicros?: number } } | { profile: number };
type Reply = { ready: true } | { rate: number } | { profile: CpuBreakdown };

export interface ClientBenchResult {
  /** Median requests per second by contender, then concurrency. */
  rates: Map<string, Map<number, number>>;
  /** Our client over each peer, by concurrency (medians of per-round ratios). */
  ratios: { vsRequest: Map<number, number>; vsFloor: Map<number, number>; vsOfficial: Map<number, number> };
  /** Microseconds per request at c=1 by category, for the floor and for our client. */
  profiles: { floor: CpuBreakdown; ours: CpuBreakdown };
  /**
   * The floor made to spend our client's extra JavaScript (from the profiles) busy before each request, against
   * the floor, and our client against the floor in the same rounds, at c=1.
   */
  calibration: { busyMicros: number; busyFloor: number; ours: number };
}

export async function benchClientSendToAll({ rounds = 9, durationMs = 800 } = {}): Promise<ClientBenchResult> {
  const sink = spawn(process.execPath, [fileURLToPath(new URL('./sink.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [portLine] = (await once(sink.stdout!, 'data')) as [Buffer];
  const endpoint = `http://127.0.0.1:${Number(portLine.toString())}`;
  const children = new Map(CONTENDERS.map((name) => [name, new Child<Command, Reply>(import.meta.url, ['--contender', name, endpoint])]));
  // The sink has a core of its own, as the service is another machine.
  const cores = pinApart(
    [sink.pid!],
    [...children.values()].map((child) => child.pid),
  );
  const pinned = cores ? `the sink pinned to core ${cores.alone}, each client to core ${cores.rest}` : 'not pinned';
  try {
    await Promise.all([...children.values()].map((child) => child.next()));
    const samples = await compare(
      CONTENDERS.map((name) => ({ name, rate: rateOf(children.get(name)!) })),
      CONCURRENCIES,
      { rounds, durationMs, label: 'client sendToAll' },
    );
    const of = (name: string, n: number) => samples.get(name)!.get(n)!;
    const ratio = (peer: string) => new Map(CONCURRENCIES.map((n) => [n, medianRatio(of(OURS, n), of(peer, n))]));
    const rates = new Map([...samples].map(([name, byN]) => [name, new Map([...byN].map(([n, values]) => [n, median(values)]))]));
    const profiles = await profileAlternately(children.get(FLOOR)!, children.get(OURS)!);
    const calibration = await calibrate(children.get(FLOOR)!, children.get(OURS)!, extraJavaScript(profiles), durationMs);
    const result = { rates, ratios: { vsRequest: ratio(REQUEST), vsFloor: ratio(FLOOR), vsOfficial: ratio(OFFICIAL) }, profiles, calibration };
    print(result, rounds, durationMs, pinned);
    const reuse = await connectionsPerHundredCalls();
    console.log('\nConnections opened per 100 sequential calls, counted at the emulator');
    console.log('| client | POST | HEAD | GET | DELETE |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [name, counts] of reuse) console.log(`| ${name} | ${counts.POST} | ${counts.HEAD} | ${counts.GET} | ${counts.DELETE} |`);
    return result;
  } finally {
    await Promise.all([...children.values()].map((child) => child.stop()));
    sink.kill();
  }
}

/** A contender's rate, measured in its own process (after `busyMicros` of busy work per request, if given). */
const rateOf = (child: Child<Command, Reply>, busyMicros?: number) => async (concurrency: number, durationMs: number) =>
  ((await child.ask({ rate: { concurrency, durationMs, busyMicros } })) as { rate: number }).rate;

/** Microseconds of JavaScript (GC included) our client spends per request beyond the floor's. */
const extraJavaScript = ({ floor, ours }: ClientBenchResult['profiles']) =>
  Math.max(
    0,
    JS_CATEGORIES.reduce((sum, category) => sum + ours[category] - floor[category], 0),
  );

/**
 * Is the gap at c=1 our client's CPU and nothing else (a byte or a syscall more)? The floor, made to spend as long
 * busy before each request as our client spends in JavaScript beyond it, should then fall as far as our client.
 * On loopback it falls further than the busy time alone: a request that comes later finds the sink asleep, and
 * its write pays for waking it.
 */
async function calibrate(floor: Child<Command, Reply>, ours: Child<Command, Reply>, busyMicros: number, durationMs: number) {
  const samples = await compare(
    [
      { name: 'floor', rate: rateOf(floor) },
      { name: 'busy', rate: rateOf(floor, busyMicros) },
      { name: 'ours', rate: rateOf(ours) },
    ],
    [1],
    { rounds: CALIBRATION_ROUNDS, durationMs, label: "client: the floor with our client's CPU" },
  );
  const c1 = (name: string) => samples.get(name)!.get(1)!;
  return { busyMicros, busyFloor: medianRatio(c1('busy'), c1('floor')), ours: medianRatio(c1('ours'), c1('floor')) };
}

/**
 * The floor's and our client's CPU profiles at c=1, in alternating batches (so that a burst of load on the machine
 * lands on both), averaged over the batches.
 */
async function profileAlternately(floor: Child<Command, Reply>, ours: Child<Command, Reply>): Promise<{ floor: CpuBreakdown; ours: CpuBreakdown }> {
  const sums = { floor: zeroBreakdown(), ours: zeroBreakdown() };
  for (let batch = 0; batch < PROFILE_BATCHES; batch++) {
    for (const [name, child] of [
      ['floor', floor],
      ['ours', ours],
    ] as const) {
      const { profile } = (await child.ask({ profile: PROFILED_REQUESTS / PROFILE_BATCHES })) as { profile: CpuBreakdown };
      for (const category of CPU_CATEGORIES) sums[name][category] += profile[category] / PROFILE_BATCHES;
    }
  }
  return sums;
}

function print({ rates, ratios, profiles, calibration }: ClientBenchResult, rounds: number, durationMs: number, pinned: string): void {
  console.log(
    `\nsendToAll to a loopback 202 sink (own process); each client in a process of its own (${pinned}); medians of ${rounds} interleaved rounds of ${durationMs} ms`,
  );
  console.log(`| client | ${CONCURRENCIES.map((n) => `c=${n} req/s`).join(' | ')} |`);
  console.log(`|---|${CONCURRENCIES.map(() => '---:').join('|')}|`);
  for (const [name, byConcurrency] of rates) console.log(`| ${name} | ${CONCURRENCIES.map((n) => fmt(byConcurrency.get(n)!)).join(' | ')} |`);
  for (const n of CONCURRENCIES) {
    if (n !== 1) noteRatio(`client vs the ${FLOOR} floor at c=${n}`, ratios.vsFloor.get(n)!);
    noteRatio(`client vs ${OFFICIAL} at c=${n}`, ratios.vsOfficial.get(n)!);
    console.log(
      `c=${n}: ${OURS} = ${checkTarget(`client vs ${REQUEST} at c=${n}`, ratios.vsRequest.get(n)!, TARGETS.clientVsRequest)} ${REQUEST}, ` +
        `${n === 1 ? checkTarget(`client vs the ${FLOOR} floor at c=1`, ratios.vsFloor.get(n)!, TARGETS.clientVsFloorAtC1) : `${ratios.vsFloor.get(n)!.toFixed(2)}x`} the ${FLOOR} floor, ` +
        `${ratios.vsOfficial.get(n)!.toFixed(1)}x ${OFFICIAL}`,
    );
  }
  const total = (breakdown: CpuBreakdown) => CPU_CATEGORIES.reduce((sum, name) => sum + breakdown[name], 0);
  const cell = (micros: number) => micros.toFixed(1);
  console.log(`\nWhere a request's time goes at c=1: µs per request under V8's profiler, ${fmt(PROFILED_REQUESTS)} requests each`);
  console.log(`| | ${CPU_CATEGORIES.join(' | ')} | all |`);
  console.log(`|---|${CPU_CATEGORIES.map(() => '---:').join('|')}|---:|`);
  console.log(`| ${FLOOR} | ${CPU_CATEGORIES.map((name) => cell(profiles.floor[name])).join(' | ')} | ${cell(total(profiles.floor))} |`);
  console.log(`| ${OURS} | ${CPU_CATEGORIES.map((name) => cell(profiles.ours[name])).join(' | ')} | ${cell(total(profiles.ours))} |`);
  const left = CPU_CATEGORIES.map((name) => ({ name, micros: profiles.ours[name] - profiles.floor[name] })).filter(({ micros }) => Math.abs(micros) >= 0.5);
  console.log(
    `left between ${OURS} and the floor: ${cell(total(profiles.ours) - total(profiles.floor))} µs per request ` +
      `(${left.map(({ name, micros }) => `${name} ${micros > 0 ? '+' : ''}${cell(micros)}`).join(', ')})`,
  );
  noteRatio(`the floor busy ${cell(calibration.busyMicros)} µs per request (our extra JavaScript) vs the floor, c=1`, calibration.busyFloor);
  console.log(
    `the floor made to spend ${cell(calibration.busyMicros)} µs busy before each request (our client's JavaScript beyond it, from the profiles): ` +
      `${calibration.busyFloor.toFixed(2)}x the floor; ${OURS} in the same rounds: ${calibration.ours.toFixed(2)}x`,
  );
}

/** One contender, ready to send: its client built and its first connection open. */
async function contender(name: ContenderName, endpoint: string): Promise<() => Promise<unknown>> {
  const connectionString = `Endpoint=${endpoint};AccessKey=${KEY};Version=1.0;`;
  if (name === OURS) {
    const ours = new WebPubSubServiceClient(connectionString, HUB, { logLevel: 'off' });
    return () => ours.sendToAll(MESSAGE);
  }
  if (name === OFFICIAL) {
    const official = new OfficialClient(connectionString, HUB, { allowInsecureConnection: true });
    return () => official.sendToAll(MESSAGE);
  }
  const path = `/api/hubs/${HUB}/:send?api-version=2024-12-01`;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(endpoint + path)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(KEY));
  const headers = {
    'content-type': 'application/json',
    'user-agent': `webpubsub-action/${VERSION} node/${process.versions.node}`,
    authorization: `Bearer ${token}`,
  };
  const request: Dispatcher.DispatchOptions = { method: 'POST', path, headers, body: JSON.stringify(MESSAGE) };
  const pool = new Pool(endpoint, { connections: 64 });
  return name === REQUEST ? () => requestSend(pool, request) : () => handlerSend(pool, request);
}

/** The documented call: a response object with a body stream, read to its end. */
async function requestSend(pool: Pool, options: Dispatcher.DispatchOptions): Promise<void> {
  const response = await pool.request(options as Dispatcher.RequestOptions);
  await response.body.text();
  if (response.statusCode !== 202) throw new Error(`sink answered ${response.statusCode}`);
}

/** undici's handler API, resolved on completion: nothing more than the wire needs. */
function handlerSend(pool: Pool, options: Dispatcher.DispatchOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    let status = 0;
    pool.dispatch(options, {
      onConnect() {},
      onHeaders(statusCode) {
        status = statusCode;
        return true;
      },
      onData: () => true,
      onComplete: () => (status === 202 ? resolve() : reject(new Error(`sink answered ${status}`))),
      onError: reject,
    });
  });
}

/** `run`, after spinning the CPU for `micros`: a client that does that much more work per request. */
const busyFirst = (run: () => Promise<unknown>, micros: number) => () => {
  const until = performance.now() + micros / 1000;
  while (performance.now() < until);
  return run();
};

/** A contender's process: measures its client when asked, until the channel closes. */
async function serveContender(name: ContenderName, endpoint: string): Promise<void> {
  const run = await contender(name, endpoint);
  await run();
  const reply = (message: Reply) => process.send!(message);
  process.on('message', async (command: Command) => {
    if ('rate' in command) {
      const { concurrency, durationMs, busyMicros } = command.rate;
      reply({ rate: await throughput(busyMicros ? busyFirst(run, busyMicros) : run, concurrency, durationMs) });
    } else reply({ profile: await cpuBreakdown(run, command.profile) });
  });
  process.on('disconnect', () => process.exit(0));
  reply({ ready: true });
}

if (roleOf(import.meta.url) === '--contender') await serveContender(process.argv[3] as ContenderName, process.argv[4]!);
