/**
 * The seam between the operation code and a front-end. Everything the Action's code needs from the place it runs
 * in — inputs, how errors name them, the run's context, logging, masking, outputs, failing, the summary, how
 * Microsoft Entra tokens are obtained — comes through one `Runner`. The GitHub Action supplies one
 * (githubRunner.ts); the CLI supplies another. `runWith(runner)` (main.ts) is the same code for both.
 */
import type { TokenCredential } from '../shared/credentials.js';
import type { NotificationSource } from '../shared/notification.js';
import type { GitHubContext } from './context.js';
import type { EntraSettings } from './entra.js';
import type { InputWording } from './inputError.js';
import type { FrontEnd } from './inputs.js';

export type { InputWording } from './inputError.js';

/** The run the step belongs to. */
export interface RunContext {
  /** The run's fields for the default notification, whichever CI (or none) it ran in. */
  source: NotificationSource;
  /** GitHub's context when running on GitHub (release-tag look-ups, `{{ github.event.* }}`, the release event). */
  github?: GitHubContext;
  /** The environment: `{{ env.NAME }}`, GITHUB_WORKSPACE for message-file. */
  env: NodeJS.ProcessEnv;
  /** The send's id when the `id` input is not given. */
  defaultId: string;
  /** What to set when `source` is incomplete (e.g. "run inside a workflow" / "set --repository and --sha"). */
  sourceHint: string;
}

/** Where log lines go. Lines arrive redacted. */
export interface RunnerLog {
  info(line: string): void;
  warning(line: string): void;
  debug(line: string): void;
  /** True when debug lines are shown (the client then logs each attempt); absent means false. */
  isDebug?(): boolean;
}

/** Everything a front-end supplies. */
export interface Runner {
  /** Which front-end this is: it decides which inputs of the table exist (inputs.ts `only`). */
  frontEnd: FrontEnd;
  /** An input's value, '' when unset (no defaults applied: the inputs table holds them). */
  input(name: string): string;
  /** The names the user actually set (the Action: from INPUT_* variables), for the misspelt-input check. */
  inputNames(): string[];
  wording: InputWording;
  context: RunContext;
  log: RunnerLog;
  /** Hides a secret from every later log line (the Action: `::add-mask::`). */
  mask(secret: string): void;
  setOutput(name: string, value: string): void;
  /** The step failed (called once, with the redacted message); a front-end sets its exit code here. */
  fail(message: string): void;
  /** Appends the run's summary (Markdown, which may hold HTML tables); absent or a no-op when there is nowhere to write. */
  writeSummary?(markdown: string): Promise<void>;
  /**
   * How Microsoft Entra tokens are obtained here (the Action: GitHub's OIDC token exchanged at Entra). Called once
   * the inputs are read, before anything is sent; it throws an InputError when this front-end lacks what it needs
   * (the Action: the id-token permission). Absent: the Entra inputs are refused.
   * @param timeoutMs - bound on each token request
   */
  entraCredential?(settings: EntraSettings, timeoutMs: number): TokenCredential;
}

/**
 * What failed: a bad input (nothing was sent); the service refused the request (a 4xx); the service (or the
 * GitHub API) could not be reached, did not answer in time, or kept failing (5xx, 408, 429) after every retry;
 * part of a multi-request operation went through.
 */
export type FailureKind = 'input' | 'refused' | 'unreachable' | 'partial';

/** What a run came to. */
export interface RunResult {
  ok: boolean;
  /** Every output that was set. */
  outputs: Record<string, string>;
  /** Set whenever ok is false. */
  failure?: {
    kind: FailureKind;
    /** The redacted message, as `fail` (or the warning) got it. */
    message: string;
    /** False when fail-on-error: false turned it into a warning (a front-end then exits 0). */
    failsStep: boolean;
  };
}
