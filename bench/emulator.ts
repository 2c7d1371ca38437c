/**
 * Broadcast fan-out and idle-connection memory of the emulator against a bare `ws` server, same run, same machine.
 *
 * Every part runs in a process of its own (this file, run with `--serve` or `--clients`): per side one server
 * process and one process holding its clients, so that a server's memory is its own and 10,000 connections per
 * process fit the file-descriptor limit. This process coordinates, and asks each server for one broadcast a round
 * over HTTP, as a pipeline asks a server; the round ends when every client has the message.
 * - emulator: a REST `sendToAll` from our core client in this process, auth, routing and validation included,
 *   reaching clients that are a third plain, a third json.webpubsub.azure.v1 and a third protobuf.webpubsub.azure.v1;
 * - bare: a `ws` server, asked by a plain POST, looping `send()` over its sockets, to the same mix of clients, each
 *   sent the very bytes the emulator sends a client of its kind (the payload, the json.webpubsub.azure.v1 frame, the
 *   protobuf message); one client of each kind checks that both sides delivered the same bytes.
 * The clients share the machine's two cores with the server being measured, so they cost as little as a receiver
 * can (bench/frameCounter.ts): with `ws` clients parsing every frame, the receiving process was the bottleneck and
 * the rounds measured it more than either server.
 * Both sides stay connected and rounds alternate between them one by one, so that bursts of load on a shared
 * machine hit both alike; the rate is taken from the median round. Memory is read in each server process after a
 * GC, before and after its clients connect (the subprotocol clients have their `connected` frame by then), once a
 * first batch of clients has come and gone: heap and RSS deltas per connection.
 *
 * Sizes 1,000 and 10,000 clients; `npm run bench -- emulator --quick` runs 1,000 and 2,000 for a small machine.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Pool } from 'undici';
import { WebSocket, WebSocketServer } from 'ws';
import { startEmulator } from '../emulator/index.js';
import { OutboundMessage } from '../emulator/state/outboundMessage.js';
import { dataMessageBody, dataMessageFrame } from '../emulator/websocket/protobufFrames.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { Child as BenchChild, pinApart, roleOf } from './child.js';
import { connectCounting } from './frameCounter.js';
import { fmt, median } from './measure.js';
import { checkTarget, noteRatio, progress, TARGETS } from './targets.js';

const DEFAULT_SIZES = [1000, 10_000];
/** For a small or busy machine (`--quick`). */
export const QUICK_SIZES = [1000, 2000];
const CONNECT_BATCH = 250;
const WARM_UP_CLIENTS = 250;
/** REST calls timed for the fixed cost in front of a fan-out. */
const REST_SAMPLES = 200;
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
type Reply =
  | { ready: string; connectionString?: string; broadcastUrl?: string }
  | { memory: Memory }
  | { cpu: number }
  | { done: true }
  | { delivered: Record<string, string> };
/**
 * What a server process is asked over IPC: its memory or its CPU time (broadcasts are asked over HTTP). A client process is told how many messages its
 * clients will have in all after this broadcast (a total, so that messages that overtake the command still count).
 */
