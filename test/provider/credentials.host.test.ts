/**
 * Where the providers' credentials come from, through the real provider host: the stack config, the environment
 * only, Microsoft Entra through `@azure/identity` when only an endpoint is configured (and a clear error when the
 * package is missing). No secret ever reaches inputs, outputs, the serialized provider or the host's log. Bad
 * inputs fail `check` with the property and the rule, and no request is made.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { startCaptureServer, type CaptureServer } from '../helpers/captureServer.js';
import { groupConnectionIds, subscribe, whoReceives, type Subscriber } from '../helpers/groupProbe.js';
import { useEmulator } from '../helpers/hubFixture.js';
import { uniqueName } from '../helpers/names.js';
import { createConsumerProject, ProviderHost, serializedProviders, urnOf, type SerializedProviders } from '../helpers/providerHost.js';

const requestLog: string[] = [];
const scope = useEmulator({ logger: (line) => requestLog.push(line) });
let providers: SerializedProviders;
const cleanups: (() => Promise<unknown>)[] = [];
const subscribers: Subscriber[] = [];
/** One provider host per way of providing credentials, started together (each takes a second to start). */
let hosts: Record<'env' | 'configAndEnv' | 'endpointOnly' | 'entra' | 'none' | 'config', ProviderHost>;
let entraService: CaptureServer;

beforeAll(async () => {
  providers = await serializedProviders();
  const identity = await fakeIdentityPackage();
  entraService = await startCaptureServer();
  cleanups.push(() => entraService.close());
  const connectionString = scope.emulator.connectionString;
  const [env, configAndEnv, endpointOnly, entra, none, config] = await Promise.all([
    startHost({ env: { WEBPUBSUB_CONNECTION_STRING: connectionString } }),
    startHost({
      config: { 'webpubsub:connectionString': connectionString },
      env: { WEBPUBSUB_CONNECTION_STRING: 'Endpoint=http://127.0.0.1:9;AccessKey=wrong;Version=1.0;' },
    }),
    startHost({ config: { 'webpubsub:endpoint': scope.emulator.endpoint } }),
    startHost({ config: { 'webpubsub:endpoint': entraService.endpoint }, packages: { '@azure/identity': identity } }),
    startHost({}),
    startHost({ config: { 'webpubsub:connectionString': connectionString } }),
  ]);
  hosts = { env, configAndEnv, endpointOnly, entra, none, config };
});
afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.observed.stop()));
});
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A provider host in a fresh project, stopped after the file. */
async function startHost({
  env = {},
  config = {},
  packages = {},
}: {
  env?: Record<string, string | undefined>;
  config?: Record<string, string>;
  packages?: Record<string, string>;
}) {
  const project = await createConsumerProject(packages);
  cleanups.push(() => project.remove());
  const host = await ProviderHost.start({ cwd: project.dir, env: { WEBPUBSUB_CONNECTION_STRING: undefined, ...env } });
  cleanups.push(() => host.stop());
  await host.configure(config);
  return host;
}

/**
 * A stand-in `@azure/identity` whose DefaultAzureCredential hands out a recognizable token: what the provider
 * loads from the project when only an endpoint is configured.
 */
async function fakeIdentityPackage(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wps-identity-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@azure/identity', version: '4.0.0', main: 'index.js' }));
  await writeFile(
    join(dir, 'index.js'),
    'exports.DefaultAzureCredential = class { async getToken(scopes) { return { token: "entra-token-for-" + scopes, expiresOnTimestamp: Date.now() + 3600e3 }; } };\n',
  );
  return dir;
}

const secretsOf = (connectionString: string) => [connectionString, /AccessKey=([^;]+)/.exec(connectionString)![1]!];

