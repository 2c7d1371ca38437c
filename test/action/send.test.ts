/**
 * The bundled Action sends, as the runner runs it, under Node 20 and Node 24: the official web-pubsub-client
 * subscribed to the emulator receives exactly what the `payload` output reports, for every target and content type,
 * and for the default payloads (deploy notification, release announcement) of real-shaped events.
 */
import { describe, expect, test } from '@jest/globals';
import { NOTIFICATION_SCHEMA } from '../../shared/index.js';
import { DEPLOYMENT, PUSH, RELEASE, RUNTIMES, WORKFLOW_DISPATCH, HAVE_NODE24, NODE24, runAction, type ActionRun } from '../../scripts/harness/actionRunner.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { useSubscribedHubs, validateNotification } from './subscribers.js';

const scope = useEmulator();
const newHub = useSubscribedHubs(() => scope.emulator);

function setUp() {
  const { subscribers, inputs } = newHub();
  return { subscribers, auth: inputs };
}

function expectSuccess(run: ActionRun, status = '202') {
  expect({ code: run.code, errors: run.errors, stderr: run.stderr }).toEqual({ code: 0, errors: [], stderr: '' });
  expect(run.outputs).toMatchObject({ ok: 'true', status, attempts: '1' });
  expect(Number(run.outputs['duration-ms'])).toBeGreaterThanOrEqual(0);
}

if (!HAVE_NODE24) {
  test.skip(`Node 24 runs are skipped: no binary at ${NODE24} (npm ci installs it on linux-x64 through tools/node24, a dev-only optional dependency)`, () => {});
}

describe.each(RUNTIMES)('under $name', ({ node }) => {
  test('a push: the deploy notification reaches a group member exactly as the payload output says, and follows the schema', async () => {
    const { auth, subscribers } = setUp();
    const member = await subscribers.connect({ groups: ['dashboards'] });
    const run = await runAction({ node, event: PUSH, inputs: { ...auth, target: 'group', group: 'dashboards' } });
    expectSuccess(run);
    const received = await member.groupMessages.next();
    expect(received).toMatchObject({ group: 'dashboards', dataType: 'json' });
    expect(received.data).toEqual(JSON.parse(run.outputs.payload!));
    expect(validateNotification(received.data)).toBe(true);
    expect(received.data).toMatchObject({
      schema: NOTIFICATION_SCHEMA,
      id: run.outputs.id,
      kind: 'deployment',
      ci: 'github-actions',
      repository: 'octo-org/shop',
      ref: 'refs/heads/main',
      refName: 'main',
      sha: PUSH.sha,
      workflow: 'Deploy',
      runId: '16000000001',
      runUrl: 'https://github.com/octo-org/shop/actions/runs/16000000001',
      actor: 'octocat',
      environment: null,
      event: 'push',
    });
    expect(run.summary).toContain('<td>send</td>');
    expect(run.summary).toContain('<td>group dashboards</td>');
  });

  test('a release event: the release announcement reaches everyone in the hub', async () => {
    const { auth, subscribers } = setUp();
    const listener = await subscribers.connect();
    const run = await runAction({ node, event: RELEASE, inputs: auth });
    expectSuccess(run);
    const received = await listener.serverMessages.next();
    expect(received.data).toEqual(JSON.parse(run.outputs.payload!));
    expect(validateNotification(received.data)).toBe(true);
    expect(received.data).toMatchObject({
      kind: 'release',
      event: 'release',
      refName: 'v1.4.2',
      release: {
        tag: 'v1.4.2',
        name: 'Shop 1.4.2',
        url: 'https://github.com/octo-org/shop/releases/tag/v1.4.2',
        prerelease: false,
        notes: '## What changed\n- faster "checkout"\n- fixes <script> escaping',
      },
    });
  });

  test('a deployment event: the notification names its environment, sent to a user', async () => {
    const { auth, subscribers } = setUp();
    const user = await subscribers.connect({ userId: 'ops-1' });
    const run = await runAction({ node, event: DEPLOYMENT, inputs: { ...auth, target: 'user', 'user-id': 'ops-1' } });
    expectSuccess(run);
    const received = await user.serverMessages.next();
    expect(received.data).toEqual(JSON.parse(run.outputs.payload!));
    expect(received.data).toMatchObject({ kind: 'deployment', environment: 'production', event: 'deployment' });
    expect(validateNotification(received.data)).toBe(true);
  });

  test('a templated JSON message: values with quotes, backslashes and newlines are escaped, values outside strings become JSON', async () => {
    const { auth, subscribers } = setUp();
    const listener = await subscribers.connect();
    const message =
      '{ "text": "{{ github.event.head_commit.message }} on {{ github.ref_name }}", "run": {{ github.run_number }}, "by": {{ github.event.head_commit.author }}, "env": "{{ env.STAGE }}" }';
    const run = await runAction({ node, event: PUSH, inputs: { ...auth, message }, env: { STAGE: 'blue "green"' } });
    expectSuccess(run);
    const received = await listener.serverMessages.next();
    expect(received.dataType).toBe('json');
    expect(received.data).toEqual({
      text: 'Fix "checkout" for\nbranch names with quotes \\ and newlines on main',
      run: 42,
      by: { name: 'Mona Octocat', email: 'mona@example.com', username: 'octocat' },
      env: 'blue "green"',
    });
    expect(received.data).toEqual(JSON.parse(run.outputs.payload!));
  });

  test('a text message to one connection, from a workflow_dispatch', async () => {
    const { auth, subscribers } = setUp();
    const listener = await subscribers.connect();
    await subscribers.connect();
    const run = await runAction({
      node,
      event: WORKFLOW_DISPATCH,
      inputs: {
        ...auth,
        target: 'connection',
        'connection-id': listener.connectionId,
        message: 'Deploying {{ github.event.inputs.version }} (run {{ github.run_id }})',
      },
    });
    expectSuccess(run);
    const received = await listener.serverMessages.next();
    expect(received).toMatchObject({ dataType: 'text', data: 'Deploying v1.4.2 (run 16000000001)' });
    expect(run.outputs.payload).toBe(received.data);
  });

  test('a binary message-file arrives byte for byte; the payload output is its base64', async () => {
    const { auth, subscribers } = setUp();
    const listener = await subscribers.connect();
    const bytes = Buffer.from([0, 1, 2, 250, 255, 0x7b, 0x7d]);
    const run = await runAction({ node, files: { 'frame.bin': bytes }, inputs: { ...auth, 'message-file': 'frame.bin', 'content-type': 'binary' } });
    expectSuccess(run);
    const received = await listener.serverMessages.next();
    expect(received.dataType).toBe('binary');
    expect(Buffer.from(received.data as ArrayBuffer).toString('base64')).toBe(run.outputs.payload);
    expect(run.outputs.payload).toBe(bytes.toString('base64'));
  });
});