type Command = 'memory' | 'cpu' | 'delivered' | { arm: number };

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
  /** Starts one broadcast; resolves when the server has written it to every socket. */
  broadcast: () => Promise<unknown>;
  /** The emulator's REST client, in this process as a pipeline's is in its own. */
  client?: WebPubSubServiceClient;
  /** Where its processes run, for the output. */
  pinned: string;
  /** Closes what `broadcast` holds open. */
  close: () => Promise<void>;
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
  const { ready: url, connectionString, broadcastUrl } = (await server.next()) as { ready: string; connectionString?: string; broadcastUrl?: string };
  // Both are asked over HTTP from this process, as a pipeline asks a server: the emulator by its REST sendToAll,
  // the bare server by a plain POST (the least a server can be asked by; its body is not even read as JSON).
  const client = connectionString ? new WebPubSubServiceClient(connectionString, 'bench', { retry: { maxRetries: 0 }, logLevel: 'off' }) : undefined;
  const target = broadcastUrl ? new URL(broadcastUrl) : undefined;
  const pool = target ? new Pool(target.origin) : undefined;
  const post = { method: 'POST', path: target?.pathname ?? '', headers: { 'content-type': 'application/json' }, body: JSON.stringify(PAYLOAD) } as const;
  const broadcast = client
    ? () => client.sendToAll(PAYLOAD)
    : async () => {
        const response = await pool!.request(post);
        await response.body.dump();
      };
  // A first batch connects and leaves, so that code compiled and buffers sized on the first connections count
  // before the baseline, not per connection.
  const warmUp = new Child(['--clients', url, String(WARM_UP_CLIENTS)]);
  await warmUp.next();
  await warmUp.stop();
  await sleep(500);
  const before = ((await server.ask('memory')) as { memory: Memory }).memory;
  const clients = new Child(['--clients', url, String(count)]);
  await clients.next();
  // The receivers on a core of their own, each side's server on the other: the same layout for both sides.
  const cores = pinApart([clients.pid], [server.pid]);
  const after = ((await server.ask('memory')) as { memory: Memory }).memory;
  return {
    side,
    server,
    clients,
    broadcast,
    client,
    pinned: cores ? `servers on core ${cores.rest}, receivers on core ${cores.alone}` : 'not pinned',
    close: async () => {
      await client?.close();
      await pool?.close();
    },
    times: [],
    cpu: 0,
    rounds: 0,
    count,
    memory: { heap: (after.heap - before.heap) / count, rss: (after.rss - before.rss) / count },
  };
}

/** One broadcast; milliseconds until every client has it. */
async function round(contender: Contender): Promise<number> {
  const { clients } = contender;
  const received = clients.ask({ arm: ++contender.rounds * contender.count });
  const started = performance.now();
  await Promise.all([contender.broadcast(), received]);
  return performance.now() - started;
}

