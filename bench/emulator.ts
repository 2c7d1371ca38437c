/**
 * Broadcast fan-out and idle-connection memory of the emulator against a bare `ws` server, same run, same machine.
 *
 * Every part runs in a process of its own (this file, run with `--serve` or `--clients`): per side one server
 * process and one process holding its clients, so that a server's memory is its own and 10,000 connections per
 * process fit the file-descriptor limit. This process only coordinates. A round is one broadcast: the server is
 * asked over IPC, and the round ends when every client has the message.
 * - emulator: a REST `sendToAll` through our core client to the emulator in the same process (auth, routing and
 *   validation included), reaching clients that are a third plain, a third json.webpubsub.azure.v1 and a third
 *   protobuf.webpubsub.azure.v1;
 * - bare: a `ws` server looping `send()` of the same payload over its sockets, all plain.
 * Both sides stay connected and rounds alternate between them one by one, so that bursts of load on a shared
 * machine hit both alike; the rate is taken from the median round. Memory is read in each server process after a
 * GC, before and after its clients connect (the subprotocol clients have their `connected` frame by then), once a
 * first batch of clients has come and gone: heap and RSS deltas per connection.
 *
 * Sizes 1,000 and 10,000 clients; `npm run bench -- emulator --quick` runs 1,000 and 2,000 for a small machine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { startEmulator } from '../emulator/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { Child as BenchChild, roleOf } from './child.js';
import { fmt, median } from './measure.js';
import { checkTarget, noteRatio, progress, TARGETS } from './targets.js';

const DEFAULT_SIZES = [1000, 10_000];
/** For a small or busy machine (`--quick`). */
export const QUICK_SIZES = [1000, 2000];
const CONNECT_BATCH = 250;
const WARM_UP_CLIENTS = 250;
const PAYLOAD = {
  type: 'deploy',
  service: 'checkout',
  version: '1.4.2',
  status: 'succeeded',
  text: 'Deployment finished; reload to get the new version.'.repeat(3),
};
const SUBPROTOCOLS = [undefined, 'json.webpubsub.azure.v1', 'protobuf.webpubsub.azure.v1'] as const;

type Side = 'emulator' | 'bare';
type Memory = { heap: number; rss: number };

/** What the child processes report, in answer to one command each. */
type Reply = { ready: string } | { memory: Memory } | { cpu: number } | { done: true };
/**
 * What a server process is asked: its memory, or to broadcast once. A client process is told how many messages its
 * clients will have in all after this broadcast (a total, so that messages that overtake the command still count).
 */
type Command = 'memory' | 'cpu' | 'broadcast' | { arm: number };

/** A server or client process of this section. */
class Child extends BenchChild<Command, Reply> {
  constructor(args: string[]) {
    super(import.meta.url, args);
  }
}

/** One side: its server process and the process of its clients. */
interface Contender {
  side: Side;
  server: Child;
  clients: Child;
  /** Server heap and RSS per connection. */
  memory: Memory;
  times: number[];
  /** Server CPU microseconds (user and system) over the measured rounds. */
  cpu: number;
  /** Broadcasts so far. */
  rounds: number;
  count: number;
}

async function startSide(side: Side, count: number): Promise<Contender> {
  const server = new Child(['--serve', side]);
  const { ready: url } = (await server.next()) as { ready: string };
  // A first batch connects and leaves, so that code compiled and buffers sized on the first connections count
  // before the baseline, not per connection.
  const warmUp = new Child(['--clients', side, url, String(WARM_UP_CLIENTS)]);
  await warmUp.next();
  await warmUp.stop();
  await sleep(500);
  const before = ((await server.ask('memory')) as { memory: Memory }).memory;
  const clients = new Child(['--clients', side, url, String(count)]);
  await clients.next();
  const after = ((await server.ask('memory')) as { memory: Memory }).memory;
  return {
    side,
    server,
    clients,
    times: [],
    cpu: 0,
    rounds: 0,
    count,
    memory: { heap: (after.heap - before.heap) / count, rss: (after.rss - before.rss) / count },
  };
}

