/**
 * GitHub Actions: the same context reader, run fields and id as the Action's, so a `run:` step with the CLI sends
 * what a `uses:` step would.
 */
import { readGitHubContext } from '../../action/context.js';
import { defaultNotificationId, sourceOf } from '../../action/notification.js';
import type { CiReader } from './types.js';

export const github: CiReader = {
  provider: 'github-actions',
  title: 'GitHub Actions',
  sources: 'GITHUB_REPOSITORY and GITHUB_SHA',
  detect: (env) => env.GITHUB_ACTIONS === 'true',
  read(env) {
    const github = readGitHubContext(env);
    return { source: sourceOf(github), defaultId: defaultNotificationId(env), github };
  },
};
