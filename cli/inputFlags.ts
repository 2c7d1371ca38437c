/**
 * The Action's inputs (action/inputs.ts, the one table) as the CLI's flags: each input the CLI has is `--<name>`;
 * a secret is its environment variable, or `--<name>-file`. Nothing here but the mapping.
 */
import { CLI_WORDING } from '../action/inputError.js';
import { describeInput, inputsOf, type InputDefinition } from '../action/inputs.js';
import type { InputFlag } from './flags.js';

/** An input as a flag, with what --help shows. */
export interface CliInput extends InputFlag {
  definition: InputDefinition;
  /** The default when unset, '' for none. */
  default: string;
  /** The description and the rule, in the CLI's words (`--endpoint`, `--target group`). */
  description: string;
}

export const INPUT_FLAGS: readonly CliInput[] = inputsOf('cli').map((definition) => {
  return {
    name: definition.name,
    boolean: definition.type.kind === 'boolean',
    repeatable: definition.type.kind === 'list',
    ...(definition.secret && definition.envVar && { secret: { env: definition.envVar, file: definition.file === true } }),
    definition,
    default: definition.frontEndDefault?.cli ?? definition.default,
    description: describeInput(definition, CLI_WORDING),
  };
});
