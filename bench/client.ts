/**
 * sendToAll throughput of our client, the official @azure/web-pubsub and raw undici, against one loopback 202 sink
 * in a separate process, at concurrency 1 and 32. Raw undici is the limit our client is measured against: the
 * same keep-alive pool, a pre-signed token, a pre-serialised body, and undici's bare handler API (cheaper than
 * `pool.request()`, whose stream per response our client also avoids), with no timeout, retry or validation.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import { SignJWT } from 'jose';
import { Pool, type Dispatcher } from 'undici';
import { VERSION, WebPubSubServiceClient } from '../shared/index.js';
import { compare, fmt, median, medianRatio } from './measure.js';

const KEY = 'bench-access-key-0123456789abcdefghijklmnopqrstuv';
const HUB = 'bench';
const MESSAGE = { event: 'deployed', version: 'v1.4.2', sha: '3f2a9c1', reload: true };
const CONCURRENCIES = [1, 32] as const;

export interface ClientBenchResult {
  /** Median requests per second by contender, then concurrency. */
  rates: Map<string, Map<number, number>>;
  /** Our client over raw undici, by concurrency (median of per-round ratios). */
  vsUndici: Map<number, number>;
  /** Our client over the official SDK, by concurrency (median of per-round ratios). */
  vsOfficial: Map<number, number>;
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
  const pool = new Pool(endpoint, { connections: 64 });
  const body = JSON.stringify(MESSAGE);
  const headers = { 'content-type': 'application/json', 'user-agent': `webpubsub-action/${VERSION} node/${process.versions.node}`, authorization: `Bearer ${token}` };

  try {
    const samples = await compare(
      [
        { name: 'raw undici', run: () => rawSend(pool, { method: 'POST', path, headers, body }) },
        { name: 'webpubsub-action', run: () => ours.sendToAll(MESSAGE) },
        { name: '@azure/web-pubsub', run: () => official.sendToAll(MESSAGE) },
      ],
      CONCURRENCIES,
      { rounds, durationMs },
    );
    const of = (name: string, n: number) => samples.get(name)!.get(n)!;
    const ratio = (a: string, b: string) => new Map(CONCURRENCIES.map((n) => [n, medianRatio(of(a, n), of(b, n))]));
    const rates = new Map([...samples].map(([name, byN]) => [name, new Map([...byN].map(([n, values]) => [n, median(values)]))]));
    const result = { rates, vsUndici: ratio('webpubsub-action', 'raw undici'), vsOfficial: ratio('webpubsub-action', '@azure/web-pubsub') };
    print(result, rounds, durationMs);
    return result;
  } finally {
    await Promise.all([ours.close(), pool.close()]);
    sink.kill();
  }
}

/** One request through undici's handler API, resolved on completion: nothing more than the wire needs. */
function rawSend(pool: Pool, options: Dispatcher.DispatchOptions): Promise<void> {
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

function print({ rates, vsUndici, vsOfficial }: ClientBenchResult, rounds: number, durationMs: number): void {
  console.log(`\nsendToAll to a loopback 202 sink (own process); medians of ${rounds} interleaved rounds of ${durationMs} ms`);
  console.log(`${'client'.padEnd(20)}${CONCURRENCIES.map((n) => `c=${n} req/s`.padStart(16)).join('')}`);
  for (const [name, byConcurrency] of rates) {
    console.log(`${name.padEnd(20)}${CONCURRENCIES.map((n) => fmt(byConcurrency.get(n)!).padStart(16)).join('')}`);
  }
  for (const n of CONCURRENCIES) {
    console.log(`c=${n}: webpubsub-action = ${vsUndici.get(n)!.toFixed(2)}x raw undici (target >= 0.85), ${vsOfficial.get(n)!.toFixed(1)}x @azure/web-pubsub`);
  }
}
