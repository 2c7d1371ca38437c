/**
 * Resilience of the Action's code path: 1,000 deploy notifications sent with `run(core, env)` (action/main.ts,
 * in-process with a fake core), and 10 more through the bundle, `node dist/index.js`, as the runner runs it, while
 * the emulator faults 30% of the REST requests (429 with Retry-After: 0, 503, connection resets, latency). Each
 * notification carries a unique id (the step's `id` input, through `{{ id }}`); a real WebSocket subscriber in the group must get every one at least once.
 * Duplicates are counted and printed, and the accounting must close: the ids delivered are exactly the ids sent,
 * duplicates = deliveries − unique ids, every send the emulator accepted reached the subscriber once, and the
 * attempts the steps report are exactly the requests the emulator saw. The emulator's faults all strike before it
 * acts, so they cannot cause a duplicate; a third test sends through a proxy that loses a tenth of the answers
 * after the emulator acted, where each lost answer must come back as exactly one duplicate: the at-least-once side
 * of the retries.
 *
 * Determinism: a lane is one emulator with its own seeded fault stream, driven one step at a time, so its
 * requests arrive one by one and get the same faults on every run: no outcome here depends on timing. Lanes run
 * side by side because the Action's backoff after a 503 or a reset is real (0.5–1 s, doubling): 50 lanes make
 * that seconds of wall time instead of minutes.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, test } from '@jest/globals';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { parseConnectionString, WebPubSubServiceClient } from '../../shared/index.js';
import { runAction } from '../../scripts/harness/actionRunner.js';
import { runInProcess } from '../helpers/fakeCore.js';
import { seeded } from '../helpers/faultDrill.js';
import { nextEvent } from '../helpers/inbox.js';
import { startLossyProxy } from '../helpers/lossyProxy.js';
import { uniqueName } from '../helpers/names.js';
import { startOfficialClient } from '../helpers/officialClient.js';
import { JSON_PROTOCOL } from '../helpers/sockets.js';

/** 1,000 notifications in-process: 50 lanes of 20 steps. */
const IN_PROCESS = { lanes: 50, runs: 20 } as const;
const BUNDLE_RUNS = 10;
/** Through the lossy proxy: 10 lanes of 10 steps, the answers to a tenth of the accepted sends lost. */
const LOSSY = { lanes: 10, runs: 10, lost: 0.1 } as const;
/** The drill: 30% of REST requests, the four kinds equally likely; no wait asked by a 429, 5 ms of latency. */
const FAULTS = { rate: 0.3, retryAfterSeconds: 0, latencyMs: 5 } as const;
/** Enough retries that no seeded lane exhausts them; the step's bound stays far above the longest backoff here. */
const STEP_INPUTS = { retries: '10', 'timeout-seconds': '60', target: 'group' } as const;

/** What one step reported. */
interface Step {
  ok: boolean;
  status: string;
  attempts: number;
  failure: string | undefined;
}

/** What one lane sent, what its subscriber got, and what its emulator saw. */
interface LaneResult {
  sent: string[];
  /** Notification ids in the order the subscriber received them, repeats included. */
  delivered: string[];
  steps: Step[];
  /** The emulator's answers to the sends: status code (or `reset`) → count. */
  answers: Map<string, number>;
  faults: number;
  /** Answers the lossy proxy cut after the emulator had acted (0 without the proxy). */
  lost: number;
}

type Sender = (inputs: Record<string, string>) => Promise<Step>;

const inProcess: Sender = async (inputs) => {
  const record = await runInProcess(inputs);
  return { ok: record.outputs.ok === 'true', status: record.outputs.status ?? '', attempts: Number(record.outputs.attempts), failure: record.failed[0] };
};

const bundled: Sender = async (inputs) => {
  const run = await runAction({ inputs });
  return { ok: run.outputs.ok === 'true', status: run.outputs.status ?? '', attempts: Number(run.outputs.attempts), failure: run.errors[0] };
};

