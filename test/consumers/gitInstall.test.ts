/**
 * The package installed from git, as users install it before it is on the registry
 * (`npm install github:<owner>/webpubsub-action#semver:^0.1.0`): a fresh repository holding exactly the tracked files
 * (no build/, no node_modules), installed into a new project by URL. npm clones it, installs its dev dependencies,
 * runs `prepare` (the build) and packs it. Then a CommonJS project and an ES module project load every entry point
 * and run the emulator and the client from it; the installed files are exactly the tarball's, so everything the
 * packed-package suite checks of the tarball holds for a git install too. One install, shared by every test.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { cloneRepository, installFromGit, REPO, type ConsumerRoot } from '../helpers/consumerProject.js';

const run = promisify(execFile);
const ENTRIES: Record<string, string> = {
  'webpubsub-action': '../../shared/index.js',
  'webpubsub-action/emulator': '../../emulator/index.js',
  'webpubsub-action/pulumi': '../../pulumi-provider/index.js',
  'webpubsub-action/browser': '../../browser/index.js',
};

let clone: string;
let root: ConsumerRoot;
let installed: string;

beforeAll(async () => {
  clone = await cloneRepository();
  root = await installFromGit(clone, ['@pulumi/pulumi']);
  installed = join(root.dir, 'node_modules/webpubsub-action');
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