describe('credentials', () => {
  test('from WEBPUBSUB_CONNECTION_STRING alone: the whole lifecycle works, and no secret is in any answer or log', async () => {
    const connectionString = scope.emulator.connectionString;
    const host = hosts.env;
    const [hub, group, urn] = [uniqueName('hub'), uniqueName('group'), urnOf('GroupMembership', 'env')];
    const client = new WebPubSubServiceClient(connectionString, hub, { logLevel: 'off' });
    cleanups.push(() => client.close());
    const alice = await subscribe(client, 'alice', 'alice');
    const bob = await subscribe(client, 'bob', 'bob');
    subscribers.push(alice, bob);

    const answers: unknown[] = [];
    const keep = <T>(answer: T) => {
      answers.push(answer);
      return answer;
    };
    const { inputs } = keep(await host.check(urn, {}, { hub, group, userIds: ['alice'], __provider: providers.membership }));
    expect(inputs.endpoint).toBe(scope.emulator.endpoint);
    const created = keep(await host.create(urn, inputs));
    expect(groupConnectionIds(scope.emulator, hub, group)).toEqual([alice.connectionId]);
    expect(await whoReceives(client, group, subscribers)).toEqual(['alice']);
    const read = keep(await host.read(created.id, urn, { properties: created.properties }));
    expect(read.properties).toEqual(created.properties);
    expect(await whoReceives(client, group, subscribers)).toEqual(['alice']);
    const updated = keep(await host.update(created.id, urn, read.properties, { ...inputs, userIds: ['alice', 'bob'] }));
    expect(await whoReceives(client, group, subscribers)).toEqual(['alice', 'bob']);
    await host.delete(created.id, urn, updated);
    expect(await whoReceives(client, group, subscribers)).toEqual([]);

    const everything = JSON.stringify(answers) + host.stderr + providers.membership + providers.grant;
    for (const secret of secretsOf(connectionString)) expect(everything).not.toContain(secret);
  });

  test("the stack config wins over the environment, and a resource endpoint that is not the connection string's is an error", async () => {
    const host = hosts.configAndEnv;
    const urn = urnOf('PermissionGrant', 'mismatch');
    const { inputs } = await host.check(urn, {}, { hub: 'hub', connectionId: 'c', permission: 'sendToGroup', targetName: 'g', __provider: providers.grant });
    expect(inputs.endpoint).toBe(scope.emulator.endpoint);
    await expect(host.create(urn, { ...inputs, endpoint: 'http://127.0.0.1:9' })).rejects.toThrow(
      `The resource's endpoint http://127.0.0.1:9 is not the endpoint of the configured connection string (${scope.emulator.endpoint})`,
    );
  });

  test('with only webpubsub:endpoint and no @azure/identity installed: check and create say what to install or set', async () => {
    const host = hosts.endpointOnly;
    const urn = urnOf('PermissionGrant', 'entra');
    const news = { hub: 'hub', connectionId: 'c', permission: 'sendToGroup', targetName: 'g', __provider: providers.grant };
    const { failures } = await host.check(urn, {}, news);
    expect(failures).toEqual([
      {
        property: 'endpoint',
        reason: expect.stringMatching(
          /^endpoint has no connection string .*@azure\/identity is not installed in this project: run `npm install @azure\/identity`/,
        ),
      },
    ]);
    await expect(host.create(urn, { ...news, endpoint: scope.emulator.endpoint })).rejects.toThrow(/@azure\/identity is not installed in this project/);
  });

  test('with only webpubsub:endpoint and @azure/identity installed: requests carry its DefaultAzureCredential token', async () => {
    const [host, service] = [hosts.entra, entraService];
    const urn = urnOf('PermissionGrant', 'entra');
    const { inputs, failures } = await host.check(
      urn,
      {},
      { hub: 'hub', connectionId: 'c', permission: 'sendToGroup', targetName: 'g', __provider: providers.grant },
    );
    expect(failures).toEqual([]);
    await host.create(urn, inputs);
    expect(service.requests).toHaveLength(1);
    expect(service.requests[0]).toMatchObject({
      method: 'PUT',
      url: '/api/hubs/hub/permissions/sendToGroup/connections/c?api-version=2024-12-01&targetName=g',
    });
    expect(service.requests[0]!.headers.authorization).toBe('Bearer entra-token-for-https://webpubsub.azure.com/.default');
  });

  test('with no credentials at all, check says how to provide them', async () => {
    const host = hosts.none;
    const { failures } = await host.check(urnOf('GroupMembership', 'none'), {}, { hub: 'hub', group: 'g', __provider: providers.membership });
    expect(failures).toEqual([
      {
        property: 'endpoint',
        reason: expect.stringContaining('endpoint is not set and there are no credentials: run `pulumi config set --secret webpubsub:connectionString'),
      },
    ]);
  });
});

describe('check', () => {
  const host = { check: (...args: Parameters<ProviderHost['check']>) => hosts.config.check(...args) };

  test("bad membership inputs: one failure per property, naming it and the core client's rule; no request is made", async () => {
    const before = requestLog.length;
    const { failures } = await host.check(
      urnOf('GroupMembership', 'bad'),
      {},
      {
        hub: '1hub',
        group: 'line\nbreak',
        userIds: ['alice', '..'],
        connectionIds: 'c1',
        userId: 'typo',
        endpoint: 'ftp://example.com',
        __provider: providers.membership,
      },
    );
    expect(failures).toEqual([
      { property: 'userId', reason: 'userId is not an input of this resource (inputs: hub, group, userIds, connectionIds, endpoint)' },
      { property: 'hub', reason: 'hub must start with a letter and hold only letters, digits and _ ` , . [ ], 128 characters at most' },
      { property: 'group', reason: 'group must be 1 to 1024 characters, not only whitespace, without line breaks' },
      { property: 'userIds[1]', reason: expect.stringMatching(/^userIds\[1\] must not be '\.' or '\.\.'/) },
      { property: 'connectionIds', reason: 'connectionIds must be a list of strings' },
      { property: 'endpoint', reason: 'endpoint must use https (got ftp)' },
    ]);
    expect(requestLog.slice(before)).toEqual([]);
  });

  test('bad grant inputs: permission, connection and group rules; no request is made', async () => {
    const before = requestLog.length;
    const { failures } = await host.check(
      urnOf('PermissionGrant', 'bad'),
      {},
      {
        hub: 'hub',
        connectionId: '',
        permission: 'admin',
        targetName: '   ',
        __provider: providers.grant,
      },
    );
    expect(failures).toEqual([
      { property: 'connectionId', reason: 'connectionId must be a non-empty string (got "")' },
      { property: 'permission', reason: 'permission must be one of sendToGroup, joinLeaveGroup (got "admin")' },
      { property: 'targetName', reason: 'targetName must be 1 to 1024 characters, not only whitespace, without line breaks' },
    ]);
    expect(requestLog.slice(before)).toEqual([]);
  });

  test("preview's unknown values are not judged", async () => {
    const unknown = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
    const { failures, inputs } = await host.check(
      urnOf('GroupMembership', 'preview'),
      {},
      { hub: unknown, group: 'g', userIds: [unknown, 'b', 'a'], __provider: providers.membership },
    );
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ hub: unknown, userIds: [unknown, 'b', 'a'] });
  });
});
