/**
 * The repository the command runs in, as git itself reports it: for a shell, and for a CI that leaves out a field.
 * Two `git` processes at most, and only when asked for.
 */
import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import { shortRef } from './types.js';

/** What git says about HEAD; undefined outside a repository (or without git). */
export interface GitHead {
  sha: string;
  /** `refs/heads/<branch>`, or '' on a detached HEAD. */
  ref: string;
  refName: string;
  /** The origin remote's path (`owner/name`), else the top folder's name. */
  repository: string;
  /** The committer configured for the repository (user.name), for `actor`. */
  user: string;
}

export function readGit(cwd: string): GitHead | undefined {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    } catch {
      return undefined;
    }
  };
  // One process for the three answers: HEAD's sha, its symbolic name ('HEAD' when detached), the top folder.
  const head = git('rev-parse', 'HEAD', '--symbolic-full-name', 'HEAD', '--show-toplevel')?.split('\n');
  if (!head || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(head[0] ?? '')) return undefined;
  const [sha, symbolic = '', top = cwd] = head as [string, string?, string?];
  const ref = symbolic.startsWith('refs/') ? symbolic : '';
  // remote.origin.url and user.name in one process; either may be missing.
  const config = git('config', '--get-regexp', '^(remote\\.origin\\.url|user\\.name)$') ?? '';
  // A key set at several levels (global, then the repository's) is listed once per level: the last one wins.
  const value = (key: string) =>
    config
      .split('\n')
      .filter((line) => line.startsWith(`${key} `))
      .map((line) => line.slice(key.length + 1).trim())
      .pop() ?? '';
  const remote = value('remote.origin.url');
  return { sha, ref, refName: shortRef(ref), repository: (remote && repositoryOfRemote(remote)) || basename(top), user: value('user.name') };
}

/**
 * A remote URL's repository path: `git@github.com:octo-org/shop.git` and `https://gitlab.com/group/sub/shop` give
 * `octo-org/shop` and `group/sub/shop`; Azure Repos' `https://dev.azure.com/org/project/_git/shop` gives
 * `project/shop`. '' when none can be read.
 */
export function repositoryOfRemote(url: string): string {
  const path = url.includes('://')
    ? url.replace(/^[a-z+]+:\/\/[^/]*\/?/i, '')
    : // scp-like: [user@]host:path
      url.replace(/^[^:/]*:/, '');
  const clean = path
    .replace(/[?#].*$/, '')
    .replace(/\.git\/?$/, '')
    .replace(/\/+$/, '');
  const azure = /(?:^|\/)([^/]+)\/_git\/([^/]+)$/.exec(clean);
  if (azure) return `${decodeURIComponent(azure[1]!)}/${decodeURIComponent(azure[2]!)}`;
  // Azure's ssh form: v3/<org>/<project>/<repo>
  const azureSsh = /^v3\/[^/]+\/([^/]+)\/([^/]+)$/.exec(clean);
  if (azureSsh) return `${azureSsh[1]}/${azureSsh[2]}`;
  return clean;
}
