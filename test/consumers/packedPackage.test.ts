/**
 * The package as users consume it: packed, installed from the tarball into projects outside this repository, then
 * type-checked with `skipLibCheck: false` (so the shipped declarations are checked too, against only what a user
 * installs) and run against the emulator: an ES module under NodeNext, Pulumi's TypeScript template (CommonJS
 * through ts-node, which type-checks), a bundler project, and a default Jest setup (CommonJS).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { build } from 'esbuild';
import { startEmulator } from '../../emulator/index.js';
import { WebPubSubServiceClient } from '../../shared/index.js';
import { REPO, installPackedPackage, type ConsumerRoot } from '../helpers/consumerProject.js';
import { runMockedProgram } from '../helpers/mockedProgram.js';
import { ProviderHost, urnOf } from '../helpers/providerHost.js';
import { connectJson, JSON_PROTOCOL } from '../helpers/sockets.js';

const run = promisify(execFile);
const FIXTURES = join(REPO, 'test/consumers/fixtures');
let root: ConsumerRoot;

beforeAll(async () => {
  root = await installPackedPackage(['typescript', 'ts-node', '@types/node', '@types/ws', 'jest', '@pulumi/pulumi']);
}, 180_000);
afterAll(() => rm(root.dir, { recursive: true, force: true }));

/** A project folder inside the consumer root (so it shares its node_modules) with its own package.json. */
async function project(name: string, packageJson: object, tsconfig?: object, files: string[] = ['program.ts'], from = FIXTURES): Promise<string> {
  const dir = join(root.dir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true, ...packageJson }, null, 2));
  if (tsconfig) await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  for (const file of files) await copyFile(join(from, file), join(dir, file));
  return dir;
}

const node = (args: string[], cwd: string) => run(process.execPath, args, { cwd, timeout: 120_000 });
const tool = (path: string) => join(root.dir, 'node_modules', path);
/** tsc over the project; `emit` false only checks. */
const typeCheck = (dir: string, emit = false) => node([tool('typescript/bin/tsc'), '-p', dir, ...(emit ? [] : ['--noEmit'])], dir);

