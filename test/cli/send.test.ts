/**
 * The packed CLI end to end: installed from the tarball into a fresh project, run through its bin with each CI's
 * variables set, against the emulator, with official `@azure/web-pubsub-client` subscribers checking what arrives.
 * Also: --version, --help, npx, --json, --summary, close (in waves), and each exit code the docs promise.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebPubSubJsonProtocol } from '@azure/web-pubsub-client';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { generateKeyPair, SignJWT } from 'jose';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { HAVE_NODE24, NODE24 } from '../../scripts/harness/actionRunner.js';
import { VERSION } from '../../shared/version.js';
import { startCaptureServer } from '../helpers/captureServer.js';
import { useSubscribedHubs, validateNotification } from '../action/subscribers.js';
import { CI_CASES } from './ciEnvironments.js';
import { run, useInstalledCli } from './packedCli.js';

const KEY = 'cli-send-test-key-0123456789abcdefghij';
const cli = useInstalledCli();
let emulator: Emulator;
let temp: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, accessKey: KEY });
  temp = await mkdtemp(join(tmpdir(), 'wps-cli-send-'));
});
afterAll(async () => {
  await emulator?.close();
  await rm(temp, { recursive: true, force: true });
});
const hubs = useSubscribedHubs(() => emulator);
const secretEnv = () => ({ WEBPUBSUB_CONNECTION_STRING: emulator.connectionString });

/** Nothing of the key in what the command printed. */
function expectNoSecret({ stdout, stderr }: { stdout: string; stderr: string }): void {
  expect(stdout + stderr).not.toContain(KEY);
}

