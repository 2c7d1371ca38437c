/**
 * The repository's release workflow: valid for GitHub's validator (validate.test.ts covers every workflow), and its
 * step that moves the major tag really does so, run as the runner runs a `run:` step (bash, the runner's variables)
 * against a real git repository and its remote.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { ROOT } from '../../scripts/harness/actionRunner.js';

interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
}

const workflow = parse(readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8')) as Workflow;
const moveStep = Object.values(workflow.jobs)
  .flatMap((job) => job.steps)
  .find((step) => step.name === 'Move the major tag to this release')!;

let dir: string;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wps-release-'));
  git(dir, 'init', '--quiet', '--bare', 'origin.git');
  git(dir, 'init', '--quiet', 'work');
  const work = join(dir, 'work');
  for (const [key, value] of [
    ['user.name', 'release bot'],
    ['user.email', 'bot@example.com'],
    ['commit.gpgsign', 'false'],
  ])
    git(work, 'config', key!, value!);
  git(work, 'remote', 'add', 'origin', join(dir, 'origin.git'));
  for (const version of ['v1.4.1', 'v1.4.2']) {
    writeFileSync(join(work, 'VERSION'), version);
    git(work, 'add', 'VERSION');
    git(work, 'commit', '--quiet', '-m', version);
    git(work, 'tag', version);
  }
  git(work, 'tag', 'v1', 'v1.4.1');
  git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main', '--tags');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('runs on version tags only, and may push tags', () => {
  expect(workflow.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
  expect(workflow.permissions).toEqual({ contents: 'write' });
});

test('releasing v1.4.2 moves v1 from v1.4.1 to it, on the remote', () => {
  const work = join(dir, 'work');
  const sha = git(work, 'rev-parse', 'v1.4.2^{commit}');
  expect(git(dir, '--git-dir', join(dir, 'origin.git'), 'rev-parse', 'v1^{commit}')).toBe(git(work, 'rev-parse', 'v1.4.1^{commit}'));
  const output = execFileSync('bash', ['-e', '-c', moveStep.run!], {
    cwd: work,
    env: { ...process.env, GITHUB_REF_NAME: 'v1.4.2', GITHUB_SHA: sha },
    encoding: 'utf8',
  });
  expect(output).toContain(`v1 now points at v1.4.2 (${sha})`);
  expect(git(dir, '--git-dir', join(dir, 'origin.git'), 'rev-parse', 'v1^{commit}')).toBe(sha);
  expect(git(dir, '--git-dir', join(dir, 'origin.git'), 'rev-parse', 'v1.4.1^{commit}')).not.toBe(sha);
});
