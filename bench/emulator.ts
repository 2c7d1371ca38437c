/**
 * Broadcast fan-out of the emulator against a bare `ws` server, same run, same machine: the emulator's REST
 * sendToAll (auth, routing, validation included) reaching 1,000 connected WebSocket clients, half plain and half
 * on json.webpubsub.azure.v1, versus a `ws` server looping `send()` of the same payload over 1,000 sockets.
 * Each round waits until every client has the message; rounds alternate between the two in blocks.
 */
import { WebSocket, WebSocketServer } from 'ws';
import { startEmulator } from '../emulator/index.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { fmt, median } from './measure.js';
import { checkTarget, progress } from './targets.js';

const CLIENTS = 1000;
const WARMUP_ROUNDS = 30;
const BLOCKS = 6;
const ROUNDS_PER_BLOCK = 50;
const CONNECT_BATCH = 100;
const PAYLOAD = {
  type: 'deploy',
  service: 'checkout',
  version: '1.4.2',
  status: 'succeeded',
  text: 'Deployment finished; reload to get the new version.'.repeat(3),
};

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

/** A way to broadcast one message to every client, and the receipts of its clients. */
interface Broadcaster {
  name: string;
  receipts: Receipts;
  broadcast(): Promise<unknown> | undefined;
  close(): Promise<void>;
}

/** Opens `count` client sockets in batches and counts what they receive. */
async function openClients(count: number, url: (i: number) => string, protocol: (i: number) => string | undefined, receipts: Receipts): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - start) }, (_, j) => {
      const i = start + j;
      const wanted = protocol(i);
      const socket = new WebSocket(url(i), wanted ? [wanted] : [], { perMessageDeflate: false });
      receipts.attach(socket);
      return new Promise<WebSocket>((resolve, reject) => {
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    });
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function emulatorBroadcaster(): Promise<Broadcaster> {
  const emulator = await startEmulator({ port: 0 });
  const client = new WebPubSubServiceClient(emulator.connectionString, 'bench', { retry: { maxRetries: 0 } });
  const receipts = new Receipts();
  const { url } = await client.getClientAccessToken({ expirationTimeInMinutes: 60 });
  // The JSON clients' connected frames arrive before any round.
  const connectedFrames = receipts.expect(CLIENTS / 2);
  // Half plain, half json.webpubsub.azure.v1: each kind gets its frame serialized once per message.
  const sockets = await openClients(
    CLIENTS,
    () => url,
    (i) => (i % 2 ? 'json.webpubsub.azure.v1' : undefined),
    receipts,
  );
  await connectedFrames;
  return {
    name: `emulator REST sendToAll (${CLIENTS / 2} plain + ${CLIENTS / 2} json clients)`,
    receipts,
    broadcast: () => client.sendToAll(PAYLOAD),
    async close() {
      for (const socket of sockets) socket.terminate();
      await client.close();
      await emulator.close();
    },
  };
}

async function bareBroadcaster(): Promise<Broadcaster> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((resolve) => server.once('listening', resolve));
  const serverSockets: WebSocket[] = [];
  server.on('connection', (socket) => serverSockets.push(socket));
  const { port } = server.address() as { port: number };
  const receipts = new Receipts();
  const sockets = await openClients(
    CLIENTS,
    () => `ws://127.0.0.1:${port}`,
    () => undefined,
    receipts,
  );
  const payload = Buffer.from(JSON.stringify(PAYLOAD));
  const text = { binary: false };
  return {
    name: `bare ws server loop (${CLIENTS} clients)`,
    receipts,
    broadcast() {
      for (const socket of serverSockets) socket.send(payload, text);
      return undefined;
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Milliseconds from the send until every client has the message, per round. */
async function rounds(broadcaster: Broadcaster, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const received = broadcaster.receipts.expect(CLIENTS);
    await broadcaster.broadcast();
    await received;
    times.push(performance.now() - started);
  }
  return times;
}

/**
 * Runs the broadcast bench, prints a table and returns deliveries per second of each side and their ratio
 * (emulator / bare; the target is at least 0.7).
 */
export async function benchEmulatorBroadcast(): Promise<{ emulatorMsgsPerSec: number; bareMsgsPerSec: number; ratio: number }> {
  const emulator = await emulatorBroadcaster();
  const bare = await bareBroadcaster();
  try {
    const samples = new Map<Broadcaster, number[]>([
      [emulator, []],
      [bare, []],
    ]);
    progress(`emulator broadcast to ${CLIENTS} clients: warming up`);
    for (const side of [emulator, bare]) await rounds(side, WARMUP_ROUNDS);
    for (let block = 0; block < BLOCKS; block++) {
      progress(`emulator broadcast: block ${block + 1} of ${BLOCKS}`);
      // Alternating blocks, so drift on a noisy machine hits both sides alike.
      for (const side of block % 2 ? [bare, emulator] : [emulator, bare]) samples.get(side)!.push(...(await rounds(side, ROUNDS_PER_BLOCK)));
    }
    const perSecond = (times: number[]) => (CLIENTS * times.length) / (times.reduce((a, b) => a + b, 0) / 1000);
    const emulatorMsgsPerSec = perSecond(samples.get(emulator)!);
    const bareMsgsPerSec = perSecond(samples.get(bare)!);
    const ratio = emulatorMsgsPerSec / bareMsgsPerSec;
    const bytes = Buffer.byteLength(JSON.stringify(PAYLOAD));
    console.log(`\nBroadcast of a ${bytes}-byte JSON message to ${CLIENTS} WebSocket clients (${BLOCKS * ROUNDS_PER_BLOCK} rounds each)`);
    console.log('| contender | median fan-out (ms) | deliveries/s |');
    console.log('|---|---:|---:|');
    for (const [side, times] of samples) console.log(`| ${side.name} | ${median(times).toFixed(2)} | ${fmt(perSecond(times))} |`);
    console.log(`emulator / bare: ${checkTarget('emulator fan-out vs bare ws', ratio, { atLeast: 0.7 })}`);
    return { emulatorMsgsPerSec, bareMsgsPerSec, ratio };
  } finally {
    await emulator.close();
    await bare.close();
  }
}
