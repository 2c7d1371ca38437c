/**
 * Reads a release by its tag through the GitHub REST API. `@actions/github` (Octokit) is imported here, on first
 * use, so a step without `release-tag` never loads it: it would add about 20 ms to every start.
 */
import type { ReleaseInfo } from '../shared/notification.js';
import type { GitHubContext } from './context.js';
import { InputError } from './inputError.js';
import { toReleaseInfo, type GitHubRelease } from './notification.js';

/**
 * @throws InputError when the repository has no release with that tag (a mistake in the workflow); an Error
 * with `failureKind` 'unreachable' when the API did not answer, 'refused' when it answered with an error.
 */
export async function fetchRelease(tag: string, token: string, context: GitHubContext): Promise<ReleaseInfo> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(token, { baseUrl: context.apiUrl });
  const [owner, repo] = context.repository.split('/');
  try {
    const { data } = await octokit.rest.repos.getReleaseByTag({ owner: owner!, repo: repo!, tag });
    return toReleaseInfo(data as GitHubRelease);
  } catch (error) {
    const { status, response } = error as { status?: unknown; response?: unknown };
    if (status === 404)
      throw new InputError('release-tag', `must name a release of ${context.repository}; the GitHub API has none tagged ${JSON.stringify(tag)} (404)`);
    const what = `reading release ${JSON.stringify(tag)} through the GitHub API (${context.apiUrl})`;
    // Octokit reports a request that got no answer (DNS, refused, reset) as status 500 without a response: no
    // such status ever came back, so it is not shown.
    if (!response) {
      throw Object.assign(new Error(`${what} failed: the API could not be reached (${(error as Error).message})`, { cause: error }), {
        failureKind: 'unreachable' as const,
      });
    }
    throw Object.assign(new Error(`${what} failed with ${status}: ${(error as Error).message}`, { cause: error }), { failureKind: 'refused' as const });
  }
}
