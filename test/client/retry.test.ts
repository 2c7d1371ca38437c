/**
 * Retry, Retry-After, timeout and abort behaviour against a loopback server that answers 503, 429 with
 * Retry-After, resets connections and stalls. No clocks are asserted: where a wait matters, the alternative
 * path would take far longer than the test's timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient, type WebPubSubClientOptions } from '../../shared/index.js';
import { retryAfterMs } from '../../shared/pipeline.js';
import { startCaptureServer, type CaptureServer, type Reply } from '../helpers/captureServer.js';

let server: CaptureServer;
const clients: WebPubSubServiceClient[] = [];

beforeAll(async () => void (server = await startCaptureServer()));
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server.requests.length = 0;
});

function client(options: WebPubSubClientOptions = {}, endpoint = server.endpoint) {
  const created = new WebPubSubServiceClient(`Endpoint=${endpoint};AccessKey=retry-key;Version=1.0;`, 'hub', {
    logLevel: 'off',
    ...options,
    retry: { baseDelayMs: 1, maxDelayMs: 50, ...options.retry },
  });
  clients.push(created);
  return created;
}

/** Answers with each reply in turn, then repeats the last one. */
function script(...replies: Reply[]) {
  let i = 0;
  server.respond(() => replies[Math.min(i++, replies.length - 1)]);
}

