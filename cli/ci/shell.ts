/**
 * A run by hand or in a CI the CLI does not know: the fields come from the repository git reports (HEAD, its
 * branch, the origin remote), the rest from flags. Each command gets a random id: nothing identifies a run here.
 */
import { randomUUID } from 'node:crypto';
import { readGit } from './git.js';
import type { CiReader } from './types.js';

export const shell: CiReader = {
  provider: 'local',
  title: 'a shell (no CI detected)',
  sources: 'git (run it in a clone with a commit and an origin remote)',
  detect: () => true,
  read(env, cwd, given = {}) {
    // A git process costs start-up time: not spent when the flags give what it would say.
    const git = given.repository && given.sha ? undefined : readGit(cwd);
    const run = randomUUID();
    return {
      source: {
        ci: 'local',
        repository: git?.repository ?? '',
        ref: git?.ref ?? '',
        refName: git?.refName ?? '',
        sha: git?.sha ?? '',
        workflow: '',
        runId: run,
        runUrl: null,
        actor: git?.user || env.USER || env.USERNAME || '',
        environment: null,
        event: 'manual',
      },
      defaultId: `local-${run}`,
    };
  },
};
