/**
 * CI detection and each CI's run fields, read from the variables its runner sets; a shell's from git itself. The
 * packed CLI's tests (send.test.ts) check the same fields end to end, as a subscriber receives them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { detectCi } from '../../cli/ci/detect.js';
import { readGit, repositoryOfRemote } from '../../cli/ci/git.js';
import { CI_PROVIDERS } from '../../shared/notification.js';
import { CI_CASES } from './ciEnvironments.js';

describe('each CI', () => {
  test.each(CI_CASES.map((c) => [c.name, c] as const))('%s: detected, its run fields and its default id', (_, { env, source, id }) => {
    const reader = detectCi(env);
    expect(CI_PROVIDERS).toContain(reader.provider);
    const run = reader.read(env, tmpdir());
    expect(run.source).toEqual(source);
    expect(run.defaultId).toMatch(id);
    // The same job attempt gives the same id; the next attempt another.
    expect(reader.read(env, tmpdir()).defaultId).toBe(run.defaultId);
  });

  test('a retried job gets a new id: GitLab a new job id, Azure the next attempt, Jenkins the next build', () => {
    const [gitlab, azure, jenkins] = CI_CASES;
    const idOf = (env: Record<string, string>) => detectCi(env).read(env, tmpdir()).defaultId;
    expect(idOf({ ...gitlab!.env, CI_JOB_ID: '8901235' })).not.toBe(idOf(gitlab!.env));
    expect(idOf({ ...azure!.env, SYSTEM_JOBATTEMPT: '3' })).not.toBe(idOf(azure!.env));
    expect(idOf({ ...jenkins!.env, BUILD_NUMBER: '43' })).not.toBe(idOf(jenkins!.env));
  });

  test('GitLab: a tag pipeline and a merge request pipeline name their refs', () => {
    const env = { ...CI_CASES[0]!.env, CI_COMMIT_BRANCH: '', CI_COMMIT_TAG: 'v2.0.0', CI_COMMIT_REF_NAME: 'v2.0.0' };
    expect(detectCi(env).read(env, tmpdir()).source).toMatchObject({ ref: 'refs/tags/v2.0.0', refName: 'v2.0.0' });
    const mr = {
      ...CI_CASES[0]!.env,
      CI_COMMIT_BRANCH: '',
      CI_MERGE_REQUEST_REF_PATH: 'refs/merge-requests/7/head',
      CI_PIPELINE_SOURCE: 'merge_request_event',
    };
    expect(detectCi(mr).read(mr, tmpdir()).source).toMatchObject({ ref: 'refs/merge-requests/7/head', event: 'merge_request_event' });
  });

  test('Azure Pipelines: a GitHub repository keeps its owner/name; a classic release names its stage', () => {
    const env = { ...CI_CASES[1]!.env, BUILD_REPOSITORY_PROVIDER: 'GitHub', BUILD_REPOSITORY_NAME: 'octo-org/storefront', RELEASE_ENVIRONMENTNAME: 'Prod EU' };
    expect(detectCi(env).read(env, tmpdir()).source).toMatchObject({ repository: 'octo-org/storefront', environment: 'Prod EU' });
  });

  test('a very long job name is folded so the id keeps to 128 characters, and stays distinct', () => {
    const env = { ...CI_CASES[2]!.env, JOB_NAME: 'x'.repeat(200) };
    const id = detectCi(env).read(env, tmpdir()).defaultId;
    expect(id.length).toBeLessThanOrEqual(128);
    expect(detectCi({ ...env, BUILD_NUMBER: '43' }).read({ ...env, BUILD_NUMBER: '43' }, tmpdir()).defaultId).not.toBe(id);
  });
});

describe('a shell', () => {
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Mona', '-c', 'user.email=m@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });

  test('reads HEAD, its branch and the origin remote from git; each command gets a new local id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wps-cli-git-'));
    try {
      git(dir, 'init', '--quiet', '-b', 'deploy');
      git(dir, 'config', 'user.name', 'Mona');
      git(dir, 'remote', 'add', 'origin', 'https://gitlab.example.com/shop/web/storefront.git');
      git(dir, 'commit', '--quiet', '--allow-empty', '-m', 'first');
      const sha = git(dir, 'rev-parse', 'HEAD').trim();
      const reader = detectCi({});
      expect(reader.provider).toBe('local');
      const run = reader.read({}, dir);
      expect(run.source).toMatchObject({
        ci: 'local',
        repository: 'shop/web/storefront',
        sha,
        ref: 'refs/heads/deploy',
        refName: 'deploy',
        actor: 'Mona',
        runUrl: null,
      });
      expect(run.defaultId).toMatch(/^local-[0-9a-f-]{36}$/);
      expect(reader.read({}, dir).defaultId).not.toBe(run.defaultId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('outside a repository the fields are empty, for flags to fill', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wps-cli-nogit-'));
    try {
      expect(readGit(dir)).toBeUndefined();
      expect(detectCi({}).read({ USER: 'mona' }, dir).source).toMatchObject({ repository: '', sha: '', actor: 'mona' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    ['git@github.com:octo-org/shop.git', 'octo-org/shop'],
    ['https://github.com/octo-org/shop', 'octo-org/shop'],
    ['https://user@gitlab.com/group/sub/shop.git/', 'group/sub/shop'],
    ['ssh://git@gitlab.com:2222/group/shop.git', 'group/shop'],
    ['https://contoso@dev.azure.com/contoso/Shop%20Apps/_git/storefront', 'Shop Apps/storefront'],
    ['git@ssh.dev.azure.com:v3/contoso/Shop/storefront', 'Shop/storefront'],
  ])('the remote %s is the repository %s', (url, repository) => {
    expect(repositoryOfRemote(url)).toBe(repository);
  });
});
