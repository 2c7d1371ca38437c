/**
 * A scan of everything the product writes where people or machines keep it, for the access key, connection
 * strings and tokens: the bundled Action's stdout, stderr, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ENV and
 * GITHUB_STATE over successes, retries, failures, bad inputs, dry runs and waves (with RUNNER_DEBUG=1 and without);
 * the in-process step's log; the core client's debug log, its error messages and their inspected forms; the
 * emulator's verbose log and its answers to refused requests and handshakes; the Pulumi program's registrations
 * (the serialized providers the engine stores), the provider host's outputs, errors and log; and the demo's
 * transcript. Each is searched for the keys, the connection strings, the fake GitHub token, `AccessKey=`,
 * `Bearer ` followed by a token, and anything JWT-shaped; `::add-mask::` lines are the one exception, since the
 * runner needs them to mask. The scanner is itself checked to find each kind of secret it looks for.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inspect, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient, type WebPubSubLogger } from '../../shared/index.js';
import { signJwt } from '../../shared/tokens.js';
import { GITHUB_TOKEN, runAction, type ActionRun } from '../../scripts/harness/actionRunner.js';
import { startCaptureServer } from '../helpers/captureServer.js';
import { runInProcess } from '../helpers/fakeCore.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { runMockedProgram } from '../helpers/mockedProgram.js';
import { uniqueName } from '../helpers/names.js';
import { urnOf, useProviderHost, type ProviderError } from '../helpers/providerHost.js';
import { refusedHandshake } from '../helpers/sockets.js';

const KEY = 'secret-scan-access-key-0123456789abcdefXYZ';
const WRONG_KEY = 'secret-scan-wrong-key-9876543210zyxwv';
const emulatorLog: string[] = [];
const scope = useEmulator({ accessKey: KEY, logger: (line) => void emulatorLog.push(line) });
const pulumi = useProviderHost(() => ({ 'webpubsub:connectionString': scope.emulator.connectionString, 'webpubsub:maxRetries': '0' }));

/** Every artifact scanned, by name, for the closing tally. */
const scanned = new Map<string, number>();

