/**
 * Reads a release by its tag through the GitHub REST API. `@actions/github` (Octokit) is imported here, on first
 * use, so a step without `release-tag` never loads it: it would add about 20 ms to every start.
 */
import type { ReleaseInfo } from '../shared/notification.js';
import type { GitHubContext } from './context.js';
import { InputError } from './inputError.js';
import { toReleaseInfo, type GitHubRelease } from './notification.js';

/**
 * @throws InputError when the repository has no release with that tag (a mistake in the workflow); any other
 * failure of the API (network, 5xx, a bad token) is thrown as it is.
 */
export async function fetchRelease(tag: string, token: string, context: GitHubContext): Promise<ReleaseInfo> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(token, { baseUrl: context.apiUrl });
  const [owner, repo] = context.repository.split('/');
  try {
    const { data } = await octokit.rest.repos.getReleaseByTag({ owner: owner!, repo: repo!, tag });
    return toReleaseInfo(data as GitHubRelease);
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (status === 404)
      throw new InputError('release-tag', `must name a release of ${context.repository}; the GitHub API has none tagged ${JSON.stringify(tag)} (404)`);
    throw new Error(
      `reading release ${JSON.stringify(tag)} through the GitHub API failed${typeof status === 'number' ? ` with ${status}` : ''}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
