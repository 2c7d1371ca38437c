/**
 * The receiving end under faults, ours (webpubsub-action/browser, in Node over `ws`) against the official
 * `@azure/web-pubsub-client`, same emulator, same notifications, same faults, same run; both with their default
 * settings, as a page gets them. Per scenario: what was lost and duplicated over all receivers, how long a
 * receiver took to reconnect after a fault (to recover its connection or to open a new one), and the latency from
 * the sender's call to the app's callback. Faults strike every receiver of both kinds at once: an abrupt drop (no
 * close frame), a half-open socket (the emulator neither reads nor writes; only a keep-alive notices), and a wave
 * of REST closes (the service ends the connection: no recovery is possible, for either client).
 *
 * `--quick` halves the notifications and the durations (the half-open scenario keeps the 24 s our keep-alive needs).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WebPubSubClient } from '@azure/web-pubsub-client';
import { WebSocket } from 'ws';
import { connectNotifications, type NotificationListener } from '../browser/index.js';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { sampleNotification } from '../scripts/harness/sampleNotification.js';
import { WebPubSubServiceClient } from '../shared/index.js';
import { percentile } from './measure.js';
import { noteRatio, progress } from './targets.js';

const RECEIVERS = 5;
type Fault = 'drop' | 'halfOpen' | 'close';

interface Scenario {
  name: string;
  fault?: Fault;
  /** The time between fault waves, in ms (each wave strikes every receiver). */
  everyMs?: number;
  notifications: number;
  durationMs: number;
}

const scenarios = (scale: number): Scenario[] => {
  const scaled = (n: number) => Math.max(1, Math.round(n * scale));
  return [
    { name: 'no faults', notifications: scaled(200), durationMs: scaled(5000) },
    { name: 'abrupt drop every 1 s', fault: 'drop', everyMs: 1000, notifications: scaled(200), durationMs: scaled(5000) },
    // Long enough for our keep-alive (a ping after 10 s idle, dead 10 s later) to notice; the official client's
    // (dead after 120 s without a frame) does not within the run.
    { name: 'half-open once, at 1 s', fault: 'halfOpen', everyMs: 24_000, notifications: scaled(200), durationMs: Math.max(24_000, scaled(24_000)) },
    { name: 'REST close wave every 1 s', fault: 'close', everyMs: 1000, notifications: scaled(200), durationMs: scaled(5000) },
  ];
};
/** After the last send, how long the receivers get to catch up (a replay, a reconnect). */
const SETTLE_MS = 3000;

const OURS = 'webpubsub-action/browser';
const OFFICIAL = '@azure/web-pubsub-client';

/** One receiver: its deliveries, its reconnect times, its current connection. */
interface Receiver {
  kind: typeof OURS | typeof OFFICIAL;
  received: string[];
  latencies: number[];
  connectionId: string;
  /** Faults awaiting the receiver's return: when they struck, and on which connection. */
  pending: { at: number; connectionId: string }[];
  reconnectMs: number[];
  gaps: number;
  stop(): Promise<void>;
}

interface ScenarioResult {
  scenario: Scenario;
  byKind: Map<string, { lost: number; duplicated: number; faults: number; reconnectMs: number[]; unreturned: number; latencies: number[]; gaps: number }>;
}

export async function benchReceiving({ scale = 1 } = {}): Promise<ScenarioResult[]> {
  /** When the emulator logged a connection's recovery: how a recovered receiver's return is timed. */
  const recovered = new Map<string, number[]>();
  const emulator = await startEmulator({
    port: 0,
    logger: (line) => {
      const match = /^recovered (\S+) /.exec(line);
      if (match) recovered.set(match[1]!, [...(recovered.get(match[1]!) ?? []), performance.now()]);
    },
  });
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios(scale)) {
      progress(`receiving: ${scenario.name}`);
      results.push(await runScenario(emulator, scenario, recovered));
    }
  } finally {
    await emulator.close();
  }
  print(results);
  const noFaults = results[0]!.byKind;
  noteRatio(
    'receiving latency p50, ours / official (no faults)',
    percentile(noFaults.get(OURS)!.latencies, 50) / percentile(noFaults.get(OFFICIAL)!.latencies, 50),
  );
  return results;
}

