/** Which CI the CLI runs in: the first whose marker variable is set, else a shell. */
import { azurePipelines } from './azurePipelines.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { jenkins } from './jenkins.js';
import { shell } from './shell.js';
import type { CiReader } from './types.js';

/** Every CI the CLI reads, in the order they are tried; the shell last, as it matches anything. */
export const CI_READERS: readonly CiReader[] = [github, gitlab, azurePipelines, jenkins, shell];

export function detectCi(env: NodeJS.ProcessEnv): CiReader {
  return CI_READERS.find((reader) => reader.detect(env))!;
}
