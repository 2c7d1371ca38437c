/**
 * The CI examples (examples/ci/) run as their CI would run them, against the emulator, with an official subscriber
 * checking what arrives: notify.sh end to end in a git repository; .gitlab-ci.yml, azure-pipelines.yml and the
 * Jenkinsfile by running their script lines with that CI's variables set and the variables the file tells the
 * user to define. One substitution: the release's tarball URL becomes the tarball just packed (what a release
 * attaches).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { ROOT } from '../../scripts/harness/actionRunner.js';
import { useSubscribedHubs, validateNotification } from '../action/subscribers.js';
import { CI_CASES } from './ciEnvironments.js';
import { run, useInstalledCli, type CliResult } from './packedCli.js';

const EXAMPLES = join(ROOT, 'examples/ci');
const cli = useInstalledCli();
let emulator: Emulator;
let work: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  work = await mkdtemp(join(tmpdir(), 'wps-cli-examples-'));
});
afterAll(async () => {
  await emulator?.close();
  await rm(work, { recursive: true, force: true });
});
const hubs = useSubscribedHubs(() => emulator);

/** The CI's variables for one job, what the user defines, and the package from the packed tarball. */
const jobEnv = (ci: Record<string, string>, hub: string, extra: Record<string, string> = {}) => ({
  ...ci,
  WEBPUBSUB_HUB: hub,
  ...extra,
  WEBPUBSUB_ACTION: cli.root.tarball,
  npm_config_prefer_offline: 'true',
  npm_config_update_notifier: 'false',
});

/** Runs the script lines one after another, as the CI's shell step does (`bash -e`); the last one's result. */
async function runLines(lines: readonly string[], env: Record<string, string>, cwd = work): Promise<CliResult> {
  let result: CliResult = { code: 0, stdout: '', stderr: '' };
  for (const line of lines) {
    result = await run('bash', ['-e', '-c', line], { env, cwd });
    if (result.code !== 0) throw new Error(`${line} exited ${result.code}: ${result.stderr}`);
  }
  return result;
}