describe('the installed bin', () => {
  test('is executable in the tarball, and prints its version and help', async () => {
    const { stdout: listing } = await run('tar', ['-tvzf', cli.root.tarball]);
    expect(listing).toMatch(/^-rwxr-xr-x .* package\/build\/bin\/webpubsub-action\.js$/m);
    expect(((await stat(cli.bin)).mode & 0o111) !== 0).toBe(true);
    expect(await cli.run(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const top = await cli.run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: webpubsub-action <command>/);
    for (const command of ['send', 'close', 'emulator']) expect(top.stdout).toContain(`  ${command} `);
    const send = await cli.run(['send', '--help']);
    expect(send.code).toBe(0);
    for (const flag of [
      '--hub <value>',
      '--target <value>',
      '--message-file <value>',
      '--connection-string-file <path>',
      'WEBPUBSUB_CONNECTION_STRING (env)',
      '--json',
      '--summary <file>',
      '--repository <value>',
    ]) {
      expect(send.stdout).toContain(flag);
    }
    expect(send.stdout).not.toContain('--batch-size');
    const close = await cli.run(['close', '--help']);
    expect(close.stdout).toContain('--batch-size <value>');
    expect(close.stdout).not.toContain('--message ');
    const emulatorHelp = await cli.run(['emulator', '--help']);
    expect(emulatorHelp).toMatchObject({ code: 0, stdout: expect.stringContaining('--ready-file <path>') });
  });

  test('npx runs it from the project', async () => {
    const { code, stdout } = await run('npx', ['--no-install', 'webpubsub-action', '--version'], { cwd: cli.root.dir });
    expect({ code, stdout }).toEqual({ code: 0, stdout: `${VERSION}\n` });
  });
});

describe('the default notification from each CI', () => {
  test.each(CI_CASES.map((c) => [c.name, c] as const))('%s: the subscriber receives its run fields and id', async (_, { env, source, id }) => {
    const { hub, subscribers } = hubs();
    const subscriber = await subscribers.connect();
    const result = await cli.run(['send', '--hub', hub, '--json'], { env: { ...env, ...secretEnv() }, cwd: temp });
    expect(result.stderr).toContain(`Sent to the hub in hub ${hub}: 202, after 1 attempt`);
    expect(result.code).toBe(0);
    expectNoSecret(result);
    const received = await subscriber.serverMessages.next();
    expect(received.dataType).toBe('json');
    const notification = received.data as Record<string, unknown>;
    expect(validateNotification(notification)).toBe(true);
    expect(notification).toMatchObject({ ...source, kind: 'deployment', schema: 'webpubsub-action/notification@2' });
    expect(notification.id).toMatch(id);
    // stdout holds one JSON object: the Action's outputs, by the Action's names.
    const outputs = JSON.parse(result.stdout) as Record<string, string>;
    expect(outputs).toMatchObject({ ok: 'true', status: '202', attempts: '1', id: notification.id });
    expect(JSON.parse(outputs.payload!)).toEqual(notification);
  });

  test.each([
    ['Node 24', NODE24, HAVE_NODE24],
    ['Node 20', process.execPath, true],
  ] as const)('%s runs it', async (_, node, have) => {
    if (!have) return;
    const { hub, subscribers } = hubs();
    const subscriber = await subscribers.connect();
    const gitlab = CI_CASES[0]!;
    const result = await cli.run(['send', '--hub', hub], { node, env: { ...gitlab.env, ...secretEnv() }, cwd: temp });
    expect(result.code).toBe(0);
    expect(((await subscriber.serverMessages.next()).data as { ci: string }).ci).toBe('gitlab-ci');
  });
});

describe('flags and files', () => {
  test('a message to a group, the connection string from a file, the summary to a file; flags over the CI fields', async () => {
    const { hub, subscribers } = hubs();
    const member = await subscribers.connect({ groups: ['ops'] });
    const secretFile = join(temp, 'connection-string');
    await writeFile(secretFile, `${emulator.connectionString}\n`, { mode: 0o600 });
    const summary = join(temp, 'summary.md');
    const result = await cli.run(
      [
        'send',
        '--hub',
        hub,
        '--target',
        'group',
        '--group',
        'ops',
        '--message',
        '{"deployed": "{{ github.sha }}"}',
        '--connection-string-file',
        secretFile,
        '--summary',
        summary,
      ],
      { env: CI_CASES[0]!.env, cwd: temp },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect((await member.groupMessages.next()).data).toEqual({ deployed: CI_CASES[0]!.source.sha });
    const markdown = await readFile(summary, 'utf8');
    expect(markdown).toContain('### Azure Web PubSub');
    expect(markdown).toContain(`<td>group ops</td>`);

    const other = await cli.run(['send', '--hub', hub, '--environment', 'staging', '--sha', 'a'.repeat(40), '--json'], {
      env: { ...CI_CASES[2]!.env, ...secretEnv() },
      cwd: temp,
    });
    expect(other.code).toBe(0);
    expect(JSON.parse(JSON.parse(other.stdout).payload)).toMatchObject({ ci: 'jenkins', environment: 'staging', sha: 'a'.repeat(40) });
  });

  test('on GitHub Actions the summary goes to GITHUB_STEP_SUMMARY, as the Action writes it', async () => {
    const { hub } = hubs();
    const summary = join(temp, 'step-summary.md');
    await writeFile(summary, '');
    const result = await cli.run(['send', '--hub', hub], { env: { ...CI_CASES[3]!.env, GITHUB_STEP_SUMMARY: summary, ...secretEnv() }, cwd: temp });
    expect(result.code).toBe(0);
    expect(await readFile(summary, 'utf8')).toContain(`<td>${hub}</td>`);
  });

  test('close: a group in waves, with the outputs', async () => {
    const { hub, subscribers } = hubs();
    const members = [];
    for (let i = 0; i < 3; i++) members.push(await subscribers.connect({ groups: ['old'] }, { autoReconnect: false }));
    const result = await cli.run(['close', '--hub', hub, '--target', 'group', '--group', 'old', '--batch-size', '2', '--json'], {
      env: secretEnv(),
      cwd: temp,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: 'true', closed: '3' });
    for (const member of members) await member.disconnected.next();
  });
});

describe('exit codes', () => {
  test('refused by the service (a wrong key: 401): 3, not retried', async () => {
    const { hub } = hubs();
    const wrong = emulator.connectionString.replace(KEY, 'wrong-key-0123456789abcdefghijklmnopqr');
    const result = await cli.run(['send', '--hub', hub, '--repository', 'a/b', '--sha', 'b'.repeat(40), '--json'], {
      env: { WEBPUBSUB_CONNECTION_STRING: wrong },
      cwd: temp,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/401/);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: 'false', status: '401', attempts: '1' });
    expect(result.stdout + result.stderr).not.toContain('wrong-key');
  });

  test('unreachable: 4; with --fail-on-error=false a warning and 0', async () => {
    const nobody = 'Endpoint=http://127.0.0.1:1;AccessKey=unreachable-key-0123456789abcdef;Version=1.0;';
    const args = ['send', '--hub', 'h', '--repository', 'a/b', '--sha', 'c'.repeat(40), '--retries', '1', '--json'];
    const down = await cli.run(args, { env: { WEBPUBSUB_CONNECTION_STRING: nobody }, cwd: temp });
    expect(down.code).toBe(4);
    expect(JSON.parse(down.stdout)).toMatchObject({ ok: 'false', attempts: '2' });
    const soft = await cli.run([...args, '--fail-on-error=false'], { env: { WEBPUBSUB_CONNECTION_STRING: nobody }, cwd: temp });
    expect(soft.code).toBe(0);
    expect(soft.stderr).toMatch(/^warning: .*fail-on-error is false/m);
    expect(JSON.parse(soft.stdout)).toMatchObject({ ok: 'false' });
    expect(down.stdout + down.stderr + soft.stderr).not.toContain('unreachable-key');
  });

  test('5xx after every retry: 4', async () => {
    const faulty = await startEmulator({ port: 0, accessKey: KEY, faults: { rate: 1, kinds: ['unavailable'] } });
    try {
      const result = await cli.run(['send', '--hub', 'h', '--repository', 'a/b', '--sha', 'd'.repeat(40), '--retries', '1', '--json'], {
        env: { WEBPUBSUB_CONNECTION_STRING: faulty.connectionString },
        cwd: temp,
      });
      expect(result.code).toBe(4);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: 'false', status: '503', attempts: '2' });
    } finally {
      await faulty.close();
    }
  });

  test('a close in waves that stops part-way: 5, with the closed count', async () => {
    const own = await startEmulator({ port: 0, accessKey: KEY });
    const { Subscribers } = await import('../action/subscribers.js');
    const hub = 'waves';
    const subscribers = new Subscribers(own, hub);
    try {
      // Not the reliable protocol: its clients would try to recover for 30 s from the emulator going away.
      for (let i = 0; i < 3; i++) await subscribers.connect({ groups: ['old'] }, { autoReconnect: false, protocol: WebPubSubJsonProtocol() });
      // The first wave's disconnects take the service down: the next wave cannot reach it.
      own.once('disconnected', () => void own.close());
      const result = await cli.run(
        ['close', '--hub', hub, '--target', 'group', '--group', 'old', '--batch-size', '1', '--batch-interval-seconds', '0.5', '--retries', '0', '--json'],
        { env: { WEBPUBSUB_CONNECTION_STRING: own.connectionString }, cwd: temp },
      );
      expect(result.code).toBe(5);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: 'false', closed: '1' });
    } finally {
      await subscribers.stop().catch(() => undefined);
      await own.close();
    }
  });
});

