/**
 * What the bundled Action does around the send: counting recipients, dry runs, failures of the service or the
 * network (fail-on-error), retries, the step's time bound, and debug logging without a secret in it.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { startCaptureServer, type CaptureServer } from '../helpers/captureServer.js';
import { GITHUB_TOKEN, runAction, type ActionRun } from '../../scripts/harness/actionRunner.js';
import { useSubscribedHubs } from './subscribers.js';

const KEY = 'behaviour-test-access-key-0123456789abcdef';
const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]+/;
const requests: string[] = [];
let emulator: Emulator;
const newHub = useSubscribedHubs(() => emulator);

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessKey: KEY, logger: (line) => /^[A-Z]+ \//.test(line) && requests.push(line) });
});
afterAll(() => emulator.close());

function setUp() {
  const { hub, subscribers, inputs } = newHub();
  return { hub, subscribers, auth: inputs };
}

/** No key, no connection string and nothing JWT-shaped anywhere the runner keeps, `::add-mask::` lines aside. */
function expectNoSecret(run: ActionRun, ...secrets: string[]) {
  const kept = [run.logs, run.files.output, run.summary, run.files.env, run.files.state].join('\n');
  for (const secret of [KEY, emulator.connectionString, GITHUB_TOKEN, ...secrets]) expect(kept).not.toContain(secret);
  expect(kept).not.toMatch(JWT_SHAPE);
}

describe('count-recipients', () => {
  test('a group: the members at send time, less the excluded; in the output and the summary', async () => {
    const { auth, subscribers } = setUp();
    const [a, b] = [await subscribers.connect({ groups: ['ops'] }), await subscribers.connect({ groups: ['ops'] })];
    await subscribers.connect({ groups: ['ops'] });
    const run = await runAction({ inputs: { ...auth, target: 'group', group: 'ops', message: 'hi', 'count-recipients': 'true', excluded: b.connectionId } });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ ok: 'true', recipients: '2', attempts: '2' });
    expect(run.summary).toContain('<th>Recipients</th>');
    expect(run.warnings).toEqual([]);
    expect((await a.groupMessages.next()).data).toBe('hi');
  });

  test('a connection: 1 when it is live; 0 and a warning when nobody was listening', async () => {
    const { auth, subscribers } = setUp();
    const live = await subscribers.connect();
    const one = await runAction({ inputs: { ...auth, target: 'connection', 'connection-id': live.connectionId, message: 'hi', 'count-recipients': 'true' } });
    expect(one.outputs).toMatchObject({ ok: 'true', recipients: '1' });
    const none = await runAction({ inputs: { ...auth, target: 'connection', 'connection-id': 'gone', message: 'hi', 'count-recipients': 'true' } });
    expect(none.code).toBe(0);
    expect(none.outputs).toMatchObject({ ok: 'true', status: '202', recipients: '0' });
    expect(none.warnings).toEqual([expect.stringContaining('Nobody was listening: connection gone')]);
  });

  test('a user: "1 or more" when connected (the service says no more), 0 when not', async () => {
    const { auth, subscribers } = setUp();
    await subscribers.connect({ userId: 'mona' });
    await subscribers.connect({ userId: 'mona' });
    expect((await runAction({ inputs: { ...auth, target: 'user', 'user-id': 'mona', 'count-recipients': 'true' } })).outputs.recipients).toBe('1 or more');
    expect((await runAction({ inputs: { ...auth, target: 'user', 'user-id': 'hubot', 'count-recipients': 'true' } })).outputs.recipients).toBe('0');
  });
});

describe('dry-run', () => {
  test('prints the request with the token masked and sends nothing', async () => {
    const { auth, hub } = setUp();
    const before = requests.length;
    const run = await runAction({
      inputs: { ...auth, target: 'group', group: 'ops', message: '{"v": "{{ github.sha }}"}', 'dry-run': 'true', 'message-ttl-seconds': '10' },
    });
    expect(run.code).toBe(0);
    expect(requests.length).toBe(before);
    expect(run.stdout).toContain('Dry run: nothing is sent.');
    expect(run.stdout).toContain(`POST ${emulator.endpoint}/api/hubs/${hub}/groups/ops/:send?api-version=2024-12-01&messageTtlSeconds=10`);
    expect(run.stdout).toContain('authorization: Bearer ***');
    expect(run.stdout).toContain('content-type: application/json');
    expect(run.outputs).toMatchObject({ ok: 'true', status: '', attempts: '0', payload: '{"v": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"}' });
    expect(run.summary).toContain('dry run');
    expectNoSecret(run);
  });

  test('waves in a dry run describe the plan and list nobody', async () => {
    const { auth } = setUp();
    const before = requests.length;
    const run = await runAction({
      inputs: { ...auth, operation: 'close', target: 'group', group: 'ops', 'batch-size': '5', 'batch-interval-seconds': '2', 'dry-run': 'true' },
    });
    expect(run.code).toBe(0);
    expect(requests.length).toBe(before);
    expect(run.stdout).toContain('then close them 5 at a time, 2 s apart');
  });
});

