/**
 * The `webpubsub-emulator` command: it prints a connection string that works, takes faults from the
 * environment, refuses bad flags, and shuts down cleanly on SIGTERM and SIGINT.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';
import { WebPubSubServiceClient, parseConnectionString } from '../../shared/index.js';
import { abortUpload } from '../helpers/abortedUpload.js';
import { until } from '../helpers/inbox.js';
import { uniqueName } from '../helpers/names.js';

const CLI = fileURLToPath(new URL('../../emulator/cli.js', import.meta.url));

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

test.each([
  [['--port', 'eighty'], '--port must be a non-negative integer'],
  [['--port', '70000'], 'options.port must be an integer from 0 to 65535'],
  [['--colour'], "Unknown option '--colour'"],
])('refuses %j with exit code 2 and the usage', async (args, message) => {
  const child = spawn(process.execPath, [CLI, ...args]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = await once(child, 'exit');
  expect(code).toBe(2);
  expect(stderr).toContain(message);
  expect(stderr).toContain('Usage: webpubsub-emulator');
});
