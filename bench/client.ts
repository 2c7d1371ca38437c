/**
 * sendToAll throughput of our client, the official @azure/web-pubsub and raw undici, against one loopback 202 sink
 * in a separate process, at concurrency 1 and 32. Raw undici (a pre-signed token, a pre-serialised body, the same
 * keep-alive pool settings) is the limit our client is measured against.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WebPubSubServiceClient as OfficialClient } from '@azure/web-pubsub';
import { SignJWT } from 'jose';
import { Pool } from 'undici';
import { WebPubSubServiceClient } from '../shared/index.js';
import { compare, fmt } from './measure.js';

const KEY = 'bench-access-key-0123456789abcdefghijklmnopqrstuv';
const HUB = 'bench';
const MESSAGE = { event: 'deployed', version: 'v1.4.2', sha: '3f2a9c1', reload: true };
const CONCURRENCIES = [1, 32] as const;

export interface ClientBenchResult {
  /** Requests per second by contender, then concurrency. */
  rates: Map<string, Map<number, number>>;
  /** Our client over raw undici, by concurrency. */
  vsUndici: Map<number, number>;
  /** Our client over the official SDK, by concurrency. */
  vsOfficial: Map<number, number>;
}

export async function benchClientSendToAll({ rounds = 3, durationMs = 1500 } = {}): Promise<ClientBenchResult> {
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
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };

  try {
    const rates = await compare(
      [
        {
          name: 'raw undici',
          run: async () => {
            const response = await pool.request({ method: 'POST', path, headers, body });
            await response.body.text();
            if (response.statusCode !== 202) throw new Error(`sink answered ${response.statusCode}`);
          },
        },
        { name: 'webpubsub-action', run: () => ours.sendToAll(MESSAGE) },
        { name: '@azure/web-pubsub', run: () => official.sendToAll(MESSAGE) },
      ],
      CONCURRENCIES,
      { rounds, durationMs },
    );
    const ratio = (a: string, b: string) => new Map(CONCURRENCIES.map((n) => [n, rates.get(a)!.get(n)! / rates.get(b)!.get(n)!]));
    const result = { rates, vsUndici: ratio('webpubsub-action', 'raw undici'), vsOfficial: ratio('webpubsub-action', '@azure/web-pubsub') };
    print(result, rounds, durationMs);
    return result;
  } finally {
    await Promise.all([ours.close(), pool.close()]);
    sink.kill();
  }
}

function print({ rates, vsUndici, vsOfficial }: ClientBenchResult, rounds: number, durationMs: number): void {
  console.log(`\nsendToAll to a loopback 202 sink (own process); median of ${rounds} interleaved rounds of ${durationMs} ms`);
  console.log(`${'client'.padEnd(20)}${CONCURRENCIES.map((n) => `c=${n} req/s`.padStart(16)).join('')}`);
  for (const [name, byConcurrency] of rates) {
    console.log(`${name.padEnd(20)}${CONCURRENCIES.map((n) => fmt(byConcurrency.get(n)!).padStart(16)).join('')}`);
  }
  for (const n of CONCURRENCIES) {
    console.log(`c=${n}: webpubsub-action = ${vsUndici.get(n)!.toFixed(2)}x raw undici (target >= 0.85), ${vsOfficial.get(n)!.toFixed(1)}x @azure/web-pubsub`);
  }
}
