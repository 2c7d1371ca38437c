/**
 * release-tag: the release is read through the GitHub REST API (GITHUB_API_URL, here a loopback stand-in) with
 * github-token, and announced in the notification@1 shape. Octokit lives in its own chunk of the bundle, loaded on
 * this path only: a bundle without that chunk still sends everything else.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { GITHUB_TOKEN, PUSH, ROOT, runAction } from '../../scripts/harness/actionRunner.js';
import { startCaptureServer, type CaptureServer } from '../helpers/captureServer.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { useSubscribedHubs, validateNotification } from './subscribers.js';

const scope = useEmulator();
let api: CaptureServer;
const newHub = useSubscribedHubs(() => scope.emulator);

const release = {
  id: 190000002,
  tag_name: 'v2.0.0-rc.1',
  name: null,
  body: 'Release candidate: "checkout" rewritten',
  prerelease: true,
  draft: false,
  html_url: 'https://github.com/octo-org/shop/releases/tag/v2.0.0-rc.1',
  url: 'https://api.github.com/repos/octo-org/shop/releases/190000002',
};

beforeAll(async () => {
  api = await startCaptureServer((request) =>
    request.url === '/repos/octo-org/shop/releases/tags/v2.0.0-rc.1'
      ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(release) }
      : {
          status: 404,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }),
        },
  );
});
afterAll(() => api.close());
afterEach(() => {
  api.requests.length = 0;
});
const setUp = newHub;

test('announces the tagged release, read through GITHUB_API_URL with github-token, on a push', async () => {
  const { subscribers, inputs } = setUp();
  const listener = await subscribers.connect();
  const run = await runAction({ event: PUSH, inputs: { ...inputs, 'release-tag': 'v2.0.0-rc.1' }, env: { GITHUB_API_URL: api.endpoint } });
  expect({ code: run.code, errors: run.errors }).toEqual({ code: 0, errors: [] });
  expect(api.requests).toHaveLength(1);
  expect(api.requests[0]).toMatchObject({ method: 'GET', url: '/repos/octo-org/shop/releases/tags/v2.0.0-rc.1' });
  expect(api.requests[0]!.headers.authorization).toBe(`token ${GITHUB_TOKEN}`);
  const received = (await listener.serverMessages.next()).data;
  expect(received).toEqual(JSON.parse(run.outputs.payload!));
  expect(validateNotification(received)).toBe(true);
  expect(received).toMatchObject({
    kind: 'release',
    event: 'push',
    release: { tag: 'v2.0.0-rc.1', name: 'v2.0.0-rc.1', url: release.html_url, prerelease: true, notes: release.body },
  });
  expect(run.logs).not.toContain(GITHUB_TOKEN);
});

test('a tag with no release is a bad input: the step fails naming release-tag, and nothing is sent', async () => {
  const { inputs } = setUp();
  const run = await runAction({ inputs: { ...inputs, 'release-tag': 'v9.9.9', 'fail-on-error': 'false' }, env: { GITHUB_API_URL: api.endpoint } });
  expect(run.code).toBe(1);
  expect(run.errors).toEqual([
    expect.stringContaining('Input \'release-tag\' must name a release of octo-org/shop; the GitHub API has none tagged "v9.9.9" (404)'),
  ]);
  expect(run.outputs.ok).toBe('false');
});

test('the GitHub API is loaded only on this path: a bundle without the Octokit chunk sends a notification, and fails only for release-tag', async () => {
  const trimmed = mkdtempSync(join(tmpdir(), 'wps-dist-'));
  try {
    const chunks = readdirSync(join(ROOT, 'dist')).filter((name) => /^\d+\.index\.js$/.test(name));
    const octokitChunk = chunks.find((name) => readFileText(name).includes('octokit-core.js'));
    expect(octokitChunk).toBeDefined();
    expect(readFileText('index.js')).not.toContain('octokit-core.js');
    for (const name of readdirSync(join(ROOT, 'dist'))) if (name !== octokitChunk) copyFileSync(join(ROOT, 'dist', name), join(trimmed, name));
    const { subscribers, inputs } = setUp();
    const listener = await subscribers.connect();
    const bundle = join(trimmed, 'index.js');
    const plain = await runAction({ bundle, inputs });
    expect(plain.code).toBe(0);
    expect((await listener.serverMessages.next()).data).toMatchObject({ kind: 'deployment' });
    const announced = await runAction({ bundle, inputs: { ...inputs, 'release-tag': 'v2.0.0-rc.1' }, env: { GITHUB_API_URL: api.endpoint } });
    expect(announced.code).toBe(1);
  } finally {
    rmSync(trimmed, { recursive: true, force: true });
  }
});

function readFileText(name: string): string {
  return readFileSync(join(ROOT, 'dist', name), 'utf8');
}