describe('failures of the service or the network', () => {
  let dead: CaptureServer;
  beforeAll(async () => {
    dead = await startCaptureServer(() => 'reset');
  });
  afterAll(() => dead.close());
  const deadAuth = () => ({ 'connection-string': `Endpoint=${dead.endpoint};AccessKey=${KEY};Version=1.0;`, hub: 'h', retries: '0' });

  test('fail the step by default: one ::error::, ok=false', async () => {
    const run = await runAction({ inputs: deadAuth() });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([expect.stringMatching(/^::error::sendToAll could not reach the service: (ECONNRESET|UND_ERR_SOCKET)/)]);
    expect(run.outputs).toMatchObject({ ok: 'false', attempts: '1' });
    expectNoSecret(run);
  });

  test('with fail-on-error: false they are a warning and ok=false, and the step passes', async () => {
    const run = await runAction({ inputs: { ...deadAuth(), 'fail-on-error': 'false' } });
    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([expect.stringContaining('fail-on-error is false')]);
    expect(run.outputs).toMatchObject({ ok: 'false' });
    expect(run.summary).toContain('failed (');
  });

  test("a status the service refuses with fails with the service's code and status", async () => {
    const { auth } = setUp();
    const run = await runAction({ inputs: { ...auth, message: 'x', filter: 'userId eq' } });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([expect.stringContaining("sendToAll failed with 400 Error.BadRequest: Invalid syntax for 'userId eq'")]);
    expect(run.outputs).toMatchObject({ ok: 'false', status: '400', attempts: '1' });
  });

  test('retries: a 503 then a 202 is a success after 2 attempts', async () => {
    const { auth } = setUp();
    emulator.setFaults({ rate: 1, kinds: ['unavailable'], maxFaults: 1 });
    try {
      const run = await runAction({ inputs: { ...auth, message: 'x' } });
      expect(run.code).toBe(0);
      expect(run.outputs).toMatchObject({ ok: 'true', status: '202', attempts: '2' });
      expect(run.stdout).toContain('sendToAll: 503 on attempt 1 of 4; retrying in');
    } finally {
      emulator.setFaults(undefined);
    }
  });

  test('timeout-seconds bounds the whole step, retries included', async () => {
    const stalled = await startCaptureServer(() => 'stall');
    try {
      const run = await runAction({
        inputs: { 'connection-string': `Endpoint=${stalled.endpoint};AccessKey=${KEY};Version=1.0;`, hub: 'h', 'timeout-seconds': '1' },
      });
      expect(run.code).toBe(1);
      expect(run.errors).toEqual(['::error::The step ran past timeout-seconds (1 s), retries and waits included; it was stopped']);
    } finally {
      await stalled.close();
    }
  });
});

describe('secrets and debug logging', () => {
  test('with RUNNER_DEBUG=1 each request is logged as a debug line, and no secret is anywhere', async () => {
    const { auth, hub } = setUp();
    const run = await runAction({ inputs: { ...auth, message: 'x' }, debug: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^::debug::POST ${emulator.endpoint.replace(/\./g, '\\.')}/api/hubs/${hub}/:send\\?api-version=2024-12-01 -> 202 \\(attempt 1/4`, 'm'),
    );
    expect(run.stdout).toContain(`::add-mask::${emulator.connectionString}`);
    expect(run.stdout).toContain(`::add-mask::${KEY}`);
    expect(run.stdout).toContain(`::add-mask::${GITHUB_TOKEN}`);
    expectNoSecret(run);
  });

  test('endpoint + access-key: the key is masked before anything else is written', async () => {
    const { hub } = setUp();
    const run = await runAction({ inputs: { endpoint: emulator.endpoint, 'access-key': KEY, hub, message: 'x' }, debug: true });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(`::add-mask::${KEY}`);
    expectNoSecret(run);
  });
});

describe('workflow commands', () => {
  test('a line break in a user or connection id cannot start a line the runner reads as a command', async () => {
    const { auth, subscribers } = setUp();
    const userId = 'mona\n::warning::injected by a user id';
    const mona = await subscribers.connect({ userId });
    const toUser = await runAction({ inputs: { ...auth, target: 'user', 'user-id': userId, message: 'hi', 'count-recipients': 'true' } });
    const toConnection = await runAction({
      inputs: { ...auth, target: 'connection', 'connection-id': 'c1\r\n::error::injected by a connection id', message: 'hi' },
    });
    const close = await runAction({ inputs: { ...auth, operation: 'close', target: 'user', 'user-id': 'x\n::notice::injected by a close' } });
    for (const run of [toUser, toConnection, close]) {
      expect(run.code).toBe(0);
      expect([...run.errors, ...run.warnings]).toEqual([]);
      expect(run.stdout).not.toMatch(/^::(warning|error|notice)::injected/m);
    }
    expect(toUser.stdout).toContain('Sent to user mona%0A::warning::injected by a user id in hub');
    expect(toConnection.stdout).toContain('Sent to connection c1%0D%0A::error::injected by a connection id in hub');
    // The id itself is left as it is: the message reached the user of that very id.
    expect((await mona.serverMessages.next()).data).toBe('hi');
  });
});
