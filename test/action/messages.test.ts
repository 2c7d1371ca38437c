/**
 * Messages that used to mislead, through the bundled Action: each says what the user can change, names the input
 * to look at, and states only what happened (a status that was never received, a retry that was a second request,
 * a URL the request never went to).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runAction } from '../../scripts/harness/actionRunner.js';
import { uniqueName } from '../helpers/names.js';

const KEY = 'messages-test-access-key-0123456789abcdef';
/** The emulator's request lines (`POST /api/hubs/…`), to compare with what the step printed. */
const requests: string[] = [];
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessKey: KEY, logger: (line) => /^[A-Z]+ \//.test(line) && requests.push(line) });
});
afterAll(() => emulator.close());

const send = (inputs: Record<string, string>, env?: Record<string, string>) =>
  runAction({ inputs: { 'connection-string': emulator.connectionString, hub: uniqueName('hub'), ...inputs }, env });

/** The step failed before any request, with exactly one error. */
async function refused(inputs: Record<string, string>, env?: Record<string, string>): Promise<string> {
  const before = requests.length;
  const run = await send(inputs, env);
  expect(run.code).toBe(1);
  expect(run.errors).toHaveLength(1);
  expect(requests.length).toBe(before);
  expect(run.logs).not.toContain(KEY);
  return run.errors[0]!;
}

describe('connection-string', () => {
  test('wrapped in quotes: says so, rather than "part 4 is not of the form Key=Value"', async () => {
    for (const quote of ['"', "'"]) {
      const error = await refused({ 'connection-string': `${quote}${emulator.connectionString}${quote}` });
      expect(error).toContain("::error::Input 'connection-string' is wrapped in quotes: store the connection string without them");
      expect(error).not.toContain('Key=Value');
    }
  });

  test('a bare URL: points to endpoint + access-key', async () => {
    const error = await refused({ 'connection-string': emulator.endpoint });
    expect(error).toContain("::error::Input 'connection-string' is a URL, not a connection string: give the URL as endpoint with access-key");
    expect(error).not.toContain('[redacted]');
  });

  test('plain http to a remote host: names the change to make, not an option the Action does not have', async () => {
    const error = await refused({ 'connection-string': `Endpoint=http://wps.example.com;AccessKey=${KEY};Version=1.0;` });
    expect(error).toContain("::error::Input 'connection-string' uses http to wps.example.com, which is not a loopback host");
    expect(error).toContain('make its Endpoint https');
    expect(error).not.toContain('allowInsecureConnection');
  });

  test('a key the service does not accept: the 401 names the input that holds the key', async () => {
    const wrong = emulator.connectionString.replace(KEY, 'not-the-key-0123456789abcdef0123456789');
    const run = await send({ 'connection-string': wrong, message: 'hi' });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([
      expect.stringMatching(/^::error::sendToAll failed with 401 .*The service did not accept the token signed with the key of connection-string/),
    ]);
  });
});

describe('INPUT_* variables that name no input', () => {
  test.each([
    ['INPUT_MESSAGE-TLL-SECONDS', 'message-tll-seconds', 'message-ttl-seconds'],
    ['INPUT_MESSAGE_TTL_SECONDS', 'message_ttl_seconds', 'message-ttl-seconds'],
    ['INPUT_CONECTION-STRING', 'conection-string', 'connection-string'],
    ['INPUT_CLIENT-SECRET', 'client-secret', 'client-id'],
  ])('%s fails the step, naming the closest input', async (variable, name, closest) => {
    const error = await refused({ message: 'hi' }, { [variable]: '10' });
    expect(error).toContain(`::error::Input '${name}' is not an input of this Action`);
    expect(error).toContain(`did you mean ${closest}?`);
  });
});

describe('the default notification outside a workflow run', () => {
  const bare = { GITHUB_REPOSITORY: '', GITHUB_SHA: '', GITHUB_RUN_ID: '', GITHUB_REF: '', GITHUB_EVENT_PATH: '' };

  test('with only INPUT_* set it is refused, naming the empty field and what sets it', async () => {
    const error = await refused({}, bare);
    expect(error).toContain("::error::Input 'message' is not set, so the default notification would go out");
    expect(error).toContain('repository must not be empty');
    expect(error).toContain('GITHUB_REPOSITORY');
  });

  test('with release-tag, the error names release-tag, not the message the user never meant to give', async () => {
    const error = await refused({ 'release-tag': 'v1.0.0', 'dry-run': 'true' }, bare);
    expect(error).toContain("::error::Input 'release-tag' announces the release in a notification, but this run's context leaves it invalid");
    expect(error).toContain('GITHUB_RUN_ID');
    expect(error).not.toContain('give a message');
  });

  test('a dry run refuses it too, and a message of your own goes out', async () => {
    await refused({ 'dry-run': 'true' }, bare);
    const run = await send({ message: '{"sha": "{{ github.sha }}"}' }, bare);
    expect(run.code).toBe(0);
    expect(run.outputs.payload).toBe('{"sha": ""}');
  });
});

describe('what the log says happened', () => {
  test('count-recipients: two requests, one attempt each, is not told as a retry', async () => {
    const run = await send({ target: 'group', group: 'ops', message: 'hi', 'count-recipients': 'true' });
    expect(run.code).toBe(0);
    expect(run.outputs.attempts).toBe('2');
    expect(run.stdout).toMatch(/Sent to group ops in hub \w+: 202, 2 requests, 2 attempts in all, in \d+ ms/);
    expect(run.stdout).not.toMatch(/after 2 attempt/);
  });

  test('a dry run prints the URL the request really goes to, when the endpoint holds /api/hubs', async () => {
    const hub = uniqueName('hub');
    const inputs = { 'connection-string': '', endpoint: `${emulator.endpoint}/api/hubs`, 'access-key': KEY, hub, message: 'hi' };
    const dry = await runAction({ inputs: { ...inputs, 'dry-run': 'true' } });
    expect(dry.code).toBe(0);
    expect(dry.stdout).not.toContain('/api/hubs/api/hubs');
    const printed = /^POST (\S+)$/m.exec(dry.stdout)![1]!;
    const before = requests.length;
    expect((await runAction({ inputs })).code).toBe(0);
    expect(printed).toBe(`${emulator.endpoint}/api/hubs/${hub}/:send?api-version=2024-12-01`);
    expect(requests.slice(before)).toEqual([expect.stringMatching(new RegExp(`^POST ${new URL(printed).pathname} -> 202`))]);
  });

  test('release-tag with the GitHub API unreachable says so, not "failed with 500"', async () => {
    const run = await send({ 'release-tag': 'v1.4.2' }, { GITHUB_API_URL: 'http://api.github.invalid' });
    expect(run.code).toBe(1);
    expect(run.errors).toEqual([expect.stringContaining('through the GitHub API (http://api.github.invalid) failed: the API could not be reached')]);
    expect(run.errors[0]).not.toContain('500');
  });
});
