/**
 * `npm run demo` is the newcomer's first command: it must keep working, end to end, offline, and exit on its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from '@jest/globals';
import { startEmulator } from '../emulator/index.js';

const demo = fileURLToPath(new URL('../scripts/demo.js', import.meta.url));
const run = (env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, [demo], { timeout: 20_000, env });
const { WEBPUBSUB_CONNECTION_STRING: _ignored, ...environment } = process.env;

function expectTranscript(stdout: string) {
  expect(stdout).toMatch(/subscriber connected as dashboard-1 \(connection \S+\) with @azure\/web-pubsub-client/);
  expect(stdout).toMatch(/pipeline\s+sendToGroup\("releases"\) \{"event":"deployed","version":"v1\.4\.2".*\} -> 202 Accepted/);
  expect(stdout).toMatch(/subscriber received in "releases" \(json\): \{"event":"deployed","version":"v1\.4\.2"/);
  expect(stdout).toMatch(/^OK: the subscriber got exactly what the pipeline sent/m);
}

test('on a fresh machine it runs on the embedded emulator, with an application server taking the events', async () => {
  const { stdout } = await run(environment);
  expect(stdout).toMatch(/emulator\s+listening on http:\/\/127\.0\.0\.1:\d+, hub "deployments"/);
  expectTranscript(stdout);
  expect(stdout).toMatch(/app\s+event "reloaded" from dashboard-1: \{"version":"v1\.4\.2"\}/);
  expect(stdout).toMatch(/subscriber got the app's answer: thanks, noted/);
});

test('with WEBPUBSUB_CONNECTION_STRING it runs the same steps against that service', async () => {
  const service = await startEmulator({ port: 0 });
  try {
    const { stdout } = await run({ ...environment, WEBPUBSUB_CONNECTION_STRING: service.connectionString });
    expect(stdout).toContain(`service    ${service.endpoint}, hub "deployments"`);
    expect(stdout).not.toContain('listening on');
    expect(stdout).not.toContain("the app's answer");
    expectTranscript(stdout);
  } finally {
    await service.close();
  }
});
