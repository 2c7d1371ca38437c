/**
 * The emulator's memory stays flat across 100,000 REST sends. The emulator runs in a child process started with
 * `--expose-gc` (test/helpers/gcEmulator.ts), so its heap is measured alone, after a forced and settled garbage
 * collection: once after a warm-up (JIT, pools, caches filled) and once after 100,000 more sends. Anything the
 * emulator kept per request (a map that never shrinks, a log of ids, a queue no one drains) would grow the heap by
 * tens of megabytes; garbage collection noise is well under the bound.
 *
 * The sends are what a pipeline does, from our core client at bounded concurrency: sendToAll, sendToGroup to a
 * group of connected clients, and sendToGroup and sendToUser to a new name on every request (names that no one
 * has: a store that remembered them would show here). Four subscribers stay connected and must receive every
 * message meant for them, so the emulator did the whole of the work: a plain client, two on
 * json.webpubsub.azure.v1 in the group, and a reliable one that acknowledges what it gets.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import WebSocket from 'ws';
import { WebPubSubServiceClient } from '../../shared/index.js';
import type { MemoryFigures } from '../helpers/gcEmulator.js';
import { nextEvent, until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { JSON_PROTOCOL, RELIABLE_PROTOCOL } from '../helpers/sockets.js';

const WARM_UP = 10_000;
const SENDS = 100_000;
/** Requests in flight at once. */
const CONCURRENCY = 32;
/**
 * The bound on heap growth over the 100,000 sends: 40 bytes a send. A settled collection leaves the heap within
 * a few hundred KB of where it was (measured growth here: -0.2 to +0.2 MB), while a leak of one small entry per
 * name the sends use (25,000 group names) costs about 5 MB and one per request far more.
 */
const MAX_GROWTH_BYTES = 4 * 1024 * 1024;
const GROUP = 'watchers';

const script = fileURLToPath(new URL('../helpers/gcEmulator.js', import.meta.url));
let child: ChildProcess;
let connectionString: string;

/** The next IPC message of `type` from the child. */
function fromChild<T>(type: string): Promise<T> {
  return nextEvent(child as never, 'message', (message: { type?: string }) => message.type === type, 60_000).then(([message]) => message as T);
}

beforeAll(async () => {
  child = fork(script, [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  ({ connectionString } = await fromChild<{ connectionString: string }>('ready'));
});
afterAll(async () => {
  if (child.exitCode !== null) return;
  const exited = nextEvent(child as never, 'exit');
  child.send({ type: 'close' });
  await exited;
});

async function measure(): Promise<MemoryFigures> {
  const answer = fromChild<MemoryFigures>('memory');
  child.send({ type: 'measure' });
  return answer;
}

/** A connected subscriber that counts the message frames it receives (a reliable one acknowledges them). */
async function subscriber(client: WebPubSubServiceClient, protocol: string | undefined, member = false) {
  const { url } = await client.getClientAccessToken({ groups: member ? [GROUP] : [] });
  const ws = new WebSocket(url, protocol === undefined ? [] : [protocol]);
  const counter = { received: 0, ws, member };
  ws.on('message', (data) => {
    // Frames from the server are message frames but for the `connected` system frame; plain clients get payloads.
    if (protocol !== undefined && data.toString().includes('"type":"system"')) return;
    counter.received++;
    // The reliable protocol numbers message frames from 1; acknowledging every 100th keeps the queue short.
    if (protocol === RELIABLE_PROTOCOL && counter.received % 100 === 0) ws.send(JSON.stringify({ type: 'sequenceAck', sequenceId: counter.received }));
  });
  await nextEvent(ws as never, 'open');
  return counter;
}

/** `count` sends numbered from `first`, `CONCURRENCY` at a time; every fourth kind of send in turn. */
async function drive(client: WebPubSubServiceClient, first: number, count: number): Promise<void> {
  let next = first;
  const end = first + count;
  const worker = async () => {
    while (next < end) {
      const i = next++;
      const message = { i };
      switch (i % 4) {
        case 0:
          await client.sendToAll(message);
          break;
        case 1:
          await client.sendToGroup(GROUP, message);
          break;
        case 2:
          await client.sendToGroup(`nobody-${i}`, message);
          break;
        default:
          await client.sendToUser(`nobody-${i}`, message);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** Messages a subscriber gets from sends `[0, n)`: every sendToAll, and the group's if it is a member. */
const expected = (n: number, member: boolean) => Math.ceil(n / 4) + (member ? Math.ceil((n - 1) / 4) : 0);

test(`the emulator's heap stays flat across ${SENDS.toLocaleString('en')} sends`, async () => {
  const client = new WebPubSubServiceClient(connectionString, uniqueName('hub'), { logLevel: 'off' });
  const subscribers = [
    await subscriber(client, undefined),
    await subscriber(client, JSON_PROTOCOL, true),
    await subscriber(client, JSON_PROTOCOL, true),
    await subscriber(client, RELIABLE_PROTOCOL, true),
  ];
  const delivered = (n: number) => until(() => subscribers.every((s) => s.received === expected(n, s.member)), `delivery of ${n} sends`, 30_000);

  try {
    await drive(client, 0, WARM_UP);
    await delivered(WARM_UP);
    const warm = await measure();
    const started = performance.now();
    await drive(client, WARM_UP, SENDS);
    await delivered(WARM_UP + SENDS);
    const seconds = (performance.now() - started) / 1000;
    const after = await measure();

    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
    const growth = after.heapUsed - warm.heapUsed;
    console.log(
      [
        `emulator memory across ${SENDS.toLocaleString('en')} sends (${CONCURRENCY} in flight, ${seconds.toFixed(1)} s, ${Math.round(SENDS / seconds)} sends/s):`,
        `  heap used ${mb(warm.heapUsed)} after warm-up, ${mb(after.heapUsed)} after: growth ${mb(growth)} (bound ${mb(MAX_GROWTH_BYTES)})`,
        `  array buffers ${mb(warm.arrayBuffers)} → ${mb(after.arrayBuffers)}; rss ${mb(warm.rss)} → ${mb(after.rss)}`,
      ].join('\n'),
    );
    expect(after.connections).toBe(subscribers.length);
    expect(growth).toBeLessThan(MAX_GROWTH_BYTES);
    expect(after.arrayBuffers - warm.arrayBuffers).toBeLessThan(MAX_GROWTH_BYTES);
  } finally {
    for (const { ws } of subscribers) ws.terminate();
    await client.close();
  }
}, 180_000);
