/**
 * The GitHub repository the package and the Action are published from, `owner/name`, read from package.json's
 * `repository`: the one place the owner is kept (the README's `org` stands for it). The examples' `uses:` lines, the
 * schema `$id`s and the release workflow's provenance check are held to it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/harness/actionRunner.js';

/** `owner/name` from a `repository` field: `github:owner/name`, `owner/name` or a github.com git URL. */
export function repositoryOf(repository: string | { url?: string } | undefined): string {
  const url = typeof repository === 'string' ? repository : (repository?.url ?? '');
  const match = /^(?:github:|(?:git\+)?https:\/\/github\.com\/)?([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(url);
  if (!match) throw new Error(`package.json's repository is not a GitHub repository: ${JSON.stringify(repository)}`);
  return match[1]!;
}

/** This package's `owner/name`. */
export const REPOSITORY = repositoryOf((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { repository?: string | { url?: string } }).repository);
