/**
 * The repository's release workflow: valid for GitHub's validator (validate.test.ts covers every workflow), and its
 * steps run as the runner runs a `run:` step (bash, the runner's variables): the version check, the pack whose
 * tarball the release carries and npm receives, the check that the package names the repository publishing it
 * (npm's provenance demands it), and the move of the major tag against a real git repository and its remote.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import { packAsReleased } from '../helpers/consumerProject.js';
import { REPOSITORY } from '../helpers/repository.js';

interface Step {
  name?: string;
  id?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { needs?: string; environment?: string; permissions?: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8')) as Workflow;
const step = (name: string) =>
  Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .find((candidate) => candidate.name === name)!;
const moveStep = step('Move the major tag to this release');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** Runs a step's script as the runner does (`bash -e`), in `cwd`, with the runner's variables; never throws. */
function runStep(script: string, cwd: string, env: Record<string, string>) {
  return spawnSync('bash', ['-e', '-c', script], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
}

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

test('runs on version tags only; only the release job may push tags, only the publish job gets an OIDC token', () => {
  expect(workflow.on.push.tags).toEqual(['v[0-9]+.[0-9]+.[0-9]+']);
  expect(workflow.permissions).toEqual({ contents: 'read' });
  expect(workflow.jobs.release!.permissions).toEqual({ contents: 'write' });
  expect(workflow.jobs.publish).toMatchObject({ needs: 'release', environment: 'npm', permissions: { contents: 'read', 'id-token': 'write' } });
});

test('the tag must be the version in package.json, or the release stops naming both', () => {
  const { run } = step("The tag is the package's version");
  expect(runStep(run!, ROOT, { GITHUB_REF_NAME: `v${version}` }).status).toBe(0);
  const wrong = runStep(run!, ROOT, { GITHUB_REF_NAME: 'v9.9.9' });
  expect(wrong.status).toBe(1);
  expect(wrong.stdout).toContain(`::error::package.json says ${version} but the tag is v9.9.9`);
});

describe('the tarball: packed once, attached to the release, and published as it is', () => {
  let temp: string;
  let tarball: string;
  beforeAll(async () => {
    temp = mkdtempSync(join(tmpdir(), 'wps-release-pack-'));
    tarball = await packAsReleased(temp);
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  test('the pack step names its tarball in its output; it holds the builds and every file of schema/, and no install script', () => {
    expect(tarball).toBe(join(temp, `webpubsub-action-${version}.tgz`));
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as { scripts: Record<string, string> };
    expect(Object.keys(manifest.scripts).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
    // The step edited a copy: the repository's own package.json keeps the prepare a git install needs.
    expect((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.prepare).toBeDefined();
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    const schemas = readdirSync(join(ROOT, 'schema'));
    expect(schemas.length).toBeGreaterThan(0);
    for (const file of ['package/build/shared/index.js', 'package/build/cjs/shared/index.js', ...schemas.map((name) => `package/schema/${name}`)]) {
      expect(files).toContain(file);
    }
  });

  test('the release carries that tarball; the publish job downloads it and publishes it with provenance', () => {
    const create = step('Create the GitHub release, with the tarball attached');
    expect(create.env).toMatchObject({ TARBALL: `\${{ steps.pack.outputs.tarball }}` });
    expect(create.run).toMatch(/^gh release create "\$GITHUB_REF_NAME" "\$TARBALL" /);
    expect(step("Download the release's tarball").run).toMatch(/gh release download "\$GITHUB_REF_NAME" .*--pattern '\*\.tgz' --dir "\$RUNNER_TEMP\/package"/);
    const publish = step('Publish with provenance');
    expect(publish.env).toMatchObject({ TARBALL: `\${{ steps.package.outputs.tarball }}` });
    expect(publish.run).toBe('npm publish "$TARBALL" --provenance --access public');
  });

  test("publishing stops unless the tarball's package.json names the repository that publishes it", () => {
    const check = step('The package names this repository').run!;
    const runner = mkdtempSync(join(tmpdir(), 'wps-release-publish-'));
    try {
      mkdirSync(join(runner, 'package'));
      copyFileSync(tarball, join(runner, 'package', basename(tarball)));
      const output = join(runner, 'github-output');
      writeFileSync(output, '');
      const ours = runStep(check, runner, { RUNNER_TEMP: runner, GITHUB_OUTPUT: output, GITHUB_REPOSITORY: REPOSITORY });
      expect(ours.status).toBe(0);
      expect(readFileSync(output, 'utf8')).toBe(`tarball=${join(runner, 'package', basename(tarball))}\n`);
      const fork = runStep(check, runner, { RUNNER_TEMP: runner, GITHUB_OUTPUT: output, GITHUB_REPOSITORY: 'someone-else/webpubsub-action' });
      expect(fork.status).toBe(1);
      expect(fork.stdout).toContain(`::error::package.json names the repository '${REPOSITORY}', but this is someone-else/webpubsub-action`);
    } finally {
      rmSync(runner, { recursive: true, force: true });
    }
  });
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