describe('content types and options', () => {
  test('auto sends text that is not JSON as text; content-type text sends JSON-looking text as text', async () => {
    const { auth, subscribers } = setUp();
    const listener = await subscribers.connect();
    expectSuccess(await runAction({ inputs: { ...auth, message: 'v1.4.2 is out, reload' } }));
    expect(await listener.serverMessages.next()).toMatchObject({ dataType: 'text', data: 'v1.4.2 is out, reload' });
    expectSuccess(await runAction({ inputs: { ...auth, message: '{"a":1}', 'content-type': 'text' } }));
    expect(await listener.serverMessages.next()).toMatchObject({ dataType: 'text', data: '{"a":1}' });
  });

  test('a JSON message-file keeps its text (big numbers are not rounded)', async () => {
    const { auth, subscribers } = setUp();
    const listener = await subscribers.connect();
    const file = '{\n  "id": 12345678901234567890,\n  "sha": "{{ github.sha }}"\n}\n';
    const run = await runAction({ files: { 'note.json': file }, inputs: { ...auth, 'message-file': 'note.json' } });
    expectSuccess(run);
    expect(run.outputs.payload).toBe(file.replace('{{ github.sha }}', PUSH.sha));
    expect((await listener.serverMessages.next()).dataType).toBe('json');
  });

  test('excluded and filter reach the service: excluded connections and filtered-out users get nothing', async () => {
    const { auth, subscribers } = setUp();
    const a = await subscribers.connect({ userId: 'a', groups: ['g'] });
    const b = await subscribers.connect({ userId: 'b', groups: ['g'] });
    const c = await subscribers.connect({ userId: 'c', groups: ['g'] });
    const run = await runAction({
      inputs: { ...auth, target: 'group', group: 'g', message: 'hi', excluded: `${b.connectionId}\n`, filter: "userId ne 'c'", 'message-ttl-seconds': '30' },
    });
    expectSuccess(run);
    expect((await a.groupMessages.next()).data).toBe('hi');
    // A message sent after it to everyone proves, by arriving first, that b and c got nothing before.
    expectSuccess(await runAction({ inputs: { ...auth, target: 'group', group: 'g', message: 'second' } }));
    expect((await b.groupMessages.next()).data).toBe('second');
    expect((await c.groupMessages.next()).data).toBe('second');
  });
});
