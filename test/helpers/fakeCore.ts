/**
 * The Action's code path in-process: `run(core, env)` from action/main.ts with a fake `@actions/core` (STYLE §6
 * allows one) that gets its inputs as the runner gives them (action.yml's defaults filled in, values trimmed as
 * `core.getInput` trims them) and records everything the step writes. For suites that run the Action hundreds
 * of times, where a process per run would take minutes; the bundle is exercised by runAction (actionRunner.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionCore } from '../../action/core.js';
import { run } from '../../action/main.js';
import { PUSH, withActionDefaults } from '../../scripts/harness/actionRunner.js';

/** What one in-process step wrote. */
export interface StepRecord {
  outputs: Record<string, string>;
  /** Values passed to setSecret (the runner would mask them). */
  secrets: string[];
  /** Every log line, prefixed with its level: `info …`, `debug …`, `warning …`, `failed …`. */
  log: string[];
  /** The setFailed messages. */
  failed: string[];
  /** What the job summary received (headings and table cells, as text). */
  summary: string[];
}

/** A fake core for one step with `inputs` (the step's `with:`), and its record. */
export function createFakeCore(inputs: Record<string, string>, { debug = false } = {}): { core: ActionCore; record: StepRecord } {
  const given = withActionDefaults(inputs);
  const record: StepRecord = { outputs: {}, secrets: [], log: [], failed: [], summary: [] };
  const summary = {
    addHeading(text: string) {
      record.summary.push(text);
      return summary;
    },
    addTable(rows: { data: string }[][] | string[][]) {
      for (const row of rows) record.summary.push(row.map((cell) => (typeof cell === 'string' ? cell : cell.data)).join(' | '));
      return summary;
    },
    addRaw(text: string) {
      record.summary.push(text);
      return summary;
    },
    async write() {
      return summary;
    },
  };
  const core = {
    getInput: (name: string) => (given[name] ?? '').trim(),
    setSecret: (secret: string) => void record.secrets.push(secret),
    setOutput: (name: string, value: unknown) => void (record.outputs[name] = String(value)),
    setFailed: (message: string | Error) => {
      const text = String(message instanceof Error ? message.message : message);
      record.failed.push(text);
      record.log.push(`failed ${text}`);
    },
    info: (message: string) => void record.log.push(`info ${message}`),
    debug: (message: string) => void record.log.push(`debug ${message}`),
    warning: (message: string | Error) => void record.log.push(`warning ${String(message instanceof Error ? message.message : message)}`),
    isDebug: () => debug,
    getIDToken: () => Promise.reject(new Error('this fake core has no OIDC token')),
    summary,
  } as unknown as ActionCore;
  return { core, record };
}

let environment: NodeJS.ProcessEnv | undefined;

/**
 * The runner's environment for an in-process step (a push to main, the event file in a temp directory), made
 * once per test file. GITHUB_STEP_SUMMARY is set so that the step writes its summary (to the fake core).
 */
export function runnerEnvironment(): NodeJS.ProcessEnv {
  if (environment) return environment;
  const dir = mkdtempSync(join(tmpdir(), 'wps-in-process-'));
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(PUSH.payload));
  environment = {
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'octo-org/shop',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_EVENT_NAME: PUSH.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REF: PUSH.ref,
    GITHUB_SHA: PUSH.sha,
    GITHUB_WORKFLOW: 'Deploy',
    GITHUB_RUN_ID: '16000000001',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKSPACE: dir,
    GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  };
  return environment;
}

/** Runs the Action in-process with `inputs` and returns what the step wrote. */
export async function runInProcess(inputs: Record<string, string>, options: { debug?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<StepRecord> {
  const { core, record } = createFakeCore(inputs, options);
  await run(core, { ...runnerEnvironment(), ...options.env });
  return record;
}