/** Pulumi's TypeScript template as `pulumi new typescript` made it until March 2026 (CommonJS, `node` resolution). */
const TEMPLATE_COMMONJS = {
  compilerOptions: {
    strict: true,
    outDir: 'bin',
    target: 'es2020',
    module: 'commonjs',
    moduleResolution: 'node',
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ['program.ts'],
};
/** The same template since March 2026: NodeNext resolution, still CommonJS (its package.json has no type). */
const TEMPLATE_NODENEXT = { ...TEMPLATE_COMMONJS, compilerOptions: { ...TEMPLATE_COMMONJS.compilerOptions, module: 'nodenext', moduleResolution: 'nodenext' } };

describe('the packed package in consumer projects', () => {
  test('the tarball holds the ESM and CommonJS builds, their declarations and the LICENSE, and no install script', async () => {
    const { stdout } = await run('tar', ['-tzf', root.tarball]);
    const files = stdout.trim().split('\n');
    for (const file of [
      'LICENSE',
      'build/shared/index.js',
      'build/shared/index.d.ts',
      'build/cjs/shared/index.js',
      'build/cjs/shared/index.d.ts',
      'build/cjs/emulator/index.js',
      'build/browser/index.js',
      'build/browser/index.d.ts',
      'build/cjs/browser/index.js',
      'build/cjs/browser/index.d.ts',
      'build/cjs/package.json',
    ]) {
      expect(files).toContain(`package/${file}`);
    }
    expect(files.filter((file) => file.includes('/test/') || (file.endsWith('.ts') && !file.endsWith('.d.ts')))).toEqual([]);
    const { stdout: manifest } = await run('tar', ['-xzOf', root.tarball, 'package/package.json']);
    const scripts = (JSON.parse(manifest) as { scripts?: Record<string, string> }).scripts ?? {};
    expect(Object.keys(scripts).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
  });

  test("webpubsub-action/browser's CommonJS build requires nothing: the module is dependency-free as shipped", async () => {
    const { stdout } = await run('tar', ['-xzOf', root.tarball, 'package/build/cjs/browser/index.js']);
    expect(stdout).toMatch(/connectNotifications/);
    expect(stdout).not.toMatch(/\brequire\s*\(/);
  });

  test('an ES module project (NodeNext) type-checks and runs', async () => {
    const dir = await project(
      'esm-nodenext',
      { type: 'module' },
      {
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, skipLibCheck: false, outDir: 'out' },
        files: ['program.ts'],
      },
    );
    await typeCheck(dir, true);
    const { stdout } = await node(['out/program.js'], dir);
    expect(stdout).toMatch(/^consumer OK \(ES module\): delivered \{"event":"deployed","version":"v1\.4\.2"\}/);
  });

  test.each([
    ['CommonJS with node resolution (the template until 2026)', 'pulumi-template-commonjs', TEMPLATE_COMMONJS],
    ['NodeNext resolution (the template since 2026)', 'pulumi-template-nodenext', TEMPLATE_NODENEXT],
  ])("Pulumi's TypeScript template, %s, type-checks and runs through ts-node", async (_what, name, tsconfig) => {
    const dir = await project(name, { main: 'program.ts' }, tsconfig);
    // ts-node checks the program but not the declarations it imports; tsc checks those too (the CommonJS copies).
    await typeCheck(dir);
    const { stdout } = await node([tool('ts-node/dist/bin.js'), 'program.ts'], dir);
    expect(stdout).toMatch(/^consumer OK \(CommonJS\): delivered/);
  });

  test("the declarations need only the user's @types/node: not the types of ws that only this repository installs", async () => {
    // `types: ['node']` keeps TypeScript from including every installed @types package on its own: only an import
    // in the package's declarations could bring in ws's.
    const tsconfig = { compilerOptions: { ...TEMPLATE_COMMONJS.compilerOptions, types: ['node'] }, files: ['declarations.ts'] };
    const dir = await project('declarations', { main: 'declarations.ts' }, tsconfig, ['declarations.ts']);
    const { stdout } = await node([tool('typescript/bin/tsc'), '-p', dir, '--noEmit', '--listFiles'], dir);
    const files = stdout.trim().split('\n');
    expect(files.filter((file) => file.includes('/webpubsub-action/build/cjs/emulator/')).length).toBeGreaterThan(0);
    expect(files.filter((file) => file.includes('/webpubsub-action/build/cjs/browser/')).length).toBeGreaterThan(0);
    expect(files.filter((file) => /node_modules\/(@types\/ws|ws)\//.test(file))).toEqual([]);
  });

  test('a bundler project (moduleResolution bundler) type-checks, bundles and runs', async () => {
    const dir = await project(
      'bundler',
      {},
      {
        compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', strict: true, skipLibCheck: false, noEmit: true },
        files: ['program.ts'],
      },
    );
    await typeCheck(dir);
    await build({
      absWorkingDir: dir,
      entryPoints: ['program.ts'],
      outfile: 'out/program.cjs',
      bundle: true,
      platform: 'node',
      format: 'cjs',
      // ws's optional native helpers, as every bundling guide for ws says.
      external: ['bufferutil', 'utf-8-validate'],
      logLevel: 'error',
    });
    const { stdout } = await node(['out/program.cjs'], dir);
    expect(stdout).toMatch(/^consumer OK \(CommonJS\): delivered/);
  });

  test('a default Jest setup (CommonJS, no flags) starts the emulator in a test', async () => {
    const dir = await project('jest-commonjs', {}, undefined, ['emulator.test.js']);
    const { stderr } = await node([tool('jest/bin/jest.js'), '--ci', '--rootDir', dir], dir);
    expect(stderr).toMatch(/Tests:\s+1 passed, 1 total/);
  });
});

describe('a Pulumi program as `pulumi new typescript` makes it, with the packed package installed', () => {
  const MEMBERSHIP = 'pulumi-nodejs:dynamic/webpubsub:GroupMembership';
  const KEY = 'packed-pulumi-access-key-0123456789abcdef=';

  test('type-checks with the template tsconfig, registers both resources under mocks, and its serialized provider runs in the real provider host', async () => {
    // The template's tsconfig (commonjs, node resolution, strict, no skipLibCheck) compiling the program and the
    // example users copy from examples/pulumi.
    const dir = await project(
      'pulumi-program',
      { main: 'index.ts' },
      { ...TEMPLATE_COMMONJS, files: ['index.ts', 'example.ts'] },
      [],
      join(REPO, 'test/provider/fixtures/pulumi-new'),
    );
    await copyFile(join(REPO, 'test/provider/fixtures/pulumi-new/index.ts'), join(dir, 'index.ts'));
    await copyFile(join(REPO, 'examples/pulumi/index.ts'), join(dir, 'example.ts'));
    await typeCheck(dir, true);

    const emulator = await startEmulator({ port: 0, accessKey: KEY });
    const hub = 'deployments';
    const core = new WebPubSubServiceClient(emulator.connectionString, hub, { logLevel: 'off' });
    const { url } = await core.getClientAccessToken({ userId: 'alice' });
    const { socket } = await connectJson(url, JSON_PROTOCOL);
    let host: ProviderHost | undefined;
    try {
      const secrets = {
        config: { 'webpubsub:connectionString': emulator.connectionString, 'project:agentConnectionId': 'agent' },
        secrets: ['webpubsub:connectionString'],
      };
      const run = await runMockedProgram(join(dir, 'bin', 'index.js'), { ...secrets, cwd: dir });
      const watchers = run.registrations.find((r) => r.type === MEMBERSHIP && r.name === 'release-watchers')!;
      expect(run.registrations.map(({ type, name }) => `${type}::${name}`).sort()).toEqual([
        `${MEMBERSHIP}::oncall`,
        `${MEMBERSHIP}::release-watchers`,
        'pulumi-nodejs:dynamic/webpubsub:PermissionGrant::agent-sends',
      ]);
      // The CommonJS build's provider: loaded by package name, no path pinned, no secret.
      const code = watchers.inputs.__provider;
      const requires = code.match(/require(\.resolve)?\(['"][^'"]+['"]\)/g) ?? [];
      expect(requires.length).toBeGreaterThan(0);
      expect(requires.filter((call) => !/\(['"](webpubsub-action|@azure\/identity)['"]\)/.test(call))).toEqual([]);
      expect(code).not.toMatch(/node_modules|\/build\//);
      expect(JSON.stringify(run)).not.toContain(KEY);

      // The engine's calls, on that very code, in the user's project: create puts alice in the group, delete takes her out.
      host = await ProviderHost.start({ cwd: dir });
      await host.configure({ 'webpubsub:connectionString': emulator.connectionString });
      const urn = urnOf('GroupMembership', 'release-watchers');
      const { inputs, failures } = await host.check(urn, {}, { ...watchers.inputs, userIds: ['alice'] });
      expect(failures).toEqual([]);
      const created = await host.create(urn, inputs);
      expect(created.properties).toMatchObject({ hub, group: 'releases', userIds: ['alice'], pendingUserIds: [] });
      await core.sendToGroup('releases', { version: 'v1.4.2' });
      expect(await socket.jsonWhere((frame) => frame.type === 'message')).toMatchObject({ group: 'releases', data: { version: 'v1.4.2' } });
      await host.delete(created.id, urn, created.properties);
      expect(await core.groupExists('releases')).toBe(false);
    } finally {
      await host?.stop();
      await socket.close();
      await core.close();
      await emulator.close();
    }
  }, 120_000);
});
