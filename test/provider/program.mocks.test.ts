/**
 * Programs under `pulumi.runtime.setMocks`, each in a process of its own as under the CLI: the resources register
 * with their type tokens, and neither the serialized provider nor the state holds a secret. One program is the
 * `pulumi new typescript` template's (CommonJS, `moduleResolution: node`, strict), type-checked as ts-node does
 * and importing `webpubsub-action/pulumi` as an installed package.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { copyFile, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { runMockedProgram, type ProgramRun, type Registration } from '../helpers/mockedProgram.js';
import { createConsumerProject, REPO_ROOT } from '../helpers/providerHost.js';

const PROGRAM = new URL('./programs/deployments.js', import.meta.url).pathname;
/** The template program's sources (not compiled by the repository's build: they are a CommonJS project). */
const TEMPLATE_PROGRAM = join(REPO_ROOT, 'test/provider/fixtures/pulumi-new');
/** The example users copy, checked in the same project (one type-check for both). */
const EXAMPLE_PROGRAM = join(REPO_ROOT, 'examples/pulumi/index.ts');
const MEMBERSHIP = 'pulumi-nodejs:dynamic/webpubsub:GroupMembership';
const GRANT = 'pulumi-nodejs:dynamic/webpubsub:PermissionGrant';

const ACCESS_KEY = 'program-test-access-key-0123456789abcdefABCDEF=';
const CONNECTION_STRING = `Endpoint=https://example.webpubsub.azure.com;AccessKey=${ACCESS_KEY};Version=1.0;`;
/** The secret in the stack config and in the environment, where a careless provider would capture it. */
const WITH_SECRETS = {
  config: { 'webpubsub:connectionString': CONNECTION_STRING },
  secrets: ['webpubsub:connectionString'],
  env: { WEBPUBSUB_CONNECTION_STRING: CONNECTION_STRING },
};

/**
 * Type-checks a project as ts-node does (its tsconfig; the diagnostics of the program's own files), plus this
 * package's declarations as the consumer's settings read them, then emits the CommonJS to the outDir.
 * @returns the diagnostics, as text
 */
function typeCheckAndEmit(tsconfig: string): string[] {
  const { config } = ts.readConfigFile(tsconfig, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(tsconfig));
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const own = program.getSourceFiles().filter((file) => parsed.fileNames.includes(file.fileName));
  const ours = program.getSourceFiles().filter((file) => file.fileName.startsWith(join(REPO_ROOT, 'build')));
  const diagnostics = [...program.getOptionsDiagnostics(), ...[...own, ...ours].flatMap((file) => ts.getPreEmitDiagnostics(program, file))];
  // File by file, as ts-node emits: emitting the whole program would check every library declaration too.
  for (const file of own) program.emit(file);
  return diagnostics.map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const byName = (run: ProgramRun, name: string): Registration => run.registrations.find((r) => r.name === name)!;

function expectNoSecret(run: ProgramRun): void {
  const everything = JSON.stringify(run);
  expect(everything).not.toContain(ACCESS_KEY);
  expect(everything).not.toContain('AccessKey=');
}

describe('the ESM program', () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runMockedProgram(PROGRAM, WITH_SECRETS);
  });

  test('registers both resources with their type tokens and their inputs as written', () => {
    expect(run.registrations.map(({ type, name, id }) => ({ type, name, id }))).toEqual(
      expect.arrayContaining([
        { type: MEMBERSHIP, name: 'release-watchers', id: undefined },
        { type: GRANT, name: 'agent-joins', id: undefined },
        { type: MEMBERSHIP, name: 'existing-oncall', id: 'deployments/groups/on-call' },
      ]),
    );
    const { __provider, ...inputs } = byName(run, 'release-watchers').inputs;
    // Under mocks no provider code runs: `check` normalizes inside the provider host only.
    expect(inputs).toEqual({ hub: 'deployments', group: 'releases', userIds: ['bob', 'alice', 'bob'], connectionIds: ['dashboard-connection'] });
    expect(typeof __provider).toBe('string');
    expect(run.outputs.watchers).toBe(`urn:pulumi:dev::project::${MEMBERSHIP}::release-watchers`);
  });

  test('the serialized providers and the state hold no secret, though the config and the environment do', () => {
    expectNoSecret(run);
  });

  test('the serialized providers load the core client by package name and pin no file path', () => {
    for (const name of ['release-watchers', 'agent-joins']) {
      const code = byName(run, name).inputs.__provider;
      expect(code.match(/require(\.resolve)?\(['"][^'"]+['"]\)/g)?.sort()).toEqual(
        expect.arrayContaining(["require('webpubsub-action')", "require('@azure/identity')", "require.resolve('@azure/identity')"]),
      );
      expect(code.match(/require(\.resolve)?\(['"][^'"]+['"]\)/g)!.every((call) => /webpubsub-action'|@azure\/identity'/.test(call))).toBe(true);
      expect(code).not.toMatch(/node_modules|\/build\/|\/work\//);
      expect(code.length).toBeLessThan(64 * 1024);
    }
    // One provider object per class: every membership carries the very same code.
    expect(byName(run, 'existing-oncall').inputs.__provider).toBe(byName(run, 'release-watchers').inputs.__provider);
  });

  test('serialization is stable from run to run, so unchanged code never shows as a change', async () => {
    const again = await runMockedProgram(PROGRAM);
    for (const name of ['release-watchers', 'agent-joins']) expect(byName(again, name).inputs.__provider).toBe(byName(run, name).inputs.__provider);
  });
});

