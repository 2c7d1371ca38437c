/**
 * Bad input through the packed CLI: each case exits 2 with one error line that names the flag (or variable) and
 * the rule, nothing reaches the service (the emulator logs every request), and no secret is printed, not even one
 * given, wrongly, as a flag's value.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { CI_CASES } from './ciEnvironments.js';
import { useInstalledCli } from './packedCli.js';

const KEY = 'bad-input-cli-key-0123456789abcdefghij';
const SECRET = 'client-secret-value-0123456789';
const requests: string[] = [];
const cli = useInstalledCli();
let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessKey: KEY, logger: (line) => /^[A-Z]+ \//.test(line) && requests.push(line) });
  dir = await mkdtemp(join(tmpdir(), 'wps-cli-bad-'));
  await writeFile(join(dir, 'empty'), '\n');
  await writeFile(join(dir, 'message.json'), '{"ok": true}');
});
afterAll(async () => {
  await emulator?.close();
  await rm(dir, { recursive: true, force: true });
});

const endpoint = () => emulator.endpoint;
const connectionString = () => emulator.connectionString;
/** A valid send from GitLab, which each case breaks one way. */
const valid = () => ({ env: { ...CI_CASES[0]!.env, WEBPUBSUB_CONNECTION_STRING: connectionString() } as Record<string, string | undefined> });

