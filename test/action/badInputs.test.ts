/**
 * Bad inputs, through the bundled Action: each fails the step (exit code 1) with exactly one `::error::` that names
 * the input and the rule, and nothing reaches the service. fail-on-error: false does not soften them: a bad input
 * is a mistake in the workflow.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { runAction } from '../../scripts/harness/actionRunner.js';
import { useEmulator } from '../helpers/hubFixture.js';

const requests: string[] = [];
const scope = useEmulator({ accessKey: 'bad-input-test-key-0123456789abcdef', logger: (line) => /^[A-Z]+ \//.test(line) && requests.push(line) });

type Inputs = Record<string, string>;
/** What a case changes: inputs over a valid send, and the job's environment or workspace files. */
interface Case {
  inputs: Inputs;
  env?: Record<string, string>;
  files?: Record<string, string | Buffer>;
}

const OIDC_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token' };

// [what, case, the input the error must name, the rule it must state]
const cases: [string, Case, string, string][] = [
  [
    'no auth at all',
    { inputs: { 'connection-string': '' } },
    'connection-string',
    'give exactly one of connection-string, endpoint + access-key, or endpoint + client-id + tenant-id',
  ],
  ['two auths', { inputs: { endpoint: 'http://127.0.0.1:1', 'access-key': 'k' } }, 'connection-string and access-key', 'are two auth methods'],
  [
    'access key and Entra',
    { inputs: { 'connection-string': '', endpoint: 'http://127.0.0.1:1', 'access-key': 'k', 'client-id': 'c', 'tenant-id': 't' } },
    'access-key and client-id',
    'are two auth methods',
  ],
  ['connection string and endpoint', { inputs: { endpoint: 'http://127.0.0.1:1' } }, 'endpoint', 'must not be set with connection-string'],
  [
    'a connection string without AccessKey',
    { inputs: { 'connection-string': 'Endpoint=http://127.0.0.1:1;Version=1.0;' } },
    'connection-string',
    'is missing AccessKey',
  ],
  [
    'a connection string with a bad Port',
    { inputs: { 'connection-string': 'Endpoint=http://127.0.0.1;AccessKey=secret-in-bad-string;Port=99999;' } },
    'connection-string',
    'has a Port that is not an integer from 1 to 65535',
  ],
  [
    'an endpoint without a credential',
    { inputs: { 'connection-string': '', endpoint: 'http://127.0.0.1:1' } },
    'access-key',
    'or client-id + tenant-id is required with endpoint',
  ],
  ['an access key without endpoint', { inputs: { 'connection-string': '', 'access-key': 'k' } }, 'endpoint', 'is required with access-key'],
  [
    'plain http to a remote endpoint',
    { inputs: { 'connection-string': '', endpoint: 'http://example.com', 'access-key': 'k' } },
    'endpoint',
    'uses http to example.com, which is not a loopback host',
  ],
  [
    'Entra without tenant-id',
    { inputs: { 'connection-string': '', endpoint: 'http://127.0.0.1:1', 'client-id': 'c' }, env: OIDC_ENV },
    'tenant-id',
    'is required with client-id',
  ],
  [
    'Entra without the id-token permission',
    { inputs: { 'connection-string': '', endpoint: 'http://127.0.0.1:1', 'client-id': 'c', 'tenant-id': 't' } },
    'client-id',
    'add it to the job',
  ],
  ['no hub', { inputs: { hub: '' } }, 'hub', 'is required'],
  ['a bad hub', { inputs: { hub: '1st-hub' } }, 'hub', 'must start with a letter'],
  ['an unknown operation', { inputs: { operation: 'delete' } }, 'operation', 'must be one of send, close (got "delete")'],
  ['an unknown target', { inputs: { target: 'everyone' } }, 'target', 'must be one of hub, group, user, connection'],
  ['target group without group', { inputs: { target: 'group' } }, 'group', 'is required when target is group'],
  ['target user without user-id', { inputs: { target: 'user' } }, 'user-id', 'is required when target is user'],
  ['a group with target hub', { inputs: { group: 'ops' } }, 'group', 'is set, but target is hub: set target: group to address it'],
  ['the user id ..', { inputs: { target: 'user', 'user-id': '..' } }, 'user-id', "must not be '.' or '..'"],
  ['the connection id .', { inputs: { target: 'connection', 'connection-id': '.' } }, 'connection-id', "must not be '.' or '..'"],
  ['the group ..', { inputs: { target: 'group', group: '..' } }, 'group', "must not be '.' or '..'"],
  ['a group with a line break', { inputs: { target: 'group', group: 'ops\nblue' } }, 'group', 'without line breaks'],
  ['.. among the excluded', { inputs: { excluded: 'abc,..' } }, 'excluded', "must not be '.' or '..'"],
  ['message and message-file', { inputs: { message: 'hi', 'message-file': 'm.txt' }, files: { 'm.txt': 'hi' } }, 'message', 'and message-file are both set'],
  ['invalid JSON with content-type json', { inputs: { message: '{"a": 1,}', 'content-type': 'json' } }, 'message', 'must be valid JSON with content-type json'],
  [
    'a missing message file',
    { inputs: { 'message-file': 'notes/missing.json' } },
    'message-file',
    'must name a readable file; "notes/missing.json" does not exist',
  ],
  [
    'a message file over 1 MiB',
    { inputs: { 'message-file': 'big.txt' }, files: { 'big.txt': Buffer.alloc(1024 * 1024 + 1, 'a') } },
    'message-file',
    'must hold at most 1048576 bytes',
  ],
  ['binary without a file', { inputs: { message: 'AAEC', 'content-type': 'binary' } }, 'content-type', 'binary needs message-file'],
  ['an unknown content-type', { inputs: { message: 'x', 'content-type': 'xml' } }, 'content-type', 'must be one of auto, json, text, binary'],
  ['an unknown template field', { inputs: { message: '{"sha": "{{ github.shaa }}"}' } }, 'message', 'uses {{ github.shaa }}, which is not a template field'],
  ['an unset variable in the template', { inputs: { message: 'stage {{ env.STAGE_NAME }}' } }, 'message', 'the variable STAGE_NAME is not set'],
  ['a TTL out of range', { inputs: { 'message-ttl-seconds': '301' } }, 'message-ttl-seconds', 'must be a whole number from 0 to 300 (got "301")'],
  ['count-recipients on the hub', { inputs: { 'count-recipients': 'true' } }, 'count-recipients', 'needs target group, user or connection'],
  [
    'count-recipients with a filter',
    { inputs: { 'count-recipients': 'true', target: 'user', 'user-id': 'u', filter: "userId eq 'u'" } },
    'count-recipients',
    'cannot count with filter',
  ],
  [
    'count-recipients of a group on an old api-version',
    { inputs: { 'count-recipients': 'true', target: 'group', group: 'g', 'api-version': '2024-01-01' } },
    'api-version',
    'listConnectionsInGroup needs 2024-12-01 or later',
  ],
  ['waves on a user', { inputs: { operation: 'close', target: 'user', 'user-id': 'u', 'batch-size': '10' } }, 'batch-size', 'needs target group (got user)'],
  [
    'a negative batch interval',
    { inputs: { operation: 'close', target: 'group', group: 'g', 'batch-size': '10', 'batch-interval-seconds': '-1' } },
    'batch-interval-seconds',
    'must be a number of seconds from 0 to 3600',
  ],
  [
    'a batch interval without batch-size',
    { inputs: { operation: 'close', target: 'group', group: 'g', 'batch-interval-seconds': '5' } },
    'batch-interval-seconds',
    'needs batch-size',
  ],
  [
    'a batch size of 0',
    { inputs: { operation: 'close', target: 'group', group: 'g', 'batch-size': '0' } },
    'batch-size',
    'must be a whole number from 1 to 1000',
  ],
  ['a reason on a send', { inputs: { reason: 'bye' } }, 'reason', 'applies to operation: close only'],
  ['a message on a close', { inputs: { operation: 'close', message: 'bye' } }, 'message', 'applies to operation: send only'],
  [
    'excluded when sending to a connection',
    { inputs: { target: 'connection', 'connection-id': 'c1', excluded: 'c2' } },
    'excluded',
    'applies to target hub or group when sending',
  ],
  [
    'a filter on a connection',
    { inputs: { target: 'connection', 'connection-id': 'c1', filter: "userId eq 'a'" } },
    'filter',
    'does not apply to target connection',
  ],
  ['release-tag with a message', { inputs: { 'release-tag': 'v1', message: 'x' } }, 'message', 'cannot be combined with release-tag'],
  ['a content-type with release-tag', { inputs: { 'release-tag': 'v1', 'content-type': 'text' } }, 'content-type', 'does not apply with release-tag'],
  [
    'a TTL the api-version does not have',
    { inputs: { 'api-version': '2021-10-01', 'message-ttl-seconds': '10' } },
    'api-version',
    'is 2021-10-01, but sendToAll option messageTtlSeconds needs 2023-07-01 or later',
  ],
  ['a malformed api-version', { inputs: { 'api-version': 'latest' } }, 'api-version', 'must look like 2024-12-01'],
  ['retries that are not a number', { inputs: { retries: 'many' } }, 'retries', 'must be a whole number from 0 to 20'],
  ['a zero timeout', { inputs: { 'timeout-seconds': '0' } }, 'timeout-seconds', 'must be a whole number from 1 to 3600'],
  ['dry-run yes', { inputs: { 'dry-run': 'yes' } }, 'dry-run', 'must be true or false (got "yes")'],
  ['a bad hub with fail-on-error false', { inputs: { hub: 'bad hub', 'fail-on-error': 'false' } }, 'hub', 'must start with a letter'],
];

afterAll(() => {
  // Every case ran against this emulator: not one request reached it.
  expect(requests).toEqual([]);
});

describe('each bad input fails the step before any request', () => {
  test('there are at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  test.concurrent.each(cases)('%s', async (_what, { inputs, env, files }, input, rule) => {
    const run = await runAction({ inputs: { 'connection-string': scope.emulator.connectionString, hub: 'deployments', ...inputs }, env, files });
    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    const error = run.errors[0]!;
    expect(error).toMatch(/^::error::Inputs? '/);
    expect(error).toContain(
      input
        .split(' and ')
        .map((name) => `'${name}'`)
        .join(' and '),
    );
    expect(error).toContain(rule.replace(/\n/g, '%0A'));
    // Input errors are written free of secrets: a redaction mark would mean one quoted something key-shaped.
    expect(error).not.toContain('[redacted');
    expect(run.logs).not.toContain('bad-input-test-key');
    expect(run.logs).not.toContain('secret-in-bad-string');
    expect(run.outputs.ok).toBe('false');
  });
});
