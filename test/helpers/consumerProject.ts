/**
 * Throwaway projects that consume the package as users do: the tarball `npm pack` makes, installed with `npm ci`
 * into a project outside this repository. The consumer's lockfile is cut from this repository's own (the packages
 * it asks for and everything they depend on), so the install takes every tarball from npm's cache, which this
 * repository's own `npm ci` filled: no network, and the same versions the rest of the suite runs.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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

/** A project folder holding the installed tarball, and what it was installed from. */
export interface ConsumerRoot {
  dir: string;
  tarball: string;
}

/**
 * Packs the package (already built: `npm test` builds first) and installs it with `extra` packages of this
 * repository's lockfile (typescript, jest, ts-node, …) into a new temporary project.
 */
export async function installPackedPackage(extra: readonly string[]): Promise<ConsumerRoot> {
  const dir = await mkdtemp(join(tmpdir(), 'webpubsub-consumer-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: REPO });
  const tarball = join(dir, stdout.trim().split('\n').at(-1)!);
  const manifest = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    license: string;
  };
  const lock = JSON.parse(await readFile(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };

  const wanted = [...Object.keys(manifest.dependencies), ...extra];
  const packages = closure(lock.packages, wanted);
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  const self = `file:${tarball}`;
  const dependencies = Object.fromEntries([[manifest.name, self], ...extra.map((name) => [name, lock.packages[`node_modules/${name}`]!.version!])]);
  packages[`node_modules/${manifest.name}`] = {
    version: manifest.version,
    resolved: self,
    integrity,
    license: manifest.license,
    dependencies: manifest.dependencies,
  };
  const project = { name: 'consumer', version: '1.0.0', private: true, dependencies };
  await writeFile(join(dir, 'package.json'), JSON.stringify(project, null, 2));
  await writeFile(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': project, ...packages } }, null, 2),
  );
  await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  return { dir, tarball };
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
