/**
 * The `webpubsub-emulator` command: it prints a connection string that works, takes faults from the
 * environment, refuses bad flags, and shuts down cleanly on SIGTERM and SIGINT.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient, parseConnectionString } from '../../shared/index.js';
import { abortUpload } from '../helpers/abortedUpload.js';
import { startCaptureServer } from '../helpers/captureServer.js';
import { until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';
import { JSON_PROTOCOL, refusedHandshake } from '../helpers/sockets.js';

const CLI = fileURLToPath(new URL('../../emulator/cli.js', import.meta.url));
/** The compiled core client, for scripts run in a child process. */
const CORE = fileURLToPath(new URL('../../shared/index.js', import.meta.url));

interface Running {
  child: ChildProcessWithoutNullStreams;
  connectionString: string;
  stderr: () => string;
}

/** Starts the CLI and waits for the connection string on its first stdout line. */
async function run(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let stdout = '';
  const connectionString = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`the CLI exited with ${code} before printing: ${stderr}`)));
  });
  return { child, connectionString, stderr: () => stderr };
}

async function stop({ child }: Running, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, 'exit');
  child.kill(signal);
  const [code] = await exited;
  return code as number | null;
}

test('prints a connection string that works, then exits 0 on SIGTERM', async () => {
  const running = await run(['--port', '0', '--host', '127.0.0.1'], { WEBPUBSUB_EMULATOR_ACCESS_KEY: 'cli-test-key' });
  expect(running.connectionString).toMatch(/^Endpoint=http:\/\/127\.0\.0\.1:\d+;AccessKey=cli-test-key;Version=1\.0;$/);
  const client = new WebPubSubServiceClient(running.connectionString, uniqueName(), { retry: { maxRetries: 0 } });
  await client.sendToAll({ from: 'cli test' });
  expect(await client.connectionExists('nobody')).toBe(false);
  await client.close();
  expect(await stop(running, 'SIGTERM')).toBe(0);
  expect(running.stderr()).toContain('SIGTERM, shutting down');
  expect(running.stderr()).not.toContain('cli-test-key');
});

test('exits 0 on SIGINT, and generates a key when none is given', async () => {
  const running = await run(['--port', '0']);
  expect(parseConnectionString(running.connectionString).accessKey.length).toBeGreaterThan(20);
  expect(await stop(running, 'SIGINT')).toBe(0);
});

test('takes faults from the environment', async () => {
  const running = await run(['--port', '0'], { WEBPUBSUB_EMULATOR_FAULT_RATE: '1', WEBPUBSUB_EMULATOR_FAULT_KINDS: 'unavailable' });
  const client = new WebPubSubServiceClient(running.connectionString, uniqueName(), { retry: { maxRetries: 0 }, logLevel: 'off' });
  await expect(client.sendToAll('x')).rejects.toMatchObject({ status: 503 });
  await client.close();
  expect(await stop(running, 'SIGTERM')).toBe(0);
});

test('an aborted upload leaves no error or stack trace on stderr, and the emulator keeps serving', async () => {
  const running = await run(['--port', '0', '--verbose'], { WEBPUBSUB_EMULATOR_ACCESS_KEY: 'abort-key' });
  const hub = uniqueName();
  const { endpoint } = parseConnectionString(running.connectionString);
  await abortUpload(endpoint, 'abort-key', `/api/hubs/${hub}/:send?api-version=2024-12-01`);
  await until(() => running.stderr().includes(`POST /api/hubs/${hub}/:send -> 499`), 'the aborted upload in the log');
  const client = new WebPubSubServiceClient(running.connectionString, hub, { retry: { maxRetries: 0 } });
  await client.sendToAll('after the abort');
  await client.close();
  expect(await stop(running, 'SIGTERM')).toBe(0);
  expect(running.stderr()).toContain(`POST /api/hubs/${hub}/:send -> 202`);
  expect(running.stderr()).not.toMatch(/error|\n\s+at |-> 500/i);
});