/** Where a secret shows in `text`, as `what: …context…` lines; empty when clean. */
function findSecrets(text: string, literals: readonly string[]): string[] {
  const found: string[] = [];
  const lines = text.split('\n').filter((line) => !line.startsWith('::add-mask::'));
  const patterns: [string, RegExp][] = [
    ...literals.map((literal): [string, RegExp] => [`literal ${literal.slice(0, 12)}…`, new RegExp(literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))]),
    ['AccessKey=', /AccessKey=/i],
    ['a bearer token', /Bearer\s+(?!\*\*\*|\[redacted)[^\s"',;)]/i],
    ['a JWT', /eyJ[\w-]*\.[\w-]+\.[\w-]*/],
  ];
  for (const line of lines) {
    for (const [what, pattern] of patterns) {
      const match = pattern.exec(line);
      if (match) found.push(`${what}: ${line.slice(Math.max(0, match.index - 40), match.index + 60)}`);
    }
  }
  return found;
}

let secrets: string[];
beforeAll(() => {
  secrets = [KEY, WRONG_KEY, scope.emulator.connectionString, GITHUB_TOKEN];
});

/** Scans one artifact and records it. */
function expectClean(name: string, ...texts: string[]): void {
  const text = texts.join('\n');
  scanned.set(name, (scanned.get(name) ?? 0) + text.length);
  expect({ name, found: findSecrets(text, secrets) }).toEqual({ name, found: [] });
}

/** Every file and stream of a bundled run the runner keeps. */
function expectRunClean(name: string, run: ActionRun): void {
  expectClean(`${name}: stdout`, run.stdout);
  expectClean(`${name}: stderr`, run.stderr);
  expectClean(`${name}: GITHUB_OUTPUT`, run.files.output);
  expectClean(`${name}: GITHUB_STEP_SUMMARY`, run.summary);
  expectClean(`${name}: GITHUB_ENV and GITHUB_STATE`, run.files.env, run.files.state);
}

const connectionStringWith = (key: string, endpoint = scope.emulator.endpoint) => `Endpoint=${endpoint};AccessKey=${key};Version=1.0;`;

describe('the scanner', () => {
  test('finds each kind of secret it looks for, and lets ::add-mask:: lines and masked tokens be', async () => {
    const jwt = await signJwt(KEY, {}, { audience: 'http://h/api' });
    for (const planted of [
      KEY,
      scope.emulator.connectionString,
      GITHUB_TOKEN,
      'x AccessKey=abc',
      `Bearer ${jwt}`,
      `Bearer opaque-token`,
      jwt,
      `?access_token=${jwt}`,
    ]) {
      expect(findSecrets(`fine\nbefore ${planted} after\nfine`, secrets)).not.toEqual([]);
    }
    expect(findSecrets(`::add-mask::${KEY}\nauthorization: Bearer *** (masked)\nBearer [redacted]`, secrets)).toEqual([]);
  });
});

describe('the bundled Action (node dist/index.js): logs, outputs, summary, env and state files', () => {
  const hubInputs = () => ({ 'connection-string': scope.emulator.connectionString, hub: uniqueName('hub') });

  test('a send retried through faults, with RUNNER_DEBUG=1', async () => {
    scope.emulator.setFaults({ rate: 1, kinds: ['throttle'], retryAfterSeconds: 0, maxFaults: 2 });
    try {
      const run = await runAction({ inputs: { ...hubInputs(), target: 'group', group: 'ops', message: '{"v":"1.4.2"}' }, debug: true });
      expect(run.outputs).toMatchObject({ ok: 'true', attempts: '3' });
      expect(run.stdout).toContain('::debug::POST ');
      expectRunClean('retried send, debug', run);
    } finally {
      scope.emulator.setFaults(undefined);
    }
  });

  test.each([
    ['a send without debug', () => ({ ...hubInputs() }), false, 0],
    ['a wrong key (401), debug', () => ({ ...hubInputs(), 'connection-string': connectionStringWith(WRONG_KEY) }), true, 1],
    [
      'a wrong key with fail-on-error false, debug',
      () => ({ ...hubInputs(), 'connection-string': connectionStringWith(WRONG_KEY), 'fail-on-error': 'false' }),
      true,
      0,
    ],
    ['a connection string with a bad Port, debug', () => ({ ...hubInputs(), 'connection-string': `${connectionStringWith(KEY)}Port=99999;` }), true, 1],
    ['a dry run, debug', () => ({ ...hubInputs(), 'dry-run': 'true', message: 'x' }), true, 0],
    [
      'endpoint + access-key with count-recipients, debug',
      () => ({ hub: uniqueName('hub'), endpoint: scope.emulator.endpoint, 'access-key': KEY, target: 'user', 'user-id': 'u1', 'count-recipients': 'true' }),
      true,
      0,
    ],
    ['a close in waves, debug', () => ({ ...hubInputs(), operation: 'close', target: 'group', group: 'ops', 'batch-size': '1' }), true, 0],
    ['an unreachable service, debug', () => ({ ...hubInputs(), 'connection-string': connectionStringWith(KEY, 'http://127.0.0.1:1'), retries: '0' }), true, 1],
  ] as const)('%s', async (name, inputs, debug, code) => {
    const run = await runAction({ inputs: inputs(), debug });
    expect(run.code).toBe(code);
    expectRunClean(name, run);
  });

  test('a step that times out against a server that never answers', async () => {
    const stalled = await startCaptureServer(() => 'stall');
    try {
      const run = await runAction({
        inputs: { 'connection-string': connectionStringWith(KEY, stalled.endpoint), hub: 'h', 'timeout-seconds': '1' },
        debug: true,
      });
      expect(run.code).toBe(1);
      expectRunClean('a timeout, debug', run);
    } finally {
      await stalled.close();
    }
  });
});

describe('the in-process step and the core client', () => {
  test("run(core, env)'s log, outputs and summary, with debug, retried and failed", async () => {
    scope.emulator.setFaults({ rate: 1, kinds: ['throttle'], retryAfterSeconds: 0, maxFaults: 1 });
    try {
      for (const key of [KEY, WRONG_KEY]) {
        const record = await runInProcess({ 'connection-string': connectionStringWith(key), hub: uniqueName('hub'), message: 'x' }, { debug: true });
        expectClean(`in-process step (${key === KEY ? 'ok' : 'wrong key'})`, ...record.log, ...Object.values(record.outputs), ...record.summary);
      }
    } finally {
      scope.emulator.setFaults(undefined);
    }
  });

  test('debug log lines, error messages and their inspected forms', async () => {
    const lines: string[] = [];
    const logger: WebPubSubLogger = { debug: (m) => lines.push(m), info: (m) => lines.push(m), warning: (m) => lines.push(m) };
    const options = { logger, logLevel: 'debug' as const, retry: { maxRetries: 1, baseDelayMs: 1 }, timeoutMs: 300 };
    const stalled = await startCaptureServer(() => 'stall');
    const clients = [
      new WebPubSubServiceClient(scope.emulator.connectionString, 'hub', options),
      new WebPubSubServiceClient(connectionStringWith(WRONG_KEY), 'hub', options),
      new WebPubSubServiceClient(connectionStringWith(KEY, 'http://127.0.0.1:1'), 'hub', options),
      new WebPubSubServiceClient(connectionStringWith(KEY, stalled.endpoint), 'hub', options),
    ];
    const errors: unknown[] = [];
    scope.emulator.setFaults({ rate: 1, kinds: ['unavailable'], maxFaults: 1 });
    try {
      await clients[0]!.sendToAll({ v: 1 });
      errors.push(await clients[0]!.addConnectionToGroup('ops', 'nobody').catch((e: unknown) => e));
      for (const client of clients.slice(1)) errors.push(await client.sendToUser('u1', 'x').catch((e: unknown) => e));
      const aborted = new AbortController();
      aborted.abort();
      errors.push(await clients[0]!.sendToAll('x', { signal: aborted.signal }).catch((e: unknown) => e));
      for (const construct of [
        () => new WebPubSubServiceClient(`${connectionStringWith(KEY)}Port=0;`, 'hub'),
        () => new WebPubSubServiceClient(scope.emulator.connectionString, '../hub'),
      ]) {
        try {
          construct();
        } catch (error) {
          errors.push(error);
        }
      }
      const { url } = await clients[0]!.getClientAccessToken({ userId: 'u1' });
      expect(url).toMatch(/access_token=eyJ/);
    } finally {
      scope.emulator.setFaults(undefined);
      await Promise.all(clients.map((client) => client.close()));
      await stalled.close();
    }
    expect(lines.some((line) => line.startsWith('POST '))).toBe(true);
    expect(errors.map((e) => (e as Error).name)).toEqual([
      'WebPubSubRequestError',
      'WebPubSubRequestError',
      'WebPubSubConnectionError',
      'RequestTimeoutError',
      'RequestAbortedError',
      'InvalidArgumentError',
      'InvalidArgumentError',
    ]);
    expectClean('core client debug log', ...lines);
    expectClean('core client errors: messages', ...errors.map((e) => String((e as Error).message)));
    expectClean('core client errors: inspected, with causes', ...errors.map((e) => inspect(e, { depth: 5 })));
    expectClean('core client errors: as JSON', ...errors.map((e) => JSON.stringify(e)));
    expectClean('core client objects, inspected', ...clients.map((client) => inspect(client, { depth: 5, showHidden: false })));
  });
});

describe('the emulator', () => {
  test('its answers to refused requests and handshakes, and its verbose log', async () => {
    const hub = uniqueName('hub');
    const base = scope.emulator.endpoint;
    const restPath = `/api/hubs/${hub}/:send?api-version=2024-12-01`;
    const wrong = await signJwt(WRONG_KEY, {}, { audience: base + restPath });
    const refusedRest = await fetch(base + restPath, {
      method: 'POST',
      headers: { authorization: `Bearer ${wrong}`, 'content-type': 'text/plain' },
      body: 'x',
    });
    const clientUrl = `${base.replace('http', 'ws')}/client/hubs/${hub}`;
    const wrongClient = await signJwt(WRONG_KEY, {}, { audience: `${base}/client/hubs/${hub}` });
    const refusedWs = await refusedHandshake(`${clientUrl}?access_token=${wrongClient}`);
    expect([refusedRest.status, refusedWs.status]).toEqual([401, 401]);
    expectClean(
      'emulator answers to refusals',
      await refusedRest.text(),
      JSON.stringify([...refusedRest.headers]),
      refusedWs.body,
      JSON.stringify(refusedWs.headers),
    );

    // Accepted and recovered connections, the token in the query and in a header.
    const fixture = scope.fixture();
    await fixture.connect({ userId: 'u1' });
    await fixture.connect({ userId: 'u2', protocol: 'json.reliable.webpubsub.azure.v1' });
    await fixture.client.sendToAll('x');
    await fixture.dispose();
    expect(emulatorLog.some((line) => line.startsWith('connected '))).toBe(true);
    expectClean('emulator verbose log', ...emulatorLog);
  });
});

describe('Pulumi', () => {
  test('the registrations a program makes (the state the engine keeps, serialized providers included)', async () => {
    const program = fileURLToPath(new URL('../provider/programs/deployments.js', import.meta.url));
    const run = await runMockedProgram(program, {
      config: { 'webpubsub:connectionString': scope.emulator.connectionString },
      secrets: ['webpubsub:connectionString'],
      env: { WEBPUBSUB_CONNECTION_STRING: scope.emulator.connectionString },
    });
    expect(run.registrations.length).toBeGreaterThan(0);
    expectClean('Pulumi program registrations and outputs', JSON.stringify(run));
  });

  test("the provider host's outputs, errors and log over a lifecycle", async () => {
    const { host, providers } = pulumi;
    const fixture = scope.fixture();
    const { connectionId } = await fixture.connect({ userId: 'alice' });
    const urn = urnOf('GroupMembership', uniqueName('membership'));
    const said: unknown[] = [];
    const { inputs } = await host.check(urn, {}, { hub: fixture.hub, group: 'ops', userIds: ['alice'], __provider: providers.membership });
    const created = await host.create(urn, inputs);
    const read = await host.read(created.id, urn, { properties: created.properties });
    const updated = await host.update(created.id, urn, created.properties, { ...inputs, userIds: ['alice', 'bob'] });
    said.push(inputs, created, read, updated);
    // Failures: a connection that is not there, a grant for it, a read of a bad id, and faults that do not pass.
    said.push(await host.create(urn, { ...inputs, connectionIds: ['gone'] }).catch((e: ProviderError) => [e.message, e.initFailure]));
    const grantUrn = urnOf('PermissionGrant', uniqueName('grant'));
    const grant = (
      await host.check(grantUrn, {}, { hub: fixture.hub, connectionId, permission: 'sendToGroup', targetName: 'ops', __provider: providers.grant })
    ).inputs;
    said.push(grant, await host.create(grantUrn, grant));
    said.push(await host.create(grantUrn, { ...grant, connectionId: 'gone' }).catch((e: Error) => e.message));
    said.push(await host.read('not-an-id', urn, { inputs: { __provider: providers.membership } }).catch((e: Error) => e.message));
    scope.emulator.setFaults({ rate: 1, kinds: ['unavailable'] });
    try {
      said.push(await host.update(created.id, urn, updated, inputs).catch((e: ProviderError) => [e.message, e.initFailure]));
    } finally {
      scope.emulator.setFaults(undefined);
    }
    await host.delete(created.id, urn, updated);
    expect(JSON.stringify(said)).toContain('no such open connection');
    expectClean('Pulumi provider outputs and errors', JSON.stringify(said));
    expectClean('Pulumi serialized providers', providers.membership, providers.grant);
    expectClean('Pulumi provider host log', host.stderr);
  });
});

describe('the demo', () => {
  test('its transcript, run against the emulator through WEBPUBSUB_CONNECTION_STRING', async () => {
    const demo = fileURLToPath(new URL('../../scripts/demo.js', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [demo], {
      timeout: 60_000,
      env: { ...process.env, WEBPUBSUB_CONNECTION_STRING: scope.emulator.connectionString },
    });
    expect(stdout).toMatch(/^OK: /m);
    expectClean('demo transcript', stdout, stderr);
  }, 90_000);
});

afterAll(() => {
  const total = [...scanned.values()].reduce((a, b) => a + b, 0);
  console.log(
    `secret scan: ${scanned.size} artifacts, ${(total / 1024).toFixed(0)} KiB, clean:\n${[...scanned].map(([name, size]) => `  ${name} (${size} B)`).join('\n')}`,
  );
});
