/**
 * Broadcast fan-out and idle-connection memory of the emulator against a bare `ws` server, same run, same machine.
 *
 * Each server side runs in a process of its own (this file, run with `--serve emulator|bare`), so that its memory is
 * its own and 10,000 connections fit the file-descriptor limit of either process; the clients live here. A round is
 * one broadcast: the parent asks the server process over IPC, and the round ends when every client has the message.
 * - emulator: a REST `sendToAll` through our core client to the emulator in the same process (auth, routing and
 *   validation included), reaching clients that are a third plain, a third json.webpubsub.azure.v1 and a third
 *   protobuf.webpubsub.azure.v1;
 * - bare: a `ws` server looping `send()` of the same payload over its sockets, all plain.
 * Sides take turns in blocks (ABBA), reconnecting each time, so drift on a noisy machine hits both alike. Memory is
 * read in the server process after a GC, before and after the clients connect (and the subprotocol clients got
 * their `connected` frame): heap and RSS deltas per connection.
 *
 * `--fanout-clients 1000,10000` (the default) sets the sizes; a small machine can pass smaller ones.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { startEmulator } from '../emulator/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { fmt, median } from './measure.js';
import { checkTarget, progress } from './targets.js';

const DEFAULT_SIZES = [1000, 10_000];
const CONNECT_BATCH = 250;
const PAYLOAD = {
  type: 'deploy',
  service: 'checkout',
  version: '1.4.2',
  status: 'succeeded',
  text: 'Deployment finished; reload to get the new version.'.repeat(3),
};
const SUBPROTOCOLS = [undefined, 'json.webpubsub.azure.v1', 'protobuf.webpubsub.azure.v1'] as const;

type Side = 'emulator' | 'bare';

/** What a server process reports. */
type ServerMessage = { ready: { url: string } } | { memory: { heap: number; rss: number } } | { broadcasted: true };
/** What a server process is asked. */
type ServerCommand = 'memory' | 'broadcast';

/** One server process, spoken to over IPC. */
class ServerProcess {
  readonly #child: ChildProcess;
  readonly #replies: { resolve: (message: ServerMessage) => void; reject: (error: Error) => void }[] = [];

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (message: ServerMessage) => this.#replies.shift()?.resolve(message));
    child.on('exit', (code) => {
      for (const reply of this.#replies.splice(0)) reply.reject(new Error(`the bench server exited (${code})`));
    });
  }

