/**
 * `npm run demo` is the newcomer's first command: it must keep working, end to end, offline, and exit on its own.
 */
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import { WebSocket } from 'ws';
import { connectNotifications, type DeployNotification, type ReleaseNotification } from '../browser/index.js';
import { startEmulator } from '../emulator/index.js';

const demo = fileURLToPath(new URL('../scripts/demo.js', import.meta.url));
const run = (env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, [demo], { timeout: 60_000, env });
const { WEBPUBSUB_CONNECTION_STRING: _ignored, ...environment } = process.env;

function expectTranscript(stdout: string, real = false) {
  expect(stdout).toMatch(/clients\s+alice, bob, carol connected with @azure\/web-pubsub-client/);
  expect(stdout).toMatch(/pulumi\s+WebPubSubGroupMembership release-watchers: group "releases" = alice, bob \(Pulumi's provider host, over gRPC\)/);
  expect(stdout).toMatch(/pulumi\s+WebPubSubPermissionGrant alice-sends/);
  expect(stdout).toMatch(/action\s+push to main: deploy notification -> ok=true, status 202, 2 recipients/);
  expect(stdout).toMatch(/clients\s+alice, bob got deployment main@a1b2c3d; carol nothing \(not a member\)/);
  expect(stdout).toMatch(/clients\s+alice, bob got release v1\.4\.2 "Shop 1\.4\.2"; carol nothing/);
  expect(stdout).toMatch(/carol -> "releases": refused \(Forbidden: no grant\)/);
  if (!real) {
    expect(stdout).toMatch(/app\s+event "reloaded" from bob: \{"version":"v1\.4\.2"\}/);
    expect(stdout).toMatch(/clients\s+bob got the app's answer: "thanks, noted"/);
  }
  expect(stdout).toMatch(/close group "releases" in waves of 1, 0\.3 s apart -> ok=true, status 204, closed 2/);
  expect(stdout).toMatch(/alice, bob disconnected \(".*rollout v1\.4\.2"\); carol still connected/);
  expect(stdout).toMatch(/^OK: alice and bob got exactly the group's two notifications and carol none/m);
}

test('on a fresh machine it runs on the embedded emulator', async () => {
  const { stdout } = await run(environment);
  expect(stdout).toMatch(/emulator\s+http:\/\/127\.0\.0\.1:\d+, hub "shop"/);
  expectTranscript(stdout);
});

test('with WEBPUBSUB_CONNECTION_STRING it runs the same steps against that service', async () => {
  const service = await startEmulator({ port: 0 });
  try {
    const { stdout } = await run({ ...environment, WEBPUBSUB_CONNECTION_STRING: service.connectionString });
    expect(stdout).toContain(`service   ${service.endpoint}, hub "shop"`);
    expect(stdout).not.toContain('emulator ');
    expectTranscript(stdout, true);
    expect(stdout).not.toContain('app       ');
  } finally {
    await service.close();
  }
});

test('--serve waits for the page, which then gets the banners the Action sends, and stays up until Ctrl+C', async () => {
  const child = spawn(process.execPath, [demo, '--serve'], { env: environment, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const output: string[] = [];
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const seen = output.map((line) => line.match(pattern)).find(Boolean);
      if (seen) return resolve(seen);
      const check = (line: string) => {
        const match = line.match(pattern);
        if (match) {
          lines.off('line', check);
          resolve(match);
        }
      };
      lines.on('line', check);
    });
  lines.on('line', (line) => output.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let listener: { close(): Promise<void> } | undefined;
  try {
    const [, pageUrl] = (await waitFor(/page\s+open (http:\/\/\S+) in a browser/))!;
    // The browser, played by the browser module over ws: it asks the page's server for its client URL.
    const deployed = new Promise<DeployNotification>((resolve) => {
      const released = [] as ReleaseNotification[];
      listener = connectNotifications({
        url: async () => ((await (await fetch(new URL('negotiate', pageUrl))).json()) as { url: string }).url,
        WebSocket: WebSocket as never,
        onDeployed: (notification) => resolve(notification),
        onRelease: (notification) => released.push(notification),
      });
    });
    expect(await deployed).toMatchObject({ kind: 'deployment', refName: 'main', repository: 'octo-org/shop' });
    await waitFor(/stays up, with the emulator; Ctrl\+C stops it/);
    expect(output.join('\n')).toMatch(/push to main: deploy notification -> ok=true, status 202, 3 recipients/);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  } finally {
    await listener?.close();
    child.kill();
  }
}, 60_000);