describe('retries', () => {
  test.each([408, 429, 500, 502, 503, 504])('%i is retried, and the retry carries the same token', async (status) => {
    script({ status }, { status: 202 });
    await client().sendToAll({ deploy: 'v1.4.2' });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1].headers.authorization).toBe(server.requests[0].headers.authorization);
    expect(server.requests[1].body).toEqual(server.requests[0].body);
  });

  test.each([400, 401, 403, 404, 409, 413, 501, 505])('%i is not retried', async (status) => {
    script({ status });
    await expect(client().sendToAll('x')).rejects.toMatchObject({ name: 'WebPubSubRequestError', status, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  test('gives up after maxRetries and reports the last status and the attempts made', async () => {
    script({ status: 503, headers: { 'x-ms-error-code': 'Error.Service.Busy', 'x-ms-request-id': 'req-42' } });
    const error = await client({ retry: { maxRetries: 2 } })
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WebPubSubRequestError', status: 503, code: 'Error.Service.Busy', requestId: 'req-42', attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  test('maxRetries 0 makes one attempt', async () => {
    script({ status: 503 });
    await expect(client({ retry: { maxRetries: 0 } }).sendToAll('x')).rejects.toMatchObject({ status: 503, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  test('the default is 3 retries (4 attempts)', async () => {
    script({ status: 500 });
    await expect(client().sendToAll('x')).rejects.toMatchObject({ attempts: 4 });
    expect(server.requests).toHaveLength(4);
  });

  test('a connection reset is retried', async () => {
    script('reset', { status: 202 });
    await client().sendToAll('x');
    expect(server.requests).toHaveLength(2);
  });

  test('connections reset on every attempt end in WebPubSubConnectionError', async () => {
    script('reset');
    const error = await client({ retry: { maxRetries: 2 } })
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WebPubSubConnectionError', code: 'UND_ERR_SOCKET', attempts: 3, operation: 'sendToAll' });
    expect(server.requests).toHaveLength(3);
  });

  test('a refused connection is retried, then reported with its system code', async () => {
    const closed = await startCaptureServer();
    const endpoint = closed.endpoint;
    await closed.close();
    const error = await client({ retry: { maxRetries: 1 } }, endpoint)
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WebPubSubConnectionError', code: 'ECONNREFUSED', attempts: 2 });
  });
});

describe('Retry-After', () => {
  // The backoff here would be 10 minutes; finishing at all proves the server's shorter wait was used.
  const slowBackoff = { retry: { baseDelayMs: 600_000, maxDelayMs: 600_000 } };
  test.each([
    ['retry-after-ms', '20'],
    ['x-ms-retry-after-ms', '20'],
    ['retry-after', '0.02'],
    ['retry-after', new Date(Date.now() - 1000).toUTCString()],
  ])('%s: %s is honoured instead of the backoff', async (header, value) => {
    script({ status: 429, headers: { [header]: value } }, { status: 202 });
    await client(slowBackoff).sendToAll('x');
    expect(server.requests).toHaveLength(2);
  });

  test('a Retry-After beyond maxDelayMs ends the retries instead of hanging the pipeline, and the error says so', async () => {
    script({ status: 429, headers: { 'retry-after': '3600' } });
    const error = await client({ retry: { maxDelayMs: 1000 } })
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 429,
      attempts: 1,
      retryStopped: 'the service asked to retry after 3600000 ms, more than retry.maxDelayMs (1000 ms)',
    });
    expect((error as Error).message).toMatch(
      /failed with 429 Http429; retries stopped: the service asked to retry after 3600000 ms, more than retry\.maxDelayMs \(1000 ms\) \(POST /,
    );
    expect(server.requests).toHaveLength(1);
  });

  test('sendRequest hands back the 429 with the reason the retries stopped', async () => {
    script({ status: 429, headers: { 'retry-after': '3600' } });
    const response = await client({ retry: { maxDelayMs: 1000 } }).sendRequest({ method: 'HEAD', url: '/api/health', headers: {} });
    expect(response).toMatchObject({ status: 429, attempts: 1, retryStopped: expect.stringContaining('more than retry.maxDelayMs') });
  });

  test('parsing: seconds, dates, ms headers; junk is ignored', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(retryAfterMs({ 'retry-after': '2' }, now)).toBe(2000);
    expect(retryAfterMs({ 'retry-after': 'Sat, 28 Nov 2026 12:00:05 GMT' }, now)).toBe(5000);
    expect(retryAfterMs({ 'retry-after': 'Sat, 28 Nov 2026 11:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after-ms': '150', 'retry-after': '9' }, now)).toBe(150);
    expect(retryAfterMs({ 'x-ms-retry-after-ms': '70' }, now)).toBe(70);
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeUndefined();
    expect(retryAfterMs({ 'retry-after-ms': '-5' }, now)).toBeUndefined();
    expect(retryAfterMs({}, now)).toBeUndefined();
  });
});

describe('timeouts and aborts', () => {
  test('a stalled server times out each attempt, and the attempts are retried', async () => {
    script('stall');
    const error = await client({ timeoutMs: 100, retry: { maxRetries: 1 } })
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RequestTimeoutError', code: 'RequestTimeout', timeoutMs: 100, attempts: 2 });
    expect(server.requests).toHaveLength(2);
  });

  test('a stall followed by an answer succeeds', async () => {
    script('stall', { status: 202 });
    await client({ timeoutMs: 100 }).sendToAll('x');
    expect(server.requests).toHaveLength(2);
  });

  test('aborting during a request stops at once, without retrying', async () => {
    script('stall');
    const controller = new AbortController();
    const pending = client({ timeoutMs: 600_000 }).sendToAll('x', { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'RequestAbortedError', code: 'RequestAborted' });
    expect(server.requests).toHaveLength(1);
  });

  test('aborting during the wait between retries ends the wait', async () => {
    script({ status: 503 });
    const controller = new AbortController();
    const pending = client({ retry: { baseDelayMs: 600_000, maxDelayMs: 600_000 } }).sendToAll('x', { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'RequestAbortedError' });
    expect(server.requests).toHaveLength(1);
  });

  test('an already aborted signal sends nothing', async () => {
    script({ status: 202 });
    await expect(client().sendToAll('x', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'RequestAbortedError' });
    expect(server.requests).toHaveLength(0);
  });
});

describe('retry.maxElapsedMs bounds the whole call', () => {
  test('a stalled server: the attempt gets only the time left, and the error names the overall bound', async () => {
    script('stall');
    // Per attempt the client would wait 10 minutes; the bound on the whole call ends it.
    const error = await client({ timeoutMs: 600_000, retry: { maxElapsedMs: 150 } })
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RequestTimeoutError', code: 'RequestTimeout', overall: true, timeoutMs: 150, attempts: 1 });
    expect((error as Error).message).toMatch(/^sendToAll did not complete within retry\.maxElapsedMs \(150 ms\), over 1 attempt\(s\) \(POST /);
    expect(server.requests).toHaveLength(1);
  });

  test('no retry starts that would begin after the deadline: the last answer comes back with the reason', async () => {
    script({ status: 503 });
    // The backoff (at least 30 s) passes the 2 s deadline, so one attempt is all there is.
    const error = await client({ retry: { maxRetries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, maxElapsedMs: 2000 } })
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'WebPubSubRequestError',
      status: 503,
      attempts: 1,
      retryStopped: 'the next attempt would start after retry.maxElapsedMs (2000 ms)',
    });
    expect(server.requests).toHaveLength(1);
  });

  test('connection failures stop retrying at the deadline too', async () => {
    script('reset');
    const error = await client({ retry: { maxRetries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, maxElapsedMs: 2000 } })
      .sendToAll('x')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'WebPubSubConnectionError', attempts: 1, retryStopped: expect.stringContaining('retry.maxElapsedMs (2000 ms)') });
    expect((error as Error).message).toMatch(/after 1 attempt\(s\); retries stopped: the next attempt would start after retry\.maxElapsedMs/);
  });

  test('retries that fit inside the deadline still happen', async () => {
    script({ status: 503 }, { status: 503 }, { status: 202 });
    await client({ retry: { maxElapsedMs: 60_000 } }).sendToAll('x');
    expect(server.requests).toHaveLength(3);
  });
});
