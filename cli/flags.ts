/**
 * The command line, read into the inputs the Action's code asks for (`--hub chat` is the `hub` input) plus the
 * CLI's own flags. Only the shape is checked here (known flag, a value where one is needed, given once); every
 * rule about a value is the Action's, applied by its code, so both front-ends say the same.
 */
import { closest } from './closest.js';
import { CliInputError } from './cliInputError.js';

/** A flag that carries an input of the Action. */
export interface InputFlag {
  name: string;
  /** `--dry-run` alone means true; a value is given as `--dry-run=false`. */
  boolean: boolean;
  /** A list input: the flag may repeat, the values are joined by newlines (as a multi-line input is). */
  repeatable: boolean;
  /** A secret: never a flag's value; read from this environment variable, or `--<name>-file` when `file`. */
  secret?: { env: string; file: boolean };
}

/** The CLI's own flags, beside the inputs. */
export const CLI_FLAGS = {
  json: { boolean: true, description: "print the outputs (the Action's output names) as one JSON object on stdout" },
  summary: { boolean: false, description: 'append the run summary (Markdown) to this file; on GitHub Actions GITHUB_STEP_SUMMARY is used without it' },
  verbose: { boolean: true, description: 'log each request attempt (status, duration) to stderr' },
  help: { boolean: true, description: 'show this help' },
} as const;
export type CliFlag = keyof typeof CLI_FLAGS;

/** The default notification's run fields a flag can set, over what the CI gives (or in a shell). */
export const SOURCE_FLAGS = {
  repository: 'repository',
  sha: 'sha',
  ref: 'ref',
  workflow: 'workflow',
  'run-id': 'runId',
  'run-url': 'runUrl',
  actor: 'actor',
  environment: 'environment',
  event: 'event',
} as const;
export type SourceFlag = keyof typeof SOURCE_FLAGS;

/** What the command line says. */
export interface ParsedArgs {
  /** Input values by input name, as given ('' for `--name=`). Secrets are never here. */
  inputs: Map<string, string>;
  /** `--<secret>-file` paths by the secret input's name. */
  secretFiles: Map<string, string>;
  cli: { json: boolean; summary: string | undefined; verbose: boolean; help: boolean };
  source: Partial<Record<SourceFlag, string>>;
}

/**
 * @throws CliInputError naming the flag: unknown (with the nearest known one), missing its value, given twice, a
 * secret given as a value, or a stray argument.
 */
export function parseArgs(args: readonly string[], inputs: readonly InputFlag[]): ParsedArgs {
  const byName = new Map(inputs.map((input) => [input.name, input]));
  const fileOf = new Map(inputs.filter((input) => input.secret?.file).map((input) => [`${input.name}-file`, input]));
  const known = [...byName.keys(), ...fileOf.keys(), ...Object.keys(CLI_FLAGS), ...Object.keys(SOURCE_FLAGS)];
  const parsed: ParsedArgs = {
    inputs: new Map(),
    secretFiles: new Map(),
    cli: { json: false, summary: undefined, verbose: false, help: false },
    source: {},
  };
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-h') {
      parsed.cli.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      const hint = i > 0 && args[i - 1]!.startsWith('--') ? ` (to give ${args[i - 1]!.split('=')[0]} a value, write ${args[i - 1]!.split('=')[0]}=${arg})` : '';
      throw new CliInputError(undefined, `unexpected argument ${JSON.stringify(arg)}: every value follows its flag${hint}`);
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    const flag = `--${name}`;
    const input = byName.get(name);
    const cliFlag = CLI_FLAGS[name as CliFlag];
    const isBoolean = input ? input.boolean : (cliFlag?.boolean ?? false);
    if (!input && !cliFlag && !fileOf.has(name) && !(name in SOURCE_FLAGS)) {
      const near = closest(name, known);
      throw new CliInputError(flag, `is not a flag${near ? `: did you mean --${near}?` : ''} (see --help)`);
    }
    if (input?.secret) {
      const { env, file } = input.secret;
      throw new CliInputError(
        flag,
        `must not be given on the command line, where ps and the shell's history show it: set the ${env} environment variable${file ? `, or put it in a file and pass --${name}-file <path>` : ''}`,
      );
    }
    let value: string;
    if (equals !== -1) value = arg.slice(equals + 1);
    else if (isBoolean) value = 'true';
    else {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new CliInputError(flag, 'needs a value');
      value = next;
      i++;
    }
    if (seen.has(name) && !input?.repeatable) throw new CliInputError(flag, 'is given twice: give it once');
    seen.add(name);
    if (input) parsed.inputs.set(name, parsed.inputs.has(name) ? `${parsed.inputs.get(name)}\n${value}` : value);
    else if (fileOf.has(name)) parsed.secretFiles.set(fileOf.get(name)!.name, value);
    else if (name in SOURCE_FLAGS) parsed.source[name as SourceFlag] = value;
    else if (name === 'summary') parsed.cli.summary = value;
    else if (cliFlag) {
      if (!['true', 'false'].includes(value)) throw new CliInputError(flag, `must be true or false (got ${JSON.stringify(value)})`);
      parsed.cli[name as 'json' | 'verbose' | 'help'] = value === 'true';
    }
  }
  return parsed;
}
