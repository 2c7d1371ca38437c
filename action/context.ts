/**
 * The workflow run's context, read from the runner's environment and the event file. Our own reader rather than
 * `@actions/github`'s context: that module brings Octokit along (about 20 ms of start-up), and only the release-tag
 * path needs the API.
 */
import { readFileSync } from 'node:fs';

/** The fields of the run the Action uses for templating and the default payloads. */
export interface GitHubContext {
  repository: string;
  repositoryOwner: string;
  ref: string;
  refName: string;
  refType: string;
  sha: string;
  workflow: string;
  workflowRef: string;
  job: string;
  runId: string;
  runNumber: string;
  runAttempt: string;
  runUrl: string;
  actor: string;
  triggeringActor: string;
  eventName: string;
  serverUrl: string;
  apiUrl: string;
  headRef: string;
  baseRef: string;
  /** The webhook payload of the event (`GITHUB_EVENT_PATH`), or {} when there is none. */
  event: Record<string, unknown>;
}

/** Reads the context from `env` (the runner's variables). A missing or unreadable event file gives `{}`. */
export function readGitHubContext(env: NodeJS.ProcessEnv): GitHubContext {
  const get = (name: string) => env[name] ?? '';
  const serverUrl = get('GITHUB_SERVER_URL') || 'https://github.com';
  const repository = get('GITHUB_REPOSITORY');
  const runId = get('GITHUB_RUN_ID');
  return {
    repository,
    repositoryOwner: get('GITHUB_REPOSITORY_OWNER') || repository.split('/')[0] || '',
    ref: get('GITHUB_REF'),
    refName: get('GITHUB_REF_NAME') || get('GITHUB_REF').replace(/^refs\/(heads|tags)\//, ''),
    refType: get('GITHUB_REF_TYPE'),
    sha: get('GITHUB_SHA'),
    workflow: get('GITHUB_WORKFLOW'),
    workflowRef: get('GITHUB_WORKFLOW_REF'),
    job: get('GITHUB_JOB'),
    runId,
    runNumber: get('GITHUB_RUN_NUMBER'),
    runAttempt: get('GITHUB_RUN_ATTEMPT'),
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
    actor: get('GITHUB_ACTOR'),
    triggeringActor: get('GITHUB_TRIGGERING_ACTOR') || get('GITHUB_ACTOR'),
    eventName: get('GITHUB_EVENT_NAME'),
    serverUrl,
    apiUrl: get('GITHUB_API_URL') || 'https://api.github.com',
    headRef: get('GITHUB_HEAD_REF'),
    baseRef: get('GITHUB_BASE_REF'),
    event: readEvent(env.GITHUB_EVENT_PATH),
  };
}

function readEvent(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    const event: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The `{{ github.<name> }}` template fields, by the names of the workflow's `github` context (plus `run_url`),
 * mapped to the context's fields.
 */
export const TEMPLATE_FIELDS: Readonly<Record<string, keyof GitHubContext>> = {
  sha: 'sha',
  ref: 'ref',
  ref_name: 'refName',
  ref_type: 'refType',
  repository: 'repository',
  repository_owner: 'repositoryOwner',
  actor: 'actor',
  triggering_actor: 'triggeringActor',
  workflow: 'workflow',
  workflow_ref: 'workflowRef',
  job: 'job',
  run_id: 'runId',
  run_number: 'runNumber',
  run_attempt: 'runAttempt',
  run_url: 'runUrl',
  event_name: 'eventName',
  server_url: 'serverUrl',
  api_url: 'apiUrl',
  head_ref: 'headRef',
  base_ref: 'baseRef',
};
