/**
 * One table of bad inputs through the three front-ends: the core client, the Action's code path (`run(core, env)`
 * with a fake core) and the Pulumi resources (`check` through the real provider host). The front-ends share the
 * core's rules, so the same bad value gets the same verdict in each, and every case holds to one contract:
 *   - the error names the field (the argument, the input, the property) first, then the rule it broke;
 *   - nothing reaches the wire: the emulator every front-end points at records no request, from any case;
 *   - the message holds no secret: not the access key, not the connection string, no `AccessKey=`, no JWT.
 * The per-front-end suites (test/client/badInput, test/action/badInputs, the provider's check tests) go deeper
 * into each; this one holds them to the common contract side by side.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { runInProcess } from '../helpers/fakeCore.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { urnOf, useProviderHost, type ProviderHost, type SerializedProviders } from '../helpers/providerHost.js';

const KEY = 'security-bad-inputs-access-key-0123456789';
const JWT_SHAPE = /eyJ[\w-]*\.[\w-]+\.[\w-]+/;
const requests: string[] = [];
const scope = useEmulator({ accessKey: KEY, logger: (line) => void (/^[A-Z]+ \//.test(line) && requests.push(line)) });
const pulumi = useProviderHost(() => ({ 'webpubsub:connectionString': scope.emulator.connectionString }));
let host: ProviderHost;
let providers: SerializedProviders;
let client: WebPubSubServiceClient;

beforeAll(() => {
  [host, providers] = [pulumi.host, pulumi.providers];
  client = new WebPubSubServiceClient(scope.emulator.connectionString, 'deployments', { retry: { maxRetries: 0 }, logLevel: 'off' });
});
afterAll(async () => {
  await client.close();
  // Not one case, in any front-end, sent a request.
  expect(requests).toEqual([]);
});

/** What a front-end said when it refused: the field it named, and its whole message. */
interface Refusal {
  field: string;
  message: string;
}
type FrontEnd = 'client' | 'Action' | 'Pulumi';
type Case = [frontEnd: FrontEnd, what: string, field: string, rule: RegExp, refuse: () => Promise<Refusal>];

const mib = 1024 * 1024;
const long = 'g'.repeat(1025);
/** A connection string holding the key, with something else wrong: the message must not repeat it. */
const withKey = (rest: string) => `Endpoint=http://127.0.0.1:1;AccessKey=${KEY};${rest}`;

/** A case for the core client: `call` must throw (or reject) an InvalidArgumentError. */
function viaClient(what: string, call: (c: WebPubSubServiceClient) => unknown, field: string, rule: RegExp): Case {
  return [
    'client',
    what,
    field,
    rule,
    async () => {
      try {
        await call(client);
      } catch (error) {
        const { name, argument, message } = error as { name: string; argument: string; message: string };
        expect(name).toBe('InvalidArgumentError');
        expect(message.startsWith(`${argument} `)).toBe(true);
        return { field: argument, message };
      }
      throw new Error('the client accepted it');
    },
  ];
}

/** A case for the Action: a step whose `with:` is a valid send to the emulator changed by `inputs`. */
function viaAction(what: string, inputs: Record<string, string>, field: string, rule: RegExp): Case {
  return [
    'Action',
    what,
    field,
    rule,
    async () => {
      const record = await runInProcess({ 'connection-string': scope.emulator.connectionString, hub: 'deployments', ...inputs });
      expect(record.failed).toHaveLength(1);
      expect(record.outputs.ok).toBe('false');
      const message = record.failed[0]!;
      const named = /^Input '([^']+)' /.exec(message);
      // Everything the step wrote, not only the error, must be free of secrets.
      return { field: named?.[1] ?? '', message: [...record.log, ...Object.values(record.outputs), ...record.summary].join('\n') };
    },
  ];
}

const MEMBERSHIP = { hub: 'deployments', group: 'ops', userIds: ['alice'] };
const GRANT = { hub: 'deployments', connectionId: 'c1', permission: 'sendToGroup', targetName: 'ops' };

/** A case for a Pulumi resource: `check` through the provider host must return exactly one failure. */
function viaPulumi(what: string, resource: 'membership' | 'grant', change: Record<string, unknown>, field: string, rule: RegExp): Case {
  return [
    'Pulumi',
    what,
    field,
    rule,
    async () => {
      const [type, base] = resource === 'membership' ? (['GroupMembership', MEMBERSHIP] as const) : (['PermissionGrant', GRANT] as const);
      const { failures } = await host.check(urnOf(type, 'bad'), {}, { ...base, ...change, __provider: providers[resource] });
      expect(failures).toHaveLength(1);
      const [{ property, reason }] = failures as [{ property: string; reason: string }];
      expect(reason.startsWith(`${property} `)).toBe(true);
      return { field: property, message: reason };
    },
  ];
}