describe('the `pulumi new typescript` program (CommonJS), with webpubsub-action installed', () => {
  let project: Awaited<ReturnType<typeof createConsumerProject>>;

  beforeAll(async () => {
    const modules = (name: string) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
    project = await createConsumerProject({ '@pulumi/pulumi': modules('@pulumi/pulumi'), '@types/node': modules('@types/node') });
    for (const file of await readdir(TEMPLATE_PROGRAM)) await copyFile(join(TEMPLATE_PROGRAM, file), join(project.dir, file));
    await copyFile(EXAMPLE_PROGRAM, join(project.dir, 'example.ts'));
    // Stand-in until the package maps `webpubsub-action/pulumi` for `moduleResolution: node` itself (typesVersions,
    // with the CommonJS build): point the old resolution at the declarations. The template's options stay as they are.
    await writeFile(
      join(project.dir, 'tsconfig.check.json'),
      JSON.stringify({
        extends: './tsconfig.json',
        compilerOptions: { paths: { 'webpubsub-action/pulumi': ['./node_modules/webpubsub-action/build/pulumi-provider/index.d.ts'] } },
        files: ['index.ts', 'example.ts'],
      }),
    );
  });
  afterAll(() => project?.remove());

  test('type-checks under the template tsconfig (strict, commonjs, moduleResolution node) and runs under mocks, as does examples/pulumi', async () => {
    expect(typeCheckAndEmit(join(project.dir, 'tsconfig.check.json'))).toEqual([]);
    const run = await runMockedProgram(join(project.dir, 'bin', 'index.js'), {
      ...WITH_SECRETS,
      cwd: project.dir,
      config: { ...WITH_SECRETS.config, 'project:agentConnectionId': 'agent-connection' },
    });
    expect(run.registrations.map(({ type, name, id }) => ({ type, name, ...(id && { id }) }))).toEqual(
      expect.arrayContaining([
        { type: MEMBERSHIP, name: 'release-watchers' },
        { type: GRANT, name: 'agent-sends' },
        { type: MEMBERSHIP, name: 'oncall', id: 'deployments/groups/on-call' },
      ]),
    );
    expect(byName(run, 'agent-sends').inputs).toMatchObject({ hub: 'deployments', connectionId: 'agent-connection', permission: 'sendToGroup', targetName: 'releases' });
    expect(run.outputs).toMatchObject({ watchersInGroup: ['alice', 'bob'] });
    expectNoSecret(run);

    const example = await runMockedProgram(join(project.dir, 'bin', 'example.js'), {
      ...WITH_SECRETS,
      cwd: project.dir,
      config: { ...WITH_SECRETS.config, 'project:releaseWatchers': '["alice","bob"]', 'project:botConnectionId': 'bot' },
    });
    expect(example.registrations.map(({ type, name }) => ({ type, name }))).toEqual(
      expect.arrayContaining([{ type: MEMBERSHIP, name: 'release-watchers' }, { type: GRANT, name: 'bot-sends' }, { type: MEMBERSHIP, name: 'on-call' }]),
    );
    expectNoSecret(example);
  }, 60_000);
});
