/**
 * Azure Pipelines, from its predefined variables as the agent exports them (learn.microsoft.com/azure/devops/
 * pipelines/build/variables): upper case, dots as underscores. A re-run job gets the next SYSTEM_JOBATTEMPT.
 */
import { idOf, shortRef, type CiReader } from './types.js';

export const azurePipelines: CiReader = {
  provider: 'azure-pipelines',
  title: 'Azure Pipelines',
  sources: 'BUILD_REPOSITORY_NAME and BUILD_SOURCEVERSION',
  detect: (env) => env.TF_BUILD?.toLowerCase() === 'true',
  read(env) {
    const get = (name: string) => env[name] ?? '';
    const project = get('SYSTEM_TEAMPROJECT');
    const buildId = get('BUILD_BUILDID');
    const name = get('BUILD_REPOSITORY_NAME');
    // An Azure Repos repository is named within its project; a GitHub or Bitbucket one is owner/name already.
    const repository = get('BUILD_REPOSITORY_PROVIDER') === 'TfsGit' && project && !name.includes('/') ? `${project}/${name}` : name;
    const collection = get('SYSTEM_COLLECTIONURI');
    const runUrl =
      collection && project && buildId
        ? `${collection.replace(/\/?$/, '/')}${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(buildId)}`
        : null;
    const ref = get('BUILD_SOURCEBRANCH');
    return {
      source: {
        ci: 'azure-pipelines',
        repository,
        ref,
        // BUILD_SOURCEBRANCHNAME keeps only the last segment (feature/x gives x): the ref is cut here instead.
        refName: shortRef(ref) || get('BUILD_SOURCEBRANCHNAME'),
        sha: get('BUILD_SOURCEVERSION'),
        workflow: get('BUILD_DEFINITIONNAME'),
        runId: buildId,
        runUrl,
        actor: get('BUILD_REQUESTEDFOR'),
        // A classic release names its stage; a YAML deployment job its environment.
        environment: get('RELEASE_ENVIRONMENTNAME') || get('ENVIRONMENT_NAME') || null,
        event: get('BUILD_REASON'),
      },
      defaultId: idOf(['azp', buildId, get('SYSTEM_JOBATTEMPT') || '1', get('SYSTEM_JOBNAME') || get('SYSTEM_JOBID')]),
    };
  },
};