async function runScenario(emulator: Emulator, scenario: Scenario, recovered: Map<string, number[]>): Promise<ScenarioResult> {
  const hub = `receiving${Math.random().toString(36).slice(2, 8)}`;
  const service = new WebPubSubServiceClient(emulator.connectionString, hub, { logLevel: 'off' });
  const url = async () => (await service.getClientAccessToken()).url;
  const sentAt = new Map<string, number>();
  const receivers: Receiver[] = [];
  /** A receiver's return after a fault: its connection recovered (emulator log) or a new one (its own event). */
  const returned = (receiver: Receiver, newConnection: boolean) => {
    const now = performance.now();
    receiver.pending = receiver.pending.filter((fault) => {
      const back = newConnection || (recovered.get(fault.connectionId) ?? []).some((t) => t >= fault.at);
      if (back) receiver.reconnectMs.push(now - fault.at);
      return !back;
    });
  };
  const deliver = (receiver: Receiver, id: unknown) => {
    if (typeof id !== 'string' || !sentAt.has(id)) return;
    if (!receiver.received.includes(id)) receiver.latencies.push(performance.now() - sentAt.get(id)!);
    receiver.received.push(id);
  };

  for (let i = 0; i < RECEIVERS; i++) {
    const ours: Receiver = { kind: OURS, received: [], latencies: [], connectionId: '', pending: [], reconnectMs: [], gaps: 0, stop: async () => undefined };
    let connected: () => void = () => undefined;
    const up = new Promise<void>((resolve) => (connected = resolve));
    let listener: NotificationListener | undefined;
    listener = connectNotifications({
      url,
      WebSocket: WebSocket as never,
      onDeployed: (n) => deliver(ours, (n as { id?: string }).id),
      onRelease: (n) => deliver(ours, (n as { id?: string }).id),
      onConnected: ({ connectionId, recovered: wasRecovered }) => {
        ours.connectionId = connectionId;
        returned(ours, !wasRecovered);
        connected();
      },
      onGap: () => void ours.gaps++,
    });
    ours.stop = () => listener!.close();
    await up;

    const official: Receiver = {
      kind: OFFICIAL,
      received: [],
      latencies: [],
      connectionId: '',
      pending: [],
      reconnectMs: [],
      gaps: 0,
      stop: async () => undefined,
    };
    const client = new WebPubSubClient({ getClientAccessUrl: url });
    client.on('connected', ({ connectionId }) => {
      official.connectionId = connectionId;
      returned(official, true);
    });
    client.on('server-message', ({ message }) => deliver(official, (message.data as { id?: unknown } | undefined)?.id));
    official.stop = async () => {
      const stopped = new Promise<void>((resolve) => client.on('stopped', () => resolve()));
      client.stop();
      // A client still on a half-open socket waits out its close handshake (30 s); the bench need not.
      await Promise.race([stopped, sleep(1000)]);
    };
    await client.start();
    receivers.push(ours, official);
  }

  // Recoveries are noticed in the emulator's log, not by an event of the receiver: check the pending ones often.
  const watcher = setInterval(() => {
    for (const receiver of receivers) returned(receiver, false);
  }, 2);
  const faults = new Map<Receiver, number>(receivers.map((r) => [r, 0]));
  const strike = async () => {
    for (const receiver of receivers) {
      const { connectionId } = receiver;
      const at = performance.now();
      receiver.pending.push({ at, connectionId });
      faults.set(receiver, faults.get(receiver)! + 1);
      if (scenario.fault === 'drop') emulator.dropConnection(connectionId);
      else if (scenario.fault === 'halfOpen') emulator.halfOpenConnection(connectionId);
      else await service.closeConnection(connectionId, { reason: 'bench wave' }).catch(() => undefined);
    }
  };
  // The first wave at 1 s, then one every `everyMs`.
  const waves: NodeJS.Timeout[] = [];
  if (scenario.fault) {
    for (let at = 1000; at < scenario.durationMs; at += scenario.everyMs!) waves.push(setTimeout(() => void strike(), at));
  }

  const template = sampleNotification('template');
  const gap = scenario.durationMs / scenario.notifications;
  const started = performance.now();
  for (let i = 0; i < scenario.notifications; i++) {
    const wait = started + i * gap - performance.now();
    if (wait > 0) await sleep(wait);
    const id = `${hub}-${i}`;
    sentAt.set(id, performance.now());
    await service.sendToAll({ ...template, id });
  }
  await sleep(SETTLE_MS);
  for (const wave of waves) clearTimeout(wave);
  clearInterval(watcher);
  await Promise.all(receivers.map((receiver) => receiver.stop()));
  await service.close();

  const byKind: ScenarioResult['byKind'] = new Map();
  for (const kind of [OURS, OFFICIAL]) {
    const mine = receivers.filter((r) => r.kind === kind);
    byKind.set(kind, {
      lost: mine.reduce((sum, r) => sum + [...sentAt.keys()].filter((id) => !r.received.includes(id)).length, 0),
      duplicated: mine.reduce((sum, r) => sum + r.received.length - new Set(r.received).size, 0),
      faults: mine.reduce((sum, r) => sum + faults.get(r)!, 0),
      reconnectMs: mine.flatMap((r) => r.reconnectMs),
      unreturned: mine.reduce((sum, r) => sum + r.pending.length, 0),
      latencies: mine.flatMap((r) => r.latencies),
      gaps: mine.reduce((sum, r) => sum + r.gaps, 0),
    });
  }
  return { scenario, byKind };
}

function print(results: ScenarioResult[]): void {
  const rows = results.flatMap(({ scenario, byKind }) =>
    [...byKind].map(([kind, r]) => {
      const sent = scenario.notifications * RECEIVERS;
      const reconnect =
        r.faults === 0
          ? '–'
          : `${r.reconnectMs.length > 0 ? `${ms(percentile(r.reconnectMs, 50))} / ${ms(Math.max(...r.reconnectMs))} ms` : '–'}${r.unreturned > 0 ? ` (${r.unreturned} of ${r.faults} not back within the run)` : ''}`;
      const lost = `${r.lost} of ${sent} (${((100 * r.lost) / sent).toFixed(1)}%)`;
      const gaps = kind === OURS && r.faults > 0 ? ` ${r.gaps} onGap` : '';
      return `| ${scenario.name} | ${kind} | ${lost} | ${r.duplicated} | ${r.faults}${gaps} | ${reconnect} | ${ms(percentile(r.latencies, 50))} / ${ms(percentile(r.latencies, 99))} ms |`;
    }),
  );
  console.log(
    [
      '',
      `Receiving under faults: ${RECEIVERS} receivers of each kind on one emulator (recovery window 30 s), both with default settings`,
      '| scenario | receiver | lost | duplicated | faults | reconnect p50 / max | latency p50 / p99 |',
      '|---|---|---:|---:|---:|---:|---:|',
      ...rows,
    ].join('\n'),
  );
}

/** Milliseconds, to a tenth. */
const ms = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(1));
