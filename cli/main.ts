#!/usr/bin/env node
/**
 * `webpubsub-action`: the GitHub Action's operations for any CI or a shell (`send`, `close`), and the local
 * emulator (`emulator`). This entry only picks the command: each one's code is imported when it runs, so
 * `--version` loads nothing, `send` never loads the emulator, and the emulator never loads the client.
 */
import { VERSION } from '../shared/version.js';

const args = process.argv.slice(2);
const [command, ...rest] = args;

if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  const { topUsage } = await import('./usage.js');
  process.stdout.write(topUsage());
  if (command === undefined) process.exitCode = 2;
} else if (command === '--version' || command === '-v' || command === 'version') {
  process.stdout.write(`${VERSION}\n`);
} else if (command === 'emulator') {
  // The emulator's own CLI reads process.argv from index 2: the command's name comes out first.
  process.argv.splice(2, 1);
  await import('../emulator/cli.js');
} else if (command === 'send' || command === 'close') {
  const { runCommand } = await import('./command.js');
  process.exitCode = await runCommand(command, rest, process.env);
} else {
  const { unknownCommand } = await import('./usage.js');
  process.stderr.write(unknownCommand(command));
  process.exitCode = 2;
}