/** A subscriber in `group`: a raw `ws` client on json.webpubsub.azure.v1, or the official web-pubsub-client. */
async function subscribe(kind: 'ws' | 'official', client: WebPubSubServiceClient, group: string) {
  const { url } = await client.getClientAccessToken({ groups: [group] });
  const delivered: string[] = [];
  const fences = new EventEmitter();
  const receive = (data: unknown) => {
    const { notification, fence } = (data ?? {}) as { notification?: string; fence?: string };
    if (notification !== undefined) delivered.push(notification);
    if (fence !== undefined) fences.emit('fence', fence);
  };
  if (kind === 'official') {
    const official = await startOfficialClient(url);
    official.client.on('group-message', (event) => receive(event.message.data));
    return { delivered, fences, stop: () => official.stop() };
  }
  const ws = new WebSocket(url, JSON_PROTOCOL);
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as { type: string; data?: unknown };
    if (frame.type === 'message') receive(frame.data);
  });
  await nextEvent(ws as never, 'open');
  return {
    delivered,
    fences,
    stop: async () => {
      ws.terminate();
      if (ws.readyState !== WebSocket.CLOSED) await nextEvent(ws as never, 'close');
    },
  };
}

/**
 * One lane: an emulator, a subscriber in a group, then `runs` steps one after the other with faults on, each
 * sending a notification with a unique id; then, faults off, a fence message that orders the subscriber's count
 * after every delivery.
 */
async function lane(name: string, seed: number, runs: number, send: Sender, subscriber: 'ws' | 'official', loseShare = 0): Promise<LaneResult> {
  const hub = uniqueName('hub');
  const group = uniqueName('group');
  const sendPath = `POST /api/hubs/${hub}/groups/${group}/:send -> `;
  const answers = new Map<string, number>();
  const emulator: Emulator = await startEmulator({
    port: 0,
    logger: (line) => {
      if (!line.startsWith(sendPath)) return;
      const answer = line.slice(sendPath.length).split(' ')[0]!;
      answers.set(answer, (answers.get(answer) ?? 0) + 1);
    },
  });
  const client = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { maxRetries: 0 }, logLevel: 'off' });
  const listener = await subscribe(subscriber, client, group);
  const lose = seeded(seed + 500_000);
  const proxy = loseShare > 0 ? await startLossyProxy(emulator.endpoint, (status) => status === 202 && lose() < loseShare) : undefined;
  const connectionString = proxy
    ? `Endpoint=${proxy.url};AccessKey=${parseConnectionString(emulator.connectionString).accessKey};Version=1.0;`
    : emulator.connectionString;
  try {
    emulator.setFaults({ ...FAULTS, random: seeded(seed) });
    const sent: string[] = [];
    const steps: Step[] = [];
    for (let i = 1; i <= runs; i++) {
      const id = `${name}-n${String(i).padStart(3, '0')}`;
      sent.push(id);
      // The step's id input, carried by {{ id }}: every retry of the step must send the same one.
      const message = JSON.stringify({ notification: '{{ id }}', sha: '{{ github.sha }}' });
      steps.push(await send({ 'connection-string': connectionString, hub, group, message, id, ...STEP_INPUTS }));
    }
    const faults = emulator.faultsInjected;
    emulator.setFaults(undefined);
    const fenced = nextEvent(listener.fences as never, 'fence', (fence) => fence === name);
    // The fence is the last send to the group, so `answers` counts it: take it out again.
    await client.sendToGroup(group, { fence: name });
    await fenced;
    answers.set('202', answers.get('202')! - 1);
    return { sent, delivered: listener.delivered, steps, answers, faults, lost: proxy?.lost.get(202) ?? 0 };
  } finally {
    await proxy?.close();
    await listener.stop();
    await client.close();
    await emulator.close();
  }
}