const cases: Case[] = [
  // The core client.
  viaClient('a hub starting with a digit', () => new WebPubSubServiceClient(scope.emulator.connectionString, '1hub'), 'hub', /must start with a letter/),
  viaClient(
    'a hub reaching for another route',
    () => new WebPubSubServiceClient(scope.emulator.connectionString, '../users'),
    'hub',
    /must start with a letter/,
  ),
  viaClient('a hub of 129 characters', () => new WebPubSubServiceClient(scope.emulator.connectionString, 'h'.repeat(129)), 'hub', /128 characters at most/),
  viaClient(
    'a connection string without AccessKey',
    () => new WebPubSubServiceClient('Endpoint=http://127.0.0.1:1;Version=1.0;', 'hub'),
    'connectionString',
    /is missing AccessKey/,
  ),
  viaClient(
    'a connection string with a bad Port',
    () => new WebPubSubServiceClient(withKey('Port=99999;'), 'hub'),
    'connectionString',
    /Port that is not an integer/,
  ),
  viaClient(
    'plain http to a remote host',
    () => new WebPubSubServiceClient(`Endpoint=http://wps.example.com;AccessKey=${KEY};`, 'hub'),
    'endpoint',
    /allowInsecureConnection/,
  ),
  viaClient('an empty group', (c) => c.sendToGroup('', 'x'), 'group', /non-empty string/),
  viaClient('the group ..', (c) => c.sendToGroup('..', 'x'), 'group', /must not be '\.' or '\.\.'/),
  viaClient('the group .', (c) => c.closeGroupConnections('.'), 'group', /must not be '\.' or '\.\.'/),
  viaClient('a group with CR LF', (c) => c.addUserToGroup('ops\r\nblue', 'alice'), 'group', /without line breaks/),
  viaClient('a group of 1025 characters', (c) => c.groupExists(long), 'group', /1 to 1024 characters/),
  viaClient('the user id ..', (c) => c.sendToUser('..', 'x'), 'userId', /must not be '\.' or '\.\.'/),
  viaClient('an empty user id', (c) => c.closeUserConnections(''), 'userId', /non-empty string/),
  viaClient('the connection id .', (c) => c.sendToConnection('.', 'x'), 'connectionId', /must not be '\.' or '\.\.'/),
  viaClient('an unknown permission', (c) => c.grantPermission('c1', 'admin' as never), 'permission', /must be one of sendToGroup, joinLeaveGroup/),
  viaClient(
    'a targetName that is no group name',
    (c) => c.grantPermission('c1', 'sendToGroup', { targetName: '..' }),
    'targetName',
    /must not be '\.' or '\.\.'/,
  ),
  viaClient('a TTL over 300 s', (c) => c.sendToAll('x', { messageTtlSeconds: 301 }), 'messageTtlSeconds', /from 0 to 300/),
  viaClient('an empty excluded id', (c) => c.closeAllConnections({ excluded: [''] }), 'excluded[0]', /non-empty string/),
  viaClient('a message over 1 MiB', (c) => c.sendToAll(new Uint8Array(mib + 1)), 'message', /1 MiB/),
  viaClient('a token group ..', (c) => c.getClientAccessToken({ groups: ['..'] }), 'groups[0]', /must not be '\.' or '\.\.'/),

  // The Action.
  viaAction('no hub', { hub: '' }, 'hub', /is required/),
  viaAction('a hub starting with a digit', { hub: '1st' }, 'hub', /must start with a letter/),
  viaAction('a hub reaching for another route', { hub: '../users' }, 'hub', /must start with a letter/),
  viaAction(
    'a connection string without AccessKey',
    { 'connection-string': 'Endpoint=http://127.0.0.1:1;Version=1.0;' },
    'connection-string',
    /is missing AccessKey/,
  ),
  viaAction('a connection string with a bad Port', { 'connection-string': withKey('Port=99999;') }, 'connection-string', /Port that is not an integer/),
  viaAction(
    'plain http to a remote host',
    { 'connection-string': '', endpoint: 'http://wps.example.com', 'access-key': KEY },
    'endpoint',
    /not a loopback host/,
  ),
  viaAction('the group ..', { target: 'group', group: '..' }, 'group', /must not be '\.' or '\.\.'/),
  viaAction('the group .', { target: 'group', group: '.' }, 'group', /must not be '\.' or '\.\.'/),
  viaAction('a group with a line break', { target: 'group', group: 'ops\nblue' }, 'group', /without line breaks/),
  viaAction('a group of 1025 characters', { target: 'group', group: long }, 'group', /1 to 1024 characters/),
  viaAction('the user id ..', { target: 'user', 'user-id': '..' }, 'user-id', /must not be '\.' or '\.\.'/),
  viaAction('the connection id .', { target: 'connection', 'connection-id': '.' }, 'connection-id', /must not be '\.' or '\.\.'/),
  viaAction('a TTL over 300 s', { 'message-ttl-seconds': '301' }, 'message-ttl-seconds', /from 0 to 300/),
  viaAction('.. among the excluded', { excluded: 'a,..' }, 'excluded', /must not be '\.' or '\.\.'/),
  viaAction('retries that are not a number', { retries: 'many' }, 'retries', /whole number from 0 to 20/),
  viaAction('a zero timeout', { 'timeout-seconds': '0' }, 'timeout-seconds', /whole number from 1 to 3600/),
  viaAction('a malformed api-version', { 'api-version': 'latest' }, 'api-version', /must look like 2024-12-01/),
  viaAction('an unknown operation', { operation: 'delete' }, 'operation', /must be one of send, close/),
  viaAction('an unknown target', { target: 'everyone' }, 'target', /must be one of hub, group, user, connection/),
  viaAction('invalid JSON with content-type json', { message: '{"v": 1,}', 'content-type': 'json' }, 'message', /must be valid JSON/),

  // The Pulumi resources.
  viaPulumi('a hub starting with a digit', 'membership', { hub: '1hub' }, 'hub', /must start with a letter/),
  viaPulumi('a hub reaching for another route', 'membership', { hub: '../users' }, 'hub', /must start with a letter/),
  viaPulumi('the group ..', 'membership', { group: '..' }, 'group', /must not be '\.' or '\.\.'/),
  viaPulumi('a whitespace-only group', 'membership', { group: ' ' }, 'group', /not only whitespace/),
  viaPulumi('a group with a line break', 'membership', { group: 'ops\nblue' }, 'group', /without line breaks/),
  viaPulumi('a group of 1025 characters', 'membership', { group: long }, 'group', /1 to 1024 characters/),
  viaPulumi('the user id ..', 'membership', { userIds: ['alice', '..'] }, 'userIds[1]', /must not be '\.' or '\.\.'/),
  viaPulumi('an empty user id', 'membership', { userIds: [''] }, 'userIds[0]', /non-empty string/),
  viaPulumi('the connection id .', 'membership', { connectionIds: ['.'] }, 'connectionIds[0]', /must not be '\.' or '\.\.'/),
  viaPulumi('user ids that are not a list', 'membership', { userIds: 'alice' }, 'userIds', /must be a list of strings/),
  viaPulumi('an input the resource does not have', 'membership', { members: ['alice'] }, 'members', /is not an input of this resource/),
  viaPulumi('an endpoint that is not http(s)', 'membership', { endpoint: 'ftp://wps.example.com' }, 'endpoint', /must use https/),
  viaPulumi('plain http to a remote host', 'membership', { endpoint: 'http://wps.example.com' }, 'endpoint', /not a loopback host/),
  viaPulumi('an empty hub', 'grant', { hub: '' }, 'hub', /non-empty string/),
  viaPulumi('an unknown permission', 'grant', { permission: 'admin' }, 'permission', /must be one of sendToGroup, joinLeaveGroup/),
  viaPulumi('the connection id ..', 'grant', { connectionId: '..' }, 'connectionId', /must not be '\.' or '\.\.'/),
  viaPulumi('the targetName ..', 'grant', { targetName: '..' }, 'targetName', /must not be '\.' or '\.\.'/),
  viaPulumi('a targetName with a line break', 'grant', { targetName: 'ops\nblue' }, 'targetName', /without line breaks/),
  viaPulumi('an input the grant does not have', 'grant', { role: 'webpubsub.sendToGroup' }, 'role', /is not an input of this resource/),
];

describe('bad inputs across the client, the Action and the Pulumi resources', () => {
  test('the table covers at least 40 cases, in each of the three front-ends', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const frontEnd of ['client', 'Action', 'Pulumi']) expect(cases.filter(([f]) => f === frontEnd).length).toBeGreaterThanOrEqual(15);
  });

  test.each(cases)('%s: %s', async (_frontEnd, _what, field, rule, refuse) => {
    const before = requests.length;
    const { field: named, message } = await refuse();
    expect(named).toBe(field);
    expect(message).toMatch(rule);
    expect(requests.length).toBe(before);
    for (const secret of [KEY, scope.emulator.connectionString, 'AccessKey=']) expect(message).not.toContain(secret);
    expect(message).not.toMatch(JWT_SHAPE);
  });
});