/** One broadcast; milliseconds until every client has it. */
async function round(contender: Contender): Promise<number> {
  const { server, clients } = contender;
  const received = clients.ask({ arm: ++contender.rounds * contender.count });
  const started = performance.now();
  await Promise.all([server.ask('broadcast'), received]);
  return performance.now() - started;
}

/** What the bench returns for one size. */
export interface FanOutResult {
  clients: number;
  emulatorDeliveriesPerSec: number;
  bareDeliveriesPerSec: number;
  ratio: number;
  /** Median bytes per idle connection, emulator and bare. */
  heapPerConnection: { emulator: number; bare: number };
  rssPerConnection: { emulator: number; bare: number };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * Runs the fan-out and memory bench at each size, prints a table per size and records the targets: broadcast
 * deliveries per second at least 1.0x bare `ws`, heap and RSS per idle connection at most 1.3x bare `ws`.
 */
export async function benchEmulatorBroadcast({ sizes = DEFAULT_SIZES }: { sizes?: number[] } = {}): Promise<FanOutResult[]> {
  const results: FanOutResult[] = [];
  for (const clients of sizes) {
    // Fewer rounds with more clients: a round costs ten times as much.
    const rounds = clients >= 5000 ? 40 : 200;
    progress(`emulator fan-out: connecting ${clients} clients to each side`);
    const sides: Contender[] = [];
    try {
      for (const side of ['emulator', 'bare'] as const) sides.push(await startSide(side, clients));
      const [emulator, bare] = sides as [Contender, Contender];
      for (let i = 0; i < rounds / 4; i++) for (const side of sides) await round(side);
      progress(`emulator fan-out to ${clients} clients: ${rounds} rounds each side, alternating`);
      const cpuNow = async (side: Contender) => ((await side.server.ask('cpu')) as { cpu: number }).cpu;
      for (const side of sides) side.cpu = -(await cpuNow(side));
      for (let i = 0; i < rounds; i++) for (const side of i % 2 ? [bare, emulator] : [emulator, bare]) side.times.push(await round(side));
      for (const side of sides) side.cpu += await cpuNow(side);

      const perSecond = (side: Contender) => clients / (median(side.times) / 1000);
      const result: FanOutResult = {
        clients,
        emulatorDeliveriesPerSec: perSecond(emulator),
        bareDeliveriesPerSec: perSecond(bare),
        ratio: perSecond(emulator) / perSecond(bare),
        heapPerConnection: { emulator: emulator.memory.heap, bare: bare.memory.heap },
        rssPerConnection: { emulator: emulator.memory.rss, bare: bare.memory.rss },
      };
      results.push(result);

      const bytes = Buffer.byteLength(JSON.stringify(PAYLOAD));
      const third = Math.round(clients / 3);
      console.log(`\nBroadcast of a ${bytes}-byte JSON message to ${clients} WebSocket clients (${rounds} rounds each side, alternating)`);
      console.log(
        '| contender | median fan-out (ms) | deliveries/s | server CPU per delivery | server heap per idle connection | server RSS per idle connection |',
      );
      console.log('|---|---:|---:|---:|---:|---:|');
      const cpuPerDelivery = (side: Contender) => side.cpu / (rounds * clients);
      const row = (name: string, side: Contender) =>
        console.log(
          `| ${name} | ${median(side.times).toFixed(2)} | ${fmt(perSecond(side))} | ${cpuPerDelivery(side).toFixed(2)} µs | ${kib(side.memory.heap)} | ${kib(side.memory.rss)} |`,
        );
      row(`emulator REST sendToAll (~${third} plain + ~${third} json + ~${third} protobuf clients)`, emulator);
      row(`bare ws server loop (${clients} plain clients)`, bare);
      console.log(`emulator / bare, deliveries/s: ${checkTarget(`emulator fan-out vs bare ws, ${clients} clients`, result.ratio, TARGETS.emulatorVsWs)}`);
      // CPU is immune to the scheduling delays of a loaded machine that the rounds' wall time includes.
      const cpuRatio = cpuPerDelivery(bare) / cpuPerDelivery(emulator);
      noteRatio(`emulator fan-out vs bare ws, server CPU, ${clients} clients`, cpuRatio);
      console.log(`emulator / bare, deliveries per server CPU second: ${cpuRatio.toFixed(2)}x`);
      // Memory per connection is a target at the largest size, where the fixed costs of a process weigh least.
      if (clients === Math.max(...sizes)) {
        const heapRatio = result.heapPerConnection.emulator / result.heapPerConnection.bare;
        const rssRatio = result.rssPerConnection.emulator / result.rssPerConnection.bare;
        console.log(
          `emulator / bare, heap per idle connection: ${checkTarget(`emulator heap per connection vs bare ws, ${clients}`, heapRatio, TARGETS.emulatorMemoryVsWs)}`,
        );
        console.log(
          `emulator / bare, RSS per idle connection: ${checkTarget(`emulator RSS per connection vs bare ws, ${clients}`, rssRatio, TARGETS.emulatorMemoryVsWs)}`,
        );
      }
    } finally {
      await Promise.all(sides.flatMap((side) => [side.clients.stop(), side.server.stop()]));
    }
  }
  return results;
}

/** The heap and RSS of this process after a full GC (the server process runs with --expose-gc). */
function memoryNow(): { heap: number; rss: number } {
  for (let i = 0; i < 3; i++) globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

/** A server process: one side, answering the coordinator's commands until it goes away. */
async function serve(side: Side): Promise<void> {
  const reply = (message: Reply) => process.send!(message);
  let broadcast: () => Promise<unknown> | undefined;
  if (side === 'emulator') {
    const emulator = await startEmulator({ port: 0, logger: () => {} });
    const client = new WebPubSubServiceClient(emulator.connectionString, 'bench', { retry: { maxRetries: 0 }, logLevel: 'off' });
    const { url } = await client.getClientAccessToken({ expirationTimeInMinutes: 60 });
    broadcast = () => client.sendToAll(PAYLOAD);
    reply({ ready: url });
  } else {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await once(server, 'listening');
    const sockets: WebSocket[] = [];
    server.on('connection', (socket) => sockets.push(socket));
    const payload = Buffer.from(JSON.stringify(PAYLOAD));
    const text = { binary: false };
    broadcast = () => {
      for (const socket of sockets) socket.send(payload, text);
      return undefined;
    };
    reply({ ready: `ws://127.0.0.1:${(server.address() as { port: number }).port}` });
  }
  process.on('message', (command: Command) => {
    if (command === 'memory') reply({ memory: memoryNow() });
    else if (command === 'cpu') {
      const { user, system } = process.cpuUsage();
      reply({ cpu: user + system });
    } else void Promise.resolve(broadcast()).then(() => reply({ done: true }));
  });
  process.on('disconnect', () => process.exit(0));
}

/** A client process: `count` clients of one side, reporting when every client has the broadcast it was armed for. */
async function holdClients(side: Side, url: string, count: number): Promise<void> {
  let received = 0;
  let target = Number.POSITIVE_INFINITY;
  const onMessage = () => {
    if (++received === target) process.send!({ done: true } satisfies Reply);
  };
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - start) }, async (_, j) => {
      const protocol = side === 'emulator' ? SUBPROTOCOLS[(start + j) % SUBPROTOCOLS.length] : undefined;
      const socket = new WebSocket(url, protocol ? [protocol] : [], { perMessageDeflate: false });
      // A subprotocol client is ready once it has its connected frame.
      await once(socket, protocol ? 'message' : 'open');
      socket.on('message', onMessage);
      return socket;
    });
    sockets.push(...(await Promise.all(batch)));
  }
  process.on('message', (command: { arm: number }) => {
    target = command.arm;
    if (received >= target) process.send!({ done: true } satisfies Reply);
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: 'connected' } satisfies Reply);
}

const role = roleOf(import.meta.url);
if (role === '--serve') await serve(process.argv[3] as Side);
else if (role === '--clients') await holdClients(process.argv[3] as Side, process.argv[4]!, Number(process.argv[5]));
