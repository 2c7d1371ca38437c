/**
 * Sends one request built by the core's `build*Request` functions through the client (auth, retries, timeout,
 * logging) and judges the answer by the operations table: the Action sees the status and the attempts, which the
 * client's typed methods do not return.
 */
import type { WebPubSubServiceClient } from '../shared/hubClient.js';
import { operations, type OperationName } from '../shared/operations.js';
import { interpret, type WebPubSubRequest } from '../shared/requests.js';

/** What one request came to. */
export interface Executed<T = unknown> {
  status: number;
  attempts: number;
  /** The interpreted value: a boolean for exists, the page for a list, else undefined. */
  value: T;
}

/**
 * @throws WebPubSubRequestError for an unexpected status; the client's connection, timeout and abort errors.
 */
export async function execute<T = unknown>(client: WebPubSubServiceClient, request: WebPubSubRequest, signal: AbortSignal): Promise<Executed<T>> {
  const operation = operations[request.operation as OperationName];
  const response = await client.sendRequest(request, { signal });
  const url = client.requestUrl(request);
  const value = interpret(operation, response, { operation: operation.name, method: request.method, url }) as T;
  return { status: response.status, attempts: response.attempts, value };
}

/**
 * Counts requests, and the attempts they took, over a step (the `attempts` output). Kept apart so a log line can
 * tell a retry ("2 attempts" for one request) from a step that sends two requests (count, then send).
 */
export class Attempts {
  total = 0;
  requests = 0;

  add<T>(executed: Executed<T>): Executed<T> {
    this.total += executed.attempts;
    this.requests += 1;
    return executed;
  }

  /** `after 1 attempt`, `after 3 attempts`, or for several requests `2 requests, 3 attempts in all`. */
  describe(): string {
    const attempts = `${this.total} attempt${this.total === 1 ? '' : 's'}`;
    return this.requests <= 1 ? `after ${attempts}` : `${this.requests} requests, ${attempts} in all`;
  }
}