/** The median time of the emulator's REST send when it delivers to nobody: what the call costs in front of a fan-out. */
async function restCallMs(client: WebPubSubServiceClient): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REST_SAMPLES; i++) {
    const started = performance.now();
    await client.sendToGroup('nobody', PAYLOAD);
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Both sides' clients of each kind received the same bytes in a broadcast; throws otherwise. */
async function checkSameDeliveries(emulator: Contender, bare: Contender): Promise<void> {
  const delivered = async (side: Contender) => ((await side.clients.ask('delivered')) as { delivered: Record<string, string> }).delivered;
  const [ours, theirs] = [await delivered(emulator), await delivered(bare)];
  for (const kind of Object.keys(ours)) {
    if (ours[kind] !== theirs[kind]) throw new Error(`the bare ws side delivered other bytes than the emulator to a ${kind} client`);
  }
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
    const rounds = clients >= 5000 ? 100 : 200;
    progress(`emulator fan-out: connecting ${clients} clients to each side`);
    const sides: Contender[] = [];
    try {
      for (const side of ['emulator', 'bare'] as const) sides.push(await startSide(side, clients));
      const [emulator, bare] = sides as [Contender, Contender];
      for (let i = 0; i < rounds / 4; i++) for (const side of sides) await round(side);
      await checkSameDeliveries(emulator, bare);
      progress(`emulator fan-out to ${clients} clients: ${rounds} rounds each side, alternating`);
      const cpuNow = async (side: Contender) => ((await side.server.ask('cpu')) as { cpu: number }).cpu;
      for (const side of sides) side.cpu = -(await cpuNow(side));
      for (let i = 0; i < rounds; i++) for (const side of i % 2 ? [bare, emulator] : [emulator, bare]) side.times.push(await round(side));
      for (const side of sides) side.cpu += await cpuNow(side);
      const restMs = await restCallMs(emulator.client!);

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
      console.log(`\nBroadcast of a ${bytes}-byte JSON message to ${clients} WebSocket clients (${rounds} rounds each side, alternating; ${emulator.pinned})`);
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
      row('bare ws server loop (the same clients, sent the same bytes)', bare);
      console.log(
        `the REST call in front of the emulator's fan-out (the same send to a group nobody is in): ${restMs.toFixed(2)} ms, ` +
          `${((restMs / median(emulator.times)) * 100).toFixed(1)}% of its median round`,
      );
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
      await Promise.all(sides.flatMap((side) => [side.clients.stop(), side.server.stop(), side.close()]));
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
  if (side === 'emulator') {
    const emulator = await startEmulator({ port: 0, logger: () => {} });
    const client = new WebPubSubServiceClient(emulator.connectionString, 'bench', { logLevel: 'off' });
    const { url } = await client.getClientAccessToken({ expirationTimeInMinutes: 60 });
    await client.close();
    reply({ ready: url, connectionString: emulator.connectionString });
  } else {
    // What the emulator sends each kind of client (built once here, with the emulator's own encoders).
    const message = new OutboundMessage({ from: 'server' }, { dataType: 'json', json: JSON.stringify(PAYLOAD) });
    const payloads = new Map<string, { data: Buffer; options: { binary: boolean } }>([
      ['', { data: message.plain, options: { binary: false } }],
      [SUBPROTOCOLS[1], { data: message.jsonFrame, options: { binary: false } }],
      [SUBPROTOCOLS[2], { data: dataMessageFrame(dataMessageBody(message.source, message.data)), options: { binary: true } }],
    ]);
    const sockets: { socket: WebSocket; data: Buffer; options: { binary: boolean } }[] = [];
    // One port for the sockets and for the POST that starts a broadcast, answered 202 once every socket has it.
    const http = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        for (const { socket, data, options } of sockets) socket.send(data, options);
        response.writeHead(202).end();
      });
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const server = new WebSocketServer({ server: http, perMessageDeflate: false });
    server.on('connection', (socket) => {
      sockets.push({ socket, ...payloads.get(socket.protocol)! });
      // A subprotocol client counts as connected once it has a first frame, as the emulator's `connected`.
      if (socket.protocol) socket.send('{}');
    });
    const { port } = http.address() as { port: number };
    reply({ ready: `ws://127.0.0.1:${port}`, broadcastUrl: `http://127.0.0.1:${port}/broadcast` });
  }
  process.on('message', (command: Command) => {
    if (command === 'memory') reply({ memory: memoryNow() });
    else if (command === 'cpu') {
      const { user, system } = process.cpuUsage();
      reply({ cpu: user + system });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

/**
 * A client process: `count` clients (a third of each kind), reporting when every client has the broadcast it was
 * armed for. All but one client of each kind count frames by their headers (bench/frameCounter.ts); that one is a
 * `ws` client and keeps a hash of what it received, for the check that both sides send alike.
 */
async function holdClients(url: string, count: number): Promise<void> {
  let received = 0;
  let target = Number.POSITIVE_INFINITY;
  const onFrames = (frames: number) => {
    received += frames;
    if (received >= target) {
      target = Number.POSITIVE_INFINITY;
      process.send!({ done: true } satisfies Reply);
    }
  };
  const delivered: Record<string, string> = {};
  const sampled = async (protocol: string | undefined) => {
    const socket = new WebSocket(url, protocol ? [protocol] : [], { perMessageDeflate: false });
    // A subprotocol client is ready once it has its connected frame.
    await once(socket, protocol ? 'message' : 'open');
    socket.on('message', (data: Buffer) => {
      delivered[protocol ?? 'plain'] = createHash('sha256').update(data).digest('hex');
      onFrames(1);
    });
    return socket;
  };
  const sockets: unknown[] = [];
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - start) }, (_, j) => {
      const protocol = SUBPROTOCOLS[(start + j) % SUBPROTOCOLS.length];
      return start + j < SUBPROTOCOLS.length ? sampled(protocol) : connectCounting(url, protocol, onFrames, protocol !== undefined);
    });
    sockets.push(...(await Promise.all(batch)));
  }
  process.on('message', (command: { arm: number } | 'delivered') => {
    if (command === 'delivered') {
      process.send!({ delivered } satisfies Reply);
      return;
    }
    target = command.arm;
    if (received >= target) onFrames(0);
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: 'connected' } satisfies Reply);
}

const role = roleOf(import.meta.url);
if (role === '--serve') await serve(process.argv[3] as Side);
else if (role === '--clients') await holdClients(process.argv[3]!, Number(process.argv[4]));
