#!/usr/bin/env node
/**
 * `webpubsub-action`: the GitHub Action's operations for any CI or a shell (`send`, `close`), and the local
 * emulator (`emulator`). This entry only picks the command: each one's code is imported when it runs, so
 * `--version` loads nothing, `send` never loads the emulator, and the emulator never loads the client.
 */
import module from 'node:module';
import { VERSION } from '../shared/version.js';

// Node 22.1 and later keep V8's compiled code of the chunks below between runs (in the OS's temp folder): a CI
// job's second call starts faster. Absent on Node 20, where this does nothing.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

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
  const code = await runCommand(command, rest, process.env);
  // Done: exit now rather than when the event loop drains, which a closed keep-alive socket's teardown delays by
  // a few hundred milliseconds; stdout and stderr are flushed first (on macOS a pipe is written asynchronously).
  await Promise.all([process.stdout, process.stderr].map((stream) => new Promise((flushed) => stream.write('', flushed))));
  process.exit(code);
} else {
  const { unknownCommand } = await import('./usage.js');
  process.stderr.write(unknownCommand(command));
  process.exitCode = 2;
}