describe('examples/ci', () => {
  test('notify.sh in a shell: the notification carries git HEAD, the outputs are JSON', async () => {
    const { hub, subscribers } = hubs();
    const subscriber = await subscribers.connect();
    const repo = await mkdtemp(join(work, 'repo-'));
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Mona', '-c', 'user.email=m@example.com', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '--quiet', '-b', 'main');
    git('remote', 'add', 'origin', 'git@github.com:octo-org/storefront.git');
    git('commit', '--quiet', '--allow-empty', '-m', 'deploy');
    const sha = git('rev-parse', 'HEAD').trim();
    const result = await run(join(EXAMPLES, 'notify.sh'), ['--environment', 'production'], {
      env: jobEnv({ USER: 'mona' }, hub, { WEBPUBSUB_CONNECTION_STRING: emulator.connectionString }),
      cwd: repo,
    });
    expect(result.code).toBe(0);
    const notification = (await subscriber.serverMessages.next()).data as Record<string, unknown>;
    expect(validateNotification(notification)).toBe(true);
    expect(notification).toMatchObject({ ci: 'local', repository: 'octo-org/storefront', sha, ref: 'refs/heads/main', environment: 'production' });
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: 'true', id: notification.id });
  });

  test('notify.sh without the connection string says which variable to set', async () => {
    const result = await run(join(EXAMPLES, 'notify.sh'), [], { env: { WEBPUBSUB_HUB: 'h' }, cwd: work });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('WEBPUBSUB_CONNECTION_STRING');
  });

  test(".gitlab-ci.yml: the job's script with GitLab's variables; the pages get the pipeline's fields", async () => {
    const { hub, subscribers } = hubs();
    const subscriber = await subscribers.connect();
    const pipeline = parse(await readFile(join(EXAMPLES, '.gitlab-ci.yml'), 'utf8')) as Record<
      string,
      { script: string[]; variables: Record<string, string>; environment: string; artifacts: { paths: string[] } }
    >;
    const job = pipeline['notify-pages']!;
    const gitlab = CI_CASES[0]!;
    // GitLab sets CI_ENVIRONMENT_NAME from the job's `environment:`; the user defines the two variables.
    const env = jobEnv({ ...gitlab.env, ...job.variables, CI_ENVIRONMENT_NAME: job.environment }, hub, {
      WEBPUBSUB_CONNECTION_STRING: emulator.connectionString,
    });
    await runLines(job.script, env);
    const notification = (await subscriber.serverMessages.next()).data as Record<string, unknown>;
    expect(notification).toMatchObject({ ...gitlab.source, environment: 'production' });
    expect(await readFile(join(work, job.artifacts.paths[0]!), 'utf8')).toContain(`<td>${hub}</td>`);
  });

  test("azure-pipelines.yml: the deployment job's script steps with the agent's variables", async () => {
    const { hub, subscribers } = hubs();
    const subscriber = await subscribers.connect();
    type Step = { script?: string; task?: string; env?: Record<string, string> };
    const pipeline = parse(await readFile(join(EXAMPLES, 'azure-pipelines.yml'), 'utf8')) as {
      variables: Record<string, string>;
      jobs: { environment: string; strategy: { runOnce: { deploy: { steps: Step[] } } } }[];
    };
    const [job] = pipeline.jobs;
    const azure = CI_CASES[1]!;
    // Pipeline variables: the file's and the user's; only the non-secret ones reach a script on their own.
    const secrets: Record<string, string> = { WEBPUBSUB_CONNECTION_STRING: emulator.connectionString };
    const base = jobEnv({ ...azure.env, ...pipeline.variables, ENVIRONMENT_NAME: job!.environment, AGENT_TEMPDIRECTORY: work }, hub);
    let last: CliResult | undefined;
    for (const step of job!.strategy.runOnce.deploy.steps) {
      if (!step.script) continue; // UseNode@1: this machine has Node
      // A step's env: values may be $(macros) of pipeline variables, secret ones included.
      const mapped = Object.fromEntries(
        Object.entries(step.env ?? {}).map(([name, value]) => [
          name,
          value.replace(/\$\(([\w.]+)\)/g, (_, v: string) => secrets[v] ?? base[v as keyof typeof base] ?? ''),
        ]),
      );
      last = await runLines([step.script], { ...base, ...mapped });
    }
    const notification = (await subscriber.serverMessages.next()).data as Record<string, unknown>;
    expect(notification).toMatchObject({ ...azure.source, environment: 'production' });
    expect(last!.stdout).toContain(`##vso[task.uploadsummary]${work}/webpubsub.md`);
    expect(await readFile(join(work, 'webpubsub.md'), 'utf8')).toContain(`<td>${hub}</td>`);
  });

  test("Jenkinsfile: the stage's sh step with Jenkins's variables and the credential bound", async () => {
    const { hub, subscribers } = hubs();
    const subscriber = await subscribers.connect();
    const jenkinsfile = await readFile(join(EXAMPLES, 'Jenkinsfile'), 'utf8');
    const environment = Object.fromEntries(
      [.../^\s+(\w+) = '([^']*)'/gm[Symbol.matchAll](/environment \{([^}]*)\}/.exec(jenkinsfile)![1]!)].map((m) => [m[1]!, m[2]!]),
    );
    const lines = [...jenkinsfile.matchAll(/^\s+sh '([^']*)'/gm)].map((m) => m[1]!);
    expect(lines.length).toBeGreaterThan(0);
    const credential = /variable: '(\w+)'/.exec(jenkinsfile)![1]!;
    const jenkins = CI_CASES[2]!;
    await runLines(lines, jobEnv({ ...jenkins.env, ...environment }, hub, { [credential]: emulator.connectionString }));
    const notification = (await subscriber.serverMessages.next()).data as Record<string, unknown>;
    expect(environment.WEBPUBSUB_HUB).toBe('deployments');
    expect(notification).toMatchObject({ ...jenkins.source, environment: 'production' });
  });
});
