/**
 * sendToAll throughput of our client, the official @azure/web-pubsub and raw undici, against one loopback 202 sink
 * in a separate process, at concurrency 1 and 32. Raw undici sends the very same request (same keep-alive pool
 * settings, headers, pre-signed token and pre-serialised body) with no validation, retry or timeout, two ways:
 * `pool.request()`, the documented call and the target's yardstick, and undici's bare handler API, the floor
 * (our client's transport uses that API too, so it can match `request()`; the floor shows what it still costs).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import { SignJWT } from 'jose';
import { Pool, type Dispatcher } from 'undici';
import { VERSION, WebPubSubServiceClient } from '../shared/index.js';
import { compare, fmt, median, medianRatio } from './measure.js';
import { connectionsPerHundredCalls } from './connectionReuse.js';
import { floorBreakdown } from './clientFloor.js';
import { checkTarget, noteRatio, TARGETS } from './targets.js';

const KEY = 'bench-access-key-0123456789abcdefghijklmnopqrstuv';
const HUB = 'bench';
const MESSAGE = { event: 'deployed', version: 'v1.4.2', sha: '3f2a9c1', reload: true };
const CONCURRENCIES = [1, 32] as const;
const OURS = 'webpubsub-action';
const REQUEST = 'undici pool.request()';
const FLOOR = 'undici handler API';
const OFFICIAL = '@azure/web-pubsub';

export interface ClientBenchResult {
  /** Median requests per second by contender, then concurrency. */
  rates: Map<string, Map<number, number>>;
  /** Our client over each peer, by concurrency (medians of per-round ratios). */
  ratios: { vsRequest: Map<number, number>; vsFloor: Map<number, number>; vsOfficial: Map<number, number> };
}

export async function benchClientSendToAll({ rounds = 7, durationMs = 800 } = {}): Promise<ClientBenchResult> {
  const sink = spawn(process.execPath, [fileURLToPath(new URL('./sink.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [portLine] = (await once(sink.stdout!, 'data')) as [Buffer];
  const endpoint = `http://127.0.0.1:${Number(portLine.toString())}`;
  const connectionString = `Endpoint=${endpoint};AccessKey=${KEY};Version=1.0;`;

  const ours = new WebPubSubServiceClient(connectionString, HUB, { logLevel: 'off' });
  const official = new OfficialClient(connectionString, HUB, { allowInsecureConnection: true });
  const path = `/api/hubs/${HUB}/:send?api-version=2024-12-01`;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(endpoint + path)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(KEY));
  const body = JSON.stringify(MESSAGE);
  const headers = {
    'content-type': 'application/json',
    'user-agent': `webpubsub-action/${VERSION} node/${process.versions.node}`,
    authorization: `Bearer ${token}`,
  };
  const request: Dispatcher.DispatchOptions = { method: 'POST', path, headers, body };
  const pools = [new Pool(endpoint, { connections: 64 }), new Pool(endpoint, { connections: 64 })];

  try {
    const samples = await compare(
      [
        { name: REQUEST, run: () => requestSend(pools[0], request) },
        { name: FLOOR, run: () => handlerSend(pools[1], request) },
        { name: OURS, run: () => ours.sendToAll(MESSAGE) },
        { name: OFFICIAL, run: () => official.sendToAll(MESSAGE) },
      ],
      CONCURRENCIES,
      { rounds, durationMs, label: 'client sendToAll' },
    );
    const of = (name: string, n: number) => samples.get(name)!.get(n)!;
    const ratio = (peer: string) => new Map(CONCURRENCIES.map((n) => [n, medianRatio(of(OURS, n), of(peer, n))]));
    const rates = new Map([...samples].map(([name, byN]) => [name, new Map([...byN].map(([n, values]) => [n, median(values)]))]));
    const result = { rates, ratios: { vsRequest: ratio(REQUEST), vsFloor: ratio(FLOOR), vsOfficial: ratio(OFFICIAL) } };
    print(result, rounds, durationMs);
    const c1 = (name: string) => median(of(name, 1));
    const breakdown = await floorBreakdown(connectionString, HUB, MESSAGE, { ours: c1(OURS), floor: c1(FLOOR) });
    console.log(
      `left between ${OURS} and the ${FLOOR} floor at c=1: ${breakdown.gapMicros.toFixed(1)} µs per request; our client's own work per call ` +
        `without a socket: ${breakdown.client.toFixed(1)} µs (${breakdown.layers.map((layer) => `${layer.name} ${layer.micros.toFixed(1)}`).join('; ')})`,
    );
    const reuse = await connectionsPerHundredCalls();
    console.log('\nConnections opened per 100 sequential calls, counted at the emulator');
    console.log('| client | POST | HEAD | GET | DELETE |');
    console.log('|---|---:|---:|---:|---:|');
    for (const [name, counts] of reuse) console.log(`| ${name} | ${counts.POST} | ${counts.HEAD} | ${counts.GET} | ${counts.DELETE} |`);
    return result;
  } finally {
    await Promise.all([ours.close(), ...pools.map((pool) => pool.close())]);
    sink.kill();
  }
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

function print({ rates, ratios }: ClientBenchResult, rounds: number, durationMs: number): void {
  console.log(`\nsendToAll to a loopback 202 sink (own process); medians of ${rounds} interleaved rounds of ${durationMs} ms`);
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
}
