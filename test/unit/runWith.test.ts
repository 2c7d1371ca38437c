/**
 * runWith(runner) is the same code for every front-end: given the same values, the Action's runner and the CLI's
 * refuse the same inputs with the same rule, each in its own words, and nothing is sent; and the result tells a
 * front-end what kind of failure it was, for its exit code. Fake runners, no process.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { HubFixture } from '../helpers/hubFixture.js';
import { ACTION_WORDING, CLI_WORDING } from '../../action/inputError.js';
import type { FrontEnd } from '../../action/inputs.js';
import { runWith } from '../../action/main.js';
import type { Runner } from '../../action/runner.js';

const CS = 'Endpoint=http://127.0.0.1:1;AccessKey=runwith-test-key-0123456789;Version=1.0;';

function fakeRunner(frontEnd: FrontEnd, inputs: Record<string, string>) {
  const record = { failed: [] as string[], masked: [] as string[], outputs: {} as Record<string, string> };
  const runner: Runner = {
    frontEnd,
    input: (name) => inputs[name] ?? '',
    inputNames: () => Object.keys(inputs),
    wording: frontEnd === 'action' ? ACTION_WORDING : CLI_WORDING,
    context: {
      source: {
        ci: 'local',
        repository: 'octo-org/shop',
        ref: 'refs/heads/main',
        refName: 'main',
        sha: 'a'.repeat(40),
        workflow: '',
        runId: '1',
        runUrl: null,
        actor: 'mona',
        environment: null,
        event: 'manual',
      },
      env: {},
      defaultId: 'local-1',
      sourceHint: 'set --repository and --sha',
    },
    log: { info: () => undefined, warning: () => undefined, debug: () => undefined },
    mask: (secret) => void record.masked.push(secret),
    setOutput: (name, value) => void (record.outputs[name] = value),
    fail: (message) => void record.failed.push(message),
  };
  return { runner, record };
}

// [what, inputs, the Action's message, the CLI's]
const cases: [string, Record<string, string>, string, string][] = [
  ['no hub', { hub: '' }, "Input 'hub' is required", '--hub is required'],
  [
    'a wait between waves without waves',
    { operation: 'close', target: 'group', group: 'g', message: '', 'batch-interval-seconds': '5' },
    "Input 'batch-interval-seconds' needs batch-size: it is the wait between waves",
    '--batch-interval-seconds needs --batch-size: it is the wait between waves',
  ],
  [
    'a group with target hub',
    { group: 'ops' },
    "Input 'group' is set, but target is hub: set target: group to address it",
    '--group is set, but --target is hub: set --target group to address it',
  ],
  ['a reason on a send', { reason: 'bye' }, "Input 'reason' applies to operation: close only", '--reason applies to the close command only'],
  [
    'two auth methods',
    { 'access-key': 'k', endpoint: 'http://127.0.0.1:1' },
    "Inputs 'connection-string' and 'access-key' are two auth methods: give exactly one of connection-string, endpoint + access-key",
    '--connection-string and --access-key are two auth methods: give exactly one of --connection-string, --endpoint + --access-key',
  ],
  [
    'release-tag outside a GitHub Actions run',
    { message: '', 'release-tag': 'v1.4.2', 'github-token': 'ghs_x', 'dry-run': 'true' },
    "Input 'release-tag' reads the release through the GitHub API of a GitHub Actions run",
    '--release-tag reads the release through the GitHub API of a GitHub Actions run',
  ],
  ['a TTL out of range', { 'message-ttl-seconds': '301' }, "Input 'message-ttl-seconds' must be a whole number from 0 to 300", '--message-ttl-seconds must be'],
];

describe("the same rule on both front-ends, in each one's words", () => {
  test.each(cases)('%s', async (_what, inputs, action, cli) => {
    for (const [frontEnd, expected] of [
      ['action', action],
      ['cli', cli],
    ] as const) {
      const { runner, record } = fakeRunner(frontEnd, { 'connection-string': CS, hub: 'h', message: 'hi', ...inputs });
      const result = await runWith(runner);
      expect(record.failed).toEqual([expect.stringContaining(expected)]);
      expect(result).toEqual({
        ok: false,
        outputs: expect.objectContaining({ ok: 'false', attempts: '0' }),
        failure: { kind: 'input', message: record.failed[0], failsStep: true },
      });
    }
  });

  test('each front-end has its own inputs: client-secret only on the CLI, audience only on the Action', async () => {
    const cli = fakeRunner('cli', { 'connection-string': CS, hub: 'h', audience: 'x' });
    await runWith(cli.runner);
    expect(cli.record.failed).toEqual(['--audience is not an input of this command (only of the Action): did you mean --endpoint?']);
    const action = fakeRunner('action', { 'connection-string': CS, hub: 'h', 'client-secret': 's3cret' });
    await runWith(action.runner);
    expect(action.record.failed).toEqual(["Input 'client-secret' is not an input of this Action (only of the CLI): did you mean client-id?"]);
  });

  test('secrets are masked first, the key inside a connection string too', async () => {
    const { runner, record } = fakeRunner('cli', { 'connection-string': CS, hub: 'h', 'dry-run': 'true', message: 'hi' });
    const result = await runWith(runner);
    expect(result.ok).toBe(true);
    expect(record.masked).toEqual([CS, 'runwith-test-key-0123456789']);
  });
});

describe("the kind of failure, for a front-end's exit code", () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(() => emulator.close());

  test('refused: the service answered with an error status (a key it does not know)', async () => {
    const wrong = emulator.connectionString.replace(/AccessKey=[^;]+/, 'AccessKey=not-the-key-0123456789');
    const { runner, record } = fakeRunner('cli', { 'connection-string': wrong, hub: 'h', message: 'hi', retries: '0' });
    const result = await runWith(runner);
    expect(result.failure).toEqual({ kind: 'refused', message: record.failed[0], failsStep: true });
    expect(result.outputs).toMatchObject({ ok: 'false', status: '401' });
    expect(record.failed[0]).toContain('the key of --connection-string');
  });

  test('unreachable: nothing answered; with fail-on-error false it does not fail the step', async () => {
    const { runner, record } = fakeRunner('action', { 'connection-string': CS, hub: 'h', message: 'hi', retries: '0', 'fail-on-error': 'false' });
    const result = await runWith(runner);
    expect(record.failed).toEqual([]);
    expect(result).toMatchObject({ ok: false, failure: { kind: 'unreachable', failsStep: false } });
  });

  test('unreachable: a 503 after every retry is an outage, not a refusal', async () => {
    const failing = await startEmulator({ port: 0, faults: { rate: 1, kinds: ['unavailable'] } });
    try {
      const { runner, record } = fakeRunner('cli', { 'connection-string': failing.connectionString, hub: 'h', message: 'hi', retries: '1' });
      const result = await runWith(runner);
      expect(result.failure).toEqual({ kind: 'unreachable', message: record.failed[0], failsStep: true });
      expect(result.outputs).toMatchObject({ ok: 'false', status: '503', attempts: '2' });
    } finally {
      await failing.close();
    }
  });

  test('partial: a close in waves that fails after a wave went through', async () => {
    const fixture = new HubFixture(emulator);
    try {
      for (let i = 0; i < 3; i++) await fixture.connect({ groups: ['ops'] });
      const inputs = {
        'connection-string': emulator.connectionString,
        hub: fixture.hub,
        operation: 'close',
        target: 'group',
        group: 'ops',
        'batch-size': '1',
        retries: '0',
      };
      const { runner, record } = fakeRunner('cli', inputs);
      // Once the first wave is logged, the service starts failing: the second wave's close gets a 503.
      runner.log.info = (line) => void (line.startsWith('Wave 1/3') && emulator.setFaults({ rate: 1, kinds: ['unavailable'] }));
      const result = await runWith(runner);
      expect(result.failure).toEqual({ kind: 'partial', message: record.failed[0], failsStep: true });
      expect(result.outputs).toMatchObject({ ok: 'false', closed: '1' });
    } finally {
      emulator.setFaults(undefined);
      await fixture.dispose();
    }
  });

  test('success: ok, the outputs, no failure', async () => {
    const { runner, record } = fakeRunner('cli', { 'connection-string': emulator.connectionString, hub: 'h', message: 'hi' });
    const result = await runWith(runner);
    expect(result).toEqual({ ok: true, outputs: record.outputs });
    expect(record.outputs).toMatchObject({ ok: 'true', status: '202', attempts: '1', id: 'local-1', payload: 'hi' });
  });
});
