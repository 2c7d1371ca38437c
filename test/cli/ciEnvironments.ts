/**
 * Each CI's variables as its runner sets them for one job (the names and shapes from each CI's documentation of
 * its predefined variables), and the notification's run fields the CLI must read from them. The tests set these on
 * the packed CLI and check what a subscriber receives.
 */
import type { NotificationSource } from '../../shared/notification.js';

export const SHA = '9fceb02d0ae598e95dc970b74767f19372d61af8';

export interface CiCase {
  name: string;
  env: Record<string, string>;
  source: NotificationSource;
  /** The default id's pattern. */
  id: RegExp;
}

export const CI_CASES: readonly CiCase[] = [
  {
    name: 'GitLab CI',
    env: {
      GITLAB_CI: 'true',
      CI: 'true',
      CI_PROJECT_PATH: 'shop-group/web/storefront',
      CI_PROJECT_NAME: 'storefront',
      CI_COMMIT_SHA: SHA,
      CI_COMMIT_REF_NAME: 'main',
      CI_COMMIT_BRANCH: 'main',
      CI_PIPELINE_ID: '1234567',
      CI_PIPELINE_NAME: 'Deploy storefront',
      CI_PIPELINE_URL: 'https://gitlab.com/shop-group/web/storefront/-/pipelines/1234567',
      CI_PIPELINE_SOURCE: 'push',
      CI_JOB_ID: '8901234',
      CI_JOB_NAME: 'notify',
      CI_JOB_URL: 'https://gitlab.com/shop-group/web/storefront/-/jobs/8901234',
      CI_ENVIRONMENT_NAME: 'production',
      GITLAB_USER_LOGIN: 'mona',
    },
    source: {
      ci: 'gitlab-ci',
      repository: 'shop-group/web/storefront',
      ref: 'refs/heads/main',
      refName: 'main',
      sha: SHA,
      workflow: 'Deploy storefront',
      runId: '1234567',
      runUrl: 'https://gitlab.com/shop-group/web/storefront/-/pipelines/1234567',
      actor: 'mona',
      environment: 'production',
      event: 'push',
    },
    id: /^gl-1234567-8901234$/,
  },
  {
    name: 'Azure Pipelines',
    env: {
      TF_BUILD: 'True',
      BUILD_REPOSITORY_NAME: 'storefront',
      BUILD_REPOSITORY_PROVIDER: 'TfsGit',
      BUILD_SOURCEVERSION: SHA,
      BUILD_SOURCEBRANCH: 'refs/heads/release/2026-12',
      BUILD_SOURCEBRANCHNAME: '2026-12',
      BUILD_BUILDID: '4711',
      BUILD_DEFINITIONNAME: 'storefront-deploy',
      BUILD_REQUESTEDFOR: 'Mona Lisa',
      BUILD_REASON: 'IndividualCI',
      SYSTEM_COLLECTIONURI: 'https://dev.azure.com/contoso/',
      SYSTEM_TEAMPROJECT: 'Shop',
      SYSTEM_JOBATTEMPT: '2',
      SYSTEM_JOBNAME: 'notify',
      SYSTEM_JOBID: '12f1170f-54f2-53f3-20dd-22fc7dff55f9',
      ENVIRONMENT_NAME: 'production',
    },
    source: {
      ci: 'azure-pipelines',
      repository: 'Shop/storefront',
      ref: 'refs/heads/release/2026-12',
      refName: 'release/2026-12',
      sha: SHA,
      workflow: 'storefront-deploy',
      runId: '4711',
      runUrl: 'https://dev.azure.com/contoso/Shop/_build/results?buildId=4711',
      actor: 'Mona Lisa',
      environment: 'production',
      event: 'IndividualCI',
    },
    id: /^azp-4711-2-notify$/,
  },
  {
    name: 'Jenkins',
    env: {
      JENKINS_URL: 'https://ci.example.com/',
      JENKINS_HOME: '/var/jenkins_home',
      BUILD_NUMBER: '42',
      BUILD_TAG: 'jenkins-storefront-deploy-42',
      BUILD_URL: 'https://ci.example.com/job/storefront-deploy/42/',
      JOB_NAME: 'storefront-deploy',
      GIT_COMMIT: SHA,
      GIT_BRANCH: 'origin/main',
      GIT_URL: 'git@github.com:octo-org/storefront.git',
      BUILD_USER_ID: 'mona',
    },
    source: {
      ci: 'jenkins',
      repository: 'octo-org/storefront',
      ref: 'refs/heads/main',
      refName: 'main',
      sha: SHA,
      workflow: 'storefront-deploy',
      runId: 'jenkins-storefront-deploy-42',
      runUrl: 'https://ci.example.com/job/storefront-deploy/42/',
      actor: 'mona',
      environment: null,
      event: 'build',
    },
    id: /^jenkins-storefront-deploy-42$/,
  },
  {
    name: 'GitHub Actions (a run: step)',
    env: {
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: 'octo-org/storefront',
      GITHUB_SHA: SHA,
      GITHUB_REF: 'refs/tags/v1.4.2',
      GITHUB_REF_NAME: 'v1.4.2',
      GITHUB_WORKFLOW: 'Deploy',
      GITHUB_RUN_ID: '987654321',
      GITHUB_RUN_ATTEMPT: '3',
      GITHUB_JOB: 'notify',
      GITHUB_ACTION: '__run_2',
      GITHUB_ACTOR: 'mona',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SERVER_URL: 'https://github.com',
    },
    source: {
      ci: 'github-actions',
      repository: 'octo-org/storefront',
      ref: 'refs/tags/v1.4.2',
      refName: 'v1.4.2',
      sha: SHA,
      workflow: 'Deploy',
      runId: '987654321',
      runUrl: 'https://github.com/octo-org/storefront/actions/runs/987654321',
      actor: 'mona',
      environment: null,
      event: 'push',
    },
    id: /^gh-987654321-3-notify-__run_2$/,
  },
];
