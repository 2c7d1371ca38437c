/** The one place that writes the step's outputs and its job summary. */
import type { Config } from './config.js';
import type { ActionCore } from './core.js';

/** What the step did, for the outputs and the summary. */
export interface Outcome {
  ok: boolean;
  /** The HTTP status of the operation's request; undefined when nothing was sent. */
  status?: number;
  attempts: number;
  durationMs: number;
  /** The body that was sent (or would be): text, or base64 for binary. */
  payload?: string;
  recipients?: number | '1 or more';
  closed?: number;
  /** dry run, ok, or what failed (an error code), for the summary. */
  result: string;
}

/** Sets every output, then, when the runner gives a summary file, appends a compact table (never the payload). */
export async function report(core: ActionCore, config: Config | undefined, outcome: Outcome, env: NodeJS.ProcessEnv): Promise<void> {
  core.setOutput('ok', String(outcome.ok));
  core.setOutput('status', outcome.status === undefined ? '' : String(outcome.status));
  core.setOutput('attempts', String(outcome.attempts));
  core.setOutput('duration-ms', String(Math.round(outcome.durationMs)));
  core.setOutput('payload', outcome.payload ?? '');
  if (config?.operation === 'send') core.setOutput('id', config.id);
  if (outcome.recipients !== undefined) core.setOutput('recipients', String(outcome.recipients));
  if (outcome.closed !== undefined) core.setOutput('closed', String(outcome.closed));
  if (!config || !env.GITHUB_STEP_SUMMARY) return;

  const header = ['Operation', 'Hub', 'Target', 'Result', 'Status', 'Attempts', 'Duration'];
  const row = [
    config.operation,
    config.hub,
    describeTarget(config),
    outcome.result,
    outcome.status === undefined ? '–' : String(outcome.status),
    String(outcome.attempts),
    `${Math.round(outcome.durationMs)} ms`,
  ];
  if (outcome.recipients !== undefined) {
    header.push('Recipients');
    row.push(String(outcome.recipients));
  }
  if (outcome.closed !== undefined) {
    header.push('Closed');
    row.push(String(outcome.closed));
  }
  await core.summary
    .addHeading('Azure Web PubSub', 3)
    .addTable([header.map((data) => ({ data, header: true })), row.map(escapeHtml)])
    .write();
}

function describeTarget({ target }: Config): string {
  switch (target.kind) {
    case 'hub':
      return 'hub';
    case 'group':
      return `group ${target.group}`;
    case 'user':
      return `user ${target.userId}`;
    case 'connection':
      return `connection ${target.connectionId}`;
  }
}

/** Names come from the workflow; the summary is HTML, so they are escaped. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
