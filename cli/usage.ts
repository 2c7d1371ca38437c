/** The help texts: the program's, and (from the inputs table) each command's. */
import { closest } from './closest.js';
import { EXIT_CODES } from './exitCodes.js';
import { PROGRAM } from './output.js';

const COMMANDS = {
  send: 'send a message, or the default deploy notification, to a hub, group, user or connection',
  close: 'close the connections of a hub, group, user or connection (a group in waves)',
  emulator: 'run the local Azure Web PubSub emulator (its own flags: emulator --help)',
} as const;

export function topUsage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return `Usage: ${PROGRAM} <command> [flags]

Azure Web PubSub from any pipeline: the GitHub Action's operations, for GitLab CI, Azure Pipelines, Jenkins or a
shell. The run's fields (repository, commit, run URL, environment, …) come from the CI it runs in.

Commands:
${Object.entries(COMMANDS)
  .map(([name, text]) => `  ${name.padEnd(width)}${text}`)
  .join('\n')}

  ${PROGRAM} <command> --help   the command's flags
  ${PROGRAM} --version          the version

Secrets come from the environment or a file, never from a flag: WEBPUBSUB_CONNECTION_STRING (or
--connection-string-file), WEBPUBSUB_ACCESS_KEY (or --access-key-file) with --endpoint.

Exit codes: ${exitCodesText()}
`;
}

export function exitCodesText(): string {
  const words: Record<keyof typeof EXIT_CODES, string> = {
    ok: 'done',
    internal: 'unexpected error',
    input: 'bad input, nothing sent',
    refused: 'refused by the service (4xx)',
    unreachable: 'unreachable, or 5xx after retries',
    partial: 'close in waves stopped part-way',
  };
  return Object.entries(EXIT_CODES)
    .map(([reason, code]) => `${code} ${words[reason as keyof typeof EXIT_CODES]}`)
    .join('; ');
}

export function unknownCommand(command: string): string {
  const near = closest(command, Object.keys(COMMANDS));
  return `${PROGRAM}: error: ${JSON.stringify(command)} is not a command${near ? `: did you mean ${near}?` : ''} (the commands: ${Object.keys(COMMANDS).join(', ')}; see --help)\n`;
}