describe('Microsoft Entra', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const CLIENT = '00000000-aaaa-bbbb-cccc-123456789012';
  const CLIENT_SECRET = 'entra-client-secret-0123456789~abc';

  /** An emulator that accepts Entra tokens, a loopback Entra token endpoint, a subscriber; the CLI's flags for them. */
  async function entraSetup() {
    const { privateKey } = await generateKeyPair('RS256');
    const sign = (claims: object, issuer: string, audience: string) =>
      new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
    const accessToken = await sign({ tid: TENANT, roles: [] }, `https://sts.windows.net/${TENANT}/`, 'https://webpubsub.azure.com');
    const federated = await sign(
      { sub: 'project_path:shop-group/web/storefront:ref_type:branch:ref:main' },
      'https://gitlab.com',
      'api://AzureADTokenExchange',
    );
    const service = await startEmulator({ port: 0, acceptEntraTokens: true });
    const entra = await startCaptureServer(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: accessToken }),
    }));
    const { Subscribers } = await import('../action/subscribers.js');
    const subscribers = new Subscribers(service, 'entra');
    const subscriber = await subscribers.connect();
    const flags = ['send', '--hub', 'entra', '--message', '{"via": "entra"}', '--endpoint', service.endpoint, '--authority-host', entra.endpoint];
    const close = async () => {
      await subscribers.stop();
      await Promise.all([service.close(), entra.close()]);
    };
    return { accessToken, federated, entra, subscriber, flags, close };
  }

  test('a client secret from AZURE_CLIENT_SECRET: the client-credentials grant, the message delivered, nothing secret printed', async () => {
    const setup = await entraSetup();
    try {
      const run = await cli.run([...setup.flags, '--client-id', CLIENT, '--tenant-id', TENANT, '--json'], {
        env: { AZURE_CLIENT_SECRET: CLIENT_SECRET },
        cwd: temp,
      });
      expect(run.code).toBe(0);
      expect((await setup.subscriber.serverMessages.next()).data).toEqual({ via: 'entra' });
      expect(setup.entra.requests).toHaveLength(1);
      expect(setup.entra.requests[0]).toMatchObject({ method: 'POST', url: `/${TENANT}/oauth2/v2.0/token` });
      expect(new URLSearchParams(setup.entra.requests[0]!.body.toString())).toEqual(
        new URLSearchParams({
          client_id: CLIENT,
          scope: 'https://webpubsub.azure.com/.default',
          grant_type: 'client_credentials',
          client_secret: CLIENT_SECRET,
        }),
      );
      for (const secret of [CLIENT_SECRET, setup.accessToken]) expect(run.stdout + run.stderr).not.toContain(secret);
    } finally {
      await setup.close();
    }
  });

  test("workload identity federation: GitLab's id_token in AZURE_FEDERATED_TOKEN_FILE, the app named by AZURE_CLIENT_ID / AZURE_TENANT_ID", async () => {
    const setup = await entraSetup();
    try {
      const file = join(temp, 'federated-token');
      await writeFile(file, `${setup.federated}\n`);
      const run = await cli.run(setup.flags, {
        env: { ...CI_CASES[0]!.env, AZURE_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT, AZURE_FEDERATED_TOKEN_FILE: file },
        cwd: temp,
      });
      expect(run.code).toBe(0);
      expect((await setup.subscriber.serverMessages.next()).data).toEqual({ via: 'entra' });
      const form = new URLSearchParams(setup.entra.requests[0]!.body.toString());
      expect(form.get('client_assertion')).toBe(setup.federated);
      expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      expect(form.get('client_id')).toBe(CLIENT);
      expect(run.stdout + run.stderr).not.toMatch(/eyJ[\w-]*\.[\w-]+\.[\w-]+/);
    } finally {
      await setup.close();
    }
  });
});
