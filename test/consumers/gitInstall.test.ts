/**
 * The package installed from git, as users install it before it is on the registry, in the project users copy:
 * examples/pulumi, whose package.json takes `github:<owner>/webpubsub-action#semver:^0.1.0`. A fresh repository
 * holding exactly the tracked files (no build/, no node_modules), tagged with the version, stands in for GitHub;
 * npm clones it, installs its dev dependencies, runs `prepare` (the build) and packs it. Then:
 * - the installed files are exactly the tarball's, so what the packed-package suite checks holds for git too;
 * - a CommonJS project and an ES module project inside it load every entry point and run the emulator and client;
 * - the self-test workflow's emulator step runs on what prepare built;
 * - the example itself, from its README: installed with no other warning than @pulumi/pulumi's engine on Node 20,
 *   type-checked, run with the config its README sets (and without it, the ConfigMissingError the README names),
 *   and its resources applied through Pulumi's provider host against the emulator, as `pulumi up` applies them.
 * One install, shared by every test.
 */
import { execFile } from 'node:child_process';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { startEmulator } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { cloneRepository, installFromGit, REPO, type ConsumerManifest, type GitConsumer } from '../helpers/consumerProject.js';
import { runMockedProgram } from '../helpers/mockedProgram.js';
import { ProviderHost, urnOf } from '../helpers/providerHost.js';
import { connectJson, JSON_PROTOCOL } from '../helpers/sockets.js';

const run = promisify(execFile);
const EXAMPLE = join(REPO, 'examples/pulumi');
const ENTRIES: Record<string, string> = {
  'webpubsub-action': '../../shared/index.js',
  'webpubsub-action/emulator': '../../emulator/index.js',
  'webpubsub-action/pulumi': '../../pulumi-provider/index.js',
  'webpubsub-action/browser': '../../browser/index.js',
};

let clone: string;
let root: GitConsumer;
let installed: string;

beforeAll(async () => {
  clone = await cloneRepository();
  const project = JSON.parse(await readFile(join(EXAMPLE, 'package.json'), 'utf8')) as ConsumerManifest;
  root = await installFromGit(clone, project);
  installed = join(root.dir, 'node_modules/webpubsub-action');
  // The rest of the example, as a user copies the folder.
  for (const file of ['index.ts', 'tsconfig.json', 'Pulumi.yaml', 'README.md']) await cp(join(EXAMPLE, file), join(root.dir, file));
}, 300_000);
afterAll(async () => {
  await rm(root?.dir ?? '', { recursive: true, force: true });
  await rm(clone ?? '', { recursive: true, force: true });
});

