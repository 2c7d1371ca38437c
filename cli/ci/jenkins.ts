/**
 * Jenkins, from the variables it sets (env-vars.html of any Jenkins) and those of the Git plugin (GIT_COMMIT,
 * GIT_BRANCH, GIT_URL) and of multibranch pipelines (BRANCH_NAME, TAG_NAME, CHANGE_ID). A job without the Git
 * plugin's variables falls back to the workspace's git repository, as a shell does. A rebuild is a new
 * BUILD_NUMBER, so a new id.
 */
import { readGit, repositoryOfRemote } from './git.js';
import { fullRef, idOf, type CiReader } from './types.js';

export const jenkins: CiReader = {
  provider: 'jenkins',
  title: 'Jenkins',
  sources: "the Git plugin's GIT_URL and GIT_COMMIT (or the workspace's git repository)",
  detect: (env) => Boolean(env.JENKINS_URL && env.BUILD_NUMBER),
  read(env, cwd, given = {}) {
    const get = (name: string) => env[name] ?? '';
    const needsGit = (!get('GIT_COMMIT') && !given.sha) || (!(get('GIT_URL') || get('GIT_URL_1')) && !given.repository);
    const git = needsGit ? readGit(cwd) : undefined;
    // GIT_BRANCH is the remote-tracking name (origin/main); a multibranch job gives BRANCH_NAME itself.
    const branch = get('BRANCH_NAME') || get('GIT_BRANCH').replace(/^origin\//, '');
    const tag = get('TAG_NAME');
    const remote = get('GIT_URL') || get('GIT_URL_1');
    const job = get('JOB_NAME');
    const build = get('BUILD_NUMBER');
    return {
      source: {
        ci: 'jenkins',
        repository: (remote && repositoryOfRemote(remote)) || git?.repository || job,
        ref: fullRef(branch, tag) || git?.ref || '',
        refName: tag || branch || git?.refName || '',
        sha: get('GIT_COMMIT') || git?.sha || '',
        workflow: job,
        runId: get('BUILD_TAG') || `jenkins-${job}-${build}`,
        runUrl: get('BUILD_URL') || null,
        // BUILD_USER_ID comes from the Build User Vars plugin; a change request names its author.
        actor: get('BUILD_USER_ID') || get('CHANGE_AUTHOR'),
        environment: null,
        event: get('CHANGE_ID') ? 'change-request' : tag ? 'tag' : 'build',
      },
      defaultId: idOf(['jenkins', job, build, get('STAGE_NAME')]),
    };
  },
};
