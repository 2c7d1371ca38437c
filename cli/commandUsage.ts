/** Each command's `--help`, generated from the inputs table, so it lists exactly the flags the command reads. */
import { ENTRA_ENV } from './entra.js';
import { CLI_FLAGS, type SOURCE_FLAGS } from './flags.js';
import { INPUT_FLAGS } from './inputFlags.js';
import { PROGRAM } from './output.js';
import type { Operation } from './runner.js';
import { exitCodesText } from './usage.js';

const SOURCE_TEXT: Record<keyof typeof SOURCE_FLAGS, string> = {
  repository: 'the repository (default: from the CI, or the git remote origin)',
  sha: 'the commit (default: from the CI, or git rev-parse HEAD)',
  ref: 'the full ref, e.g. refs/heads/main (default: from the CI, or git)',
  workflow: "the pipeline's name",
  'run-id': "the run's id",
  'run-url': "the run's page",
  actor: 'who triggered the run',
  environment: 'the deployment environment',
  event: 'what triggered the run',
};

const INTRO: Record<Operation, string> = {
  send: 'Sends a message, or (without --message / --message-file) the default deploy notification, whose run fields come from the CI.',
  close: 'Closes the connections of the hub, a group (--batch-size: in waves), a user or a connection.',
};

export function commandUsage(operation: Operation): string {
  const rows: [string, string][] = [];
  for (const input of INPUT_FLAGS.filter((row) => row.definition.operations.includes(operation) && row.name !== 'operation')) {
    const value = input.boolean ? '' : ' <value>';
    const fallback = input.default ? ` (default: ${input.default})` : '';
    if (input.secret) {
      rows.push([`${input.secret.env} (env)`, `${input.description}${fallback}`]);
      if (input.secret.file) rows.push([`--${input.name}-file <path>`, `or read it from a file (never pass it as a flag)`]);
    } else rows.push([`--${input.name}${value}${input.repeatable ? ' …' : ''}`, `${input.description}${fallback}`]);
  }
  const sourceRows: [string, string][] =
    operation === 'send' ? Object.entries(SOURCE_TEXT).map(([flag, text]) => [`--${flag} <value>`, text] as [string, string]) : [];
  const cliRows = Object.entries(CLI_FLAGS).map(
    ([flag, { boolean, description }]) => [`--${flag}${boolean ? '' : ' <file>'}`, description] as [string, string],
  );
  const entraRows: [string, string][] = [
    ['AZURE_CLIENT_ID, AZURE_TENANT_ID', 'stand for --client-id / --tenant-id when no other credential is given'],
    [ENTRA_ENV.tokenFile, 'Microsoft Entra: a file holding a federated token (workload identity)'],
    [ENTRA_ENV.token, "Microsoft Entra: a federated token itself (GitLab's id_tokens:, Azure Pipelines' OIDC token)"],
  ];
  return [
    `Usage: ${PROGRAM} ${operation} [flags]`,
    '',
    INTRO[operation],
    '',
    'Flags (the GitHub Action’s inputs, by the same names and rules):',
    table(rows),
    ...(sourceRows.length ? ['', 'The default notification’s run fields, over what the CI gives:', table(sourceRows)] : []),
    '',
    'Output:',
    table(cliRows),
    '',
    'Environment:',
    table(entraRows),
    '',
    `Exit codes: ${exitCodesText()}`,
    '',
  ].join('\n');
}

/** Two columns, the second wrapped at 110 characters. */
function table(rows: readonly [string, string][]): string {
  const width = Math.min(36, Math.max(...rows.map(([left]) => left.length)) + 2);
  return rows
    .map(([left, right]) => {
      const lines = wrap(right, 110 - width - 2);
      const first = left.length + 2 > width ? `  ${left}\n${' '.repeat(width + 2)}` : `  ${left.padEnd(width)}`;
      return first + lines.join(`\n${' '.repeat(width + 2)}`);
    })
    .join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}