describe('--ready-file', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('once listening, writes the connection string, owner-only and whole; removes it on SIGTERM', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wps-ready-'));
    const file = join(dir, 'emulator.ready');
    const running = await run(['--port', '0', '--ready-file', file]);
    await until(() => existsSync(file), 'the ready file');
    expect(readFileSync(file, 'utf8')).toBe(`${running.connectionString}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Written through a temporary file and a rename: nothing else is left in the directory.
    expect(readdirSync(dir)).toEqual(['emulator.ready']);
    const client = new WebPubSubServiceClient(readFileSync(file, 'utf8').trim(), uniqueName(), { retry: { maxRetries: 0 } });
    expect(await client.connectionExists('nobody')).toBe(false);
    await client.close();
    expect(await stop(running, 'SIGTERM')).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('the README recipe: start in the background, wait for the file, export, run a step, kill', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wps-ready-'));
    const step = `import('${CORE}').then(async ({ WebPubSubServiceClient }) => {
      const client = new WebPubSubServiceClient(process.env.WEBPUBSUB_CONNECTION_STRING, 'ci');
      console.log('user exists:', await client.userExists('nobody'));
      await client.close();
    })`;
    const script = `
      set -e
      READY="$DIR/webpubsub-emulator.ready"
      rm -f "$READY"
      node "$CLI" --port 0 --ready-file "$READY" > /dev/null 2>&1 &
      EMULATOR_PID=$!
      for _ in $(seq 1 100); do [ -s "$READY" ] && break; kill -0 "$EMULATOR_PID" 2>/dev/null || break; sleep 0.1; done
      export WEBPUBSUB_CONNECTION_STRING="$(cat "$READY")"
      node -e "$STEP"
      kill "$EMULATOR_PID"
      wait "$EMULATOR_PID"
      echo "emulator exit $?"
      ls -A "$DIR"`;
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { env: { ...process.env, DIR: dir, CLI, STEP: step } });
    expect(stdout.split('\n')).toEqual(['user exists: false', 'emulator exit 0', '']);
  });

  test('a path that cannot be written stops the emulator with exit code 1, naming the flag', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wps-ready-'));
    const child = spawn(process.execPath, [CLI, '--port', '0', '--ready-file', join(dir, 'missing', 'emulator.ready')]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toContain(`--ready-file: cannot write ${join(dir, 'missing', 'emulator.ready')} (ENOENT)`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('--config', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reads the event handlers of a JSON file: a connect handler that refuses refuses the handshake', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wps-config-'));
    // The application: it allows any origin, and refuses every connect.
    const app = await startCaptureServer(({ method }) =>
      method === 'OPTIONS' ? { status: 200, headers: { 'WebHook-Allowed-Origin': '*' } } : { status: 403 },
    );
    const hub = uniqueName();
    const file = join(dir, 'emulator.json');
    writeFileSync(file, JSON.stringify({ hubs: { [hub]: { eventHandlers: [{ urlTemplate: `${app.endpoint}/{event}`, systemEvents: ['connect'] }] } } }));
    const running = await run(['--port', '0', '--config', file]);
    try {
      const client = new WebPubSubServiceClient(running.connectionString, hub, { retry: { maxRetries: 0 } });
      const refused = await refusedHandshake((await client.getClientAccessToken()).url, JSON_PROTOCOL);
      await client.close();
      expect([refused.status, refused.errorCode]).toEqual([403, 'ConnectRefused']);
      expect(app.requests.map((request) => `${request.method} ${request.url}`)).toEqual(['OPTIONS /validate', 'POST /connect']);
    } finally {
      await stop(running, 'SIGTERM');
      await app.close();
    }
  });

  test.each([
    ['a file that does not exist', null, '(ENOENT)'],
    ['text that is not JSON', '{"hubs":', 'is not JSON'],
    ['a setting the file does not have', '{"port": 80}', '"port" is not a setting (the settings: hubs, upstream)'],
    [
      'a bad handler',
      '{"hubs": {"chat": {"eventHandlers": [{"urlTemplate": "ftp://x"}]}}}',
      'options.hubs.chat.eventHandlers[0].urlTemplate must be an http:// or https:// URL',
    ],
  ])('refuses %s with exit code 2, naming the flag', async (_what, content, message) => {
    dir = mkdtempSync(join(tmpdir(), 'wps-config-'));
    const file = join(dir, 'emulator.json');
    if (content !== null) writeFileSync(file, content);
    const child = spawn(process.execPath, [CLI, '--port', '0', '--config', file]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

test.each([
  [['--port', 'eighty'], '--port must be a non-negative integer'],
  [['--port', '70000'], 'options.port must be an integer from 0 to 65535'],
  [['--colour'], "Unknown option '--colour'"],
  [['--ready-file', ''], '--ready-file must be a path'],
  [['--client-faults', 'drop,meteor', '--client-fault-every-ms', '500'], '--client-faults "meteor" is not one of drop, halfOpen, close, expireTokens, all'],
  [['--client-faults', 'drop'], '--client-fault-every-ms is required with --client-faults'],
  [['--client-faults', 'all', '--client-fault-every-ms', '500', '--client-fault-share', '2'], '--client-fault-share must be a number from 0 to 1'],
  [['--client-fault-every-ms', '500'], '--client-fault-every-ms applies only with --client-faults'],
])('refuses %j with exit code 2 and the usage', async (args, message) => {
  const child = spawn(process.execPath, [CLI, ...args]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, 'exit');
  expect(code).toBe(2);
  expect(stderr).toContain(message);
  expect(stderr).toContain('Usage: webpubsub-emulator');
});
