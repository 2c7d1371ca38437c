/**
 * The CLI's front-end to the Action's code: the Runner (action/runner.ts) made of the command line, the
 * environment and the CI the command runs in. Inputs are the flags of the same names; secrets come from the
 * environment or a file; errors name flags (`--hub must …`); log lines go to stderr.
 */
import { appendFile } from 'node:fs/promises';
import { CLI_WORDING } from '../action/inputError.js';
import type { Runner } from '../action/runner.js';
import type { NotificationSource } from '../shared/notification.js';
import { detectCi } from './ci/detect.js';
import { type CiReader, shortRef } from './ci/types.js';
import { CliInputError } from './cliInputError.js';
import { createEntraCredentialFromEnv, ENTRA_ENV } from './entra.js';
import { parseArgs, SOURCE_FLAGS, type ParsedArgs, type SourceFlag } from './flags.js';
import { INPUT_FLAGS } from './inputFlags.js';
import type { Output } from './output.js';
import { readSecrets } from './secrets.js';

export type Operation = 'send' | 'close';

/** A runner, and what else the command line said. */
export interface CliRun {
  runner: Runner;
  args: ParsedArgs;
  ci: CiReader;
}

/**
 * Reads the command line and the environment into a Runner for `runWith`.
 * @param cwd - where relative paths start, and the git repository of a shell
 * @throws CliInputError for a mistake the Action's code never sees: an unknown flag, a secret as a flag's value, an
 * unreadable secret file, a flag given twice
 */
export function createCliRunner(operation: Operation, argv: readonly string[], env: NodeJS.ProcessEnv, output: Output, cwd = process.cwd()): CliRun {
  const args = parseArgs(argv, INPUT_FLAGS);
  if (args.inputs.has('operation')) throw new CliInputError('--operation', `is the command: run \`webpubsub-action ${args.inputs.get('operation')} …\``);
  const secrets = readSecrets(INPUT_FLAGS, args.secretFiles, env);
  for (const value of [...secrets.values(), env[ENTRA_ENV.token]]) if (value) output.mask(value);
  const ci = detectCi(env);
  const run = ci.read(env, cwd, { repository: Boolean(args.source.repository), sha: Boolean(args.source.sha) });
  const source = withFlags(run.source, args.source);
  const summaryFile = args.cli.summary ?? (env.GITHUB_STEP_SUMMARY || undefined);
  const given = (name: string) => args.inputs.has(name) || Boolean(secrets.get(name));
  const entraFromEnv = !given('connection-string') && !given('access-key');

  const input = (name: string): string => {
    if (name === 'operation') return operation;
    if (secrets.has(name)) return secrets.get(name)!;
    const value = args.inputs.get(name);
    if (value !== undefined) return value;
    // Azure Identity's variables name the app when no other credential is given (as its EnvironmentCredential does).
    if (entraFromEnv && ENTRA_VARIABLES[name]) return env[ENTRA_VARIABLES[name]] ?? '';
    return '';
  };
  const runner: Runner = {
    frontEnd: 'cli',
    input,
    inputNames: () => ['operation', ...args.inputs.keys(), ...[...secrets].filter(([, value]) => value).map(([name]) => name)],
    wording: CLI_WORDING,
    context: {
      source,
      ...(run.github && { github: run.github }),
      env,
      defaultId: run.defaultId,
      sourceHint: `in ${ci.title} the run's fields come from ${ci.sources}; set --repository and --sha to give them`,
    },
    log: { info: (line) => output.info(line), warning: (line) => output.warning(line), debug: (line) => output.debug(line), isDebug: () => output.verbose },
    mask: (secret) => output.mask(secret),
    setOutput: () => {},
    fail: () => {},
    ...(summaryFile && { writeSummary: (markdown: string) => appendFile(summaryFile, `${markdown}\n`) }),
    entraCredential: (settings, timeoutMs) => createEntraCredentialFromEnv(settings, timeoutMs, env, output),
  };
  return { runner, args, ci };
}

/** The Entra inputs Azure Identity's environment variables stand for. */
const ENTRA_VARIABLES: Readonly<Record<string, string>> = {
  'client-id': 'AZURE_CLIENT_ID',
  'tenant-id': 'AZURE_TENANT_ID',
  'authority-host': 'AZURE_AUTHORITY_HOST',
};

/** The CI's run fields with the flags' values over them. */
function withFlags(source: NotificationSource, flags: ParsedArgs['source']): NotificationSource {
  const result = { ...source };
  for (const [flag, value] of Object.entries(flags) as [SourceFlag, string][]) {
    const field = SOURCE_FLAGS[flag];
    if (field === 'runUrl' || field === 'environment') result[field] = value || null;
    else result[field] = value;
    // A ref given alone names its short form too.
    if (field === 'ref') result.refName = shortRef(value);
  }
  return result;
}