  static async start(side: Side): Promise<{ server: ServerProcess; url: string }> {
    const child = fork(fileURLToPath(import.meta.url), ['--serve', side], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const server = new ServerProcess(child);
    const ready = (await server.#next()) as { ready: { url: string } };
    return { server, url: ready.ready.url };
  }

  async ask(command: ServerCommand): Promise<ServerMessage> {
    const reply = this.#next();
    this.#child.send(command);
    return reply;
  }

  async stop(): Promise<void> {
    const exited = once(this.#child, 'exit');
    this.#child.kill();
    await exited;
  }

  #next(): Promise<ServerMessage> {
    return new Promise((resolve, reject) => this.#replies.push({ resolve, reject }));
  }
}

/** Counts messages across many sockets and wakes the waiter when a round is complete. */
class Receipts {
  #count = 0;
  #target = 0;
  #done: (() => void) | undefined;

  attach(socket: WebSocket): void {
    socket.on('message', () => {
      if (++this.#count === this.#target) this.#done?.();
    });
  }

  /** Resolves when `expected` more messages have arrived. */
  expect(expected: number): Promise<void> {
    this.#target = this.#count + expected;
    return new Promise((resolve) => (this.#done = resolve));
  }
}

/** Opens `count` client sockets in batches; the subprotocol clients' `connected` frames have arrived on return. */
async function openClients(side: Side, count: number, url: string, receipts: Receipts): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - start) }, (_, j) => {
      const protocol = side === 'emulator' ? SUBPROTOCOLS[(start + j) % SUBPROTOCOLS.length] : undefined;
      const socket = new WebSocket(url, protocol ? [protocol] : [], { perMessageDeflate: false });
      const connected = protocol ? once(socket, 'message') : once(socket, 'open');
      return connected.then(() => {
        receipts.attach(socket);
        return socket;
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

interface BlockResult {
  /** Milliseconds per round. */
  times: number[];
  /** Bytes per connection. */
  heap: number;
  rss: number;
}

/** One block: a fresh server process, `clients` connections, warm-up rounds, then measured rounds. */
async function block(side: Side, clients: number, rounds: number): Promise<BlockResult> {
  const { server, url } = await ServerProcess.start(side);
  let sockets: WebSocket[] = [];
  try {
    const before = (await server.ask('memory')) as { memory: { heap: number; rss: number } };
    const receipts = new Receipts();
    sockets = await openClients(side, clients, url, receipts);
    const after = (await server.ask('memory')) as { memory: { heap: number; rss: number } };
    const times: number[] = [];
    for (let i = 0; i < rounds + Math.ceil(rounds / 3); i++) {
      const started = performance.now();
      const received = receipts.expect(clients);
      await Promise.all([server.ask('broadcast'), received]);
      // A quarter of the rounds come first and only warm up the JIT and the sockets.
      if (i >= Math.ceil(rounds / 3)) times.push(performance.now() - started);
    }
    return {
      times,
      heap: (after.memory.heap - before.memory.heap) / clients,
      rss: (after.memory.rss - before.memory.rss) / clients,
    };
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
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

/** The sizes of `--fanout-clients a,b`, else 1,000 and 10,000. */
export function fanOutSizes(argv: readonly string[] = process.argv): number[] {
  const at = argv.indexOf('--fanout-clients');
  if (at === -1) return DEFAULT_SIZES;
  const sizes = (argv[at + 1] ?? '').split(',').map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isSafeInteger(n) || n < 3)) {
    throw new Error(`--fanout-clients must be a comma-separated list of client counts of at least 3 (got ${argv[at + 1]})`);
  }
  return sizes;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/**
 * Runs the fan-out and memory bench at each size, prints a table per size and records the targets: broadcast
 * deliveries per second at least 1.0x bare `ws`, heap and RSS per idle connection at most 1.3x bare `ws`.
 */
export async function benchEmulatorBroadcast({ sizes = fanOutSizes() }: { sizes?: number[] } = {}): Promise<FanOutResult[]> {
  const results: FanOutResult[] = [];
  for (const clients of sizes) {
    // Fewer rounds with more clients: a round costs ten times as much.
    const rounds = clients >= 5000 ? 24 : 90;
    const blocks: Record<Side, BlockResult[]> = { emulator: [], bare: [] };
    const order: Side[] = ['emulator', 'bare', 'bare', 'emulator'];
    for (const [i, side] of order.entries()) {
      progress(`emulator fan-out to ${clients} clients: block ${i + 1} of ${order.length} (${side})`);
      blocks[side].push(await block(side, clients, rounds));
    }
    const perSecond = (side: Side) => {
      const times = blocks[side].flatMap((b) => b.times);
      return (clients * times.length) / (times.reduce((a, b) => a + b, 0) / 1000);
    };
    const memory = (side: Side, kind: 'heap' | 'rss') => median(blocks[side].map((b) => b[kind]));
    const result: FanOutResult = {
      clients,
      emulatorDeliveriesPerSec: perSecond('emulator'),
      bareDeliveriesPerSec: perSecond('bare'),
      ratio: perSecond('emulator') / perSecond('bare'),
      heapPerConnection: { emulator: memory('emulator', 'heap'), bare: memory('bare', 'heap') },
      rssPerConnection: { emulator: memory('emulator', 'rss'), bare: memory('bare', 'rss') },
    };
    results.push(result);

    const bytes = Buffer.byteLength(JSON.stringify(PAYLOAD));
    const third = Math.round(clients / 3);
    console.log(`\nBroadcast of a ${bytes}-byte JSON message to ${clients} WebSocket clients (${blocks.emulator[0]!.times.length * 2} rounds each side)`);
    console.log('| contender | median fan-out (ms) | deliveries/s | heap per idle connection | RSS per idle connection |');
    console.log('|---|---:|---:|---:|---:|');
    const row = (name: string, side: Side) =>
      console.log(
        `| ${name} | ${median(blocks[side].flatMap((b) => b.times)).toFixed(2)} | ${fmt(perSecond(side))} | ${kib(memory(side, 'heap'))} | ${kib(memory(side, 'rss'))} |`,
      );
    row(`emulator REST sendToAll (~${third} plain + ~${third} json + ~${third} protobuf clients)`, 'emulator');
    row(`bare ws server loop (${clients} plain clients)`, 'bare');
    console.log(`emulator / bare, deliveries/s: ${checkTarget(`emulator fan-out vs bare ws, ${clients} clients`, result.ratio, { atLeast: 1.0 })}`);
    if (clients >= 5000 || clients === Math.max(...sizes)) {
      const heapRatio = result.heapPerConnection.emulator / result.heapPerConnection.bare;
      const rssRatio = result.rssPerConnection.emulator / result.rssPerConnection.bare;
      console.log(
        `emulator / bare, heap per idle connection: ${checkTarget(`emulator heap per connection vs bare ws, ${clients}`, heapRatio, { atMost: 1.3 })}`,
      );
      console.log(`emulator / bare, RSS per idle connection: ${checkTarget(`emulator RSS per connection vs bare ws, ${clients}`, rssRatio, { atMost: 1.3 })}`);
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

/** The server process: one side, answering the parent's commands until it is killed. */
async function serve(side: Side): Promise<void> {
  const send = (message: ServerMessage) => process.send!(message);
  let broadcast: () => Promise<unknown> | undefined;
  if (side === 'emulator') {
    const emulator = await startEmulator({ port: 0, logger: () => {} });
    const client = new WebPubSubServiceClient(emulator.connectionString, 'bench', { retry: { maxRetries: 0 }, logLevel: 'off' });
    const { url } = await client.getClientAccessToken({ expirationTimeInMinutes: 60 });
    broadcast = () => client.sendToAll(PAYLOAD);
    send({ ready: { url } });
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
    send({ ready: { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}` } });
  }
  process.on('message', (command: ServerCommand) => {
    if (command === 'memory') send({ memory: memoryNow() });
    else void Promise.resolve(broadcast()).then(() => send({ broadcasted: true }));
  });
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[2] === '--serve' && process.argv[1] === fileURLToPath(import.meta.url)) await serve(process.argv[3] as Side);
