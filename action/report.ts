/** The one place that writes the step's outputs and its job summary. */
import type { Config } from './config.js';
import type { OutputName } from './outputs.js';
import type { Runner } from './runner.js';

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

/**
 * Sets every output, then, when the runner keeps a summary, appends a compact table (never the payload).
 * @returns the outputs that were set
 */
export async function report(runner: Runner, config: Config | undefined, outcome: Outcome): Promise<Record<string, string>> {
  const outputs: Partial<Record<OutputName, string>> = {
    ok: String(outcome.ok),
    status: outcome.status === undefined ? '' : String(outcome.status),
    attempts: String(outcome.attempts),
    'duration-ms': String(Math.round(outcome.durationMs)),
    payload: outcome.payload ?? '',
    ...(config?.operation === 'send' && { id: config.id }),
    ...(outcome.recipients !== undefined && { recipients: String(outcome.recipients) }),
    ...(outcome.closed !== undefined && { closed: String(outcome.closed) }),
  };
  for (const [name, value] of Object.entries(outputs)) runner.setOutput(name, value);
  if (config && runner.writeSummary) await runner.writeSummary(summaryOf(config, outcome));
  return outputs;
}

/** A heading and an HTML table (Markdown allows it; the cells are escaped). */
function summaryOf(config: Config, outcome: Outcome): string {
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
  const cells = (tag: string, texts: string[]) => `<tr>${texts.map((text) => `<${tag}>${escapeHtml(text)}</${tag}>`).join('')}</tr>`;
  return `### Azure Web PubSub\n\n<table>${cells('th', header)}${cells('td', row)}</table>\n`;
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