/** The accounting of a batch of lanes, checked and printed. */
function account(title: string, lanes: LaneResult[]) {
  const sent = lanes.flatMap((l) => l.sent);
  const delivered = lanes.flatMap((l) => l.delivered);
  const steps = lanes.flatMap((l) => l.steps);
  const answers = new Map<string, number>();
  for (const l of lanes) for (const [answer, count] of l.answers) answers.set(answer, (answers.get(answer) ?? 0) + count);
  const copies = new Map<string, number>();
  for (const id of delivered) copies.set(id, (copies.get(id) ?? 0) + 1);
  const duplicated = [...copies].filter(([, count]) => count > 1);
  const duplicates = duplicated.reduce((sum, [, count]) => sum + count - 1, 0);
  const requests = [...answers.values()].reduce((a, b) => a + b, 0);
  const faults = lanes.reduce((sum, l) => sum + l.faults, 0);
  const lost = lanes.reduce((sum, l) => sum + l.lost, 0);
  const attempts = steps.map((s) => s.attempts);

  console.log(
    [
      `${title}`,
      `  notifications sent ${sent.length}; steps ok ${steps.filter((s) => s.ok).length}`,
      `  send requests ${requests} (answers: ${[...answers]
        .sort()
        .map(([a, n]) => `${a} ×${n}`)
        .join(', ')}); faults injected ${faults} (${((100 * faults) / requests).toFixed(1)}%)`,
      `  attempts per step: max ${Math.max(...attempts)}, total ${attempts.reduce((a, b) => a + b, 0)}${lost ? `; answers lost after the emulator acted ${lost}` : ''}`,
      `  deliveries ${delivered.length}, unique ${copies.size}, duplicates ${duplicates}${duplicated.length ? `: ${duplicated.map(([id, n]) => `${id} ×${n}`).join(', ')}` : ''}, lost ${sent.filter((id) => !copies.has(id)).length}`,
    ].join('\n'),
  );

  // Every step succeeded, as the runner would see it.
  expect(steps.filter((s) => !s.ok || s.status !== '202' || s.failure !== undefined)).toEqual([]);
  // Delivered ∪ = sent: none lost, nothing that was not sent.
  expect([...copies.keys()].sort()).toEqual([...sent].sort());
  expect(duplicates).toBe(delivered.length - copies.size);
  // A duplicate comes only from a send that was carried out but whose answer never came back: the emulator's own
  // faults strike before it acts, so a retry after one of them repeats nothing.
  expect(duplicates).toBe(lost);
  // Each send the emulator accepted reached the subscriber exactly once: deliveries = 202s.
  expect(delivered.length).toBe(answers.get('202'));
  // The steps' attempts are exactly the requests the emulator saw; every faulted one was answered or reset.
  expect(attempts.reduce((a, b) => a + b, 0)).toBe(requests);
  expect(requests - (answers.get('202') ?? 0)).toBe((answers.get('429') ?? 0) + (answers.get('503') ?? 0) + (answers.get('reset') ?? 0));
  // The drill did strike, with every kind: 429, 503, resets, and latency (a fault whose request still got its 202).
  for (const answer of ['429', '503', 'reset']) expect(answers.get(answer)).toBeGreaterThan(0);
  expect(faults).toBeGreaterThan(requests - (answers.get('202') ?? 0));
  expect(faults / requests).toBeGreaterThan(0.2);
  return { duplicates };
}

describe('notifications through the Action under 30% faults', () => {
  test.concurrent(`${IN_PROCESS.lanes * IN_PROCESS.runs} through run(core, env) all arrive; duplicates are counted`, async () => {
    const lanes = await Promise.all(Array.from({ length: IN_PROCESS.lanes }, (_, i) => lane(`lane${i + 1}`, 1000 + i, IN_PROCESS.runs, inProcess, 'ws')));
    account(`run(core, env): ${IN_PROCESS.lanes} lanes × ${IN_PROCESS.runs} steps, subscribers on raw ws`, lanes);
  }, 120_000);

  test.concurrent(`${BUNDLE_RUNS} through the bundle (node dist/index.js) all arrive`, async () => {
    account(`node dist/index.js: ${BUNDLE_RUNS} steps, subscriber @azure/web-pubsub-client`, [await lane('bundle', 7, BUNDLE_RUNS, bundled, 'official')]);
  }, 120_000);

  test.concurrent(`answers lost after the emulator acted are sent again: ${LOSSY.lanes * LOSSY.runs} arrive, each lost answer a duplicate`, async () => {
    const lanes = await Promise.all(Array.from({ length: LOSSY.lanes }, (_, i) => lane(`lossy${i + 1}`, 2000 + i, LOSSY.runs, inProcess, 'ws', LOSSY.lost)));
    const { duplicates } = account(`run(core, env) through a proxy losing ${LOSSY.lost * 100}% of the 202s: ${LOSSY.lanes} lanes × ${LOSSY.runs} steps`, lanes);
    expect(duplicates).toBeGreaterThan(0);
  }, 120_000);
});
