/**
 * Fault injection: 429 with Retry-After, 503, connection resets and latency, at a rate, for resilience tests.
 * Clients with retries ride them out; clients without see exactly the injected failure.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient as OfficialServiceClient } from '@azure/web-pubsub';
import { request } from 'undici';
import { Emulator, startEmulator, type FaultOptions } from '../../emulator/index.js';
import { WebPubSubServiceClient, buildSendToAllRequest } from '../../shared/index.js';
import { uniqueName } from '../helpers/names.js';

let emulator: Emulator;
let hub: string;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(() => emulator.close());
beforeEach(() => {
  hub = uniqueName();
  emulator.setFaults(undefined);
});

async function withClient<T>(options: { maxRetries: number }, use: (client: WebPubSubServiceClient) => Promise<T>): Promise<T> {
  const client = new WebPubSubServiceClient(emulator.connectionString, hub, { retry: { ...options, baseDelayMs: 1, maxDelayMs: 5 }, logLevel: 'off' });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

describe('each kind of fault', () => {
  test('throttle answers 429 with Retry-After and the error body', async () => {
    emulator.setFaults({ rate: 1, kinds: ['throttle'], retryAfterSeconds: 7 });
    const response = await withClient({ maxRetries: 0 }, (client) => client.sendRequest(buildSendToAllRequest(hub, { json: 1 })));
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(JSON.parse(response.body)).toMatchObject({ code: 'TooManyRequests' });
  });

  test('unavailable answers 503', async () => {
    emulator.setFaults({ rate: 1, kinds: ['unavailable'] });
    await expect(withClient({ maxRetries: 0 }, (client) => client.sendToAll('x'))).rejects.toMatchObject({ status: 503, code: 'ServiceUnavailable' });
  });

  test('reset cuts the TCP connection without an answer', async () => {
    emulator.setFaults({ rate: 1, kinds: ['reset'] });
    await expect(request(`${emulator.endpoint}/api/health?api-version=2024-12-01`, { method: 'HEAD' })).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/),
    });
  });

  test('latency delays a request that then succeeds', async () => {
    emulator.setFaults({ rate: 1, kinds: ['latency'], latencyMs: 20 });
    await withClient({ maxRetries: 0 }, (client) => client.sendToAll('late but fine'));
    expect(emulator.faultsInjected).toBe(1);
  });
});

describe('drills', () => {
  test.each([['throttle'], ['unavailable'], ['reset']] as const)('our client retries through %s faults and succeeds', async (kind) => {
    emulator.setFaults({ rate: 1, kinds: [kind], retryAfterSeconds: 0, maxFaults: 2 });
    await withClient({ maxRetries: 3 }, (client) => client.sendToAll('eventually'));
    expect(emulator.faultsInjected).toBe(2);
  });

  test('the official SDK honours Retry-After and succeeds', async () => {
    emulator.setFaults({ rate: 1, kinds: ['throttle'], retryAfterSeconds: 1, maxFaults: 1 });
    const official = new OfficialServiceClient(emulator.connectionString, hub, { allowInsecureConnection: true });
    await official.sendToAll('after a pause');
    expect(emulator.faultsInjected).toBe(1);
  });

  test('the rate decides which requests fail, drawn from the kinds', async () => {
    // A scripted random source: below the rate means a fault; the next draw picks the kind.
    const draws = [0.1, 0.0, 0.9, 0.2, 0.9, 0.6, 0.99];
    emulator.setFaults({ rate: 0.5, kinds: ['throttle', 'unavailable'], random: () => draws.shift() ?? 0.9 });
    const statuses = await withClient({ maxRetries: 0 }, async (client) => {
      const seen: number[] = [];
      for (let i = 0; i < 5; i++) seen.push((await client.sendRequest(buildSendToAllRequest(hub, { json: i }))).status);
      return seen;
    });
    expect(statuses).toEqual([429, 202, 503, 202, 202]);
  });

  test('rate 0 injects nothing', async () => {
    emulator.setFaults({ rate: 0 });
    await withClient({ maxRetries: 0 }, (client) => client.sendToAll('clean'));
    expect(emulator.faultsInjected).toBe(0);
  });
});

test.each([
  [{ rate: 2 }, 'faults.rate'],
  [{ rate: 0.5, kinds: ['meteor'] }, 'faults.kinds'],
  [{ rate: 0.5, latencyMs: -1 }, 'faults.latencyMs'],
  [{ rate: 0.5, typo: true }, 'faults.typo'],
])('bad fault options are refused, naming the field: %j', (faults, field) => {
  expect(() => emulator.setFaults(faults as unknown as FaultOptions)).toThrow(expect.objectContaining({ name: 'InvalidArgumentError', argument: field }));
  expect(() => new Emulator({ faults: faults as unknown as FaultOptions })).toThrow(field);
});
