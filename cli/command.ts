/**
 * `send` and `close`: the Action's code (`runWith`) behind the CLI's runner, then the exit code, and with `--json`
 * the outputs on stdout. Imported statically: main.ts loads this module only for these commands, and one chunk
 * loads faster than several.
 */
import { runWith } from '../action/main.js';
import type { RunResult } from '../action/runner.js';
import { EXIT_CODES } from './exitCodes.js';
import { Output, PROGRAM } from './output.js';
import { createCliRunner, type Operation } from './runner.js';

/** Runs one command; resolves to its exit code (never throws). */
export async function runCommand(operation: Operation, argv: readonly string[], env: NodeJS.ProcessEnv, output = new Output(false)): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      const { commandUsage } = await import('./commandUsage.js');
      output.print(commandUsage(operation));
      return EXIT_CODES.ok;
    }
    let cli: ReturnType<typeof createCliRunner>;
    try {
      cli = createCliRunner(operation, argv, env, output);
    } catch (error) {
      if ((error as Error).name !== 'CliInputError') throw error;
      output.error(`${(error as Error).message}\nRun \`${PROGRAM} ${operation} --help\` for its flags.`);
      return EXIT_CODES.input;
    }
    output.verbose = cli.args.cli.verbose || output.verbose;
    output.debug(`CI: ${cli.ci.title}; notification source ${JSON.stringify(cli.runner.context.source)}`);
    const result = await runWith(cli.runner);
    if (result.failure?.failsStep) output.error(result.failure.message);
    if (cli.args.cli.json) output.json(result.outputs);
    return exitCodeOf(result);
  } catch (error) {
    output.error(`unexpected: ${(error as Error)?.stack ?? String(error)}`);
    return EXIT_CODES.internal;
  }
}

/** The exit code of a run. A failure that fail-on-error: false turned into a warning exits 0, as the step goes on. */
export function exitCodeOf({ failure }: RunResult): number {
  return failure?.failsStep ? EXIT_CODES[failure.kind] : EXIT_CODES.ok;
}
