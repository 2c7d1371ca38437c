/**
 * Throwaway projects that consume the package as users do: the tarball `npm pack` makes, or a git repository
 * (`npm install github:…`), installed with `npm ci` into a project outside this repository. The consumer's lockfile is cut from this repository's own (the packages
 * it asks for and everything they depend on), so the install takes every tarball from npm's cache, which this
 * repository's own `npm ci` filled: no network, and the same versions the rest of the suite runs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';

const run = promisify(execFile);

/** The repository root (this file runs from build/test/helpers). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/** A project folder holding the installed package, and what it was installed from. */
export interface ConsumerRoot {
  dir: string;
  /** The tarball (`installPackedPackage`) or the git URL with its commit (`installFromGit`). */
  tarball: string;
}

interface Manifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  license: string;
  bin: Record<string, string>;
}

const LOCK = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

const manifest = async () => JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as Manifest;

/**
 * Packs the package (already built: `npm test` builds first) with the release workflow's own pack step, into `dest`,
 * and returns the tarball's path: the tarball a release attaches and npm publishes. The step edits the package.json
 * of its checkout, so it runs in a copy of the files npm packs; without scripts, so build/ is not rebuilt under the
 * running tests.
 */
export async function packAsReleased(dest: string): Promise<string> {
  const stage = await mkdtemp(join(tmpdir(), 'webpubsub-pack-'));
  try {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
    const [{ files }] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    for (const { path } of files) {
      await mkdir(dirname(join(stage, path)), { recursive: true });
      await copyFile(join(REPO, path), join(stage, path));
    }
    const workflow = parse(await readFile(join(REPO, '.github/workflows/release.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { id?: string; run?: string }[] }>;
    };
    const step = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .find((candidate) => candidate.id === 'pack')!;
    const output = join(stage, '.github-output');
    await writeFile(output, '');
    await run('bash', ['-e', '-c', step.run!], {
      cwd: stage,
      env: { ...process.env, RUNNER_TEMP: dest, GITHUB_OUTPUT: output, npm_config_ignore_scripts: 'true' },
    });
    return /^tarball=(.+)$/m.exec(await readFile(output, 'utf8'))![1]!;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Packs the package as a release does (`packAsReleased`) and installs the tarball with `extra` packages of this
 * repository's lockfile (typescript, jest, ts-node, …) into a new temporary project. */
export async function installPackedPackage(extra: readonly string[]): Promise<ConsumerRoot> {
  const dir = await mkdtemp(join(tmpdir(), 'webpubsub-consumer-'));
  const tarball = await packAsReleased(dir);
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  const { name } = await manifest();
  const project = {
    name: 'consumer',
    version: '1.0.0',
    private: true,
    dependencies: Object.fromEntries([[name, `file:${tarball}`], ...extra.map(lockedVersion)]),
  };
  await installInto(dir, project, { resolved: `file:${tarball}`, integrity });
  return { dir, tarball };
}

/** A consumer's package.json, as far as installing it goes. */
export interface ConsumerManifest {
  name: string;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
  [field: string]: unknown;
}

/** What `installFromGit` installed, and what npm said while it did (its warnings). */
export interface GitConsumer extends ConsumerRoot {
  stderr: string;
}

/**
 * Installs `project` (a consumer's package.json, e.g. an example's) in a new temporary folder, with this package
 * from a git repository as `npm install github:<owner>/webpubsub-action#semver:^0.1.0` takes it: `repo` is a
 * clone (see `cloneRepository`) holding the tag `v<version>`, which stands in for GitHub in the project's spec (its
 * `#semver:` range kept); npm clones it again, installs its dev dependencies there, runs `prepare`, and packs what
 * `files` lists. The project's other dependencies get this repository's locked versions, which must satisfy them.
 */
export async function installFromGit(repo: string, project: ConsumerManifest): Promise<GitConsumer> {
  const dir = await mkdtemp(join(tmpdir(), 'webpubsub-git-consumer-'));
  const { name, version } = await manifest();
  const { stdout } = await run('git', ['rev-parse', `v${version}^{commit}`], { cwd: repo });
  const url = `git+file://${repo}`;
  const range = /#semver:(.+)$/.exec(project.dependencies[name] ?? '')?.[1];
  if (!range) throw new Error(`${project.name} does not take ${name} from git with a #semver: range: ${project.dependencies[name]}`);
  const local = { ...project, dependencies: { ...project.dependencies, [name]: `${url}#semver:${range}` } };
  const stderr = await installInto(dir, local, { resolved: `${url}#${stdout.trim()}` });
  return { dir, tarball: `${url}#${stdout.trim()}`, stderr };
}

/**
 * The repository as a fresh clone would have it, in a new git repository of its own: the tracked files of the
 * working tree (uncommitted changes to them included, untracked files not), in one commit tagged `v<version>`.
 */
export async function cloneRepository(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webpubsub-clone-'));
  const { version } = await manifest();
  // `git stash create` makes a commit of the working tree without touching it (nothing when the tree is clean).
  const stash = (await run('git', ['stash', 'create'], { cwd: REPO })).stdout.trim();
  await run('sh', ['-c', `git archive --format=tar "$0" | tar -x -C "$1"`, stash || 'HEAD', dir], { cwd: REPO });
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=consumer', '-c', 'user.email=consumer@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir });
  await git('init', '--quiet');
  await git('add', '--all');
  await git('commit', '--quiet', '-m', 'the repository under test');
  await git('tag', `v${version}`);
  return dir;
}

/** `[name, version]` of a package in this repository's lockfile. */
function lockedVersion(name: string): [string, string] {
  return [name, LOCK.packages[`node_modules/${name}`]!.version!];
}

/**
 * Writes `project` as the consumer's package.json, and a lockfile cut from ours for its dependencies (this package
 * recorded as `self`), then runs `npm ci` from npm's cache; returns what npm wrote to stderr (its warnings).
 */
async function installInto(dir: string, project: ConsumerManifest, self: { resolved: string; integrity?: string }): Promise<string> {
  const ours = await manifest();
  const named = { ...project.dependencies, ...project.devDependencies };
  const others = Object.keys(named).filter((name) => name !== ours.name);
  const packages = closure(LOCK.packages, [...Object.keys(ours.dependencies), ...others]);
  packages[`node_modules/${ours.name}`] = {
    version: ours.version,
    ...self,
    license: ours.license,
    dependencies: ours.dependencies,
    // npm ci links bins from the lockfile's record, as it would from a lockfile npm wrote.
    bin: ours.bin,
  };
  const root = { name: project.name, dependencies: project.dependencies, ...(project.devDependencies && { devDependencies: project.devDependencies }) };
  await writeFile(join(dir, 'package.json'), JSON.stringify(project, null, 2));
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: project.name, lockfileVersion: 3, requires: true, packages: { '': root, ...packages } }, null, 2),
  );
  const { stderr } = await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  return stderr;
}

