/**
 * Debug logs say what happened (request line, status, attempt, duration) and never carry a secret; neither do
 * errors, nor the client object itself.
 */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient, redact, type WebPubSubClientOptions } from '../../shared/index.js';
import { startCaptureServer, type CaptureServer, type Reply } from '../helpers/captureServer.js';

const KEY = 'super-secret-access-key-abcdefghijklmnop';
const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]+/;
let server: CaptureServer;
let connectionString: string;
const clients: WebPubSubServiceClient[] = [];

beforeAll(async () => {
  server = await startCaptureServer();
  connectionString = `Endpoint=${server.endpoint};AccessKey=${KEY};Version=1.0;`;
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  delete process.env.WEBPUBSUB_LOG_LEVEL;
  delete process.env.AZURE_LOG_LEVEL;
});

function recorded(options: WebPubSubClientOptions = {}) {
  const lines: string[] = [];
  const logger = {
    debug: (m: string) => lines.push(`debug ${m}`),
    info: (m: string) => lines.push(`info ${m}`),
    warning: (m: string) => lines.push(`warning ${m}`),
  };
  const client = new WebPubSubServiceClient(connectionString, 'hub', { logger, retry: { baseDelayMs: 1 }, ...options });
  clients.push(client);
  return { client, lines };
}

function expectNoSecret(text: string) {
  expect(text).not.toContain(KEY);
  expect(text).not.toMatch(JWT_SHAPE);
  expect(text).not.toMatch(/Bearer\s+(?!\[redacted)/);
}

function script(...replies: Reply[]) {
  let i = 0;
  server.respond(() => replies[Math.min(i++, replies.length - 1)]);
}

describe('debug logging', () => {
  test('logs each attempt with request line, status, attempt and duration, and the retry decision', async () => {
    script({ status: 503 }, { status: 202 });
    const { client, lines } = recorded({ logLevel: 'debug' });
    await client.sendToAll({ v: 1 }, { filter: "userId eq 'x'" });
    const url = `${server.endpoint}/api/hubs/hub/:send?api-version=2024-12-01&filter=userId%20eq%20%27x%27`;
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^debug POST ${escapeRegExp(url)} -> 503 \\(attempt 1/4, \\d+\\.\\d ms\\)$`)),
      expect.stringMatching(/^info sendToAll: 503 on attempt 1 of 4; retrying in \d+ ms$/),
      expect.stringMatching(new RegExp(`^debug POST ${escapeRegExp(url)} -> 202 \\(attempt 2/4, \\d+\\.\\d ms\\)$`)),
    ]);
    lines.forEach(expectNoSecret);
  });

  test('WEBPUBSUB_LOG_LEVEL=debug turns it on without code changes', async () => {
    script({ status: 202 });
    process.env.WEBPUBSUB_LOG_LEVEL = 'debug';
    const { client, lines } = recorded();
    await client.sendToUser('u1', 'x');
    expect(lines).toEqual([expect.stringMatching(/^debug POST .*\/users\/u1\/:send\?api-version=2024-12-01 -> 202/)]);
  });

  test("the Azure SDK's AZURE_LOG_LEVEL=verbose works too, and WEBPUBSUB_LOG_LEVEL wins over it", async () => {
    script({ status: 202 });
    process.env.AZURE_LOG_LEVEL = 'verbose';
    const verbose = recorded();
    await verbose.client.sendToUser('u1', 'x');
    expect(verbose.lines).toEqual([expect.stringMatching(/^debug POST .*\/users\/u1\/:send\?api-version=2024-12-01 -> 202/)]);
    process.env.WEBPUBSUB_LOG_LEVEL = 'warning';
    const quiet = recorded();
    await quiet.client.sendToUser('u1', 'x');
    expect(quiet.lines).toEqual([]);
  });

  test("logLevel 'verbose' is the Azure SDK's name for debug", async () => {
    script({ status: 200 });
    const { client, lines } = recorded({ logLevel: 'verbose' });
    await client.groupExists('g');
    expect(lines).toEqual([expect.stringMatching(/^debug HEAD .*\/groups\/g\?api-version=2024-12-01 -> 200/)]);
  });

  test('the default level stays quiet on success and on retries', async () => {
    script({ status: 429, headers: { 'retry-after-ms': '1' } }, { status: 202 });
    const { client, lines } = recorded();
    await client.sendToAll('x');
    expect(lines).toEqual([]);
  });

  test('without a logger, debug lines go to stderr, redacted', async () => {
    script({ status: 202 });
    const written: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const client = new WebPubSubServiceClient(connectionString, 'hub', { logLevel: 'debug' });
      clients.push(client);
      await client.sendToConnection('c1', 'x');
    } finally {
      process.stderr.write = original;
    }
    expect(written).toEqual([expect.stringMatching(/^\[webpubsub\] debug: POST .*\/connections\/c1\/:send\?api-version=2024-12-01 -> 202/)]);
  });
});

describe('no secret leaks', () => {
  test('errors carry no token, even when the server echoes one back', async () => {
    server.respond((request) => ({
      status: 401,
      headers: { 'content-type': 'application/json', 'x-ms-request-id': 'r-1' },
      body: JSON.stringify({ code: 'Unauthorized', message: `token ${request.headers.authorization} rejected` }),
    }));
    const { client, lines } = recorded({ logLevel: 'debug' });
    const error = (await client.sendToAll('x').catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'WebPubSubRequestError', status: 401, code: 'Unauthorized', requestId: 'r-1' });
    expect(error.message).toContain('rejected');
    for (const text of [error.message, JSON.stringify(error), inspect(error), ...lines]) expectNoSecret(text);
  });

  test('the client and its credential show no key when inspected or serialised', () => {
    const { client } = recorded();
    for (const text of [inspect(client, { depth: 5, showHidden: true }), JSON.stringify(client)]) expectNoSecret(text);
  });

  test('redact removes bearer tokens, JWTs, access keys and access_token query values', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl';
    expect(redact(`Authorization: Bearer abc.def`)).toBe('Authorization: Bearer [redacted]');
    expect(redact(`got ${jwt} back`)).toBe('got [redacted-jwt] back');
    expect(redact(`Endpoint=https://x;AccessKey=${KEY};Version=1.0`)).toBe('Endpoint=https://x;AccessKey=[redacted];Version=1.0');
    expect(redact(`wss://x/client/hubs/h?access_token=abc&awps_reconnection_token=def`)).toBe(
      'wss://x/client/hubs/h?access_token=[redacted]&awps_reconnection_token=[redacted]',
    );
    expect(redact('{"accessKey":"k1","other":"v"}')).toBe('{"accessKey":"[redacted]","other":"v"}');
    expect(redact('nothing secret here')).toBe('nothing secret here');
  });
});

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
