/**
 * The CLI as users get it: the package packed as a release packs it, installed into a fresh project, run through
 * the bin npm links (node_modules/.bin/webpubsub-action). One install per test file (`useInstalledCli`).
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { installPackedPackage, type ConsumerRoot } from '../helpers/consumerProject.js';

/** What one command did. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The node binary (default: this one). */
  node?: string;
}

export interface InstalledCli {
  readonly root: ConsumerRoot;
  /** The bin's path inside the project. */
  readonly bin: string;
  /** Runs `webpubsub-action ...args` with `env` only (plus PATH and HOME), as a CI job's step would. */
  run(args: readonly string[], options?: RunOptions): Promise<CliResult>;
}

/** A minimal environment: no variable of this machine's CI or of the test runner leaks into a case. */
export function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
}

export function run(file: string, args: readonly string[], { env = {}, cwd }: Omit<RunOptions, 'node'> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...baseEnv(), ...env } as NodeJS.ProcessEnv, cwd, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Installs the packed package once for the file's tests, and removes it afterwards. */
export function useInstalledCli(): InstalledCli {
  let root: ConsumerRoot | undefined;
  const cli: InstalledCli = {
    get root() {
      if (!root) throw new Error('the CLI is not installed yet (use it inside a test)');
      return root;
    },
    get bin() {
      return join(cli.root.dir, 'node_modules/.bin/webpubsub-action');
    },
    run: (args, { node, cwd, ...options } = {}) =>
      node ? run(node, [cli.bin, ...args], { ...options, cwd: cwd ?? cli.root.dir }) : run(cli.bin, args, { ...options, cwd: cwd ?? cli.root.dir }),
  };
  beforeAll(async () => {
    root = await installPackedPackage([]);
  }, 240_000);
  afterAll(async () => {
    if (root) await rm(root.dir, { recursive: true, force: true });
  });
  return cli;
}
