/**
 * `npm run demo` is the newcomer's first command: it must keep working, end to end, offline, and exit on its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import { startEmulator } from '../emulator/index.js';

const demo = fileURLToPath(new URL('../scripts/demo.js', import.meta.url));
const run = (env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, [demo], { timeout: 60_000, env });
const { WEBPUBSUB_CONNECTION_STRING: _ignored, ...environment } = process.env;

function expectTranscript(stdout: string) {
  expect(stdout).toMatch(/clients\s+alice, bob, carol connected with @azure\/web-pubsub-client/);
  expect(stdout).toMatch(/pulumi\s+WebPubSubGroupMembership release-watchers: group "releases" = alice, bob \(Pulumi's provider host, over gRPC\)/);
  expect(stdout).toMatch(/pulumi\s+WebPubSubPermissionGrant alice-sends/);
  expect(stdout).toMatch(/action\s+push to main: deploy notification -> ok=true, status 202, 2 recipients/);
  expect(stdout).toMatch(/clients\s+alice, bob got deployment main@a1b2c3d; carol nothing \(not a member\)/);
  expect(stdout).toMatch(/clients\s+alice, bob got release v1\.4\.2 "Shop 1\.4\.2"; carol nothing/);
  expect(stdout).toMatch(/carol -> "releases": refused \(Forbidden: no grant\)/);
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
    expectTranscript(stdout);
  } finally {
    await service.close();
  }
});
