/**
 * GitLab CI, from its predefined variables (docs.gitlab.com/ci/variables/predefined_variables). A retried job gets
 * a new CI_JOB_ID, so the id is new per attempt and the same for every retry of one send.
 */
import { fullRef, idOf, type CiReader } from './types.js';

export const gitlab: CiReader = {
  provider: 'gitlab-ci',
  title: 'GitLab CI',
  sources: 'CI_PROJECT_PATH and CI_COMMIT_SHA',
  detect: (env) => env.GITLAB_CI === 'true',
  read(env) {
    const get = (name: string) => env[name] ?? '';
    // A merge request pipeline runs on the MR's ref (refs/merge-requests/<iid>/head), not on a branch.
    const ref = get('CI_MERGE_REQUEST_REF_PATH') || fullRef(get('CI_COMMIT_BRANCH') || get('CI_COMMIT_REF_NAME'), get('CI_COMMIT_TAG'));
    return {
      source: {
        ci: 'gitlab-ci',
        repository: get('CI_PROJECT_PATH'),
        ref,
        refName: get('CI_COMMIT_TAG') || get('CI_COMMIT_REF_NAME'),
        sha: get('CI_COMMIT_SHA'),
        workflow: get('CI_PIPELINE_NAME') || get('CI_JOB_NAME'),
        runId: get('CI_PIPELINE_ID'),
        runUrl: get('CI_PIPELINE_URL') || get('CI_JOB_URL') || null,
        actor: get('GITLAB_USER_LOGIN'),
        environment: get('CI_ENVIRONMENT_NAME') || null,
        event: get('CI_PIPELINE_SOURCE'),
      },
      defaultId: idOf(['gl', get('CI_PIPELINE_ID'), get('CI_JOB_ID')]),
    };
  },
};