/** Every file under `dir`, relative to it, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const { stdout } = await run('find', ['.', '-type', 'f'], { cwd: dir });
  return stdout
    .trim()
    .split('\n')
    .map((file) => file.slice(2))
    .sort();
}

describe('npm install of a git URL', () => {
  test('prepare built the package in npm’s clone: the installed files are exactly those npm pack puts in the tarball', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    const [packed] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    expect(await filesUnder(installed)).toEqual(packed.files.map((file) => file.path).sort());
    expect(await readFile(join(installed, 'schema/notification.schema.json'), 'utf8')).toBe(
      await readFile(join(REPO, 'schema/notification.schema.json'), 'utf8'),
    );
  });

  test.each([
    ['a CommonJS project (require)', 'cjs', 'commonjs', 'async (name) => require(name)'],
    ['an ES module project (import)', 'esm', 'module', '(name) => import(name)'],
  ])('%s loads every entry point and runs the emulator and the client', async (_what, name, type, load) => {
    const dir = join(root.dir, name);
    await run('mkdir', ['-p', dir]);
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, type }));
    const program = await readFile(join(REPO, 'test/consumers/fixtures/everyExport.js'), 'utf8');
    await writeFile(join(dir, 'program.js'), `const LOAD = ${load};\n${program}`);
    const { stdout } = await run(process.execPath, ['program.js'], { cwd: dir, timeout: 60_000 });
    const result = JSON.parse(stdout) as { exports: Record<string, string[]>; message: string };
    expect(result.message).toBe('hello from a consumer');
    const expected: Record<string, string[]> = {};
    for (const [entry, path] of Object.entries(ENTRIES)) expected[entry] = Object.keys(await import(path)).sort();
    expect(result.exports).toEqual(expected);
  });

  test('the webpubsub-emulator bin, started as the self-test workflow starts it, writes its connection string to the ready file', async () => {
    // The workflow's own step (`node build/emulator/cli.js … --ready-file`), run by bash where prepare built the
    // package: the workflow's `npm ci` runs the same prepare in a checkout as npm ran in its clone here.
    const workflow = parse(await readFile(join(REPO, '.github/workflows/self-test.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { id?: string; run?: string }[] }>;
    };
    const step = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .find((candidate) => candidate.id === 'emulator')!;
    const temp = join(root.dir, 'runner-temp');
    await run('mkdir', ['-p', temp]);
    const output = join(temp, 'github-output');
    await writeFile(output, '');
    // The step leaves the emulator running, as a job does until it ends; its pid is in the ready file's directory.
    const script = `${step.run}\necho "$!" > "$RUNNER_TEMP/emulator.pid"`;
    await run('bash', ['-e', '-c', script], { cwd: installed, env: { ...process.env, RUNNER_TEMP: temp, GITHUB_OUTPUT: output }, timeout: 30_000 });
    const pid = Number((await readFile(join(temp, 'emulator.pid'), 'utf8')).trim());
    try {
      expect(await readFile(output, 'utf8')).toMatch(/^connection-string=Endpoint=http:\/\/127\.0\.0\.1:\d+;AccessKey=[^;]+;Version=1\.0;$/m);
      const bin = await readFile(join(root.dir, 'node_modules/.bin/webpubsub-emulator'), 'utf8');
      expect(bin).toBe(await readFile(join(installed, 'build/emulator/cli.js'), 'utf8'));
    } finally {
      process.kill(pid, 'SIGTERM');
    }
  });
});

describe('examples/pulumi, installed and run as its README says', () => {
  const MEMBERSHIP = 'pulumi-nodejs:dynamic/webpubsub:GroupMembership';

  /** The stack config the README's `pulumi config set` lines give (not the secret: the test has its emulator's). */
  async function readmeConfig(): Promise<Record<string, string>> {
    const readme = await readFile(join(EXAMPLE, 'README.md'), 'utf8');
    const config: Record<string, string> = {};
    for (const [, line] of readme.matchAll(/^pulumi config set (?!--secret)(.+?)(?:\s+#.*)?$/gm)) {
      const [key, value] = [...line!.matchAll(/'([^']*)'|(\S+)/g)].map((word) => word[1] ?? word[2]!);
      // Under the CLI a bare key belongs to the project; the mocks' project is called `project`.
      config[key!.includes(':') ? key! : `project:${key}`] = value!;
    }
    return config;
  }

  test("npm's one warning is @pulumi/pulumi's engine on Node 20: allowScripts settles protobufjs's postinstall and the git install's build", async () => {
    const warnings = root.stderr.split('\n').filter((line) => line.startsWith('npm warn'));
    const engine = Number(process.versions.node.split('.')[0]) < 22;
    expect(warnings.filter((line) => !line.startsWith('npm warn EBADENGINE'))).toEqual([]);
    expect([...root.stderr.matchAll(/package: '([^']+)'/g)].map((match) => match[1]!.replace(/@[^@]+$/, ''))).toEqual(engine ? ['@pulumi/pulumi'] : []);
    // The key npm gives a dependency from GitHub (its host and path, without the #ref): approved, so prepare runs.
    const { allowScripts, dependencies } = JSON.parse(await readFile(join(EXAMPLE, 'package.json'), 'utf8')) as {
      allowScripts: Record<string, boolean>;
      dependencies: Record<string, string>;
    };
    expect(allowScripts).toEqual({ [dependencies['webpubsub-action']!.replace(/#.*$/, '')]: true, protobufjs: false });
  });

  test('it type-checks, and runs with the config its README sets; without it, it stops with ConfigMissingError', async () => {
    await run(process.execPath, [join(root.dir, 'node_modules/typescript/bin/tsc'), '-p', root.dir], { cwd: root.dir });
    const config = await readmeConfig();
    expect(Object.keys(config).sort()).toEqual(['project:hub', 'project:releaseWatchers']);
    const { registrations, outputs } = await runMockedProgram(join(root.dir, 'bin/index.js'), { config, cwd: root.dir });
    expect(registrations.map(({ name, id, inputs }) => ({ name, id, userIds: inputs.userIds }))).toEqual([
      { name: 'on-call', id: 'deployments/groups/on-call', userIds: undefined },
      { name: 'release-watchers', id: undefined, userIds: ['alice', 'bob', 'carol'] },
    ]);
    expect(outputs).toMatchObject({ watchers: ['alice', 'bob', 'carol'] });
    await expect(runMockedProgram(join(root.dir, 'bin/index.js'), { cwd: root.dir })).rejects.toThrow(
      /ConfigMissingError: Missing required configuration variable 'project:releaseWatchers'/,
    );
  });

  test("its resources, applied through Pulumi's provider host against the emulator as pulumi up applies them: connected users join, the rest are pending", async () => {
    const emulator = await startEmulator({ port: 0 });
    const core = new WebPubSubServiceClient(emulator.connectionString, 'deployments', { logLevel: 'off' });
    const { socket } = await connectJson((await core.getClientAccessToken({ userId: 'alice' })).url, JSON_PROTOCOL);
    let host: ProviderHost | undefined;
    try {
      const { registrations } = await runMockedProgram(join(root.dir, 'bin/index.js'), { config: await readmeConfig(), cwd: root.dir });
      const watchers = registrations.find((registration) => registration.name === 'release-watchers');
      const onCall = registrations.find((registration) => registration.name === 'on-call');
      host = await ProviderHost.start({ cwd: root.dir });
      await host.configure({ 'webpubsub:connectionString': emulator.connectionString });
      const urn = urnOf('GroupMembership', watchers!.name);
      const { inputs, failures } = await host.check(urn, {}, watchers!.inputs);
      expect(failures).toEqual([]);
      const { properties } = await host.create(urn, inputs);
      expect(properties).toMatchObject({ group: 'releases', userIds: ['alice'], pendingUserIds: ['bob', 'carol'] });
      await core.sendToGroup('releases', { version: 'v1.4.2' });
      expect(await socket.jsonWhere((frame) => frame.type === 'message')).toMatchObject({ group: 'releases', data: { version: 'v1.4.2' } });
      // `.get` of the group another team keeps: a read by id alone.
      const read = await host.read(onCall!.id!, `urn:pulumi:dev::project::${MEMBERSHIP}::on-call`, { inputs: onCall!.inputs });
      expect(read.properties).toMatchObject({ hub: 'deployments', group: 'on-call', userIds: [] });
    } finally {
      await host?.stop();
      await socket.close();
      await core.close();
      await emulator.close();
    }
  });
});