/**
 * The lockfile entries `names` need, found the way Node resolves: from a package's own node_modules outward.
 * Flags of this repository's tree (dev, peer) are dropped: in the consumer everything is a plain dependency.
 */
function closure(all: Readonly<Record<string, LockEntry>>, names: readonly string[]): Record<string, LockEntry> {
  const picked: Record<string, LockEntry> = {};
  const visit = (from: string, name: string, optional: boolean) => {
    const path = resolve(all, from, name);
    if (path === undefined) {
      if (optional) return;
      throw new Error(`the lockfile has no ${name} for ${from || 'the root'}`);
    }
    if (picked[path]) return;
    const { dev: _dev, peer: _peer, devOptional: _devOptional, ...entry } = all[path]!;
    picked[path] = entry;
    for (const dep of Object.keys(entry.dependencies ?? {})) visit(path, dep, false);
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(path, dep, true);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) visit(path, dep, entry.peerDependenciesMeta?.[dep]?.optional === true);
  };
  for (const name of names) visit('', name, false);
  return picked;
}

function resolve(all: Readonly<Record<string, LockEntry>>, from: string, name: string): string | undefined {
  for (let base = from; ; base = base.slice(0, Math.max(0, base.lastIndexOf('/node_modules/')))) {
    const path = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (all[path]) return path;
    if (!base) return undefined;
  }
}
