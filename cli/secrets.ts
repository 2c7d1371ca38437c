/**
 * Secret inputs (the connection string, the access key, …) come from an environment variable or a file, never
 * from the command line, where `ps` and the shell's history show them.
 */
import { readFileSync } from 'node:fs';
import { CliInputError } from './cliInputError.js';
import type { InputFlag } from './flags.js';

/**
 * Each secret input's value: from `--<name>-file` or its variable ('' when neither is set).
 * @throws CliInputError when both are set, or the file cannot be read or is empty (never echoing its content)
 */
export function readSecrets(inputs: readonly InputFlag[], files: ReadonlyMap<string, string>, env: NodeJS.ProcessEnv): Map<string, string> {
  const values = new Map<string, string>();
  for (const { name, secret } of inputs) {
    if (!secret) continue;
    const path = files.get(name);
    const fromEnv = env[secret.env] ?? '';
    if (path === undefined) {
      values.set(name, fromEnv);
      continue;
    }
    const flag = `--${name}-file`;
    if (fromEnv) throw new CliInputError(flag, `and ${secret.env} are both set: give one`);
    if (path === '') throw new CliInputError(flag, 'needs a path');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new CliInputError(flag, `must name a readable file: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    // A file written by `echo` or an editor ends with a line break, which is no part of the secret.
    const value = text.replace(/\s+$/, '');
    if (!value) throw new CliInputError(flag, `names an empty file (${JSON.stringify(path)})`);
    values.set(name, value);
  }
  return values;
}