type Case = { args: string[]; env?: Record<string, string | undefined>; command?: string };
// [what, the case, what the error must say (the flag first)]
const cases: [string, () => Case, RegExp][] = [
  ['no hub', () => ({ args: [] }), /--hub is required/],
  ['a bad hub', () => ({ args: ['--hub', '1st'] }), /--hub must start with a letter/],
  ['a misspelt flag', () => ({ args: ['--hubb', 'chat'] }), /--hubb is not a flag: did you mean --hub\?/],
  ['another misspelt flag', () => ({ args: ['--hub', 'chat', '--traget', 'group'] }), /--traget is not a flag: did you mean --target\?/],
  ['a flag of no kind', () => ({ args: ['--hub', 'chat', '--colour'] }), /--colour is not a flag/],
  [
    'the connection string as a flag',
    () => ({ args: ['--hub', 'chat', `--connection-string=${connectionString()}`] }),
    /--connection-string must not be given on the command line.*WEBPUBSUB_CONNECTION_STRING.*--connection-string-file/,
  ],
  [
    'the connection string as the next argument',
    () => ({ args: ['--hub', 'chat', '--connection-string', connectionString()] }),
    /--connection-string must not be given on the command line/,
  ],
  [
    'the access key as a flag',
    () => ({ args: ['--hub', 'chat', '--endpoint', endpoint(), `--access-key=${KEY}`] }),
    /--access-key must not be given on the command line.*WEBPUBSUB_ACCESS_KEY/,
  ],
  [
    'the client secret as a flag',
    () => ({ args: ['--hub', 'chat', `--client-secret=${SECRET}`] }),
    /--client-secret must not be given on the command line.*AZURE_CLIENT_SECRET/,
  ],
  [
    'the GitHub token as a flag',
    () => ({ args: ['--hub', 'chat', '--github-token', 'ghs_0123456789abcdef'] }),
    /--github-token must not be given on the command line.*GITHUB_TOKEN/,
  ],
  [
    'a missing secret file',
    () => ({ args: ['--hub', 'chat', '--connection-string-file', join(dir, 'nope')], env: { WEBPUBSUB_CONNECTION_STRING: undefined } }),
    /--connection-string-file must name a readable file: .*ENOENT/,
  ],
  [
    'an empty secret file',
    () => ({ args: ['--hub', 'chat', '--connection-string-file', join(dir, 'empty')], env: { WEBPUBSUB_CONNECTION_STRING: undefined } }),
    /--connection-string-file names an empty file/,
  ],
  [
    'a secret file and its variable',
    () => ({ args: ['--hub', 'chat', '--connection-string-file', join(dir, 'message.json')] }),
    /--connection-string-file and WEBPUBSUB_CONNECTION_STRING are both set: give one/,
  ],
  ['a flag without its value, last', () => ({ args: ['--hub'] }), /--hub needs a value/],
  ['a flag without its value, before another', () => ({ args: ['--hub', '--json'] }), /--hub needs a value/],
  ['a flag given twice', () => ({ args: ['--hub', 'a', '--hub', 'b'] }), /--hub is given twice/],
  ['a stray argument', () => ({ args: ['chat'] }), /unexpected argument "chat"/],
  ['a boolean with a separate value', () => ({ args: ['--hub', 'chat', '--dry-run', 'false'] }), /unexpected argument "false".*write --dry-run=false/],
  ['a boolean that is neither', () => ({ args: ['--hub', 'chat', '--dry-run=maybe'] }), /--dry-run must be true or false \(got "maybe"\)/],
  ['--json with a value', () => ({ args: ['--hub', 'chat', '--json=yes'] }), /--json must be true or false/],
  ['--summary without a file', () => ({ args: ['--hub', 'chat', '--summary'] }), /--summary needs a value/],
  [
    '--operation, which is the command',
    () => ({ args: ['--hub', 'chat', '--operation', 'close'] }),
    /--operation is the command: run `webpubsub-action close …`/,
  ],
  [
    'no credential at all',
    () => ({ args: ['--hub', 'chat'], env: { WEBPUBSUB_CONNECTION_STRING: undefined } }),
    /--connection-string or another auth method is required/,
  ],
  [
    'a connection string without AccessKey',
    () => ({ args: ['--hub', 'chat'], env: { WEBPUBSUB_CONNECTION_STRING: `Endpoint=${endpoint()};Version=1.0;` } }),
    /--connection-string is missing AccessKey/,
  ],
  [
    'a connection string with quotes around it',
    () => ({ args: ['--hub', 'chat'], env: { WEBPUBSUB_CONNECTION_STRING: `"${connectionString()}"` } }),
    /--connection-string/,
  ],
  ['a connection string and an endpoint', () => ({ args: ['--hub', 'chat', '--endpoint', endpoint()] }), /--endpoint must not be set with --connection-string/],
  [
    'a connection string and an access key',
    () => ({ args: ['--hub', 'chat'], env: { WEBPUBSUB_ACCESS_KEY: KEY } }),
    /--connection-string and --access-key are two auth methods/,
  ],
  [
    'an access key without endpoint',
    () => ({ args: ['--hub', 'chat'], env: { WEBPUBSUB_CONNECTION_STRING: undefined, WEBPUBSUB_ACCESS_KEY: KEY } }),
    /--endpoint is required with --access-key/,
  ],
  [
    'an endpoint without a credential',
    () => ({ args: ['--hub', 'chat', '--endpoint', endpoint()], env: { WEBPUBSUB_CONNECTION_STRING: undefined } }),
    /--access-key or --client-id \+ --tenant-id is required with --endpoint/,
  ],
  [
    'plain http to a remote host',
    () => ({ args: ['--hub', 'chat', '--endpoint', 'http://example.com'], env: { WEBPUBSUB_CONNECTION_STRING: undefined, WEBPUBSUB_ACCESS_KEY: KEY } }),
    /--endpoint .*not a loopback host/,
  ],
  [
    'Entra without tenant',
    () => ({
      args: ['--hub', 'chat', '--endpoint', endpoint(), '--client-id', 'app'],
      env: { WEBPUBSUB_CONNECTION_STRING: undefined, AZURE_CLIENT_SECRET: SECRET },
    }),
    /--tenant-id is required with --client-id/,
  ],
  [
    'Entra without a credential',
    () => ({
      args: ['--hub', 'chat', '--endpoint', endpoint(), '--client-id', 'app', '--tenant-id', 'contoso.com'],
      env: { WEBPUBSUB_CONNECTION_STRING: undefined },
    }),
    /--client-id signs in with Microsoft Entra, which needs the app's credential/,
  ],
  ['an unknown target', () => ({ args: ['--hub', 'chat', '--target', 'everyone'] }), /--target must be one of hub, group, user, connection \(got "everyone"\)/],
  ['target group without group', () => ({ args: ['--hub', 'chat', '--target', 'group'] }), /--group is required when --target is group/],
  ['a group without target group', () => ({ args: ['--hub', 'chat', '--group', 'ops'] }), /--group is set, but --target is hub/],
  ['target user without user-id', () => ({ args: ['--hub', 'chat', '--target', 'user'] }), /--user-id is required when --target is user/],
  ['too many retries', () => ({ args: ['--hub', 'chat', '--retries', '21'] }), /--retries must be a whole number from 0 to 20 \(got "21"\)/],
  ['a zero timeout', () => ({ args: ['--hub', 'chat', '--timeout-seconds', '0'] }), /--timeout-seconds must be a whole number from 1 to 3600/],
  ['a long TTL', () => ({ args: ['--hub', 'chat', '--message-ttl-seconds', '301'] }), /--message-ttl-seconds must be a whole number from 0 to 300/],
  [
    'an unknown content type',
    () => ({ args: ['--hub', 'chat', '--message', 'x', '--content-type', 'xml'] }),
    /--content-type must be one of auto, json, text, binary/,
  ],
  [
    'a message and a message file',
    () => ({ args: ['--hub', 'chat', '--message', 'x', '--message-file', join(dir, 'message.json')] }),
    /--message and --message-file are both set/,
  ],
  ['a missing message file', () => ({ args: ['--hub', 'chat', '--message-file', join(dir, 'missing.json')] }), /--message-file must name a readable file/],
  ['binary inline', () => ({ args: ['--hub', 'chat', '--message', 'x', '--content-type', 'binary'] }), /--content-type binary needs --message-file/],
  ['a close flag on send', () => ({ args: ['--hub', 'chat', '--reason', 'bye'] }), /--reason applies to the close command only/],
  ['a send flag on close', () => ({ command: 'close', args: ['--hub', 'chat', '--message', 'hi'] }), /--message applies to the send command only/],
  ['waves of a hub', () => ({ command: 'close', args: ['--hub', 'chat', '--batch-size', '5'] }), /--batch-size .*needs --target group/],
  [
    'waves of none',
    () => ({ command: 'close', args: ['--hub', 'chat', '--target', 'group', '--group', 'g', '--batch-size', '0'] }),
    /--batch-size must be a whole number from 1 to 1000/,
  ],
  [
    'an interval without waves',
    () => ({ command: 'close', args: ['--hub', 'chat', '--batch-interval-seconds', '5'] }),
    /--batch-interval-seconds needs --batch-size/,
  ],
  ['counting a whole hub', () => ({ args: ['--hub', 'chat', '--count-recipients'] }), /--count-recipients needs --target group, user or connection/],
  ['an id with a space', () => ({ args: ['--hub', 'chat', '--id', 'my id'] }), /--id must be 1 to 128 printable ASCII characters without spaces/],
  ['an unknown notification schema', () => ({ args: ['--hub', 'chat', '--notification-schema', '3'] }), /--notification-schema must be one of 1, 2/],
  ['a bad api-version', () => ({ args: ['--hub', 'chat', '--api-version', 'yesterday'] }), /--api-version/],
  [
    'excluded for a user',
    () => ({ args: ['--hub', 'chat', '--target', 'user', '--user-id', 'u', '--excluded', 'c1'] }),
    /--excluded applies to --target hub or group when sending/,
  ],
  [
    'a filter for a connection',
    () => ({ args: ['--hub', 'chat', '--target', 'connection', '--connection-id', 'c', '--filter', "userId eq 'a'"] }),
    /--filter does not apply to --target connection/,
  ],
  ['release-tag without a token', () => ({ args: ['--hub', 'chat', '--release-tag', 'v1.0.0'] }), /--github-token is required with --release-tag/],
  [
    'the default notification with no run to fill it (a shell outside git)',
    () => ({ args: ['--hub', 'chat'], env: { GITLAB_CI: undefined } }),
    /--message is not set, so the default notification would go out.*repository must not be empty.*set --repository and --sha/,
  ],
  ['an unknown command', () => ({ command: 'sned', args: ['--hub', 'chat'] }), /"sned" is not a command: did you mean send\?/],
];

describe('bad input through the CLI', () => {
  test(`${cases.length} cases, at least 40`, () => expect(cases.length).toBeGreaterThanOrEqual(40));

  test.concurrent.each(cases)('%s: exit 2, the flag and the rule named, nothing sent, no secret', async (_, make, expected) => {
    const { command = 'send', args, env = {} } = make();
    const result = await cli.run([command, ...args], { env: { ...valid().env, ...env } });
    expect(result.stderr).toMatch(expected);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^webpubsub-action: error: /);
    expect(result.stdout).toBe('');
    for (const secret of [KEY, SECRET, 'ghs_0123456789abcdef']) expect(result.stdout + result.stderr).not.toContain(secret);
    expect(requests).toEqual([]);
  });
});
