/**
 * What is left between our client and undici's handler API: the gap per request at concurrency 1, and our
 * client's own work per call measured without a socket (a dispatcher that answers 202 at once), layer by layer:
 * building and validating the request (JSON included), the token, the policies, the transport's handler. Each
 * layer is timed on its own with the awaits it needs, so the layers do not add up to the whole.
 */
import type { Dispatcher } from 'undici';
import { AzureKeyCredential, buildSendToAllRequest, WebPubSubServiceClient } from '../shared/index.js';
import { authPolicy, compose, createTransport, retryPolicy, userAgentPolicy, type PipelineRequest, type Send } from '../shared/pipeline.js';
import { createKeyTokenSource } from '../shared/tokens.js';
import { createLog } from '../shared/logger.js';

const ITERATIONS = 50_000;

/** A dispatcher that answers every request with an empty 202 before returning: the client with no network. */
const instantDispatcher = {
  dispatch(_options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    handler.onConnect?.(() => {});
    handler.onHeaders?.(202, [], () => {}, '');
    handler.onComplete?.([]);
    return true;
  },
  close: async () => {},
  destroy: async () => {},
} as unknown as Dispatcher;

/**
 * Microseconds of one awaited call of `run`: the best of a few batches after a warm-up, since on a shared machine
 * the other work only ever adds time.
 */
async function micros(run: () => unknown, iterations = ITERATIONS): Promise<number> {
  for (let i = 0; i < iterations / 10; i++) await run();
  const batch = iterations / 5;
  let best = Infinity;
  for (let b = 0; b < 5; b++) {
    const started = performance.now();
    for (let i = 0; i < batch; i++) await run();
    best = Math.min(best, ((performance.now() - started) * 1000) / batch);
  }
  return best;
}

export interface FloorBreakdown {
  /** Microseconds per request between us and the floor at c=1, from the measured rates. */
  gapMicros: number;
  /** Our client's work per call without a socket, in microseconds, in all and by layer. */
  client: number;
  layers: { name: string; micros: number }[];
}

export async function floorBreakdown(connectionString: string, hub: string, message: object, rates: { ours: number; floor: number }): Promise<FloorBreakdown> {
  const client = new WebPubSubServiceClient(connectionString, hub, { logLevel: 'off', dispatcher: instantDispatcher });
  const key = /AccessKey=([^;]+)/.exec(connectionString)![1]!;
  const endpoint = /Endpoint=([^;]+)/.exec(connectionString)![1]!;
  const tokens = createKeyTokenSource(new AzureKeyCredential(key));
  const built = buildSendToAllRequest(hub, { json: message });
  const audience = `${endpoint}${built.url}`;
  const answered: Send = () => Promise.resolve({ status: 202, headers: {}, body: '', attempts: 1 } as never);
  const log = createLog(undefined, 'off');
  const policies = compose(
    [userAgentPolicy('bench'), authPolicy(tokens, endpoint), retryPolicy({}, { log, timeoutMs: 60_000, describeUrl: (path) => path })],
    answered,
  );
  const transport = createTransport(instantDispatcher, { origin: endpoint, pathPrefix: '', timeoutMs: 60_000 });
  const request = (): PipelineRequest => ({ operation: 'sendToAll', method: 'POST', path: built.url, headers: { ...built.headers }, body: built.body });
  try {
    const layers = [
      { name: 'build and validate the request, JSON included', micros: await micros(() => buildSendToAllRequest(hub, { json: message })) },
      { name: 'token (cached, one audience)', micros: await micros(() => tokens(audience)) },
      { name: 'policies (user agent, auth, retry)', micros: await micros(() => policies(request())) },
      { name: 'transport (undici handler, timer, response)', micros: await micros(() => transport(request())) },
    ];
    const whole = await micros(() => client.sendToAll(message));
    return { gapMicros: 1e6 / rates.ours - 1e6 / rates.floor, client: whole, layers };
  } finally {
    await client.close();
  }
}
